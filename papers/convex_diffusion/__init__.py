"""Zhang & Pilanci, "Analyzing Neural Network-Based Generative Diffusion Models through Convex
Optimization", arXiv:2402.01965.

Public API: the univariate SM / DSM convex programs and their fitted scores (:mod:`.score`),
Langevin sampling (:mod:`.langevin`), the non-convex torch trainer for score networks
(:mod:`.training`) and the gated multivariate SM program (:mod:`.multivariate`, ours).
"""

from papers.convex_diffusion.langevin import affine_stationary_variance, langevin_sample
from papers.convex_diffusion.multivariate import GatedScore, fit_gated_sm, sample_gates
from papers.convex_diffusion.score import (
    ScoreModel,
    affine_objective,
    critical_beta,
    fit_score,
    gaussian_threshold,
    recession_beta,
)
from papers.convex_diffusion.training import init_networks, network_objective, train_networks

__all__ = [
    "GatedScore",
    "ScoreModel",
    "affine_objective",
    "affine_stationary_variance",
    "critical_beta",
    "fit_gated_sm",
    "fit_score",
    "gaussian_threshold",
    "init_networks",
    "langevin_sample",
    "network_objective",
    "recession_beta",
    "sample_gates",
    "train_networks",
]

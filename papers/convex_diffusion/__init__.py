"""Zhang & Pilanci, "Analyzing Neural Network-Based Generative Diffusion Models through Convex
Optimization", arXiv:2402.01965.

Public API: the univariate SM / DSM convex programs and their fitted scores (:mod:`.score`),
Langevin sampling (:mod:`.langevin`), the non-convex torch trainer for score networks
(:mod:`.training`) and the gated multivariate SM program (:mod:`.multivariate`, ours).
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "langevin": ["affine_stationary_variance", "langevin_sample"],
        "multivariate": ["fit_gated_sm", "sample_gates", "GatedScore"],
        "score": [
            "affine_objective",
            "critical_beta",
            "fit_score",
            "gaussian_threshold",
            "recession_beta",
            "ScoreModel",
        ],
        "training": ["init_networks", "network_objective", "train_networks"],
    },
)

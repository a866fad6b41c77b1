"""Distributed MCMC sampling based on ADMM (D-ADMMS).

Alexandros E. Tzikas, Licio Romao, Mert Pilanci, Alessandro Abate and Mykel J.
Kochenderfer. *Distributed Markov Chain Monte Carlo Sampling based on the Alternating
Direction Method of Multipliers.* arXiv:2401.15838 (2024). Reference code:
``sisl/Distributed_ADMM_Sampler``.

Public API:

- :func:`graph`, :func:`metropolis_weights`, :func:`laplacian`, :func:`neighbour_matrix`:
  communication graphs;
- :class:`LinearGaussianTarget`, :class:`LogisticTarget` (pooled posterior moments) and the
  released data generators :func:`linear_regression_data`, :func:`logistic_regression_data`;
- :func:`sample`: D-ADMMS, ADMM, D-SGLD, D-SGHMC, D-ULA, vectorised over trials and agents;
- :func:`exact_law`, :func:`stationary_law`: exact laws on Gaussian targets;
- :func:`w2`, :func:`w2_curves`: Bures-Wasserstein distances.
"""

from papers.admm_sampling.exact import ExactLaw, exact_law, stationary_law
from papers.admm_sampling.graphs import (
    GRAPH_KINDS,
    graph,
    laplacian,
    metropolis_weights,
    neighbour_matrix,
)
from papers.admm_sampling.samplers import METHODS, hyperparameters, sample
from papers.admm_sampling.targets import (
    LinearGaussianTarget,
    LogisticTarget,
    linear_regression_data,
    logistic_regression_data,
)
from papers.admm_sampling.wasserstein import gaussian_fit, w2, w2_curves

__all__ = [
    "GRAPH_KINDS",
    "METHODS",
    "ExactLaw",
    "LinearGaussianTarget",
    "LogisticTarget",
    "exact_law",
    "gaussian_fit",
    "graph",
    "hyperparameters",
    "laplacian",
    "linear_regression_data",
    "logistic_regression_data",
    "metropolis_weights",
    "neighbour_matrix",
    "sample",
    "stationary_law",
    "w2",
    "w2_curves",
]

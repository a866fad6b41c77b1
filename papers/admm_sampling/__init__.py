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

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "exact": ["exact_law", "stationary_law", "ExactLaw"],
        "graphs": ["GRAPH_KINDS", "graph", "laplacian", "metropolis_weights", "neighbour_matrix"],
        "samplers": ["METHODS", "hyperparameters", "sample"],
        "targets": [
            "linear_regression_data",
            "logistic_regression_data",
            "LinearGaussianTarget",
            "LogisticTarget",
        ],
        "wasserstein": ["gaussian_fit", "w2", "w2_curves"],
    },
)

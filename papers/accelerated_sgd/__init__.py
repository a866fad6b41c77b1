"""Faster Convergence of Stochastic Accelerated Gradient Descent under Interpolation.

Aaron Mishkin, Mert Pilanci, Mark Schmidt. arXiv:2404.02378 (2024); v2 carries the
authors' notice that the main result (the sqrt(rho) rate for fully stochastic Nesterov
acceleration) has a proof bug. No public code.

Public API:

- :func:`least_squares`, :func:`population_least_squares`: interpolating least-squares
  problems with exact ``mu``, ``L``, ``L_max`` and strong growth constant ``rho(b)``;
- :func:`parameters`: step size, coupling and momentum of the v1, corrected and
  deterministic variants;
- :func:`run`: SGD, stochastic AGD in momentum form (``"sagd"``) and estimating-sequence
  form (``"sagd_general"``, semi- or fully stochastic), deterministic AGD, vectorised over
  seeds;
- :func:`iterations_to`, :func:`loglog_slope`: rates read off trajectories.
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "agd": ["METHODS", "VARIANTS", "parameters", "run", "Parameters", "Trajectory"],
        "problems": [
            "least_squares",
            "population_least_squares",
            "spectral_design",
            "LeastSquares",
        ],
        "rates": ["iterations_to", "loglog_slope"],
    },
)

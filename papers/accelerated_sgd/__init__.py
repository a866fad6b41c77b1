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

from papers.accelerated_sgd.agd import METHODS, VARIANTS, Parameters, Trajectory, parameters, run
from papers.accelerated_sgd.problems import (
    LeastSquares,
    least_squares,
    population_least_squares,
    spectral_design,
)
from papers.accelerated_sgd.rates import iterations_to, loglog_slope

__all__ = [
    "METHODS",
    "VARIANTS",
    "LeastSquares",
    "Parameters",
    "Trajectory",
    "iterations_to",
    "least_squares",
    "loglog_slope",
    "parameters",
    "population_least_squares",
    "run",
    "spectral_design",
]

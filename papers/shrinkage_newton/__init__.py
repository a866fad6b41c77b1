"""Optimal shrinkage for distributed second-order optimization.

Fangzhao Zhang and Mert Pilanci. ICML 2023 (PMLR 202:41523-41549), arXiv:2402.01956.
No reference implementation is public; the estimator is reconstructed (see the README).

Public API:

- :func:`averaged_inverse`: average ``q`` agents' local regularised inverses from a
  ``(q, m, d)`` block array (``naive``, ``shrinkage``, ``shrinkage_fixed_point``,
  ``lambda_only``, ``determinantal``), all local solves batched;
- :func:`effective_dimension`, :func:`deterministic_equivalent_kappa`,
  :func:`shrinkage_coeff`, :func:`local_fixed_point_s`, :func:`predicted_naive_error`:
  the random-matrix quantities behind the bias and its correction;
- :func:`distributed_newton`: distributed Newton for logistic regression and least
  squares, returning ``F(x_t) - F*`` per round with a certified ``F*``;
- :func:`gaussian_sketch_blocks`: Gaussian sketches of a matrix in the same block layout.
"""

from papers.shrinkage_newton.newton import (
    LOSSES,
    NEWTON_METHODS,
    NewtonTrace,
    distributed_newton,
    iteration_eigenvalues,
    objective,
    reference_optimum,
)
from papers.shrinkage_newton.resolvent import (
    METHODS,
    averaged_inverse,
    deterministic_equivalent_kappa,
    effective_dimension,
    local_directions,
    local_fixed_point_s,
    local_grams,
    local_inverses,
    naive_limit,
    predicted_naive_error,
    shrinkage_coeff,
)
from papers.shrinkage_newton.sketch import gaussian_sketch_blocks

__all__ = [
    "LOSSES",
    "METHODS",
    "NEWTON_METHODS",
    "NewtonTrace",
    "averaged_inverse",
    "deterministic_equivalent_kappa",
    "distributed_newton",
    "effective_dimension",
    "gaussian_sketch_blocks",
    "iteration_eigenvalues",
    "local_directions",
    "local_fixed_point_s",
    "local_grams",
    "local_inverses",
    "naive_limit",
    "objective",
    "predicted_naive_error",
    "reference_optimum",
    "shrinkage_coeff",
]

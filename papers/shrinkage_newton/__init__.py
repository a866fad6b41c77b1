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

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "newton": [
            "LOSSES",
            "NEWTON_METHODS",
            "NewtonTrace",
            "distributed_newton",
            "iteration_eigenvalues",
            "objective",
            "reference_optimum",
        ],
        "resolvent": [
            "METHODS",
            "averaged_inverse",
            "deterministic_equivalent_kappa",
            "effective_dimension",
            "local_directions",
            "local_fixed_point_s",
            "local_grams",
            "local_inverses",
            "naive_limit",
            "predicted_naive_error",
            "shrinkage_coeff",
        ],
        "sketch": ["gaussian_sketch_blocks"],
    },
)

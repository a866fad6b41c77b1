r"""Column generation for the ReLU program over a large candidate pattern set (brief §5.2).

Solve on a working set, price every candidate pattern by its exact dual-constraint value
(C2, by NNLS, :func:`common.convex_nn.pricing.price_blocks`: the pricing the working-set
solver uses too) at the residual, add the most violated ones, repeat. When no candidate
violates :math:`\max(\|\Pi_{K_i}(X^\top D_ir)\|,\|\Pi_{K_i}(-X^\top D_ir)\|)\le\beta`, the
working-set optimum is optimal for the program over all candidates (with
``enumerate_patterns`` candidates: :math:`p^\star`), and all :math:`P` blocks are never
materialised in the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .formulations import Formulation
from .pricing import price_blocks
from .problem import check_beta, check_patterns, check_X, check_y, predict_convex
from .solve import ConvexResult, solve_convex

__all__ = ["ColumnGenerationResult", "column_generation"]


@dataclass(frozen=True, eq=False)
class ColumnGenerationResult:
    """Attributes: ``result`` (the solution of the last round), ``working_set`` (candidate
    indices, ascending: the patterns of ``result`` if converged; after ``max_rounds`` without
    convergence they include the violators added after the last solve),
    ``max_dual_constraint`` (the largest C2 value at the final residual, ``<= beta`` at the
    optimum), ``converged`` (no candidate violated), ``history`` (objective per round),
    ``dual_values`` (C2 value per candidate: exact where its gated bound exceeded the
    screening level, the bound elsewhere) and ``rounds``."""

    result: ConvexResult
    working_set: np.ndarray
    max_dual_constraint: float
    converged: bool
    history: tuple
    dual_values: np.ndarray
    rounds: int

    @property
    def working(self) -> np.ndarray:
        """Boolean mask over the candidates of the final working set."""
        mask = np.zeros(self.dual_values.shape[0], dtype=bool)
        mask[self.working_set] = True
        return mask


def _initial_mask(initial, P: int) -> np.ndarray:
    work = np.zeros(P, dtype=bool)
    if isinstance(initial, int | np.integer) and not isinstance(initial, bool):
        if initial < 1:
            raise ValueError(f"initial must be >= 1 (or a mask / indices), got {initial}")
        work[: min(int(initial), P)] = True
        return work
    arr = np.asarray(initial)
    if arr.dtype == bool:
        if arr.shape != (P,) or not arr.any():
            raise ValueError(f"initial must be a non-empty boolean mask of shape ({P},)")
        return arr.copy()
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError("initial must be a count, a boolean mask or an array of indices")
    if arr.min() < 0 or arr.max() >= P:
        raise ValueError(f"initial indices must lie in [0, {P}), got {arr.min()}..{arr.max()}")
    work[arr] = True
    return work


def column_generation(
    X,
    y,
    candidates,
    beta,
    *,
    initial=10,
    add_per_round: int = 10,
    max_rounds: int = 50,
    rtol: float = 1e-6,
    screen: float | None = None,
    solver: str = "cvxpy",
    activation="relu",
    **solve_kwargs,
) -> ColumnGenerationResult:
    """ReLU program over ``candidates`` (bool ``(P, n)``) by column generation (scalar y).

    ``initial``: the first working set, a count (the first candidates), a boolean mask or
    indices. Each round solves on the working set (patterns in candidate order) with
    ``solve_convex(..., solver=solver, **solve_kwargs)``, prices the candidates at the residual
    and adds the ``add_per_round`` most violated ones (C2 value ``> beta (1 + rtol)``); it stops
    when none is violated (``converged``) or after ``max_rounds``. ``screen``: compute exact C2
    values for every candidate whose gated bound exceeds it (``None``: only as many as needed
    to know the maximum and every violator exactly).
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    if y.ndim != 1:
        raise ValueError("column_generation supports scalar outputs y of shape (n,)")
    D = check_patterns(candidates, X.shape[0])
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("column_generation needs beta > 0")
    if add_per_round < 1:
        raise ValueError("initial and add_per_round must be >= 1")
    form = Formulation("relu", activation)
    M, S = form.masks(D), form.signs(D)
    work = _initial_mask(initial, D.shape[0])
    history = []
    res, pr, converged, rounds = None, None, False, 0
    while rounds < max_rounds:
        rounds += 1
        res = solve_convex(X, y, D[work], beta, formulation=form, solver=solver, **solve_kwargs)
        history.append(res.objective)
        r = y - predict_convex(X, D[work], res.U, res.V, form.activation)
        pr = price_blocks(X, r, M, S, beta, rtol=rtol, screen=screen)
        vals = _pattern_values(pr.values)
        viol = (vals > beta * (1 + rtol)) & ~work
        if not viol.any():
            converged = True
            break
        add = np.flatnonzero(viol)
        work[add[np.argsort(-vals[add], kind="stable")[:add_per_round]]] = True
    vals = _pattern_values(pr.values)
    return ColumnGenerationResult(
        res, np.flatnonzero(work), float(vals.max()), converged, tuple(history), vals, rounds
    )


def _pattern_values(values: np.ndarray) -> np.ndarray:
    """Per pattern, the larger of its ``u`` and ``v`` block's values."""
    P = values.shape[0] // 2
    return np.maximum(values[:P], values[P:])

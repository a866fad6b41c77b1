r"""Column generation for the ReLU program over a large candidate pattern set (brief §5.2).

Solve on a working set, compute the exact dual-constraint value (C2, by NNLS) of every
candidate pattern at the residual, add the most violated ones, repeat. When no candidate
violates :math:`\max(\|\Pi_{K_i}(X^\top D_ir)\|,\|\Pi_{K_i}(-X^\top D_ir)\|)\le\beta`, the
working-set optimum is optimal for the program over all candidates (with
``enumerate_patterns`` candidates: :math:`p^\star`), and all :math:`P` blocks are never
materialised in the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .certificates import dual_constraint_values
from .problem import check_beta, check_patterns, check_X, check_y, predict_convex
from .solve import ConvexResult, solve_convex

__all__ = ["ColumnGenerationResult", "column_generation"]


@dataclass(frozen=True, eq=False)
class ColumnGenerationResult:
    result: ConvexResult  # solution on the final working set
    working_set: np.ndarray  # indices into the candidate patterns
    max_dual_constraint: float  # max over candidates at the final residual (<= beta at optimum)
    converged: bool
    history: tuple  # objective per round


def column_generation(
    X,
    y,
    candidates,
    beta,
    *,
    initial: int = 10,
    add_per_round: int = 10,
    max_rounds: int = 50,
    rtol: float = 1e-6,
    solver: str = "cvxpy",
    **solve_kwargs,
) -> ColumnGenerationResult:
    """ReLU program over ``candidates`` (bool ``(P, n)``) by column generation (scalar y)."""
    X = check_X(X)
    y = check_y(y, X.shape[0])
    if y.ndim != 1:
        raise ValueError("column_generation supports scalar outputs y of shape (n,)")
    D = check_patterns(candidates, X.shape[0])
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("column_generation needs beta > 0")
    if initial < 1 or add_per_round < 1:
        raise ValueError("initial and add_per_round must be >= 1")
    work = list(range(min(initial, D.shape[0])))
    history = []
    res, tmax, converged = None, np.inf, False
    for _ in range(max_rounds):
        res = solve_convex(X, y, D[work], beta, formulation="relu", solver=solver, **solve_kwargs)
        history.append(res.objective)
        r = y - predict_convex(X, D[work], res.U, res.V)
        vals = dual_constraint_values(X, r, D, formulation="relu")
        tmax = float(vals.max())
        outside = np.setdiff1d(np.arange(D.shape[0]), work)
        viol = outside[vals[outside] > beta * (1 + rtol)]
        if viol.size == 0:
            converged = True
            break
        order = viol[np.argsort(-vals[viol])][:add_per_round]
        work.extend(int(i) for i in order)
    return ColumnGenerationResult(res, np.asarray(work), tmax, converged, tuple(history))

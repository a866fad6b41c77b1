r"""The paper's convex-landscape tools on top of the shared core (``common.convex_nn``).

Ergen & Pilanci (arXiv:2312.12657) show that training a two-layer ReLU network with weight
decay is the convex program

.. math::
    p^\star=\min_{u_i,v_i\in K_i}\tfrac12\Big\|\sum_{i=1}^P D_iX(u_i-v_i)-y\Big\|^2
        +\beta\sum_i(\|u_i\|+\|v_i\|),\qquad K_i=\{u:(2D_i-I)Xu\ge0\},

over all activation patterns :math:`D_i` of :math:`X`, with dual constraint
:math:`\max_{\|u\|\le1}|r^\top(Xu)_+|\le\beta` at the optimal residual :math:`r`.

* :func:`exact_optimum` -- :math:`p^\star` by column generation over an enumerated pattern set:
  solve on a working set, add every pattern whose dual constraint is violated (core brief §5.2,
  C2), repeat; when none is violated the working-set optimum is the optimum over all patterns.
* :func:`dual_constraint_all` -- the C2 value per pattern, screened: the gated value
  :math:`\|X^\top D_ir\|` bounds the ReLU value from above, so the exact (NNLS) projection is
  computed only where the gated value exceeds the screening level.
* :func:`stationary_program` -- Theorem (stationary points): the convex program restricted to a
  network's own patterns, whose optimum equals the network's objective at a stationary point.
* :func:`lowrank_patterns` and :func:`recalled_ratio_bound` -- the approximation scheme built
  from the rank-``k`` truncation :math:`X_k` and the ICML-2020 form of its guarantee, which
  could not be checked against the paper (labelled *unverified* wherever it is drawn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.arrangements import enumerate_patterns
from common.convex_nn import (
    ConvexResult,
    dual_constraint_values,
    network_objective,
    network_to_convex,
    predict_convex,
    solve_convex,
)
from common.convex_nn.problem import check_array, check_beta, check_X, check_y

__all__ = [
    "ExactOptimum",
    "all_patterns",
    "dual_constraint_all",
    "exact_optimum",
    "lowrank_patterns",
    "recalled_ratio_bound",
    "stationary_program",
]


def all_patterns(X) -> np.ndarray:
    """Every activation pattern of ``X`` (exact enumeration), without the all-zero pattern."""
    D = enumerate_patterns(check_X(X))
    return D[D.any(axis=1)]


def dual_constraint_all(X, r, patterns, *, screen: float = 0.0) -> np.ndarray:
    r"""C2 values :math:`\max(\|\Pi_{K_i}(X^\top D_ir)\|,\|\Pi_{K_i}(-X^\top D_ir)\|)` per pattern.

    Entries whose gated upper bound :math:`\|X^\top D_ir\|` is ``<= screen`` are returned as
    that bound (exact values are computed only above ``screen``; ``screen=0`` computes all).
    """
    X = check_X(X)
    r = check_y(r, X.shape[0])
    vals = dual_constraint_values(X, r, patterns, formulation="gated")
    hot = vals > screen
    if hot.any():
        vals[hot] = dual_constraint_values(X, r, np.asarray(patterns)[hot], formulation="relu")
    return vals


@dataclass(frozen=True)
class ExactOptimum:
    r""":math:`p^\star` over a full pattern set, with its certificate.

    Attributes
    ----------
    result : ConvexResult
        The solution on the final working set.
    patterns : (P, n) bool
        The full pattern set searched.
    working : (P,) bool
        Which patterns ended in the working set.
    dual_values : (P,)
        C2 value per pattern at the final residual (exact where the gated bound exceeds ``beta``).
    rounds : int
    max_violation : float
        :math:`\max_i(\text{C2}_i)/\beta-1` (``<= 0`` certifies optimality).
    """

    result: ConvexResult
    patterns: np.ndarray
    working: np.ndarray
    dual_values: np.ndarray
    rounds: int
    max_violation: float

    @property
    def objective(self) -> float:
        return self.result.objective


def exact_optimum(
    X,
    y,
    beta: float,
    *,
    patterns=None,
    initial=None,
    solver: str = "cvxpy",
    rtol: float = 1e-6,
    max_rounds: int = 50,
    max_add: int = 200,
) -> ExactOptimum:
    r"""The ReLU program's optimum over all patterns by column generation.

    Parameters
    ----------
    X : (n, d), y : (n,), beta : float > 0
    patterns : (P, n) bool, optional
        The full set (default: :func:`all_patterns`).
    initial : (P,) bool, optional
        Initial working set (default: the ``min(P, 2 d)`` patterns with the largest
        :math:`\|X^\top D_iy\|`).
    solver : str
        Any ``solve_convex`` solver name (``"cvxpy"`` = CLARABEL).
    rtol : float
        A pattern is violated when its C2 value exceeds ``beta * (1 + rtol)``.
    max_add : int
        At most this many (the most violated) patterns are added per round.
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("exact_optimum needs beta > 0 (the dual constraint is beta-scaled)")
    D = all_patterns(X) if patterns is None else np.asarray(patterns, dtype=bool)
    if D.ndim != 2 or D.shape[1] != X.shape[0] or D.shape[0] == 0:
        raise ValueError(f"patterns must have shape (P >= 1, n={X.shape[0]}), got {D.shape}")
    if initial is None:
        score = dual_constraint_values(X, y, D, formulation="gated")
        work = np.zeros(len(D), dtype=bool)
        work[np.argsort(-score, kind="stable")[: min(len(D), 2 * X.shape[1])]] = True
    else:
        work = np.asarray(initial, dtype=bool).copy()
        if work.shape != (len(D),) or not work.any():
            raise ValueError(f"initial must be a non-empty boolean mask of shape ({len(D)},)")
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        res = solve_convex(X, y, D[work], beta, formulation="relu", solver=solver)
        r = y - predict_convex(X, D[work], res.U, res.V)
        vals = dual_constraint_all(X, r, D, screen=beta)
        viol = (vals > beta * (1 + rtol)) & ~work
        if not viol.any():
            break
        add = np.flatnonzero(viol)
        work[add[np.argsort(-vals[add], kind="stable")[:max_add]]] = True
    return ExactOptimum(res, D, work, vals, rounds, float(vals.max() / beta - 1.0))


def stationary_program(
    X, y, W1, w2, beta: float, *, solver: str = "cvxpy", tol: float = 1e-9
) -> tuple[ConvexResult, float]:
    r"""Solve the ReLU program on a network's own patterns (stationary-point theorem).

    For a stationary point :math:`(W,\alpha)` of the weight-decayed objective (no ties
    :math:`x_i^\top w_j=0`), the network mapped to the convex variables
    (:func:`common.convex_nn.network_to_convex`) satisfies the KKT conditions of the program
    restricted to its patterns :math:`\{\mathbb 1[Xw_j\ge0]\}`, so that program's optimum
    :math:`p_{\text{sub}}` equals :math:`p_{\text{nc}}(W,\alpha)`, and
    :math:`p_{\text{sub}}\ge p^\star`. Dead neurons (:math:`|\alpha_j|\|w_j\|\le` ``tol``)
    are dropped first: their pattern is not one of the network's.

    Returns ``(result on the network's patterns, p_nc)``.
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    beta = check_beta(beta)
    W1 = check_array(W1, "W1", (2,))
    w2 = check_array(w2, "w2", (1,))
    live = np.abs(w2) * np.linalg.norm(W1, axis=1) > tol
    if not live.any():
        raise ValueError("the network has no live neuron (all |alpha_j| * ||w_j|| <= tol)")
    D, _, _ = network_to_convex(X, W1[live], w2[live])
    res = solve_convex(X, y, D, beta, formulation="relu", solver=solver)
    return res, network_objective(X, y, W1, w2, beta)


def lowrank_patterns(X, k: int) -> np.ndarray:
    r"""All patterns of the rank-``k`` SVD truncation :math:`X_k` (without the all-zero one)."""
    X = check_X(X)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= min(X.shape):
        raise ValueError(f"k must be an int in [1, {min(X.shape)}], got {k!r}")
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    return all_patterns((U[:, :k] * s[:k]) @ Vt[:k])


def recalled_ratio_bound(sigma_next, beta: float, m_star: int) -> np.ndarray:
    r"""Recalled (**unverified**) ratio guarantee of the low-rank scheme.

    .. math:: p_k/p^\star\le\big(1+\sqrt{m^\star}\,\sigma_{k+1}/\beta\big)^2 .

    This is the ICML-2020 form as recalled in the project brief; the paper's own statement could
    not be read. ``sigma_next`` is :math:`\sigma_{k+1}(X)` (scalar or array).
    """
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("beta must be > 0")
    if m_star < 1:
        raise ValueError(f"m_star must be >= 1, got {m_star}")
    return (1.0 + np.sqrt(m_star) * np.asarray(sigma_next, float) / beta) ** 2

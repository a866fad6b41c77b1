r"""The paper's convex-landscape tools on top of the shared core (``common.convex_nn``).

Ergen & Pilanci (arXiv:2312.12657) show that training a two-layer ReLU network with weight
decay is the convex program

.. math::
    p^\star=\min_{u_i,v_i\in K_i}\tfrac12\Big\|\sum_{i=1}^P D_iX(u_i-v_i)-y\Big\|^2
        +\beta\sum_i(\|u_i\|+\|v_i\|),\qquad K_i=\{u:(2D_i-I)Xu\ge0\},

over all activation patterns :math:`D_i` of :math:`X`, with dual constraint
:math:`\max_{\|u\|\le1}|r^\top(Xu)_+|\le\beta` at the optimal residual :math:`r`.

* :func:`exact_optimum` -- :math:`p^\star` by column generation over an enumerated pattern set
  (:func:`common.convex_nn.column_generation`): solve on a working set, add the patterns whose
  dual constraint is violated (core brief §5.2, C2), repeat; when none is violated the
  working-set optimum is the optimum over all patterns.
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
    column_generation,
    dual_constraint_values,
    network_objective,
    network_to_convex,
    solve_convex,
)
from common.convex_nn.problem import check_array, check_beta, check_patterns, check_X, check_y

__all__ = [
    "ExactOptimum",
    "Polished",
    "all_patterns",
    "dual_constraint_all",
    "exact_optimum",
    "lowrank_patterns",
    "polish_stationary",
    "recalled_ratio_bound",
    "stationary_program",
]


def all_patterns(X) -> np.ndarray:
    """Every activation pattern of ``X`` (exact enumeration), without the all-zero pattern."""
    D = enumerate_patterns(check_X(X))
    return D[D.any(axis=1)]


def dual_constraint_all(X, r, patterns, *, screen: float = 0.0, activation="relu") -> np.ndarray:
    r"""C2 values :math:`\max(\|\Pi_{K_i}(X^\top M_ir)\|,\|\Pi_{K_i}(-X^\top M_ir)\|)` per pattern
    (:math:`M_i=D_i` for ReLU; :math:`aD_i+b(I-D_i)` for the activation's slopes ``(a, b)``).

    Entries whose gated upper bound :math:`\|X^\top M_ir\|` is ``<= screen`` are returned as
    that bound (exact values are computed only above ``screen``; ``screen=0`` computes all).
    """
    X = check_X(X)
    r = check_y(r, X.shape[0])
    vals = dual_constraint_values(X, r, patterns, formulation="gated", activation=activation)
    hot = vals > screen
    if hot.any():
        vals[hot] = dual_constraint_values(
            X, r, np.asarray(patterns)[hot], formulation="relu", activation=activation
        )
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
    activation="relu",
) -> ExactOptimum:
    r"""The ReLU program's optimum over all patterns by column generation.

    Parameters
    ----------
    X : (n, d), y : (n,), beta : float > 0
    patterns : (P, n) bool, optional
        The full set (default: :func:`all_patterns`).
    initial : (P,) bool, indices or a count, optional
        Initial working set, as in :func:`common.convex_nn.column_generation` (default: the
        ``min(P, 2 d)`` patterns with the largest :math:`\|X^\top D_iy\|`).
    solver : str
        Any ``solve_convex`` solver name (``"cvxpy"`` = CLARABEL).
    rtol : float
        A pattern is violated when its C2 value exceeds ``beta * (1 + rtol)``.
    max_add : int
        At most this many (the most violated) patterns are added per round.
    activation : "relu", "abs", ("leaky", kappa) or slopes (a, b)
        The program's masks :math:`M_i=aD_i+b(I-D_i)` (core brief §3.4); pass the pattern set
        the activation needs (e.g. with the all-zero pattern when ``b != 0``).
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("exact_optimum needs beta > 0 (the dual constraint is beta-scaled)")
    D = all_patterns(X) if patterns is None else check_patterns(patterns, X.shape[0])
    if initial is None:
        score = dual_constraint_values(X, y, D, formulation="gated", activation=activation)
        initial = np.argsort(-score, kind="stable")[: min(len(D), 2 * X.shape[1])]
    cg = column_generation(
        X, y, D, beta, initial=initial, add_per_round=max_add, max_rounds=max_rounds, rtol=rtol,
        screen=beta, solver=solver, activation=activation,
    )  # fmt: skip
    return ExactOptimum(
        cg.result, D, cg.working, cg.dual_values, cg.rounds, cg.max_dual_constraint / beta - 1.0
    )


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


@dataclass(frozen=True)
class Polished:
    r"""A network polished to a (Clarke) stationary point in float64.

    Attributes
    ----------
    W1 : (m, d), w2 : (m,)
        Polished weights (dead neurons set to exactly zero).
    grad_norm : float
        Norm of the smallest element of the network objective's generalised gradient with
        ``relu'(0)`` in ``[0, 1]`` at the ties (data points on a neuron's kink); the ordinary
        gradient norm where there are no ties.
    stationary : bool
        ``grad_norm <= tol`` was reached.
    n_ties : int
        Number of (sample, live neuron) pairs with ``x_i^T w_j = 0`` (held exactly zero).
    tie_bits : list of (neuron, sample, s)
        The ties and their ``relu'(0)`` value ``s`` in ``[0, 1]``.
    iterations : int
    """

    W1: np.ndarray
    w2: np.ndarray
    grad_norm: float
    stationary: bool
    n_ties: int
    tie_bits: tuple
    iterations: int


def _null(A: np.ndarray, d: int) -> np.ndarray:
    if A.shape[0] == 0:
        return np.eye(d)
    _, s, Vt = np.linalg.svd(A, full_matrices=True)
    rank = int(np.sum(s > 1e-12 * max(s[0], 1e-300)))
    return Vt[rank:].T


def _reduced_parts(X, y, sig, N, Z, a, beta):
    """Objective, gradient, Hessian in the variables ``(z_j, alpha_j)`` with ``w_j = N_j z_j``.

    ``sig (m, n)``: 1 where sample i is on neuron j's active side, 0 otherwise (ties: 0; their
    pre-activation is held at zero, so they contribute nothing either way).
    """
    m = len(N)
    dims = [Nj.shape[1] for Nj in N]
    W = np.stack([N[j] @ Z[j] for j in range(m)])
    H = sig * (W @ X.T)  # (m, n)
    r = H.T @ a - y
    F = 0.5 * r @ r + 0.5 * beta * (np.sum(W**2) + a @ a)
    cols = [a[j] * (sig[j][:, None] * X) @ N[j] for j in range(m)]
    J = np.concatenate([*cols, H.T], axis=1)
    off = np.cumsum([0, *dims])
    g = J.T @ r + beta * np.concatenate([*(Z[j] for j in range(m)), a])
    Hs = J.T @ J + beta * np.eye(J.shape[1])
    for j in range(m):
        c = N[j].T @ ((sig[j][:, None] * X).T @ r)
        Hs[off[j] : off[j + 1], off[-1] + j] += c
        Hs[off[-1] + j, off[j] : off[j + 1]] += c
    return F, g, Hs, W, r


def polish_stationary(  # noqa: C901 (one Newton loop with tie and dead-neuron handling)
    X, y, W1, w2, beta: float, *, tol: float = 1e-9, max_iter: int = 300,
    tie_tol: float = 1e-6, dead_tol: float = 1e-9,
) -> Polished:  # fmt: skip
    r"""Polish a trained network to a Clarke stationary point with float64 precision.

    Active-set Newton on the network objective inside its current activation cell: samples
    with ``|x_i^T w_j| <= tie_tol ||x_i|| ||w_j||`` are ties, held at ``x_i^T w_j = 0`` (``w_j``
    restricted to the null space of the tied rows); the other samples keep their side of every
    kink (a step is cut where a sample would cross, and that sample becomes a tie). On each
    cell face the objective is smooth; Newton (least-squares solve of the exact Hessian, which
    is singular along the rescaling directions; backtracking) runs until the reduced gradient is
    ``<= tol``. Then each tie's ``relu'(0)`` value ``s`` is the one that zeroes the full
    gradient; if some ``s`` lies outside ``[0, 1]`` the point is not stationary, that tie is
    released (the next Newton step decides its side), and the polish continues. Neurons with
    :math:`|\alpha_j|\|w_j\|\le` ``dead_tol`` are set to zero. Used to check the
    stationary-point theorem at points that are stationary to float64 precision.
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    beta = check_beta(beta)
    W1 = np.array(check_array(W1, "W1", (2,)), dtype=np.float64)
    w2 = np.array(check_array(w2, "w2", (1,)), dtype=np.float64)
    d = X.shape[1]
    xn = np.linalg.norm(X, axis=1)
    live = np.abs(w2) * np.linalg.norm(W1, axis=1) > dead_tol
    W1[~live], w2[~live] = 0.0, 0.0
    idx = np.flatnonzero(live)
    if idx.size == 0:
        return Polished(W1, w2, float(np.linalg.norm(w2)), True, 0, (), 0)
    W, a = W1[idx].copy(), w2[idx].copy()
    m = idx.size
    P = W @ X.T
    tie = np.abs(P) <= tie_tol * xn[None, :] * np.linalg.norm(W, axis=1)[:, None]
    side = P > 0
    gnorm, stationary, it, bits = np.inf, False, 0, ()
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        N = [_null(X[tie[j]], d) for j in range(m)]
        Z = [N[j].T @ W[j] for j in range(m)]
        sig = (side & ~tie).astype(np.float64)
        F, g, Hs, W, r = _reduced_parts(X, y, sig, N, Z, a, beta)
        if np.linalg.norm(g) <= tol:
            # relu'(0) values at the ties that zero the full gradient of each neuron
            worst, bits, full = None, [], 0.0
            for j in range(m):
                gw = a[j] * (sig[j] * r) @ X + beta * W[j]
                ti = np.flatnonzero(tie[j])
                if ti.size:
                    A = (a[j] * r[ti])[None, :] * X[ti].T  # (d, t)
                    s = np.linalg.lstsq(A, -gw, rcond=None)[0]
                    sc = np.clip(s, 0.0, 1.0)
                    gw = gw + A @ sc
                    for k, i in enumerate(ti):
                        bits.append((int(idx[j]), int(i), float(sc[k])))
                        out = max(s[k] - 1.0, -s[k])
                        if out > 1e-9 and (worst is None or out > worst[0]):
                            worst = (out, j, i)
                full += float(gw @ gw)
            ga = (sig * (W @ X.T)) @ r + beta * a
            gnorm = float(np.sqrt(full + ga @ ga))
            if worst is None:
                stationary = gnorm <= 10 * tol
                break
            _, j, i = worst
            tie[j, i] = False
            side[j, i] = True  # provisional; the next step sets it
            continue
        step = -np.linalg.lstsq(Hs, g, rcond=None)[0]
        if step @ g >= 0:
            step = -g / max(np.linalg.norm(Hs, 2), 1e-300)
        off = np.cumsum([0, *(Nj.shape[1] for Nj in N)])
        dW = np.stack([N[j] @ step[off[j] : off[j + 1]] for j in range(m)])
        da = step[off[-1] :]
        # released ties (no side yet, pre-activation ~0) take the side the step moves them to
        Pw, Pd = W @ X.T, dW @ X.T
        fresh = ~tie & (np.abs(Pw) <= tie_tol * xn[None, :] * np.linalg.norm(W, axis=1)[:, None])
        side = np.where(fresh, Pd > 0, side)
        sgn = np.where(side, 1.0, -1.0)
        cross = (~tie) & ~fresh & (sgn * Pd < 0)
        tmax = 1.0
        block = None
        if cross.any():
            ratios = np.where(cross, -Pw / np.where(cross, Pd, 1.0), np.inf)
            k = np.unravel_index(np.argmin(ratios), ratios.shape)
            if ratios[k] < 1.0:
                tmax, block = max(float(ratios[k]), 0.0), k
        t = tmax
        while t > 1e-14:
            Wc, ac = W + t * dW, a + t * da
            Fc = 0.5 * np.sum(((sig * (Wc @ X.T)).T @ ac - y) ** 2) + 0.5 * beta * (
                np.sum(Wc**2) + ac @ ac
            )
            if Fc <= F + 1e-4 * t * (step @ g) or abs(Fc - F) <= 1e-15 * max(abs(F), 1.0):
                break
            t *= 0.5
            block = None
        W, a = W + t * dW, a + t * da
        if block is not None:
            tie[block] = True
    if not stationary and not np.isfinite(gnorm):
        gnorm = float(np.linalg.norm(g))  # reduced gradient: a lower bound of the full one
    W1[idx], w2[idx] = W, a
    return Polished(W1, w2, float(gnorm), bool(stationary), int(tie.sum()), tuple(bits), it)

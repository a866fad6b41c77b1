r"""The relaxation gap of Kim & Pilanci (arXiv:2402.03625) on top of the shared convex core.

The Gaussian relaxation keeps the patterns
:math:`\tilde D_i=\operatorname{diag}(\mathbb 1[Xh_i\ge0])` of :math:`\tilde m` Gaussian
gates :math:`h_i\sim\mathcal N(0,I_d)` and solves the ReLU program (cone-constrained group
Lasso, core brief §3.1) on them; its value :math:`\tilde p^\star` bounds the non-convex
optimum :math:`p^\star` from above, and the paper's theorem says
:math:`\tilde p^\star\le C\sqrt{\log 2n}\,p^\star` w.h.p. for :math:`\tilde m=O(\log n)`.

* :func:`exact_optimum` -- :math:`p^\star`: every pattern enumerated
  (:func:`common.arrangements.enumerate_patterns`) and the ReLU program solved by the core's
  working-set solver, which is column generation over the enumerated set certified by the dual
  constraint C2 on *all* patterns (``exact=True`` when its certified gap met ``tol``). Where
  enumeration is too large, a **proxy** (:func:`proxy_optimum`): the relaxation with
  ``proxy_gates`` gates, solved by column generation over them, an upper bound on
  :math:`p^\star` (``exact=False``).
* :func:`relative_gap` -- :math:`\rho=\tilde p^\star/p^\star` (``formulation="relu"``),
  :math:`\rho_G=\tilde p_G/p^\star` (``"gated"``) or :math:`\rho_{dec}` (``"decomposed"``: the
  gated solution cone-decomposed into a ReLU-feasible one, core brief §3.3) for the first
  ``n_gates`` gates of the stream seeded by ``seed`` (stable deduplication keeps the prefix
  property: nested gate sets).
* :func:`cone_decomposition` -- :math:`u_i=a_i-b_i`, :math:`a_i,b_i\in K_i`, minimising
  :math:`\sum_i(\|a_i\|+\|b_i\|)` (one SOCP, CVXPY + CLARABEL).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from common.arrangements import arrangement_count, enumerate_patterns, sample_patterns
from common.convex_nn import ConvexResult, convex_objective, solve_convex, to_network
from common.convex_nn.problem import check_beta, check_patterns, check_X, check_y

__all__ = [
    "GapResult",
    "Optimum",
    "cone_decomposition",
    "exact_optimum",
    "proxy_optimum",
    "relative_gap",
]

FORMULATIONS = ("relu", "gated", "decomposed")
_PROGRAM = {"relu": "relu", "gated": "gated", "decomposed": "gated"}  # the program solved


@dataclass(frozen=True)
class Optimum:
    r""":math:`p^\star` (or a proxy upper bound on it).

    Attributes: ``value``; ``gap`` the certified relative duality gap of ``value`` over all
    patterns (exact) or over the proxy's own patterns (proxy: it then certifies the proxy
    program, not :math:`p^\star`); ``exact``; ``n_patterns`` searched; ``wall_time`` seconds.
    """

    value: float
    gap: float
    exact: bool
    n_patterns: int
    wall_time: float


@dataclass(frozen=True, eq=False)
class GapResult:
    r"""What :func:`relative_gap` returns.

    Attributes: ``ratio`` (``relaxed / optimum``), ``relaxed`` (the relaxation's optimal value),
    ``optimum`` (:math:`p^\star`, or its proxy when ``exact`` is False), ``optimum_gap`` (the
    certified duality gap of ``optimum``), ``exact``, ``network`` ``(W1, w2)`` the ReLU network
    mapped from the relaxed solution by square-root scaling (its non-convex objective equals
    ``relaxed``; ``None`` for the gated relaxation, whose mapped model is a gated network),
    ``n_patterns`` (distinct patterns of the gates), ``relaxation`` (the core's
    :class:`~common.convex_nn.ConvexResult` of the program solved: for ``"decomposed"`` the
    gated program that was decomposed), ``blow_up`` (``"decomposed"`` only, else NaN: the
    decomposition's norm blow-up :math:`\sum_i(\|a_i\|+\|b_i\|)/\sum_i\|u_i\|`).
    """

    ratio: float
    relaxed: float
    optimum: float
    optimum_gap: float
    exact: bool
    network: tuple | None
    n_patterns: int
    relaxation: ConvexResult
    blow_up: float = float("nan")


def _positive_int(name: str, v) -> int:
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
        raise ValueError(f"{name} must be a positive int, got {v!r}")
    return int(v)


def _checked(X, y, beta):
    X = check_X(X)
    y = check_y(y, X.shape[0])
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},), got {y.shape}")
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("beta must be > 0 (the relaxation gap is defined with weight decay)")
    return X, y, beta


def exact_optimum(
    X, y, beta, *, max_patterns: int = 200_000, proxy_gates: int = 10_000, tol: float = 1e-6
) -> Optimum:
    r""":math:`p^\star` of the two-layer ReLU network with weight decay ``beta`` (paper scaling).

    Enumerates every pattern when Cover's count :math:`2\sum_{k<r}\binom{n-1}{k}` is at most
    ``max_patterns`` and solves the ReLU program on them with the core's certified working-set
    solver (``exact`` when the certified gap is ``<= tol``). Otherwise returns the proxy: the
    relaxation with ``proxy_gates`` Gaussian gates (:func:`proxy_optimum`, seed 0),
    ``exact=False``.
    """
    X, y, beta = _checked(X, y, beta)
    max_patterns = _positive_int("max_patterns", max_patterns)
    proxy_gates = _positive_int("proxy_gates", proxy_gates)
    if arrangement_count(X.shape[0], int(np.linalg.matrix_rank(X))) > max_patterns:
        return proxy_optimum(X, y, beta, proxy_gates, seed=0, tol=tol)
    D = enumerate_patterns(X)
    return _optimum(X, y, beta, D[D.any(axis=1)], True, tol)


def proxy_optimum(X, y, beta, n_gates: int = 10_000, seed=0, *, tol: float = 1e-6) -> Optimum:
    r"""Proxy for :math:`p^\star` (regime iii): the ReLU program over the patterns of
    ``n_gates`` Gaussian gates of stream ``seed``, solved by the core's working-set solver
    (column generation over those patterns, certified on all of them). An **upper bound** on
    :math:`p^\star`, never exact: ``exact=False``; ``gap`` certifies the proxy program only.
    """
    X, y, beta = _checked(X, y, beta)
    n_gates = _positive_int("n_gates", n_gates)
    return _optimum(X, y, beta, sample_patterns(X, n_gates, seed=seed), False, tol)


def _optimum(X, y, beta, D, exact, tol) -> Optimum:
    res = solve_convex(X, y, D, beta, tol=tol, max_iter=500)
    return Optimum(
        float(res.objective), float(res.certificate), exact and bool(res.converged), len(D),
        float(res.wall_time),
    )  # fmt: skip


def cone_decomposition(X, patterns, U) -> tuple[np.ndarray, np.ndarray]:
    r"""Cone decomposition of gated blocks (core brief §3.3): ``(A, B)`` with
    :math:`a_i-b_i=u_i` and :math:`a_i,b_i\in K_i=\{w:(2D_i-I)Xw\ge0\}`, minimising
    :math:`\sum_i(\|a_i\|+\|b_i\|)`.

    One SOCP over the non-zero blocks (CVXPY + CLARABEL): the two cone constraints of block
    ``i`` are :math:`G_ia_i\ge\max(0,G_iu_i)` with :math:`G_i=(2D_i-I)X`. ``B = A - U``
    exactly, so the decomposed blocks have the gated blocks' fit. Raises ValueError when a
    cone is not full-dimensional and the decomposition does not exist.
    """
    import cvxpy as cp  # only the decomposition needs CVXPY (0.8 CPU-s to import, measured)

    X = check_X(X)
    D = check_patterns(patterns, X.shape[0])
    U = np.asarray(U, dtype=float)
    if U.shape != (D.shape[0], X.shape[1]):
        raise ValueError(f"U must have shape (P, d) = {(D.shape[0], X.shape[1])}, got {U.shape}")
    if not np.all(np.isfinite(U)):
        raise ValueError("U must be finite")
    A = np.zeros_like(U)
    act = np.flatnonzero(np.linalg.norm(U, axis=1) > 0)
    if act.size:
        G = [(2.0 * D[i] - 1.0)[:, None] * X for i in act]
        Gu = np.concatenate([g @ U[i] for g, i in zip(G, act, strict=True)])
        a = cp.Variable((act.size, X.shape[1]))
        cost = cp.sum(cp.norm(a, 2, axis=1)) + cp.sum(cp.norm(a - U[act], 2, axis=1))
        cons = [sp.block_diag(G, format="csr") @ cp.vec(a, order="C") >= np.maximum(Gu, 0.0)]
        prob = cp.Problem(cp.Minimize(cost), cons)
        prob.solve(solver=cp.CLARABEL)
        if prob.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
            raise ValueError(
                f"cone decomposition failed ({prob.status}): a pattern's cone is not "
                "full-dimensional"
            )
        A[act] = a.value
    return A, A - U


def relative_gap(
    X,
    y,
    beta,
    n_gates,
    seed=0,
    formulation: str = "relu",
    *,
    optimum: Optimum | None = None,
    solver: str = "fast",
) -> GapResult:
    r"""Relaxed optimum over the first ``n_gates`` Gaussian gates of stream ``seed``, over
    :math:`p^\star`.

    Parameters
    ----------
    X : (n, d), y : (n,), beta : float > 0 (paper scaling)
    n_gates : int >= 1
        Gates drawn (``sample_patterns(X, n_gates, seed=seed)``; duplicates and the all-zero
        pattern dropped stably, so a larger ``n_gates`` gives a superset of patterns).
    seed : int >= 0
    formulation : "relu" (:math:`\rho`, cone-constrained), "gated" (:math:`\rho_G`) or
        "decomposed" (:math:`\rho_{dec}`: the gated solution, cone-decomposed; its ``network``
        is a ReLU network and ``blow_up`` the decomposition's norm blow-up)
    optimum : Optimum, optional
        A precomputed :func:`exact_optimum` of the same ``(X, y, beta)`` (reuse it across gates).
    solver : any :func:`common.convex_nn.solve_convex` solver for the relaxation
    """
    X, y, beta = _checked(X, y, beta)
    n_gates = _positive_int("n_gates", n_gates)
    if formulation not in FORMULATIONS:
        raise ValueError(f"formulation must be one of {FORMULATIONS}, got {formulation!r}")
    if optimum is None:
        optimum = exact_optimum(X, y, beta)
    elif not isinstance(optimum, Optimum):
        raise TypeError(f"optimum must be an Optimum from exact_optimum, got {type(optimum)}")
    D = sample_patterns(X, n_gates, seed=seed)
    if len(D) == 0:
        raise ValueError("no gate gives a non-zero pattern; draw more gates (n_gates)")
    res = solve_convex(X, y, D, beta, formulation=_PROGRAM[formulation], solver=solver)
    value, network, blow_up = float(res.objective), None, float("nan")
    if formulation == "relu":
        network = to_network(res)
    elif formulation == "decomposed":
        A, B = cone_decomposition(X, D, res.U)
        value = convex_objective(X, y, D, A, B, beta)
        network = to_network((A, B))
        norm_u = float(np.linalg.norm(res.U, axis=1).sum())
        norm_ab = float(np.linalg.norm(A, axis=1).sum() + np.linalg.norm(B, axis=1).sum())
        blow_up = norm_ab / norm_u if norm_u > 0 else 1.0
    return GapResult(
        value / optimum.value, value, optimum.value, optimum.gap, optimum.exact, network,
        len(D), res, blow_up,
    )  # fmt: skip

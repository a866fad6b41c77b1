r"""Dual certificates for the convex programs (paper scaling; brief §5).

Dual of both programs over a pattern set (Pilanci & Ergen 2020; 2312.12657), for a loss
:math:`f` with conjugate :math:`f^*` (:mod:`common.convex_nn.losses`):

.. math::
    d(v) = -f^*(-v)\ \big(=-\tfrac12\|v-y\|^2+\tfrac12\|y\|^2\text{ for squared loss}\big)
    \quad\text{s.t.}\quad \max_{u\in K_i,\|u\|\le1}|v^\top M_iXu|\le\beta\ \ \forall i,

with :math:`K_i=\mathbb R^d` for the gated program. By Moreau,
:math:`\max_{u\in K,\|u\|\le1}g^\top u=\|\Pi_K(g)\|=\min_{\gamma\ge0}\|g+G^\top\gamma\|` for
:math:`K=\{u:Gu\ge0\}`, computed exactly by non-negative least squares (Lawson--Hanson,
:func:`cone_projection`, compiled with numba; 4-10x faster than ``scipy.optimize.nnls`` here).
Any multipliers :math:`\gamma\ge0` (e.g. from the augmented Lagrangian or CVXPY) give an upper
bound on that value, hence also a valid dual point.

* (C2/C3) :func:`dual_constraint_values` -- the per-pattern dual-constraint value at a residual
  (``max(||Pi_K(X^T M_i r)||, ||Pi_K(-X^T M_i r)||)`` or ``||X^T M_i r||`` for gated);
* (C4) :func:`duality_gap` -- scales the dual point :math:`v=-\nabla f(\hat y)` (the residual
  for squared loss) to feasibility, :math:`\tilde v=v\min(1,\beta/t)`, and returns the
  certified lower bound :math:`d(\tilde v)\le p^\star` and the gap (any loss);
* (C1) :func:`active_neuron_residual` -- :math:`r^\top M_iX\hat u_i=\pm\beta` on active blocks;
* :func:`constraint_violation` -- :math:`\max(-(2D_i-I)Xw_i)_+`;
* :func:`gated_gap` -- the gated program's relative gap at stacked blocks (solver internal).

For scnn's scaling use ``r / n`` and ``lambda`` in place of ``r`` and ``beta``.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from .losses import Loss, Squared, as_loss
from .problem import (
    check_beta,
    check_blocks,
    check_patterns,
    check_X,
    check_y,
    group_norm_sum,
    masks,
    predict_convex,
)

__all__ = [
    "DualityGap",
    "active_neuron_residual",
    "certified_lower_bound",
    "cone_projection",
    "cone_projection_norm",
    "constraint_violation",
    "dual_constraint_values",
    "duality_gap",
    "gated_gap",
]

SQUARED = Squared()


class DualityGap(NamedTuple):
    primal: float
    lower_bound: float
    gap: float
    relative_gap: float
    dual_constraint: float  # max_i dual-constraint value t (feasible iff t <= beta)


@numba.njit(cache=True)
def _lawson_hanson(G, g, tol, max_iter, lam0):  # pragma: no cover - compiled
    """Lawson-Hanson NNLS for ``min_{lam >= 0} ||g + G^T lam||``; returns ``(g + G^T lam, lam)``.

    ``lam0 >= 0`` is a feasible start (zeros: the textbook method); its support is the first
    passive set, so a start near the solution (the previous round's multipliers) saves the
    iterations that would re-discover it.
    """
    m = G.shape[0]
    lam = lam0.copy()
    passive = lam > 0.0
    warm = np.any(passive)
    proj = g + G.T @ lam
    nrm = np.sqrt(np.sum(G * G, axis=1))
    gn = max(np.sqrt(np.sum(g * g)), 1e-300)
    for _ in range(max_iter):
        if warm:
            warm = False  # first pass: re-solve on the warm support before adding rows
        else:
            w = -(G @ proj)  # -gradient in lam
            jbest, wbest = -1, tol * gn
            for j in range(m):
                if not passive[j] and w[j] > wbest * nrm[j]:
                    wbest, jbest = w[j] / nrm[j], j
            if jbest < 0:
                break
            passive[jbest] = True
        for _inner in range(m):
            idx = np.nonzero(passive)[0]
            if idx.size == 0:
                break
            Gp = G[idx]
            H = Gp @ Gp.T
            H += 1e-14 * np.trace(H) / idx.size * np.eye(idx.size)
            s = np.linalg.solve(H, -(Gp @ g))
            if np.all(s > 0):
                lam[:] = 0.0
                lam[idx] = s
                break
            alpha = 1.0
            for k in range(idx.size):
                if s[k] <= 0:
                    alpha = min(alpha, lam[idx[k]] / (lam[idx[k]] - s[k]))
            for k in range(idx.size):
                j = idx[k]
                lam[j] += alpha * (s[k] - lam[j])
                if lam[j] <= 0.0 or (s[k] <= 0 and lam[j] <= 1e-15 * gn):
                    lam[j] = 0.0
                    passive[j] = False
        proj = g + G.T @ lam
    return proj, lam


@numba.njit(cache=True)
def _project_patterns(X, S, Gd, tol, lam0):  # pragma: no cover - compiled
    """Projections of ``Gd[k]`` onto the cone ``{u: S[:, k] * (X u) >= 0}`` and their NNLS
    multipliers, per k (warm-started at ``lam0[k]``)."""
    out = np.empty_like(Gd)
    lams = np.empty((Gd.shape[0], X.shape[0]))
    for k in range(Gd.shape[0]):
        G = S[:, k : k + 1] * X
        out[k], lams[k] = _lawson_hanson(G, Gd[k], tol, 10 * X.shape[1] + 50, lam0[k])
    return out, lams


def cone_projection(g, G) -> np.ndarray:
    r""":math:`\Pi_K(g)` for :math:`K=\{u: Gu\ge0\}`, ``G`` of shape ``(m, d)`` (exact NNLS)."""
    g = np.ascontiguousarray(g, dtype=np.float64)
    G = np.ascontiguousarray(G, dtype=np.float64)
    return _lawson_hanson(G, g, 1e-13, 10 * G.shape[1] + 50, np.zeros(G.shape[0]))[0]


def cone_projection_norm(g, G) -> float:
    r""":math:`\|\Pi_K(g)\|` for :math:`K=\{u: Gu\ge0\}`, ``G`` of shape ``(m, d)`` (NNLS)."""
    return float(np.linalg.norm(cone_projection(g, G)))


def pattern_projections(X, S, Gd, rows, *, multipliers: bool = False, start=None):
    """Batch of cone projections: row ``k`` of ``Gd (K, d)`` onto the cone of pattern
    ``rows[k]`` (column of the sign matrix ``S (n, P)``, ``S = 2D^T - 1``).

    Returns the projections ``(K, d)``, and with ``multipliers=True`` also the NNLS multipliers
    ``(K, n)`` (``proj_k = Gd[k] + X^T (S[:, rows[k]] * lam_k)``, ``lam_k >= 0``).
    ``start`` (``(K, n)``, non-negative) warm-starts the NNLS, e.g. at earlier multipliers.
    """
    K, n = len(Gd), X.shape[0]
    lam0 = np.zeros((K, n)) if start is None else np.maximum(np.asarray(start, float), 0.0)
    if lam0.shape != (K, n):
        raise ValueError(f"start must have shape {(K, n)} (projections, samples), got {lam0.shape}")
    # only the K sign columns used are copied (S is (n, P), P up to the whole arrangement)
    cols = np.ascontiguousarray(np.asarray(S)[:, np.asarray(rows, dtype=np.int64)], np.float64)
    proj, lams = _project_patterns(
        np.ascontiguousarray(X, dtype=np.float64), cols,
        np.ascontiguousarray(Gd, dtype=np.float64), 1e-13,
        np.ascontiguousarray(lam0),
    )  # fmt: skip
    return (proj, lams) if multipliers else proj


def _as2(a):
    return a[:, None] if a.ndim == 1 else a


def dual_constraint_values(X, r, patterns, *, formulation="relu", activation="relu"):
    r"""Per-pattern dual-constraint values at residual ``r`` (``(P,)`` or ``(P, c)``).

    ``formulation="relu"``: :math:`\max(\|\Pi_{K_i}(X^\top M_ir)\|,\|\Pi_{K_i}(-X^\top M_ir)\|)`
    (C2); ``"gated"``: :math:`\|X^\top M_ir\|` (C3). The dual point ``r`` is feasible iff every
    value is ``<= beta``; convex_landscape plots the maximum against ``beta``.
    """
    X = check_X(X)
    n = X.shape[0]
    r = check_y(r, n)
    D = check_patterns(patterns, n)
    if formulation not in ("relu", "gated"):
        raise ValueError(f"formulation must be 'relu' or 'gated', got {formulation!r}")
    M = masks(D, activation)  # (n, P)
    R = _as2(r)
    out = np.zeros((D.shape[0], R.shape[1]))
    for k in range(R.shape[1]):
        Gk = (M * R[:, k : k + 1]).T @ X  # (P, d): rows X^T M_i r
        if formulation == "gated":
            out[:, k] = np.linalg.norm(Gk, axis=1)
            continue
        S = 2.0 * D.T - 1.0
        idx = np.arange(D.shape[0])
        proj = pattern_projections(X, S, np.concatenate([Gk, -Gk]), np.concatenate([idx, idx]))
        nrm = np.linalg.norm(proj, axis=1)
        out[:, k] = np.maximum(nrm[: len(idx)], nrm[len(idx) :])
    return out[:, 0] if r.ndim == 1 else out


def constraint_violation(X, patterns, U, V=None) -> float:
    r"""Largest cone violation :math:`\max_{i,j}(-(2D_{ij}-1)x_j^\top w_i)_+` over blocks."""
    X = check_X(X)
    D = check_patterns(patterns, X.shape[0])
    S = (2.0 * D - 1.0).T  # (n, P)
    worst = 0.0
    for W in (U, V):
        if W is None:
            continue
        W3 = np.asarray(W, dtype=np.float64)
        W3 = W3[..., None] if W3.ndim == 2 else W3
        Z = np.einsum("nd,pdc->npc", X, W3) * S[:, :, None]
        worst = max(worst, float(np.max(np.maximum(-Z, 0.0))))
    return worst


def certified_lower_bound(r, y, t, beta, loss: Loss = SQUARED) -> float:
    r"""Dual value :math:`d(\tilde v)\le p^\star` at the scaled dual point (C4).

    ``r``, ``y`` are ``(n,)`` or ``(n, c)``; ``r`` is the dual point :math:`-\nabla f(\hat y)`
    (the residual :math:`y-\hat y` for squared loss); ``t`` is the largest dual-constraint
    value per output (scalar or ``(c,)``). :math:`\tilde v=\min(1,\beta/t)\,r` is dual
    feasible, so ``loss.dual_value`` (:math:`-\tfrac12\|\tilde v-y\|^2+\tfrac12\|y\|^2`
    for squared loss, summed over outputs) bounds the optimum from below, for the gated and
    the ReLU program alike.
    """
    R, Y = _as2(np.asarray(r, float)), _as2(np.asarray(y, float))
    t = np.asarray(t, float)
    s = np.where(t <= beta, 1.0, beta / np.maximum(t, 1e-300))
    return float(loss.dual_value(s * R, Y))


def gated_gap(X, y, M, W, beta) -> float:
    """Relative duality gap of the gated program (squared loss) at stacked blocks
    ``W (c, B, d)``, masks ``M (n, B)``, ``y (n, c)`` (no validation: solver internal)."""
    # matrix products per output (a three-operand einsum here cost 6x more)
    r = y - np.stack([np.einsum("nb,nb->n", M, X @ Wk.T) for Wk in W], axis=1)
    primal = 0.5 * float(np.sum(r * r)) + beta * float(np.sum(np.linalg.norm(W, axis=-1)))
    t = np.array([np.linalg.norm((M * rk[:, None]).T @ X, axis=1).max() for rk in r.T])  # (c,)
    return (primal - certified_lower_bound(r, y, t, beta)) / max(abs(primal), 1e-300)


def duality_gap(
    X,
    y,
    patterns,
    beta,
    U,
    V=None,
    *,
    formulation="relu",
    activation="relu",
    gamma_u=None,
    gamma_v=None,
    loss="squared",
) -> DualityGap:
    r"""Certified lower bound and duality gap at ``(U, V)`` (paper scaling).

    Parameters
    ----------
    gamma_u, gamma_v : arrays ``(c, n, P)``, optional
        Cone multipliers (``>= 0``). If given (ReLU program) the dual-constraint value is bounded
        by :math:`\|X^\top(\pm M_ir + S_i\gamma_i)\|` (cheap); otherwise computed exactly by NNLS.
    loss : str or Loss
        Any loss with a conjugate (:mod:`common.convex_nn.losses`); the dual point is
        :math:`r=-\nabla f(\hat y)`, the residual for squared loss.

    Returns
    -------
    DualityGap
        ``primal`` is the objective at ``(U, V)`` (an upper bound on the optimum only if the
        point is feasible; see :func:`constraint_violation`), ``lower_bound`` :math:`\le p^\star`.
    """
    X = check_X(X)
    n = X.shape[0]
    y = check_y(y, n)
    D = check_patterns(patterns, n)
    beta = check_beta(beta)
    loss = as_loss(loss)
    loss.check_targets(y)
    U, V = check_blocks(U, V, D.shape[0], X.shape[1], y)
    if formulation not in ("relu", "gated"):
        raise ValueError(f"formulation must be 'relu' or 'gated', got {formulation!r}")
    pred = predict_convex(X, D, U, V, activation)
    if loss.quadratic:
        r = y - pred
        primal = 0.5 * float(np.sum(r * r)) + beta * group_norm_sum(U, V)
    else:
        r = -loss.gradient(pred, y)
        primal = float(loss.value(pred, y)) + beta * group_norm_sum(U, V)
    R = _as2(r)
    Y = _as2(y)
    M = masks(D, activation)
    S = 2.0 * D.T - 1.0
    ts = np.zeros(R.shape[1])
    for k in range(R.shape[1]):
        if formulation == "gated":
            t = float(np.max(np.linalg.norm((M * R[:, k : k + 1]).T @ X, axis=1)))
        elif gamma_u is not None and gamma_v is not None:
            gu = np.maximum(np.asarray(gamma_u, float)[k], 0.0)
            gv = np.maximum(np.asarray(gamma_v, float)[k], 0.0)
            tu = np.linalg.norm((M * R[:, k : k + 1] + S * gu).T @ X, axis=1)
            tv = np.linalg.norm((-M * R[:, k : k + 1] + S * gv).T @ X, axis=1)
            t = float(max(tu.max(), tv.max()))
        else:
            t = float(
                np.max(
                    dual_constraint_values(X, R[:, k], D, formulation="relu", activation=activation)
                )
            )
        ts[k] = t
    lower = certified_lower_bound(R, Y, ts, beta, loss)
    gap = primal - lower
    return DualityGap(primal, lower, gap, gap / max(abs(primal), 1e-300), float(ts.max()))


def active_neuron_residual(X, y, patterns, beta, U, V=None, *, activation="relu", rtol=1e-6):
    r"""(C1) :math:`\max |r^\top M_iX\hat u_i-\beta|/\beta` over active ``u``-blocks and
    :math:`|r^\top M_iX\hat v_i+\beta|/\beta` over active ``v``-blocks (0 at the optimum).

    Blocks with norm ``<= rtol * max norm`` count as inactive. Returns 0 if none is active.
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    D = check_patterns(patterns, X.shape[0])
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError("active_neuron_residual needs beta > 0")
    r = _as2(y - predict_convex(X, D, U, V, activation))
    M = masks(D, activation)
    worst = 0.0
    for W, sign in ((U, 1.0), (V, -1.0)):
        if W is None:
            continue
        W3 = np.asarray(W, float)
        W3 = W3[..., None] if W3.ndim == 2 else W3
        nrm = np.linalg.norm(W3, axis=1)  # (P, c)
        big = nrm > rtol * max(nrm.max(), 1e-300)
        for i, k in zip(*np.nonzero(big), strict=True):
            val = r[:, k] @ (M[:, i] * (X @ (W3[i, :, k] / nrm[i, k])))
            worst = max(worst, abs(val - sign * beta) / beta)
    return worst

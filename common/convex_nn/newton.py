r"""Damped Newton for the group Lasso on a fixed set of blocks (the exact finishing phase).

Once the active blocks are known, :math:`\tfrac12\|Kw-y\|^2+\beta\sum_b\|w_b\|` is smooth
where every :math:`w_b\ne0`, with Hessian
:math:`K^\top K+\beta\,\mathrm{blkdiag}((I-\hat w_b\hat w_b^\top)/\|w_b\|)`, and Newton's
method converges quadratically. :func:`common.convex_nn.fast.fista` finishes the gated program
with :func:`group_lasso_newton` and accepts its result only if the certified gap of the *full*
program is within tolerance; :func:`block_gram` also assembles the working-set solver's
restricted programs (:mod:`common.convex_nn.working_set`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ._blas import single_thread_blas

__all__ = ["block_gram", "group_lasso_newton"]

COLLAPSE = 1e-3  # after a damped step, blocks this small (relative) are set to zero


def block_gram(X, C, y):
    r"""``(K^T K, K^T y)`` for ``K = [C[:, 0] * X, ..., C[:, B-1] * X]`` (``n x Bd``).

    ``C (n, B)`` holds each block's row weights (a mask column, signed). ``K`` is formed in
    row chunks of at most ~8 MB, so memory is :math:`O(nB + (Bd)^2)`, never :math:`O(nBd)`.
    """
    n, d = X.shape
    Bd = C.shape[1] * d
    H = np.zeros((Bd, Bd))
    Kty = np.zeros(Bd)
    chunk = max(256, 2**20 // max(Bd, 1))
    for s in range(0, n, chunk):
        rows = slice(s, s + chunk)
        Kc = (C[rows, :, None] * X[rows, None, :]).reshape(-1, Bd)
        H += Kc.T @ Kc
        Kty += Kc.T @ y[rows]
    return H, Kty


def group_lasso_newton(H0, Kty, yy, beta, w, offsets, max_iter=40):
    r"""Damped Newton (Armijo backtracking) for ``0.5||K w - y||^2 + beta sum_b ||w_b||``.

    The program is given by its Gram form ``H0 = K^T K``, ``Kty = K^T y``, ``yy = 0.5||y||^2``
    (see :func:`block_gram`). Block ``b`` is ``w[offsets[b]:offsets[b + 1]]``; every block of
    the start ``w`` must be non-zero.

    Blocks that should vanish leave by the exact block test: with the others fixed,
    :math:`w_b=0` minimises over block :math:`b` iff :math:`\|K_b^\top(y-Kw+K_bw_b)\|\le\beta`,
    so zeroing it never increases the objective; Newton continues on the rest. A block that
    heads for zero while that test still fails (the other blocks are not yet optimal) makes
    the line search damp every step, so after a damped step the blocks below ``COLLAPSE``
    times the largest norm are set to zero too (if one was needed, the caller's certificate
    fails and it re-enters). Stops when the Newton decrement is at float64 round-off. Returns
    ``w`` (zero blocks included) or ``None`` on breakdown (a singular system or a non-finite
    step).
    """
    offsets = np.asarray(offsets)
    nb0 = offsets.size - 1
    w = np.array(w, dtype=np.float64)
    live = np.arange(nb0)
    sls = [slice(offsets[b], offsets[b + 1]) for b in range(nb0)]
    idx = np.arange(w.size)
    Hl = H0

    def fval(v, starts):
        nb = np.sqrt(np.add.reduceat(v * v, starts)) if v.size else np.zeros(0)
        return 0.5 * float(v @ (Hl @ v)) - float(Kty[idx] @ v) + yy + beta * float(nb.sum())

    for _ in range(max_iter):
        grad = H0[:, idx] @ w[idx] - Kty  # smooth gradient, all coordinates
        # exact zero test, block by block (sequential: each zeroing updates the gradient)
        drop = []
        for j, b in enumerate(live):
            sl = sls[b]
            if np.linalg.norm(H0[sl, sl] @ w[sl] - grad[sl]) <= beta:
                grad -= H0[:, sl] @ w[sl]
                w[sl] = 0.0
                drop.append(j)
        if drop:
            live = np.delete(live, drop)
            if live.size == 0:
                return w
            idx = np.concatenate([np.arange(offsets[b], offsets[b + 1]) for b in live])
            Hl = H0[np.ix_(idx, idx)]
        sizes = offsets[live + 1] - offsets[live]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        v = w[idx]
        nb = np.sqrt(np.add.reduceat(v * v, starts))
        u = v / np.repeat(nb, sizes)
        g = grad[idx] + beta * u
        Hs = Hl.copy()
        for j in range(live.size):
            sl = slice(starts[j], starts[j] + sizes[j])
            Hs[sl, sl] += beta * (np.eye(sizes[j]) - np.outer(u[sl], u[sl])) / nb[j]
        try:
            with single_thread_blas():
                step = sla.cho_solve(sla.cho_factor(Hs, check_finite=False), g,
                                     check_finite=False)  # fmt: skip
        except (np.linalg.LinAlgError, ValueError):
            return None
        f = fval(v, starts)
        dec = float(g @ step)  # Newton decrement^2 ~ 2 (f - f*)
        if not np.isfinite(dec):
            return None
        if dec <= 1e-14 * max(abs(f), 1e-300):
            break
        t = 1.0
        while t > 1e-6:
            fn = fval(v - t * step, starts)
            if fn <= f - 1e-4 * t * dec:
                break
            t *= 0.5
        else:
            break  # no decrease resolvable in float64
        w[idx] = v - t * step
        if t < 1.0:
            # a damped step: zero the blocks heading for zero (see the docstring)
            nb = np.sqrt(np.add.reduceat(w[idx] ** 2, starts))
            gone = live[nb < COLLAPSE * nb.max()]
            for b in gone:
                w[sls[b]] = 0.0
            if gone.size:
                live = np.setdiff1d(live, gone)
                if live.size == 0:
                    return w
                idx = np.concatenate([np.arange(offsets[b], offsets[b + 1]) for b in live])
                Hl = H0[np.ix_(idx, idx)]
    return w

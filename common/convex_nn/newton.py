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

from ._blas import cholesky_solver, single_thread_blas

__all__ = ["block_gram", "group_lasso_newton"]

COLLAPSE = 1e-3  # after a damped step, blocks this small (relative) are set to zero


def block_gram(X, C, y):
    r"""``(K^T K, K^T y)`` for ``K = [C[:, 0] * X, ..., C[:, B-1] * X]`` (``n x Bd``).

    ``C (n, B)`` holds each block's row weights (a mask column, signed). ``K`` is formed in
    row chunks of at most ~8 MB, so memory is :math:`O(nB + (Bd)^2)`, never :math:`O(nBd)`.
    """
    n, d = X.shape
    C = np.ascontiguousarray(C)  # fancy-indexed columns come F-ordered: broadcasting 10x slower
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
    w = np.array(w, dtype=np.float64)
    live = np.arange(offsets.size - 1)

    def layout(live):
        """Coordinates of the live blocks and the entries of their diagonal blocks."""
        sizes = offsets[live + 1] - offsets[live]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        idx = np.repeat(offsets[live] - starts, sizes) + np.arange(sizes.sum())
        blk = np.repeat(np.arange(live.size), sizes)  # block of each live coordinate
        rep = sizes[blk]
        ri = np.repeat(np.arange(idx.size), rep)
        ci = starts[blk[ri]] + np.arange(ri.size) - np.repeat(np.cumsum(rep) - rep, rep)
        Hl = H0[np.ix_(idx, idx)] if idx.size < H0.shape[0] else H0  # read-only: no copy
        return idx, sizes, starts, blk, ri, ci, Hl

    idx, sizes, starts, blk, ri, ci, Hl = layout(live)

    def fval(v):
        nb = np.sqrt(np.add.reduceat(v * v, starts))
        return 0.5 * float(v @ (Hl @ v)) - float(Kty[idx] @ v) + yy + beta * float(nb.sum())

    for _ in range(max_iter):
        v = w[idx]
        grad = Hl @ v - Kty[idx]  # smooth gradient on the live coordinates
        # exact zero test: c_b = K_b^T (y - K w + K_b w_b) = H_bb w_b - grad_b
        c = np.bincount(ri, weights=Hl[ri, ci] * v[ci], minlength=idx.size) - grad
        cand = np.flatnonzero(np.sqrt(np.add.reduceat(c * c, starts)) <= beta)
        drop = []
        for j in cand:  # sequential: each zeroing changes the others' test
            sl = slice(starts[j], starts[j] + sizes[j])
            if np.linalg.norm(Hl[sl, sl] @ v[sl] - grad[sl]) <= beta:
                grad -= Hl[:, sl] @ v[sl]
                v[sl] = 0.0
                drop.append(j)
        if drop:
            w[idx] = v
            live = np.delete(live, drop)
            if live.size == 0:
                return w
            idx, sizes, starts, blk, ri, ci, Hl = layout(live)
            v = w[idx]
            grad = Hl @ v - Kty[idx]
        nb = np.sqrt(np.add.reduceat(v * v, starts))
        u = v / nb[blk]
        g = grad + beta * u
        Hs = Hl.copy()
        Hs[ri, ci] += beta / nb[blk[ri]] * ((ri == ci) - u[ri] * u[ci])
        try:
            with single_thread_blas():
                step = cholesky_solver(Hs)(g)
        except np.linalg.LinAlgError:
            return None
        f = fval(v)
        dec = float(g @ step)  # Newton decrement^2 ~ 2 (f - f*)
        if not np.isfinite(dec):
            return None
        if dec <= 1e-14 * max(abs(f), 1e-300):
            break
        t = 1.0
        while t > 1e-6:
            fn = fval(v - t * step)
            if fn <= f - 1e-4 * t * dec:
                break
            t *= 0.5
        else:
            break  # no decrease resolvable in float64
        w[idx] = v - t * step
        if t < 1.0:
            # a damped step: zero the blocks heading for zero (see the docstring)
            nb = np.sqrt(np.add.reduceat(w[idx] ** 2, starts))
            gone = np.flatnonzero(nb < COLLAPSE * nb.max())
            if gone.size:
                w[idx[np.isin(blk, gone)]] = 0.0
                live = np.delete(live, gone)
                if live.size == 0:
                    return w
                idx, sizes, starts, blk, ri, ci, Hl = layout(live)
    return w

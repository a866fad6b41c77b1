r"""Damped Newton for the group Lasso on a fixed set of blocks (the exact finishing phase).

Once the active blocks are known, :math:`\tfrac12\|Kw-y\|^2+\beta\sum_b\|w_b\|` is smooth
where every :math:`w_b\ne0`, with Hessian
:math:`K^\top K+\beta\,\mathrm{blkdiag}((I-\hat w_b\hat w_b^\top)/\|w_b\|)`, and Newton's
method converges quadratically. The whole Newton method of the package is here:
:func:`group_lasso_newton` on a fixed set of blocks, and :func:`newton_active_set`, which
adds and removes blocks around it; :func:`common.convex_nn.fast.fista` finishes the gated
program with the latter and accepts its result only if the certified gap of the *full* program
is within tolerance. :func:`block_gram` also assembles the working-set solver's restricted
programs (:mod:`common.convex_nn.working_set`). Wide active sets (more than
``WOODBURY_FROM * n`` variables, small beta) take their Newton steps through
:func:`woodbury_solver` (``n x n`` and ``|A| x |A|`` systems) instead of the dense Hessian.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ._blas import cholesky_solver, single_thread_blas

__all__ = ["block_gram", "group_lasso_newton", "newton_active_set", "woodbury_solver"]

COLLAPSE = 1e-3  # after a damped step, blocks this small (relative) are set to zero
# Newton steps through the n x n capacitance (woodbury_solver) once the active variables
# exceed this many times n: at n = 500, d = 20 the dense float32 Gram + Cholesky was faster at
# 34 blocks (680 variables; 24 vs 30 ms), the capacitance at 46 (40 vs 26 ms) and beyond
WOODBURY_FROM = 1.5


def block_gram(X, C, y, dtype=np.float64):
    r"""``(K^T K, K^T y)`` for ``K = [C[:, 0] * X, ..., C[:, B-1] * X]`` (``n x Bd``).

    ``C (n, B)`` holds each block's row weights (a mask column, signed). ``K`` is formed in
    row chunks of at most ~8 MB, so memory is :math:`O(nB + (Bd)^2)`, never :math:`O(nBd)`.
    Computed in ``dtype`` (float32 halves the cost).
    """
    n, d = X.shape
    X = np.asarray(X, dtype)
    y = np.asarray(y, dtype)
    C = np.ascontiguousarray(C, dtype)  # fancy-indexed columns come F-ordered: 10x slower
    Bd = C.shape[1] * d
    H = np.zeros((Bd, Bd), dtype)
    Kty = np.zeros(Bd, dtype)
    chunk = max(256, 2**20 // max(Bd, 1))
    for s in range(0, n, chunk):
        rows = slice(s, s + chunk)
        Kc = (C[rows, :, None] * X[rows, None, :]).reshape(-1, Bd)
        H += Kc.T @ Kc
        Kty += Kc.T @ y[rows]
    return H, Kty


def group_lasso_newton(X, C, y, beta, W, max_iter=40):
    r"""Damped Newton (Armijo backtracking) for the group Lasso
    ``0.5||sum_b C[:, b] * (X w_b) - y||^2 + beta sum_b ||w_b||`` over the rows ``w_b`` of
    ``W (B, d)``, every one non-zero at the start.

    Mixed precision: objective values, gradients and the zero test are exact (float64, through
    ``X`` and ``C`` at :math:`O(nBd)` each); only the Hessian
    :math:`K^\top K+\beta\,\mathrm{blkdiag}((I-\hat w_b\hat w_b^\top)/\|w_b\|)` is formed
    (its Gram once per call, by :func:`block_gram`) and factored in float32, at about half the
    cost of float64. A step from a Hessian with relative error :math:`\epsilon` contracts the
    error by about :math:`\kappa\epsilon` on top of Newton's quadratic rate, so with the
    condition numbers of these programs (:math:`\kappa` of 1e2-1e4 measured) the iteration
    still reaches float64 round-off in a step or so more; where float32 breaks down (a
    Cholesky failure, or no convergence in ``max_iter``: :math:`\kappa\epsilon` near 1), the
    whole solve is redone with a float64 Hessian.

    Blocks that should vanish leave by the exact block test: with the others fixed,
    :math:`w_b=0` minimises over block :math:`b` iff :math:`\|K_b^\top(y-Kw+K_bw_b)\|\le\beta`,
    so zeroing it never increases the objective; Newton continues on the rest. A block that
    heads for zero while that test still fails (the other blocks are not yet optimal) makes
    the line search damp every step, so after a damped step the blocks below ``COLLAPSE``
    times the largest norm are set to zero too (if one was needed, the caller's certificate
    fails and it re-enters). Stops when the Newton decrement is at float64 round-off or after
    ``max_iter`` steps. Returns ``W`` (zero rows included), or ``None`` if float64 breaks down
    too (a singular system or a non-finite step).

    Wide programs (more than ``WOODBURY_FROM * n`` variables at the start) never form the
    Hessian: each step is solved by :func:`woodbury_solver` in float64 (``O(n^2 B + n^3)``);
    if that breaks down, the dense route above takes over.
    """
    X, C, y = (np.asarray(a, dtype=np.float64) for a in (X, C, y))
    if not np.all(np.linalg.norm(W, axis=1) > 0):
        raise ValueError("group_lasso_newton needs every block of the start W to be non-zero")
    B, d = W.shape
    if B * d > WOODBURY_FROM * X.shape[0]:  # wide: the n x n capacitance, not the Gram
        XXt = X @ X.T
        with single_thread_blas():  # two threads on n = 500: up to 8x slower (measured)
            out = _newton(X, C, y, beta, np.array(W, dtype=np.float64), max_iter, strict=False,
                          factor=lambda live, nb, U: woodbury_solver(X, XXt, C[:, live], beta,
                                                                     nb, U))  # fmt: skip
        if out is not None:
            return out
    for dtype in (np.float32, np.float64):
        H = block_gram(X, C, y, dtype=dtype)[0]  # a GEMM: two threads help (2.2 vs 4.1 ms)
        with single_thread_blas():  # small Choleskys: one thread is faster
            out = _newton(X, C, y, beta, np.array(W, dtype=np.float64), max_iter,
                          strict=dtype == np.float32,
                          factor=lambda live, nb, U, H=H: cholesky_solver(
                              _reduced_hessian(H, live, B, d, beta, nb, U)))  # fmt: skip
        if out is not None:
            return out
    return None


def woodbury_solver(X, XXt, C, beta, nb, U):
    r"""``solve(g) = H^{-1} g`` for the Newton matrix
    :math:`H=K^\top K+\mathrm{blkdiag}(a_b(I-u_bu_b^\top))`, :math:`a_b=\beta/\|w_b\|`,
    of the blocks ``K_b = C[:, b] * X`` (``C (n, L)``, unit directions ``U (L, d)``), through
    ``n x n`` and ``L x L`` systems only: with :math:`S=\mathrm{blkdiag}(a_bI)` and
    :math:`V=\mathrm{blkdiag}(u_b)`, :math:`H=A-V\,\mathrm{diag}(a)V^\top`,
    :math:`A=S+K^\top K`. Woodbury twice: :math:`A^{-1}=S^{-1}-S^{-1}K^\top C_n^{-1}KS^{-1}`
    with the capacitance :math:`C_n=I+KS^{-1}K^\top=I+(XX^\top)\circ(C\,\mathrm{diag}(1/a)
    C^\top)` (formed in :math:`O(n^2L)`, ``XXt`` given), then
    :math:`H^{-1}=A^{-1}+A^{-1}V\Sigma^{-1}V^\top A^{-1}` with
    :math:`\Sigma=\mathrm{diag}(1/a)-V^\top A^{-1}V=P^\top C_n^{-1}P`,
    :math:`P=KS^{-1}V` (the ``diag(1/a)`` terms cancel exactly). Cost
    :math:`O(n^2L+n^3+nL^2)` per factorisation against :math:`O((Ld)^3)` (and a Gram of
    :math:`O(n(Ld)^2)`) for the dense Cholesky. Raises ``numpy.linalg.LinAlgError`` if
    :math:`C_n` or :math:`\Sigma` is not numerically positive definite.
    """
    ia = nb / beta  # 1 / a_b
    Cn = XXt * ((C * ia) @ C.T)
    Cn[np.diag_indices_from(Cn)] += 1.0
    solve_n = _cho(Cn)
    P = C * (X @ U.T) * ia  # K S^{-1} V, (n, L)
    CnP = solve_n(P)
    solve_s = _cho(P.T @ CnP)

    def a_inv(G, z):  # A^{-1} g = S^{-1} (g - K^T z), z = C_n^{-1} K S^{-1} g
        return (G - (C * z[:, None]).T @ X) * ia[:, None]

    def solve(g):
        G = g.reshape(U.shape)
        k = np.einsum("nl,nl->n", C, X @ (G * ia[:, None]).T)  # K S^{-1} g
        z = solve_n(k)
        Ag = a_inv(G, z)
        t = solve_s(np.einsum("ld,ld->l", U, Ag))  # Sigma^{-1} V^T A^{-1} g
        return (Ag + a_inv(U * t[:, None], CnP @ t)).ravel()

    return solve


def _cho(A):
    """``solve(R) = A^{-1} R`` (vector or matrix ``R``) by a Cholesky of the SPD ``A``
    (overwritten)."""
    f = cho_factor(A, overwrite_a=True, check_finite=False)
    return lambda R: cho_solve(f, R, check_finite=False)


def _newton(X, C, y, beta, W, max_iter, strict, factor):
    """:func:`group_lasso_newton` with ``factor(live, nb, U)`` returning the Newton solve;
    ``None`` if the factorisation fails or a step is not finite, and if ``strict`` also if
    ``max_iter`` is reached."""
    B, d = W.shape
    live = np.arange(B)
    solve = None  # the last Hessian's factor

    def parts(Wl, Cl):
        """The blocks' contributions to the prediction, ``(n, |live|)``."""
        return Cl * (X @ Wl.T)

    def fval(Wl, Cl):
        r = parts(Wl, Cl).sum(axis=1) - y
        return 0.5 * float(r @ r) + beta * float(np.linalg.norm(Wl, axis=1).sum())

    for _ in range(max_iter):
        Cl, Wl = C[:, live], W[live]
        Z = parts(Wl, Cl)
        r = Z.sum(axis=1) - y
        drop, r = _zero_test(X, Cl, Z, r, beta)
        if drop:
            W[live[drop]] = 0.0
            live = np.delete(live, drop)
            if live.size == 0:
                return W
            solve = None
            continue
        G = (Cl * r[:, None]).T @ X  # smooth gradient, (|live|, d)
        nb = np.linalg.norm(Wl, axis=1)
        U = Wl / nb[:, None]
        g = (G + beta * U).ravel()
        f = 0.5 * float(r @ r) + beta * float(nb.sum())
        tiny = 1e-14 * max(abs(f), 1e-300)
        if solve is not None and float(g @ solve(g)) <= tiny:
            break  # converged by the last factor: no new factorisation
        try:
            solve = factor(live, nb, U)
        except np.linalg.LinAlgError:
            return None
        step = solve(g).astype(np.float64)
        dec = float(g @ step)  # Newton decrement^2 ~ 2 (f - f*)
        if not np.isfinite(dec):
            return None
        if dec <= tiny:
            break
        S = step.reshape(live.size, d)
        t = _armijo(lambda t, Wl=Wl, Cl=Cl, S=S: fval(Wl - t * S, Cl), f, dec)
        if t is None:
            break  # no decrease resolvable in float64
        W[live] = Wl - t * S
        if t < 1.0:
            solve = None
            # a damped step: zero the blocks heading for zero (see the docstring)
            nb = np.linalg.norm(W[live], axis=1)
            gone = np.flatnonzero(nb < COLLAPSE * nb.max())
            if gone.size:
                W[live[gone]] = 0.0
                live = np.delete(live, gone)
                if live.size == 0:
                    return W
    else:
        return None if strict else W
    return W


def _zero_test(X, Cl, Z, r, beta):
    """Blocks for which zero is optimal with the others fixed: ``||K_b^T (y - K w + K_b w_b)||
    <= beta``, tested sequentially (a zeroing changes the residual ``r = K w - y``)."""
    cand = np.flatnonzero(np.linalg.norm((Cl * (Z - r[:, None])).T @ X, axis=1) <= beta)
    drop = []
    for j in cand:
        if np.linalg.norm((Cl[:, j] * (Z[:, j] - r)) @ X) <= beta:
            r = r - Z[:, j]
            drop.append(j)
    return drop, r


def _reduced_hessian(H, live, B, d, beta, nb, U):
    """Newton matrix on the live blocks: the Gram's live part plus the group-norm curvature
    ``beta (I - u u^T) / ||w_b||`` on the diagonal blocks (in the Gram's dtype)."""
    L = live.size
    Hs = H.copy() if L == B else H.reshape(B, d, B, d)[live][:, :, live].reshape(L * d, -1)
    T = (beta / nb)[:, None, None] * (np.eye(d) - U[:, :, None] * U[:, None, :])
    Hs.reshape(L, d, L, d)[np.arange(L), :, np.arange(L), :] += T.astype(H.dtype)
    return Hs


def _armijo(fval, f, dec):
    """Backtracking step ``t`` (halving from 1) with ``fval(t) <= f - 1e-4 t dec``; ``None``
    if no ``t > 1e-6`` decreases."""
    t = 1.0
    while t > 1e-6:
        if fval(t) <= f - 1e-4 * t * dec:
            return t
        t *= 0.5
    return None


def newton_active_set(X, y, M, W, beta, max_vars=4000, max_rounds=6):
    r"""Newton's method on the active blocks of an iterate (squared loss, per output).

    ``y (n, c)``, masks ``M (n, B)``, blocks ``W (c, B, d)``. With the active set :math:`A`
    fixed, :math:`\tfrac12\|K_Aw-y\|^2+\beta\sum_{b\in A}\|w_b\|` is smooth where every
    :math:`w_b\ne0`, with Hessian
    :math:`K_A^\top K_A+\beta\,\mathrm{blkdiag}((I-\hat w_b\hat w_b^\top)/\|w_b\|)`; damped
    Newton (Armijo backtracking) converges quadratically once :math:`A` is right. Blocks leave
    :math:`A` by the exact zero test of :func:`group_lasso_newton`; blocks outside :math:`A`
    whose gradient norm exceeds ``beta`` enter it (at the exact minimiser along their
    steepest-descent direction), for at most ``max_rounds`` rounds. Returns the new ``W`` or
    ``None`` (breakdown, or ``|A| d > max_vars``); the caller certifies the result on the full
    program.
    """
    c, _, d = W.shape
    out = np.asarray(W, dtype=np.float64).copy()
    for k in range(c):
        Wk = out[k]
        for _ in range(max_rounds):
            act = np.flatnonzero(np.linalg.norm(Wk, axis=1) > 0)
            if act.size * d > max_vars:
                return None
            if act.size:
                w = group_lasso_newton(X, M[:, act], y[:, k], beta, Wk[act])
                if w is None:
                    return None
                Wk[act] = w
            r = y[:, k] - np.einsum("nb,nb->n", M, X @ Wk.T)
            g = (M * r[:, None]).T @ X  # -gradient, (B, d)
            gn = np.linalg.norm(g, axis=1)
            new = np.flatnonzero((np.linalg.norm(Wk, axis=1) == 0) & (gn > beta))
            if new.size == 0:
                break
            u = g[new] / gn[new, None]
            curv = np.sum((M[:, new] * (X @ u.T)) ** 2, axis=0)
            Wk[new] = ((gn[new] - beta) / np.maximum(curv, 1e-300))[:, None] * u
    return out

"""Coordinate-descent kernels for the lasso path (numba; private).

Written by hand, not taken from a library, for speed only: glum and scikit-learn solve
the same problems (offsets, per-feature penalty weights) but take 70-300 ms per
100-lambda path, and one cross-validated ptLasso fit needs several hundred paths. The
kernels are checked against glum to 1e-6 in ``tests/common/lasso``.

Both kernels work on an already standardised design ``Xs`` (columns centred when there
is an intercept) and solve, for each ``lam`` of a decreasing sequence with warm starts,

.. math::

    \\min_{a, b}\\ L(a, b) + \\lambda \\sum_j \\mathrm{pf}_j |b_j|,

with ``L`` the Gaussian loss :math:`\\frac1{2n}\\|r_0 - X_s b\\|^2` (``r0`` the response
minus offset, centred when there is an intercept) or the binomial negative
log-likelihood :math:`-\\frac1n\\sum_i [y_i\\eta_i - \\log(1 + e^{\\eta_i})]` with
:math:`\\eta = \\text{offset} + a + X_s b`, or the multinomial one
:math:`-\\frac1n\\sum_i \\log\\mathrm{softmax}(\\eta_i)_{y_i}` with one intercept and one
coefficient vector per class and the penalty summed over classes (glmnet's ungrouped
multinomial). Columns with ``use[j] == False`` stay at 0
(glmnet's ``exclude``); ``pf[j] == 0`` leaves a column unpenalised.

As in glmnet's Fortran: a sweep has converged when no coordinate moved by more than
``thr`` in :math:`v_j\\Delta b_j^2` (``v_j`` the coordinate's curvature), with ``thr``
= ``tol`` times the null deviance per observation; sweeps alternate between all
columns and the active set; and, when ``stop_early`` (glmnet does so only for its own
lambda sequence), the path stops after at least 5 values once the fraction of deviance
explained exceeds 0.999 or grows by less than 1e-5 (relative, Gaussian; absolute,
binomial). The Gaussian kernel uses glmnet's covariance updates (a Gram matrix), the
binomial one proximal Newton (IRLS) steps, each solved by the same covariance-update
coordinate descent on the weighted Gram matrix.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MNLAM = 5
_DEVMAX = 0.999
_FDEV = 1e-5


@njit(cache=True)
def _soft(z: float, t: float) -> float:
    if z > t:
        return z - t
    if z < -t:
        return z + t
    return 0.0


@njit(cache=True)
def _gram_sweep(G, g, b, pf, lam, use, active_only):
    """One covariance-update sweep; ``g = c - G b`` is kept current. Returns max v d^2."""
    p = b.shape[0]
    big = 0.0
    for j in range(p):
        if not use[j] or (active_only and b[j] == 0.0):
            continue
        v = G[j, j]
        bj = _soft(g[j] + v * b[j], lam * pf[j]) / v
        d = bj - b[j]
        if d != 0.0:
            for k in range(p):
                g[k] -= d * G[k, j]
            b[j] = bj
            big = max(big, v * d * d)
    return big


@njit(cache=True)
def gaussian_path(G, c, rss0, pf, lams, use, b_init, tol, maxit, stop_early):
    """Gaussian lasso path from ``G = Xs'Xs/n`` and ``c = Xs'r0/n``, ``rss0 = r0'r0/n``,
    starting from ``b_init`` (the null model, so the first lambda starts at its solution).

    Returns ``(betas (nlam, p), converged (nlam,), nfit)``; rows past ``nfit`` are unset
    when the path stopped early.
    """
    p = c.shape[0]
    b = b_init.copy()
    g = c - G @ b
    thr = tol * max(rss0, 1e-300)
    nlam = lams.shape[0]
    betas = np.zeros((nlam, p))
    ok = np.zeros(nlam, dtype=np.bool_)
    rsq_old = 0.0
    for k in range(nlam):
        ok[k] = _solve_gram(G, g, b, pf, lams[k], use, thr, maxit)
        betas[k] = b
        rss = rss0 - b @ c - b @ g
        rsq = 1.0 - rss / max(rss0, 1e-300)
        if stop_early and k + 1 >= _MNLAM and (rsq - rsq_old < _FDEV * rsq or rsq > _DEVMAX):
            return betas, ok, k + 1
        rsq_old = rsq
    return betas, ok, nlam


@njit(cache=True)
def _binomial_deviance(y, eta):
    """Mean negative log-likelihood of 0/1 labels ``y`` at link ``eta``."""
    s = 0.0
    for i in range(y.shape[0]):
        e = eta[i]
        s += np.log1p(np.exp(-abs(e))) + max(e, 0.0) - y[i] * e
    return s / y.shape[0]


@njit(cache=True)
def _cholesky_solve(G, idx, rhs):
    """Solve ``G[idx][:, idx] x = rhs`` by Cholesky; ``ok`` is False if not positive definite."""
    m = idx.size
    L = np.zeros((m, m))
    for j in range(m):
        s = G[idx[j], idx[j]]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if s <= 1e-12 * G[idx[j], idx[j]]:
            return rhs, False
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, m):
            t = G[idx[i], idx[j]]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / L[j, j]
    z = np.empty(m)
    for i in range(m):
        t = rhs[i]
        for k in range(i):
            t -= L[i, k] * z[k]
        z[i] = t / L[i, i]
    x = np.empty(m)
    for i in range(m - 1, -1, -1):
        t = z[i]
        for k in range(i + 1, m):
            t -= L[k, i] * x[k]
        x[i] = t / L[i, i]
    return x, True


@njit(cache=True)
def _polish(G, g, b, pf, lam, use):
    """Try the exact minimiser for the current active set and signs (linear solves).

    With ``c = g + G b`` (the gradient at zero), on an active set A with signs s the
    optimum solves ``G_AA b_A = c_A - lam pf_A s_A``. Coordinates whose sign flips leave
    A and the solve is repeated (at most 10 times); the result is accepted (``b`` and
    ``g`` updated) only if every column outside A satisfies the KKT bound
    ``|c_j - G_jA b_A| <= lam pf_j``. Returns whether it was accepted.
    """
    p = b.shape[0]
    c = g.copy()
    for j in range(p):
        if b[j] != 0.0:
            for k in range(p):
                c[k] += G[k, j] * b[j]
    active = np.zeros(p, dtype=np.bool_)
    for j in range(p):
        active[j] = use[j] and (b[j] != 0.0 or pf[j] == 0.0)
    for _ in range(10):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            return False
        rhs = np.empty(idx.size)
        for t in range(idx.size):
            rhs[t] = c[idx[t]] - lam * pf[idx[t]] * np.sign(b[idx[t]])
        sol, ok = _cholesky_solve(G, idx, rhs)
        if not ok:  # singular on the active set: leave it to coordinate descent
            return False
        flipped = False
        for t in range(idx.size):
            j = idx[t]
            if pf[j] > 0.0 and sol[t] * b[j] <= 0.0:
                active[j] = False
                flipped = True
        if not flipped:
            break
    if flipped:
        return False
    return _accept_if_kkt(G, g, b, c, idx, sol, active, pf, lam, use)


@njit(cache=True)
def _accept_if_kkt(G, g, b, c, idx, sol, active, pf, lam, use):
    """Set ``b`` to ``sol`` on ``idx`` (0 elsewhere) and ``g`` to the matching gradient if
    every usable column outside the active set meets its KKT bound; return whether it did."""
    p = b.shape[0]
    g_new = c.copy()
    for t in range(idx.size):
        for k in range(p):
            g_new[k] -= G[k, idx[t]] * sol[t]
    for j in range(p):
        if use[j] and not active[j] and abs(g_new[j]) > lam * pf[j] * (1 + 1e-9):
            return False
    b[:] = 0.0
    for t in range(idx.size):
        b[idx[t]] = sol[t]
    g[:] = g_new
    return True


@njit(cache=True)
def _solve_gram(G, g, b, pf, lam, use, thr, maxit):
    """Coordinate descent on a quadratic given by ``G`` and the gradient ``g`` (updated).

    Alternates full sweeps with active-set sweeps (glmnet's scheme); when 20 sweeps have
    not converged it tries :func:`_polish`, the exact solution for the current signs.
    """
    sweeps = 0
    while sweeps < maxit:
        sweeps += 1
        if _gram_sweep(G, g, b, pf, lam, use, False) < thr:
            return True
        while sweeps < maxit:
            sweeps += 1
            if _gram_sweep(G, g, b, pf, lam, use, True) < thr:
                break
            if sweeps % 20 == 0 and _polish(G, g, b, pf, lam, use):
                break
    return False


@njit(cache=True)
def _irls_step(X1, Xw, y, mu, b, pf, lam, use, thr, maxit):
    """One proximal-Newton (IRLS) step for a Bernoulli log-likelihood at means ``mu``.

    Forms the weighted Gram matrix ``X1' W X1 / n`` (weights ``max(mu (1 - mu), 1e-5)``)
    with BLAS, the score ``X1'(y - mu) / n``, and solves the penalised quadratic for ``b``
    (updated in place) by covariance-update coordinate descent. Returns the largest
    ``v_j (Delta b_j)^2``. Shared by the binomial path and, per class with the other
    classes held fixed, the multinomial path.
    """
    n, p1 = X1.shape
    w = np.maximum(mu * (1.0 - mu), 1e-5)
    for j in range(p1):
        Xw[:, j] = X1[:, j] * w
    G = (X1.T @ Xw) / n
    for j in range(p1):
        if not use[j]:
            G[j, j] = 1.0
    g = (X1.T @ (y - mu)) / n
    b_old = b.copy()
    _solve_gram(G, g, b, pf, lam, use, 1e-2 * thr, maxit)
    change = 0.0
    for j in range(p1):
        change = max(change, G[j, j] * (b[j] - b_old[j]) ** 2)
    return change


@njit(cache=True)
def binomial_path(X1, y, offset, pf, lams, use, b_init, tol, maxit, stop_early):
    """Binomial lasso path; returns ``(coefficients (nlam, p + 1), converged, nfit)``.

    ``X1 = [1, Xs]``: coordinate 0 is the intercept (``pf[0] = 0``, ``use[0]`` says
    whether there is one). Each IRLS step is :func:`_irls_step`. ``b_init`` starts the
    path (the null model, so the first lambda starts at its solution).
    """
    p1 = X1.shape[1]
    nlam = lams.shape[0]
    b = b_init.copy()
    a_null = 0.0  # the intercept-only model with the offset (glmnet's azero), by Newton
    if use[0]:
        for _ in range(100):
            mu = 1.0 / (1.0 + np.exp(-(offset + a_null)))
            step = (y - mu).sum() / max((mu * (1.0 - mu)).sum(), 1e-300)
            a_null += step
            if abs(step) < 1e-12:
                break
    dev_null = _binomial_deviance(y, offset + a_null)
    thr = tol * dev_null
    betas = np.zeros((nlam, p1))
    ok = np.zeros(nlam, dtype=np.bool_)
    Xw = np.empty_like(X1)
    dev_old = 0.0
    eta = offset + X1 @ b
    for k in range(nlam):
        for _ in range(maxit):
            mu = 1.0 / (1.0 + np.exp(-eta))
            change = _irls_step(X1, Xw, y, mu, b, pf, lams[k], use, thr, maxit)
            eta = offset + X1 @ b
            if change < thr:
                ok[k] = True
                break
        betas[k] = b
        dev = 1.0 - _binomial_deviance(y, eta) / dev_null
        if stop_early and k + 1 >= _MNLAM and (dev - dev_old < _FDEV or dev > _DEVMAX):
            return betas, ok, k + 1
        dev_old = dev
    return betas, ok, nlam


@njit(cache=True)
def _softmax(eta):
    """Row-wise class probabilities of the ``(n, K)`` link matrix ``eta``."""
    P = np.empty_like(eta)
    for i in range(eta.shape[0]):
        m = eta[i].max()
        s = 0.0
        for c in range(eta.shape[1]):
            P[i, c] = np.exp(eta[i, c] - m)
            s += P[i, c]
        P[i] /= s
    return P


@njit(cache=True)
def _multinomial_deviance(Y, eta):
    """Mean negative multinomial log-likelihood of one-hot ``Y`` at links ``eta`` (n, K)."""
    s = 0.0
    for i in range(eta.shape[0]):
        m = eta[i].max()
        lse = 0.0
        for c in range(eta.shape[1]):
            lse += np.exp(eta[i, c] - m)
        lse = m + np.log(lse)
        for c in range(eta.shape[1]):
            s -= Y[i, c] * (eta[i, c] - lse)
    return s / eta.shape[0]


@njit(cache=True)
def multinomial_path(X1, Y, offset, pf, lams, use, B_init, tol, maxit, stop_early):
    """Multinomial lasso path (glmnet's ``type.multinomial="ungrouped"``).

    ``Y`` is the one-hot ``(n, K)`` response, ``offset`` an ``(n, K)`` link matrix and
    ``B`` a ``(K, p + 1)`` coefficient matrix (column 0 the intercepts), in the symmetric
    parametrisation :math:`P(k|x) \\propto \\exp(\\eta_k)`. As in glmnet's ``lognet``, one
    outer iteration takes, for every class in turn, a partial Newton step
    (:func:`_irls_step`) with the other classes' linear predictors held fixed, then
    centres the intercepts to sum to zero (which leaves the likelihood unchanged); it has
    converged when no class moved by more than ``thr``. Returns
    ``(coefficients (nlam, K, p + 1), converged, nfit)``.
    """
    p1 = X1.shape[1]
    K = Y.shape[1]
    nlam = lams.shape[0]
    a_null = np.zeros(K)  # intercept-only model with the offset, by class-wise Newton
    if use[0]:
        for _ in range(1000):
            P = _softmax(offset + a_null)
            big = 0.0
            for c in range(K):
                step = (Y[:, c] - P[:, c]).sum() / max((P[:, c] * (1 - P[:, c])).sum(), 1e-300)
                a_null[c] += step
                big = max(big, abs(step))
                P = _softmax(offset + a_null)
            if big < 1e-12:
                break
    dev_null = _multinomial_deviance(Y, offset + a_null)
    thr = tol * dev_null
    B = B_init.copy()
    betas = np.zeros((nlam, K, p1))
    ok = np.zeros(nlam, dtype=np.bool_)
    Xw = np.empty_like(X1)
    eta = offset + X1 @ B.T
    dev_old = 0.0
    for k in range(nlam):
        for _ in range(maxit):
            change = 0.0
            for c in range(K):
                P = _softmax(eta)
                b = B[c].copy()
                change = max(
                    change, _irls_step(X1, Xw, Y[:, c], P[:, c], b, pf, lams[k], use, thr, maxit)
                )
                B[c] = b
                eta[:, c] = offset[:, c] + X1 @ b
            if use[0]:
                shift = B[:, 0].mean()
                for c in range(K):
                    B[c, 0] -= shift
                    eta[:, c] -= shift
            if change < thr:
                ok[k] = True
                break
        betas[k] = B
        dev = 1.0 - _multinomial_deviance(Y, eta) / dev_null
        if stop_early and k + 1 >= _MNLAM and (dev - dev_old < _FDEV or dev > _DEVMAX):
            return betas, ok, k + 1
        dev_old = dev
    return betas, ok, nlam

r"""Batched (scaled) gradient descent on LoRA factors of quadratic fine-tuning problems.

The problems of the condition-number experiments are quadratics in the low-rank updates: with
:math:`P` LoRA pairs :math:`\Delta_j = B_jA_j` (:math:`c\times d`, code convention), targets
:math:`T_j` and a PSD coupling :math:`K_{ji}\in\mathbb R^{d\times d}`,

.. math::

    f = \tfrac12\sum_{i,j}\operatorname{tr}\bigl((\Delta_j - T_j)K_{ji}(\Delta_i - T_i)^\top\bigr),
    \qquad G_i = \partial f/\partial\Delta_i = \sum_j (\Delta_j - T_j)K_{ji}.

* LoRA on one linear layer, :math:`\tfrac1{2N}\|X(W_0 + BA)^\top - Y\|_F^2` with
  :math:`Y = X(W_0+T)^\top`: :math:`P=1`, :math:`K = X^\top X/N`.
* The convex (gated-ReLU) parameterisation of a two-layer network,
  :math:`\hat Y = \sum_i D_iX(W_i^0 + A_i^\top B_i^\top)`:
  :math:`K_{ji} = X^\top D_jD_iX/n` (:func:`gated_relu_coupling`).

:func:`factored_descent` runs many learning rates / initialisations at once (numpy, float64):
:math:`A \leftarrow A - \eta\hat G_A,\ B \leftarrow B - \eta\hat G_B` with
:math:`\nabla_A = B^\top G`, :math:`\nabla_B = GA^\top` and, when preconditioned, the
:math:`r\times r` preconditioners of :class:`~papers.riemannian_lora.ScaledGD` (Jacobi, no decay),
i.e. the same iterates as that optimizer (checked in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DescentResult",
    "WidthRun",
    "factored_descent",
    "gated_relu_coupling",
    "lowrank_target",
    "width_descent",
]


@dataclass(frozen=True)
class DescentResult:
    """Outcome of :func:`factored_descent` for ``R`` runs.

    ``iters[k]`` is the first iteration with relative error below ``tol`` (``-1``: not within
    ``n_iter``); ``diverged[k]`` marks runs whose error exceeded ``1e6`` or became non-finite;
    ``final_error[k]`` is the relative error where run ``k`` stopped.
    """

    iters: np.ndarray
    diverged: np.ndarray
    final_error: np.ndarray


def lowrank_target(c: int, d: int, r: int, kappa: float, rng: np.random.Generator) -> np.ndarray:
    r"""A rank-``r`` matrix :math:`U\operatorname{diag}(\sigma)V^\top` (``c x d``), random
    orthonormal :math:`U, V`, singular values log-spaced from 1 to :math:`1/\kappa`."""
    if not (1 <= r <= min(c, d)):
        raise ValueError(f"r must be in [1, min(c, d)={min(c, d)}], got {r}")
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    U = np.linalg.qr(rng.standard_normal((c, r)))[0]
    V = np.linalg.qr(rng.standard_normal((d, r)))[0]
    sigma = np.logspace(0.0, -np.log10(kappa), r)
    return (U * sigma) @ V.T


def gated_relu_coupling(X: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    r"""The coupling :math:`K_{ji} = X^\top D_jD_iX / n` of gated-ReLU features, ``(P, P, d, d)``.

    Parameters
    ----------
    X : array (n, d)
    patterns : bool array (P, n)
        Diagonals of :math:`D_i` (e.g. from :func:`common.arrangements.sample_patterns`).
    """
    X = np.asarray(X, dtype=np.float64)
    patterns = np.asarray(patterns)
    if X.ndim != 2 or patterns.ndim != 2 or patterns.shape[1] != X.shape[0]:
        raise ValueError(
            f"X must be (n, d) and patterns (P, n) with the same n, got {X.shape}, {patterns.shape}"
        )
    n, d = X.shape
    P = patterns.shape[0]
    F = (patterns[:, :, None] * X[None]).transpose(1, 0, 2).reshape(n, P * d)  # [D_1X ... D_PX]
    return (F.T @ F / n).reshape(P, d, P, d).transpose(0, 2, 1, 3)


def _solve_sym(M: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Batched ``M^{-1} R`` for symmetric positive definite ``M``; pinv where singular."""
    try:
        return np.linalg.solve(M, R)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(M, hermitian=True) @ R


def factored_descent(
    K: np.ndarray,
    T: np.ndarray,
    A0: np.ndarray,
    B0: np.ndarray,
    lrs: np.ndarray,
    *,
    precondition: bool,
    reg: float = 1e-8,
    n_iter: int = 5000,
    tol: float = 1e-4,
) -> DescentResult:
    r"""Run (scaled) GD on ``R`` independent LoRA factorisations of one quadratic problem.

    Parameters
    ----------
    K : array (P, P, d, d)
        Coupling (PSD as a ``Pd x Pd`` matrix).
    T : array (P, c, d)
        Targets :math:`T_j`.
    A0 : array (R, P, r, d)
    B0 : array (R, P, c, r)
        Initial factors of each run.
    lrs : array (R,)
        Learning rate of each run.
    precondition : bool
        Scaled GD (True) or plain GD (False).
    reg : float
        Damping :math:`\delta`.
    n_iter : int
        Iteration cap.
    tol : float
        Relative error :math:`\|\Delta - T\|_F/\|T\|_F` at which a run counts as converged.

    Returns
    -------
    DescentResult
    """
    K, T = np.asarray(K, np.float64), np.asarray(T, np.float64)
    A, B = np.array(A0, np.float64), np.array(B0, np.float64)
    lrs = np.asarray(lrs, np.float64)
    R, P, r, d = A.shape
    c = T.shape[1]
    if K.shape != (P, P, d, d) or T.shape != (P, c, d) or B.shape != (R, P, c, r):
        raise ValueError(
            f"shapes disagree: K {K.shape} (want {(P, P, d, d)}), T {T.shape} (want "
            f"{(P, c, d)}), A0 {A.shape}, B0 {B.shape} (want {(R, P, c, r)})"
        )
    if lrs.shape != (R,) or not np.all(lrs > 0):
        raise ValueError(f"lrs must be {R} positive numbers, got {lrs}")
    if n_iter < 1 or not tol > 0 or reg < 0:
        raise ValueError(f"need n_iter >= 1, tol > 0, reg >= 0; got {n_iter}, {tol}, {reg}")
    eye = reg * np.eye(r)
    norm_T = np.linalg.norm(T)
    # G_i = sum_j E_j K_ji as one matmul: E (k, c, P d) @ Kmat (P d, P d)
    Kmat = K.transpose(0, 2, 1, 3).reshape(P * d, P * d)
    iters = np.full(R, -1)
    diverged = np.zeros(R, dtype=bool)
    err = np.full(R, np.nan)
    idx = np.arange(R)
    for t in range(n_iter + 1):
        a, b = A[idx], B[idx]
        E = b @ a - T
        e = np.sqrt(np.sum(E**2, axis=(1, 2, 3))) / norm_T
        err[idx] = e
        bad = ~np.isfinite(e) | (e > 1e6)
        done = (e < tol) & ~bad
        iters[idx[done]] = t
        diverged[idx[bad]] = True
        keep = ~(done | bad)
        idx, a, b, E = idx[keep], a[keep], b[keep], E[keep]
        if idx.size == 0 or t == n_iter:
            break
        k = idx.size
        G = (E.transpose(0, 2, 1, 3).reshape(k, c, P * d) @ Kmat).reshape(k, c, P, d)
        G = G.transpose(0, 2, 1, 3)
        bT, aT = np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2)
        gA, gB = bT @ G, G @ aT
        if precondition:
            gA = _solve_sym(bT @ b + eye, gA)
            gB = np.swapaxes(_solve_sym(a @ aT + eye, np.swapaxes(gB, -1, -2)), -1, -2)
        lr = lrs[idx, None, None, None]
        A[idx] = a - lr * gA
        B[idx] = b - lr * gB
    return DescentResult(iters, diverged, err)


@dataclass(frozen=True)
class WidthRun:
    r"""Outcome of :func:`width_descent` for ``R`` runs over ``steps`` iterations.

    ``loss[k, t]`` is run ``k``'s training loss before step ``t`` (``loss[:, -1]`` after the
    last step; NaN once a run diverged); ``delta_A[k, t]``, ``delta_B[k, t]`` are the RMS over
    the training inputs of the feature updates of step ``t`` due to each factor,
    :math:`\delta_A = X\,\Delta A^\top B_t^\top` and :math:`\delta_B = X A_t^\top\Delta B^\top`
    (the quantities of LoRA+, Hayou et al. 2024).
    """

    loss: np.ndarray
    delta_A: np.ndarray
    delta_B: np.ndarray


def width_descent(
    X: np.ndarray,
    Y: np.ndarray,
    A0: np.ndarray,
    lrs: np.ndarray,
    *,
    precondition: bool,
    steps: int,
    reg: float = 1e-8,
    stop_below: float | None = None,
) -> WidthRun:
    r"""Full-batch (scaled) GD on LoRA factors fitting ``Y`` from inputs ``X``, ``R`` runs at once.

    Loss :math:`\frac1{2N}\|XA^\top B^\top - Y\|_F^2` (the update of a frozen layer,
    :math:`s = 1`), ``B`` starts at zero.

    Parameters
    ----------
    X : array (R, N, n)
        Inputs of each run (width ``n``).
    Y : array (R, N, c)
        Targets of each run.
    A0 : array (R, r, n)
        Initial ``A`` of each run.
    lrs : array (R,)
        Learning rate of each run (one for both factors).
    precondition : bool
        Scaled GD (Jacobi, the preconditioners of :class:`~papers.riemannian_lora.ScaledGD`) or
        plain GD.
    steps : int
        Number of steps.
    reg : float
        Damping :math:`\delta`.
    stop_below : float, optional
        Stop early once every run that has not diverged has a loss below this fraction of its
        initial loss (the remaining entries stay NaN).
    """
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    A = np.array(A0, np.float64)
    lrs = np.asarray(lrs, np.float64)
    R, N, n = X.shape
    r, c = A.shape[1], Y.shape[2]
    if Y.shape[:2] != (R, N) or A.shape != (R, r, n) or lrs.shape != (R,):
        raise ValueError(
            f"shapes disagree: X {X.shape}, Y {Y.shape} (want {(R, N, c)}), A0 {A.shape} "
            f"(want {(R, r, n)}), lrs {lrs.shape} (want {(R,)})"
        )
    if steps < 1 or reg < 0 or not np.all(lrs > 0):
        raise ValueError(f"need steps >= 1, reg >= 0, lrs > 0; got {steps}, {reg}, {lrs}")
    B = np.zeros((R, c, r))
    eye = reg * np.eye(r)
    loss = np.full((R, steps + 1), np.nan)
    dA, dB = np.full((R, steps), np.nan), np.full((R, steps), np.nan)
    live = np.arange(R)

    def rms(M):  # (k, N, c) -> (k,)
        return np.sqrt(np.mean(np.sum(M**2, axis=-1), axis=-1))

    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            x, a, b = X[live], A[live], B[live]
            XA = x @ np.swapaxes(a, 1, 2)  # (k, N, r)
            res = XA @ np.swapaxes(b, 1, 2) - Y[live]
            val = 0.5 * np.mean(np.sum(res**2, axis=-1), axis=-1)
            ok = np.isfinite(val) & (val < 1e8)
            loss[live[ok], t] = val[ok]
            live, x, a, b, XA, res = live[ok], x[ok], a[ok], b[ok], XA[ok], res[ok]
            if (
                live.size == 0
                or t == steps
                or (stop_below is not None and np.all(val[ok] <= stop_below * loss[live, 0]))
            ):
                break
            G = np.swapaxes(res, 1, 2) @ x / N  # (k, c, n)
            bT = np.swapaxes(b, 1, 2)
            gA, gB = bT @ G, G @ np.swapaxes(a, 1, 2)
            if precondition:
                gA = _solve_sym(bT @ b + eye, gA)
                gB = np.swapaxes(
                    _solve_sym(a @ np.swapaxes(a, 1, 2) + eye, np.swapaxes(gB, 1, 2)), 1, 2
                )
            lr = lrs[live, None, None]
            stepA, stepB = -lr * gA, -lr * gB
            dA[live, t] = rms(x @ np.swapaxes(stepA, 1, 2) @ bT)
            dB[live, t] = rms(XA @ np.swapaxes(stepB, 1, 2))
            A[live] = a + stepA
            B[live] = b + stepB
    return WidthRun(loss, dA, dB)

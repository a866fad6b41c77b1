r"""Non-convex training of many independent two-layer networks at once (float64 numpy).

Every member :math:`s` of an ensemble minimises the paper-scaling objective (weight decay
explicitly in the loss, core brief §7.6)

.. math::
    F(W_s,\alpha_s)=\tfrac12\|(XW_s^\top)_+\alpha_s-y\|^2+\tfrac\beta2(\|W_s\|_F^2+\|\alpha_s\|^2)

with its own initialisation and learning rate, so a whole (seed x learning-rate) grid trains in
one vectorised loop. The activation is ReLU by default, or any piecewise-linear
:math:`\sigma(t)=a\,t` (:math:`t\ge0`), :math:`b\,t` (:math:`t<0`) named as in
:func:`common.convex_nn.problem.activation_coefficients` (leaky ReLU, absolute value; core
brief §3.4), with :math:`\sigma'(0)=b`. Gradients are analytic (ReLU shown)
(:math:`\nabla_\alpha=H^\top r+\beta\alpha`,
:math:`\nabla_W=((r\alpha^\top)\odot\mathbb 1[XW^\top>0])^\top X+\beta W`, :math:`H=(XW^\top)_+`,
:math:`r` the residual). Optimisers: full-batch gradient descent (``"gd"``), minibatch SGD
with the unbiased estimate :math:`\tfrac nb\cdot` (batch loss) + penalty (``"sgd"``), and Adam
(Kingma & Ba 2015) on the full-batch gradient (``"adam"``).

The shared core plans a torch trainer for one network; this vectorised ensemble trainer is what
a 2-core quick build affords for thousands of tiny runs, and is a candidate for ``common``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.convex_nn.problem import activation_coefficients, check_beta, check_X, check_y

__all__ = ["OPTIMIZERS", "EnsembleRun", "objective_and_grad", "train_ensemble"]

OPTIMIZERS = ("gd", "sgd", "adam")


@dataclass(frozen=True)
class EnsembleRun:
    """What :func:`train_ensemble` returns (``S`` members, width ``m``).

    Attributes
    ----------
    W1 : (S, m, d) and w2 : (S, m)
        Final weights.
    objective : (S,)
        Final full-data objective (``inf`` where a run diverged).
    grad_norm : (S,)
        Final full-gradient norm.
    trace : (S, T)
        Full-data objective at ``trace_steps`` (``inf`` after divergence).
    trace_steps : (T,)
    """

    W1: np.ndarray
    w2: np.ndarray
    objective: np.ndarray
    grad_norm: np.ndarray
    trace: np.ndarray
    trace_steps: np.ndarray


def _check_y1(y, n: int) -> np.ndarray:
    y = check_y(y, n)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D of shape ({n},) (scalar output), got {y.shape}")
    return y


def objective_and_grad(X, y, beta, W1, w2, rows=None, activation="relu"):
    """Objective and gradients for stacked members ``W1 (S, m, d)``, ``w2 (S, m)``.

    ``rows (S, b)`` selects a minibatch per member; its data term is scaled by ``n / b``.
    ``activation``: ``"relu"`` (default), ``"abs"``, ``("leaky", kappa)`` or slopes ``(a, b)``.
    Returns ``(F (S,), gW (S, m, d), ga (S, m))``.
    """
    a, b = activation_coefficients(activation)
    n = X.shape[0]
    if rows is None:
        Xb, yb, scale = X[None], y[None], 1.0
    else:
        Xb, yb, scale = X[rows], y[rows], n / rows.shape[1]
    Z = Xb @ W1.transpose(0, 2, 1)  # (S, b, m); batched BLAS products, not einsum
    relu = (a, b) == (1.0, 0.0)
    H = np.maximum(Z, 0.0) if relu else np.where(Z >= 0, a * Z, b * Z)
    r = (H @ w2[:, :, None])[:, :, 0] - yb
    F = 0.5 * scale * np.sum(r**2, axis=1) + 0.5 * beta * (
        np.sum(W1**2, axis=(1, 2)) + np.sum(w2**2, axis=1)
    )
    ga = scale * (H.transpose(0, 2, 1) @ r[:, :, None])[:, :, 0] + beta * w2
    G = (r[:, :, None] * w2[:, None, :]) * ((Z > 0) if relu else np.where(Z > 0, a, b))
    gW = scale * (G.transpose(0, 2, 1) @ Xb) + beta * W1
    return F, gW, ga


def train_ensemble(
    X,
    y,
    beta: float,
    *,
    width: int,
    lrs,
    optimizer: str,
    steps: int,
    rng: np.random.Generator,
    batch_size: int | None = None,
    init_scale: float = 1.0,
    n_trace: int = 100,
    init: tuple[np.ndarray, np.ndarray] | None = None,
    activation="relu",
) -> EnsembleRun:
    r"""Train ``len(lrs)`` independent networks of ``width`` neurons from random inits.

    Parameters
    ----------
    X : (n, d), y : (n,)
    beta : float >= 0
        Weight decay in paper scaling.
    width : int >= 1
    lrs : sequence of float > 0
        One learning rate per member (repeat a value for several seeds).
    optimizer : {"gd", "sgd", "adam"}
    steps : int >= 1
    rng : numpy Generator
        Initial weights :math:`W\sim\mathcal N(0,s^2/d)`, :math:`\alpha\sim\mathcal N(0,s^2/m)`
        with ``s = init_scale``, and the SGD minibatches.
    batch_size : int, optional
        SGD minibatch size (default ``max(1, n // 4)``).
    n_trace : int
        Number of recorded objective values (log-spaced steps).
    init : (W1 (S, m, d), w2 (S, m)), optional
        Start from these weights instead of a random draw (e.g. to continue a run; the
        optimiser state starts afresh).
    activation : "relu", "abs", ("leaky", kappa) or (a, b)
        Piecewise-linear activation of the hidden layer (default ReLU).
    """
    X = check_X(X)
    n, d = X.shape
    y = _check_y1(y, n)
    beta = check_beta(beta)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    for name, v in (("width", width), ("steps", steps), ("n_trace", n_trace)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    lr = np.asarray(lrs, dtype=np.float64).reshape(-1)
    if lr.size == 0 or not np.all(np.isfinite(lr) & (lr > 0)):
        raise ValueError(f"lrs must be a non-empty sequence of positive numbers, got {lrs!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    act = activation_coefficients(activation)
    b = max(1, n // 4) if batch_size is None else int(batch_size)
    if not 1 <= b <= n:
        raise ValueError(f"batch_size must lie in [1, n={n}], got {batch_size}")
    S = lr.size
    if init is None:
        W1 = init_scale * rng.standard_normal((S, width, d)) / np.sqrt(d)
        w2 = init_scale * rng.standard_normal((S, width)) / np.sqrt(width)
    else:
        W1, w2 = (np.array(a, dtype=np.float64) for a in init)
        if W1.shape != (S, width, d) or w2.shape != (S, width):
            raise ValueError(
                f"init must be W1 {(S, width, d)} and w2 {(S, width)}, got {W1.shape}, {w2.shape}"
            )
    trace_steps = np.unique(np.geomspace(1, steps, n_trace).astype(int))
    trace = np.full((S, trace_steps.size), np.inf)
    mW, vW, ma, va = (np.zeros_like(W1), np.zeros_like(W1), np.zeros_like(w2), np.zeros_like(w2))
    b1, b2, eps = 0.9, 0.999, 1e-8
    alive = np.ones(S, dtype=bool)
    lr3, lr2 = lr[:, None, None], lr[:, None]
    k = 0
    for t in range(1, steps + 1):
        rows = None
        if optimizer == "sgd":
            rows = np.argsort(rng.random((S, n)), axis=1)[:, :b]
        _, gW, ga = objective_and_grad(X, y, beta, W1, w2, rows, act)
        if optimizer == "adam":
            mW = b1 * mW + (1 - b1) * gW
            vW = b2 * vW + (1 - b2) * gW**2
            ma = b1 * ma + (1 - b1) * ga
            va = b2 * va + (1 - b2) * ga**2
            c1, c2 = 1 - b1**t, 1 - b2**t
            W1 = W1 - lr3 * (mW / c1) / (np.sqrt(vW / c2) + eps)
            w2 = w2 - lr2 * (ma / c1) / (np.sqrt(va / c2) + eps)
        else:
            W1 = W1 - lr3 * gW
            w2 = w2 - lr2 * ga
        bad = ~(np.isfinite(W1).all(axis=(1, 2)) & np.isfinite(w2).all(axis=1))
        bad |= (np.abs(W1).max(axis=(1, 2)) > 1e20) | (np.abs(w2).max(axis=1) > 1e20)
        if bad.any():  # diverged members are frozen at zero and reported as inf
            alive &= ~bad
            W1[bad], w2[bad] = 0.0, 0.0
        if k < trace_steps.size and t == trace_steps[k]:
            F, _, _ = objective_and_grad(X, y, beta, W1, w2, activation=act)
            trace[:, k] = np.where(alive, F, np.inf)
            k += 1
    F, gW, ga = objective_and_grad(X, y, beta, W1, w2, activation=act)
    gnorm = np.sqrt(np.sum(gW**2, axis=(1, 2)) + np.sum(ga**2, axis=1))
    return EnsembleRun(
        W1=W1,
        w2=w2,
        objective=np.where(alive, F, np.inf),
        grad_norm=np.where(alive, gnorm, np.inf),
        trace=trace,
        trace_steps=trace_steps,
    )

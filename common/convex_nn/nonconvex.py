r"""Non-convex two-layer networks in torch: the one trainer of the package (brief §7.6).

Each member :math:`s` of an ensemble of independent networks minimises, in paper scaling,

.. math:: F_s=\ell\big(\sigma(XW_s^\top)w_s,\,y\big)
          +\tfrac\beta2\big(\|W_s\|_F^2+\mathrm{pen}(w_s)\big),

with :math:`\mathrm{pen}(w)=\|w\|_F^2` (``output_penalty="l2"``) or
:math:`\sum_j\|w_{j\cdot}\|_1^2` (``"l1"``, a vector-output network's per-neuron penalty); the
penalty is in the loss, never an optimiser's ``weight_decay``. Members differ in their seed
draw and learning rate, so a (seed x learning-rate) grid trains in one batched loop (on a CPU
the cost of a tiny network is per-operation overhead). The gradient is the closed form of the
two-layer network (checked against autograd in the tests), on the members' weights packed in
one tensor, and the optimisers are ``torch.optim``'s SGD (heavy ball) and Adam (default betas,
eps) written out on that tensor: a step is a few dozen whole-tensor operations, no autograd
graph, no Python loop over parameters, no host sync (``benchmarks/nonconvex_trainer.py``
measures it against the autograd + ``torch.optim`` path). Optimisers: ``"gd"``
(full-batch gradient descent), ``"sgd"`` (mini-batches: every member walks through its own
random permutation of the rows each epoch, the data term rescaled by ``n / batch`` so each step
is an unbiased estimate of the full gradient) and ``"adam"`` (full batch unless a
``batch_size`` is given); ``momentum`` for ``gd`` / ``sgd``. The activation is piecewise linear,
:math:`\sigma(t)=at` (:math:`t>0`), :math:`bt` (:math:`t\le0`), so :math:`\sigma'(0)=b`
(ReLU'(0) = 0 as in PyTorch: the strict ``>`` convention at ties, brief §2.5). The full-data
objective is recorded at chosen steps; a member whose weights are non-finite (or exceed
``1e20``) there is frozen at zero and reported as ``inf`` from then on. For ``c`` outputs with
``"l2"`` the penalty does *not* decouple; it matches the convex programs' per-output convention
only for networks whose neurons feed a single output (as from ``to_network``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from common.checks import check_int, check_real

from ..optim import adam_step
from .interior_point import check_device
from .problem import activation_coefficients, check_beta, check_loss, check_X, check_y

__all__ = [
    "OPTIMIZERS",
    "EnsembleResult",
    "NonconvexResult",
    "network_forward",
    "train_ensemble",
    "train_nonconvex",
]

OPTIMIZERS = ("gd", "sgd", "adam")
_DIVERGED = 1e20


def _torch():
    import torch

    return torch


def network_forward(X, W1, w2, activation=(1.0, 0.0)):
    """Torch outputs of stacked networks: ``X (n, d)`` or ``(S, n, d)``, ``W1 (S, m, d)``,
    ``w2 (S, m)`` or ``(S, m, c)`` -> ``(S, n)`` or ``(S, n, c)``."""
    torch = _torch()
    a, b = activation_coefficients(activation)
    Z = X @ W1.transpose(1, 2)
    H = torch.where(Z > 0, a * Z, b * Z)
    if w2.ndim == 2:
        return (H @ w2[:, :, None])[:, :, 0]
    return H @ w2


def _penalty(W1, w2, output_penalty):
    """Per member ``||W1||_F^2 + pen(w2)``, shape ``(S,)``."""
    pw = (w2**2).flatten(1).sum(1) if output_penalty == "l2" else (w2.abs().sum(2) ** 2).sum(1)
    return (W1**2).flatten(1).sum(1) + pw


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """What :func:`train_ensemble` returns (``S`` members, width ``m``; numpy float64).

    Attributes: ``W1 (S, m, d)``, ``w2 (S, m)`` or ``(S, m, c)``; ``objective (S,)`` the final
    full-data objective (``inf`` where a member diverged); ``grad_norm (S,)`` the final
    full-gradient norm; ``trace (S, T)`` the full-data objective after each of ``trace_steps
    (T,)`` optimiser steps (0: at initialisation; ``inf`` after divergence); ``diverged (S,)``.
    """

    W1: np.ndarray
    w2: np.ndarray
    objective: np.ndarray
    grad_norm: np.ndarray
    trace: np.ndarray
    trace_steps: np.ndarray
    diverged: np.ndarray


def _check_options(optimizer, lrs, momentum, output_penalty, batch_size, n):
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    lr = np.asarray(lrs, dtype=np.float64).reshape(-1)
    if lr.size == 0 or not np.all(np.isfinite(lr) & (lr > 0)):
        raise ValueError(f"lrs must be a non-empty sequence of positive numbers, got {lrs!r}")
    momentum = check_real(momentum, "momentum", 0.0, 1.0, closed="left")
    if momentum and optimizer == "adam":
        raise ValueError(f"momentum needs optimizer 'gd' or 'sgd', got {momentum!r} with 'adam'")
    if output_penalty not in ("l2", "l1"):
        raise ValueError(f"output_penalty must be 'l2' or 'l1', got {output_penalty!r}")
    b = n if batch_size is None else batch_size
    if isinstance(b, bool) or not isinstance(b, int | np.integer) or not 1 <= b <= n:
        raise ValueError(f"batch_size must be an int in [1, n={n}], got {batch_size!r}")
    if optimizer == "gd" and b < n:
        raise ValueError("optimizer 'gd' is full-batch; use 'sgd' for batch_size < n")
    return lr, int(b)


def _initial(init, S, m, d, c, gen, init_scale, dtype):
    torch = _torch()
    w2_shape = (S, m) if c is None else (S, m, c)
    if init is None:
        W1 = torch.randn(S, m, d, generator=gen, dtype=dtype) * (init_scale / np.sqrt(d))
        w2 = torch.randn(*w2_shape, generator=gen, dtype=dtype) * (init_scale / np.sqrt(m))
        return W1, w2
    W1, w2 = (np.asarray(a, dtype=np.float64) for a in init)
    if W1.shape != (S, m, d) or w2.shape != w2_shape:
        raise ValueError(
            f"init must be W1 {(S, m, d)} and w2 {w2_shape}, got {W1.shape}, {w2.shape}"
        )
    if not (np.isfinite(W1).all() and np.isfinite(w2).all()):
        raise ValueError("init contains NaN or inf")
    return torch.as_tensor(W1, dtype=dtype), torch.as_tensor(w2, dtype=dtype)


class _Ensemble:
    r"""The members' weights packed as ``P = [W1, w2]`` ``(S, m, d + c)`` (one tensor for the
    gradient and the optimiser; updated in place, so the views ``W1``, ``w2`` stay current),
    and the closed-form gradient of their summed objectives.

    With :math:`Z=W_1X^\top` ``(S, m, b)``, :math:`H=\sigma(Z)`, :math:`D=\sigma'(Z)`
    (:math:`\sigma'(0)=b`, as autograd through :func:`network_forward`) and
    :math:`R=\nabla\ell(H^\top w_2)`: :math:`\nabla_{w_2}=HR` and
    :math:`\nabla_{W_1}=((w_2R^\top)\odot D)X`, plus the penalty's gradient. On tiny networks
    the cost is per operation, so the step is a dozen whole-tensor operations: for ``a = 1``
    :math:`\sigma` and :math:`\odot D` are ``leaky_relu`` and its backward, and with one output
    the products with ``w2`` are broadcasts (faster than batched matrix-vector products).
    """

    def __init__(self, P, d, activation, loss, beta, output_penalty):
        self.P, self.W1, self.w2 = P, P[:, :, :d], P[:, :, d:]
        self.a, self.b = activation
        self.slopes = P.new_tensor(self.a), P.new_tensor(self.b)
        self.one_output = P.shape[2] == d + 1
        self.loss, self.beta, self.output_penalty = loss, beta, output_penalty

    def hidden(self, XT):
        """``Z = W1 X^T`` and ``sigma(Z)`` for ``XT (d, b)`` or ``(S, d, b)``."""
        torch = _torch()
        Z = self.W1 @ XT
        if self.a == 1.0:
            return Z, torch.nn.functional.leaky_relu(Z, self.b)
        return Z, Z * torch.where(Z > 0, *self.slopes)

    def predict(self, H):
        """Outputs ``(S, b, c)`` from the hidden layer ``H (S, m, b)``."""
        if self.one_output:
            return (H * self.w2).sum(1)[:, :, None]
        return H.transpose(1, 2) @ self.w2

    def gradient(self, X, XT, Y, scale=None):
        """Gradient in ``P`` at a batch ``X (b, d)`` (or one per member, ``(S, b, d)``), its
        transpose ``XT`` and targets ``Y (b, c)`` / ``(S, b, c)``; ``scale`` multiplies the data
        term."""
        torch = _torch()
        Z, H = self.hidden(XT)
        R = self.loss.gradient(self.predict(H), Y, xp=torch)
        if scale is not None:
            R = R * scale
        w2, RT = self.w2, R.transpose(1, 2)
        GH = w2 * RT if self.one_output else w2 @ RT  # (S, m, b)
        if self.a == 1.0:
            GZ = torch.ops.aten.leaky_relu_backward(GH, Z, self.b, False)
        else:
            GZ = GH * torch.where(Z > 0, *self.slopes)
        G = torch.cat([GZ @ X, H @ R], 2)
        if self.output_penalty == "l2":
            return G.add_(self.beta * self.P)
        pen = torch.cat([self.W1, w2.abs().sum(2, keepdim=True) * w2.sign()], 2)
        return G.add_(self.beta * pen)

    def objectives(self, XT, Y):
        """Full-data objective of every member, ``(S,)``."""
        torch = _torch()
        pred = self.predict(self.hidden(XT)[1])
        data = torch.stack([self.loss.torch_value(p, Y) for p in pred])
        return data + 0.5 * self.beta * _penalty(self.W1, self.w2, self.output_penalty)

    def freeze_diverged(self):
        """Zero every member whose weights are non-finite or beyond ``1e20``; ``(S,)`` alive
        mask (no host sync). Checked where the objective is recorded: members are independent,
        so a diverged one cannot disturb the others in between (it stays non-finite)."""
        good = self.P.abs().flatten(1).amax(1) <= _DIVERGED  # False for NaN and inf
        self.P.masked_fill_(~good[:, None, None], 0.0)
        return good

    def weights(self, vector):
        """``W1 (S, m, d)`` and ``w2 (S, m)`` (``vector``) or ``(S, m, c)``: views."""
        return self.W1, (self.w2[:, :, 0] if vector else self.w2)


def train_ensemble(
    X,
    y,
    m: int,
    beta: float,
    *,
    lrs,
    optimizer: str = "gd",
    steps: int = 1000,
    batch_size: int | None = None,
    momentum: float = 0.0,
    seed: int = 0,
    init_scale: float = 1.0,
    init=None,
    activation="relu",
    loss="squared",
    output_penalty: str = "l2",
    trace_steps=None,
    callback: Callable | None = None,
    dtype: str = "float64",
    device: str = "cpu",
    progress: bool | None = None,
) -> EnsembleResult:
    r"""Train ``len(lrs)`` independent two-layer networks of width ``m`` at once.

    Parameters
    ----------
    X, y : arrays ``(n, d)``, ``(n,)`` or ``(n, c)``
    m : int
        Width.
    beta : float >= 0
        Weight decay in paper scaling.
    lrs : sequence of float > 0
        One learning rate per member (repeat a value for several seeds).
    optimizer : {"gd", "sgd", "adam"}
    steps : int
        Optimiser steps (one per mini-batch).
    batch_size : int, optional
        Rows per step (default: all, ``n``; ``"gd"`` needs all).
    momentum : float in [0, 1)
        Heavy-ball momentum, as ``torch.optim.SGD``'s (``"gd"``, ``"sgd"``).
    seed : int
        Seeds the ``torch.Generator`` of the initialisation and the mini-batch order:
        :math:`W\sim\mathcal N(0,s^2/d)`, :math:`w\sim\mathcal N(0,s^2/m)`, ``s = init_scale``.
    init : (W1 (S, m, d), w2 (S, m) or (S, m, c)), optional
        Start from these weights (the optimiser state starts afresh).
    activation : "relu", "abs", ("leaky", kappa) or slopes (a, b)
    loss : a loss name or object (:mod:`common.convex_nn.losses`)
    output_penalty : {"l2", "l1"}
    trace_steps : increasing ints in [0, steps], optional
        When to record the full-data objective (default: every step, 0 included).
    callback : callable, optional
        ``callback(step, W1, w2)`` at every trace step, with views of the current weights
        (copy them to keep them).
    dtype, device : torch dtype name and device of the computation
    progress : bool, optional
        tqdm progress bar; default: only when stderr is a TTY.
    """
    torch = _torch()
    X = check_X(X)
    n, d = X.shape
    y = check_y(y, n)
    beta = check_beta(beta)
    m, steps = check_int(m, "m (width)", 1), check_int(steps, "steps", 1)
    lr, bs = _check_options(optimizer, lrs, momentum, output_penalty, batch_size, n)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    device = check_device(device) or torch.device("cpu")
    loss = check_loss(loss, y)
    ts = np.arange(steps + 1) if trace_steps is None else np.asarray(trace_steps)
    if (not np.issubdtype(ts.dtype, np.integer) or ts.ndim != 1 or ts.size == 0 or ts[0] < 0
            or ts[-1] > steps or np.any(np.diff(ts) <= 0)):  # fmt: skip
        raise ValueError(f"trace_steps must be increasing ints in [0, steps={steps}]")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    dt = getattr(torch, dtype)
    S, vector = lr.size, y.ndim == 1
    check_real(init_scale, "init_scale", 0.0, np.inf, closed="left")
    gen = torch.Generator().manual_seed(check_int(seed, "seed", 0))
    W1, w2 = _initial(init, S, m, d, None if vector else y.shape[1], gen, init_scale, dt)
    P = torch.cat([W1, w2[:, :, None] if vector else w2], 2).to(device)
    net = _Ensemble(P, d, activation_coefficients(activation), loss, beta, output_penalty)
    Xt = torch.as_tensor(X, dtype=dt, device=device)
    Yt = torch.as_tensor(y[:, None] if vector else y, dtype=dt, device=device)
    XT = Xt.T.contiguous()
    update = _optimizer(optimizer, lr, momentum, P)
    alive = torch.ones(S, dtype=torch.bool, device=device)
    trace = []

    def record(t):
        alive.logical_and_(net.freeze_diverged())
        trace.append(torch.where(alive, net.objectives(XT, Yt), torch.inf))
        if callback is not None:
            callback(t, *net.weights(vector))

    show = sys.stderr.isatty() if progress is None else progress
    bar = range(1, steps + 1)
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc=f"{optimizer} x{S}", leave=False)
    batches = _batches(Xt, XT, Yt, S, bs, gen)
    k = 0
    with torch.no_grad():
        if ts[0] == 0:
            record(0)
            k = 1
        for t in bar:
            update(net.gradient(*next(batches)), t)
            if k < ts.size and t == ts[k]:
                record(t)
                k += 1
        alive.logical_and_(net.freeze_diverged())
        F = torch.where(alive, net.objectives(XT, Yt), torch.inf)
        gnorm = torch.where(alive, net.gradient(Xt, XT, Yt).flatten(1).norm(dim=1), torch.inf)
    W1, w2 = (w.cpu().double().numpy() for w in net.weights(vector))
    return EnsembleResult(
        W1=W1,
        w2=w2,
        objective=F.cpu().double().numpy(),
        grad_norm=gnorm.cpu().double().numpy(),
        trace=torch.stack(trace, 1).cpu().double().numpy(),
        trace_steps=ts,
        diverged=~alive.cpu().numpy(),
    )


def _batches(X, XT, Y, S, bs, gen):
    """Endless ``(X, XT, Y)`` batches (and the data term's scale): the full data when
    ``bs = n``; else, each epoch, every member walks through its own random permutation of the
    rows in slices of ``bs`` (the last one shorter), the data term scaled by ``n / rows``."""
    torch = _torch()
    n = X.shape[0]
    while bs == n:
        yield X, XT, Y
    while True:
        order = torch.argsort(torch.rand(S, n, generator=gen), dim=1).to(X.device)
        Xe, Ye = X[order], Y[order]
        XeT = Xe.transpose(1, 2).contiguous()
        for j in range(0, n, bs):
            end = min(j + bs, n)
            yield Xe[:, j:end], XeT[:, :, j:end], Ye[:, j:end], n / (end - j)


def _optimizer(optimizer, lr, momentum, P):
    """``update(G, t)``: step ``t`` (from 1) of ``torch.optim.SGD`` (heavy ball) or ``Adam``
    (default betas and eps) on the packed weights ``P`` in place, one learning rate per member,
    written out on whole tensors (torch.optim loops over its parameters in Python)."""
    torch = _torch()
    lr_t = torch.as_tensor(lr, dtype=P.dtype, device=P.device)[:, None, None]
    if optimizer != "adam":
        buf = torch.zeros_like(P) if momentum else None
        neg_lr = -lr_t

        def sgd(G, t):
            if buf is not None:
                G = buf.mul_(momentum).add_(G)  # the first step's buffer is G itself
            P.addcmul_(G, neg_lr)

        return sgd
    mean, sq = torch.zeros_like(P), torch.zeros_like(P)
    return lambda G, t: adam_step(P, G, mean, sq, t, lr_t)


@dataclass(frozen=True, eq=False)
class NonconvexResult:
    """One trained network (numpy float64), its objective history and settings."""

    W1: np.ndarray
    w2: np.ndarray
    objective: float
    history: np.ndarray
    optimizer: str
    lr: float
    seed: int
    iterations: int
    diverged: bool


def train_nonconvex(
    X,
    y,
    m: int,
    beta: float,
    *,
    optimizer: str = "gd",
    lr: float = 1e-3,
    iterations: int = 1000,
    batch_size: int | None = None,
    seed: int = 0,
    init_scale: float = 1.0,
    activation="relu",
    loss="squared",
    W1_init=None,
    w2_init=None,
    progress: bool | None = None,
) -> NonconvexResult:
    """Train one two-layer network (:func:`train_ensemble` with one member).

    ``iterations``: steps for ``gd``; epochs of ``ceil(n / batch_size)`` steps for ``sgd`` and
    ``adam``. ``W1_init (m, d)``, ``w2_init (m,)`` / ``(m, c)``: start there (both or neither).
    Returns ``history[k]``, the full-data objective after step/epoch ``k`` (``history[0]`` at
    initialisation).
    """
    X = check_X(X)
    n = X.shape[0]
    lr = check_real(lr, "lr", 0.0, np.inf)
    iterations = check_int(iterations, "iterations", 1)
    batch_size = None if batch_size is None else check_int(batch_size, "batch_size", 1)
    seed = check_int(seed, "seed", 0)
    per_epoch = 1 if optimizer == "gd" or batch_size is None else -(-n // batch_size)
    if (W1_init is None) != (w2_init is None):
        raise ValueError("pass both W1_init and w2_init, or neither")
    init = None if W1_init is None else (np.asarray(W1_init)[None], np.asarray(w2_init)[None])
    run = train_ensemble(
        X, y, m, beta, lrs=[lr], optimizer=optimizer, steps=iterations * per_epoch,
        batch_size=batch_size, seed=seed, init_scale=init_scale, init=init,
        activation=activation, loss=loss, trace_steps=np.arange(iterations + 1) * per_epoch,
        progress=progress,
    )  # fmt: skip
    return NonconvexResult(
        W1=run.W1[0],
        w2=run.w2[0],
        objective=float(run.objective[0]),
        history=run.trace[0],
        optimizer=optimizer,
        lr=float(lr),
        seed=int(seed),
        iterations=iterations,
        diverged=bool(run.diverged[0]),
    )

r"""Non-convex two-layer network baseline in torch (float64; brief §7.6).

.. math:: \min_{W_1,w_2}\ \tfrac12\|\sigma(XW_1^\top)w_2-y\|^2
          +\tfrac\beta2\big(\|W_1\|_F^2+\|w_2\|^2\big)

(paper scaling; the penalty is in the loss, never an optimiser's ``weight_decay``). Trained by
full-batch gradient descent, mini-batch SGD or Adam, seeded by a ``torch.Generator`` derived
from the caller's seed (:func:`common.seeds.derive_seed`); records the *full-data* objective
after every iteration (epoch for SGD/Adam mini-batches). ReLU'(0) = 0 (PyTorch), i.e. the
strict ``>`` convention at ties (brief §2.5). For ``c`` outputs the penalty is the ordinary
:math:`\|w_2\|_F^2`, which does *not* decouple; it matches the convex programs' per-output
convention only for networks whose neurons feed a single output (as from ``to_network``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from .problem import activation_coefficients, check_beta, check_loss, check_X, check_y

__all__ = ["NonconvexResult", "TwoLayerNet", "train_nonconvex"]


def _torch():
    import torch

    return torch


class TwoLayerNet:
    """Factory for a ``torch.nn.Module`` two-layer network ``sigma(x W1^T) w2`` (no biases;
    append a ones column to X for a regularised bias, convention B1)."""

    def __new__(cls, d: int, m: int, c: int | None = None, *, activation="relu", generator=None,
                init_scale: float = 1.0, dtype=None):  # fmt: skip
        torch = _torch()
        a, b = activation_coefficients(activation)
        dtype = dtype or torch.float64

        class _Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                w1 = torch.randn(m, d, generator=generator, dtype=dtype) * init_scale / np.sqrt(d)
                shape = (m,) if c is None else (m, c)
                w2 = torch.randn(*shape, generator=generator, dtype=dtype) * init_scale / np.sqrt(m)
                self.W1 = torch.nn.Parameter(w1)
                self.w2 = torch.nn.Parameter(w2)

            def forward(self, X):
                Z = X @ self.W1.T
                H = torch.where(Z > 0, a * Z, b * Z)
                return H @ self.w2

            def penalty(self):
                return 0.5 * ((self.W1**2).sum() + (self.w2**2).sum())

        return _Net()


@dataclass(frozen=True, eq=False)
class NonconvexResult:
    """Trained weights (numpy float64), objective history and settings."""

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
    """Train a two-layer network on the non-convex objective in paper scaling.

    Parameters
    ----------
    X, y : arrays ``(n, d)``, ``(n,)`` or ``(n, c)``
    m : int
        Width.
    beta : float
        Weight decay in paper scaling (penalty ``beta/2 (||W1||^2 + ||w2||^2)`` in the loss).
    optimizer : {"gd", "sgd", "adam"}
        ``gd``: full-batch gradient descent; ``sgd``/``adam``: mini-batches of ``batch_size``
        (default: full batch), the data term rescaled by ``n / batch`` so each step is an
        unbiased estimate of the full gradient.
    iterations : int
        Steps for ``gd``; epochs for ``sgd``/``adam``.
    seed : int
        Seeds a ``torch.Generator`` for the initialisation and batch order.
    progress : bool, optional
        tqdm progress bar; default: only when stderr is a TTY.

    Returns
    -------
    NonconvexResult with ``history[k]`` the full-data objective after step/epoch ``k``
    (``history[0]`` at initialisation).
    """
    torch = _torch()
    X = check_X(X)
    n, d = X.shape
    y = check_y(y, n)
    beta = check_beta(beta)
    if optimizer not in ("gd", "sgd", "adam"):
        raise ValueError(f"optimizer must be 'gd', 'sgd' or 'adam', got {optimizer!r}")
    if not isinstance(m, int | np.integer) or isinstance(m, bool) or m < 1:
        raise ValueError(f"m (width) must be a positive int, got {m!r}")
    if not (isinstance(lr, float | int) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    loss = check_loss(loss, y)
    bs = n if batch_size is None else int(batch_size)
    if not 1 <= bs <= n:
        raise ValueError(f"batch_size must be in [1, n={n}], got {batch_size!r}")
    gen = torch.Generator().manual_seed(int(seed))
    c = None if y.ndim == 1 else y.shape[1]
    net = TwoLayerNet(d, m, c, activation=activation, generator=gen, init_scale=init_scale)
    with torch.no_grad():
        if W1_init is not None:
            net.W1.copy_(torch.as_tensor(np.asarray(W1_init, dtype=np.float64)))
        if w2_init is not None:
            net.w2.copy_(torch.as_tensor(np.asarray(w2_init, dtype=np.float64)))
    Xt = torch.as_tensor(X)
    yt = torch.as_tensor(y)

    fit = loss.torch_value

    def full_objective():
        with torch.no_grad():
            return float(fit(net(Xt), yt) + beta * net.penalty())

    if optimizer == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=lr)
    history = [full_objective()]
    show = sys.stderr.isatty() if progress is None else progress
    steps = range(int(iterations))
    if show:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"{optimizer} lr={lr:g}", leave=False)
    diverged = False
    for _ in steps:
        order = torch.randperm(n, generator=gen) if bs < n else torch.arange(n)
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            opt.zero_grad()
            obj = fit(net(Xt[idx]), yt[idx]) * (n / len(idx)) + beta * net.penalty()
            obj.backward()
            opt.step()
        history.append(full_objective())
        if not np.isfinite(history[-1]):
            diverged = True
            break
    return NonconvexResult(
        W1=net.W1.detach().numpy().copy(),
        w2=net.w2.detach().numpy().copy(),
        objective=history[-1],
        history=np.asarray(history),
        optimizer=optimizer,
        lr=float(lr),
        seed=int(seed),
        iterations=len(history) - 1,
        diverged=diverged,
    )

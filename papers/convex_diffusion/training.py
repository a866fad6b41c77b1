"""Non-convex training of two-layer score networks (torch, float64), many runs at once.

The network ``s(x) = sum_j alpha_j sigma(w_j x + b_j) + c`` (``sigma`` ReLU or absolute value)
is trained on the SM objective ``(1/n) sum_i [s(x_i)^2 / 2 + s'(x_i)] + beta/2 (|alpha|^2 +
|w|^2)`` (the derivative in closed form, ``s'(x) = sum_j alpha_j w_j sigma'(w_j x + b_j)`` with
torch's ``sigma'(0) = 0`` convention for ReLU) or the DSM objective
``(1/2N) sum (s(xt) - y)^2 + beta/2 (|alpha|^2 + |w|^2)``, by Adam. An ensemble axis ``E`` holds
independent runs (seeds x learning rates x betas): the loss is their sum, Adam is elementwise,
so each run follows its own trajectory with its own learning rate and beta.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = ["Networks", "init_networks", "network_objective", "train_networks"]


@dataclass
class Networks:
    """``E`` networks of width ``m``: ``alpha, w, b`` ``(E, m)``, output constant ``c`` ``(E,)``."""

    alpha: torch.Tensor
    w: torch.Tensor
    b: torch.Tensor
    c: torch.Tensor
    activation: str = "relu"

    def params(self) -> list[torch.Tensor]:
        return [self.alpha, self.w, self.b, self.c]

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """``(E, N)`` scores at ``x`` ``(N,)``."""
        pre = self.w[:, :, None] * x[None, None, :] + self.b[:, :, None]
        act = pre.abs() if self.activation == "abs" else pre.clamp(min=0.0)
        return (self.alpha[:, :, None] * act).sum(1) + self.c[:, None]

    def derivative(self, x: torch.Tensor) -> torch.Tensor:
        """``(E, N)`` derivatives ``s'(x)`` (closed form; ``sigma'(0) = 0``)."""
        pre = self.w[:, :, None] * x[None, None, :] + self.b[:, :, None]
        gate = pre.sign() if self.activation == "abs" else (pre > 0).to(pre.dtype)
        return ((self.alpha * self.w)[:, :, None] * gate).sum(1)

    def numpy_score(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.score(torch.as_tensor(x, dtype=torch.float64)).numpy()


def init_networks(
    n_runs: int, width: int, generator: torch.Generator, activation: str = "relu"
) -> Networks:
    """torch's default ``nn.Linear`` initialisation (uniform, fan-in 1 then ``width``)."""
    import torch  # imported where used: the package imports light (plots, claims)

    if activation not in ("relu", "abs"):
        raise ValueError(f"activation must be 'relu' or 'abs', got {activation!r}")

    def u(shape, bound):
        return (2 * torch.rand(shape, generator=generator, dtype=torch.float64) - 1) * bound

    bound = 1.0 / np.sqrt(width)
    return Networks(
        alpha=u((n_runs, width), bound),
        w=u((n_runs, width), 1.0),
        b=u((n_runs, width), 1.0),
        c=u((n_runs,), bound),
        activation=activation,
    )


def network_objective(
    net: Networks, beta: torch.Tensor, x: torch.Tensor, y: torch.Tensor | None = None
) -> torch.Tensor:
    """``(E,)`` objectives: SM on data ``x`` when ``y`` is None, else DSM on inputs ``x``,
    labels ``y``; ``beta`` ``(E,)``."""
    decay = 0.5 * beta * ((net.alpha**2).sum(1) + (net.w**2).sum(1))
    s = net.score(x)
    if y is None:
        return (0.5 * s**2 + net.derivative(x)).mean(1) + decay
    return 0.5 * ((s - y[None, :]) ** 2).mean(1) + decay


def train_networks(
    net: Networks,
    beta,
    lr,
    x,
    y=None,
    steps: int = 2000,
    n_trace: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Adam (betas 0.9, 0.999) on every run, in place. ``beta`` and ``lr`` are ``(E,)``.

    Returns ``(trace_steps, trace)``: objectives ``(n_trace, E)`` at log-spaced steps, the last
    at ``steps`` (non-finite where a run diverged)."""
    import torch

    x = torch.as_tensor(x, dtype=torch.float64)
    y = None if y is None else torch.as_tensor(y, dtype=torch.float64)
    beta = torch.as_tensor(beta, dtype=torch.float64)
    lr = torch.as_tensor(lr, dtype=torch.float64)
    params = net.params()
    for p in params:
        p.requires_grad_(True)
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    marks = np.unique(np.geomspace(1, steps, n_trace).astype(int))
    trace = []
    for k in range(1, steps + 1):
        loss = network_objective(net, beta, x, y)
        grads = torch.autograd.grad(loss.sum(), params)
        with torch.no_grad():
            for p, g, a, v in zip(params, grads, m1, m2, strict=True):
                a.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                rate = lr / (1 - b1**k)
                rate = rate.reshape(-1, *([1] * (p.dim() - 1)))
                p.sub_(rate * a / ((v / (1 - b2**k)).sqrt() + eps))
        if k in marks:
            trace.append(loss.detach().numpy().copy())
    for p in params:
        p.requires_grad_(False)
    with torch.no_grad():
        final = network_objective(net, beta, x, y).numpy()
    trace[-1] = final
    return marks, np.array(trace)

"""Non-convex training of 1-D networks with Adam (torch, float64, full batch).

The network is ``f(x) = sum_i alpha_i h_i(x) + xi`` where each ``h_i`` ends a chain of
``L - 1`` activation layers of width 1: ``h <- sigma(w_l h + b_l)``. ``shared_chain=False``
gives every neuron its own chain (the architecture of the Lasso equivalence; the authors'
``par=True``); ``shared_chain=True`` shares the first ``L - 2`` layers among the ``m`` neurons
(the authors' ``DeepNarrowNet1D`` used for their figures). ``S`` independent networks
(seeds) are trained at once: their losses are summed, and Adam acts per coordinate, so each
is trained exactly as alone.

Losses (``mode``): ``"corrected"`` is ``1/2 ||f(x) - y||^2 + beta/L sum |w|^L`` over weights
(biases free; ``sign``, ``threshold``: ``beta sum |alpha|``, depth 2 only: deeper nets of
these are trees, not trained here), no optimiser weight decay; ``"faithful"`` is the
authors' code: ``||f(x) - y||^2 + beta/L sum w^L`` (``pow`` without ``abs``) and Adam's
``weight_decay=1e-4`` on every parameter. The reported objective is always the corrected
one, evaluated in float64 at the final weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from papers.lasso_mirrors.features import ACTIVATIONS, LEAKY_SLOPE, STEP_ACTIVATIONS
from papers.lasso_mirrors.lasso import LassoNetwork

__all__ = ["TrainResult", "train_networks"]

MODES = ("corrected", "faithful")


def _act(name: str, u: torch.Tensor) -> torch.Tensor:
    if name == "relu":
        return torch.relu(u)
    if name == "abs":
        return u.abs()
    if name == "leaky_relu":
        return torch.where(u >= 0, u, LEAKY_SLOPE * u)
    low = 0.0 if name == "threshold" else -1.0
    return torch.where(u >= 0, torch.ones_like(u), torch.full_like(u, low))  # sign, threshold


@dataclass(frozen=True)
class TrainResult:
    """Final corrected objectives ``(S,)``, their trace ``(S, n_trace)`` at ``trace_steps``,
    the fitted values ``(S, N)`` at the data, the predictions ``(S, len(grid))`` and the
    final weights in the layout of :attr:`.lasso.LassoNetwork.weights` with a leading seed
    axis: ``hidden_weights``, ``hidden_biases`` ``(S, m, L-1)`` (a shared chain's layers
    repeated for each of the ``m`` neurons), ``output_weights`` ``(S, m)``,
    ``output_bias`` ``(S,)``."""

    objectives: np.ndarray
    fitted: np.ndarray
    trace: np.ndarray
    trace_steps: np.ndarray
    grid: np.ndarray
    predictions: np.ndarray
    weights: dict[str, np.ndarray]


def _init(S, m, L, shared, generator, place: LassoNetwork | None, n_placed: int):
    def unif(shape, bound):
        return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound

    widths = [1 if (shared and layer < L - 2) else m for layer in range(L - 1)]
    W = [unif((S, w), 1.0) for w in widths]
    B = [unif((S, w), 1.0) for w in widths]
    alpha = unif((S, m), 1 / np.sqrt(m))
    xi = unif((S,), 1 / np.sqrt(m))
    if place is not None:
        w = place.weights
        pw, pb = (
            (w["tree_weights"][0], w["tree_biases"][0])  # depth 2: one neuron per tree
            if "tree_weights" in w
            else (w["hidden_weights"], w["hidden_biases"])
        )
        k = pw.shape[0] if not shared or L == 2 else min(1, pw.shape[0])
        if k > m:
            raise ValueError(f"width {m} is below the {k} neurons of the placed solution")
        top = np.argsort(-np.abs(place.coef[place.coef != 0]))[:k]
        s = slice(S - n_placed, S)  # the last n_placed seeds
        for layer in range(L - 1):
            n = 1 if widths[layer] == 1 else k
            W[layer][s, :n] = torch.as_tensor(pw[top[:n], layer])
            B[layer][s, :n] = torch.as_tensor(pb[top[:n], layer])
        alpha[s, :k] = torch.as_tensor(place.weights["output_weights"][top])
        xi[s] = float(place.weights["output_bias"])
    return [p.requires_grad_() for p in (*W, *B, alpha, xi)]


def _forward(params, L, activation, x):
    W, B, alpha, xi = params[: L - 1], params[L - 1 : 2 * L - 2], params[-2], params[-1]
    h = x[None, None, :]
    for layer in range(L - 1):
        h = _act(activation, W[layer][..., None] * h + B[layer][..., None])
    return (alpha[..., None] * h).sum(1) + xi[:, None]


def _penalty(params, L, activation, beta, use_abs=True) -> torch.Tensor:
    alpha = params[-2]
    if activation in STEP_ACTIVATIONS:
        return beta * alpha.abs().sum(1)
    weights = [*params[: L - 1], alpha]
    power = (lambda w: w.abs() ** L) if use_abs else (lambda w: w**L)
    return beta / L * sum(power(w).sum(1) for w in weights)


def train_networks(
    x,
    y,
    beta: float,
    *,
    activation: str = "relu",
    depth: int = 2,
    width: int = 20,
    n_seeds: int = 5,
    steps: int = 2000,
    lr: float = 5e-3,
    generator: torch.Generator | None = None,
    place: LassoNetwork | None = None,
    n_placed: int | None = None,
    mode: str = "corrected",
    shared_chain: bool = False,
    grid=None,
    n_trace: int = 20,
    decay: bool = False,
) -> TrainResult:
    """Train ``n_seeds`` networks with Adam for ``steps`` full-batch steps (see module);
    ``place``: a Lasso network whose largest chains start the last ``n_placed`` seeds
    (default: all) beside default-initialised neurons; ``decay``: cosine decay of the
    learning rate to 0 (the authors use a constant one)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if activation in STEP_ACTIVATIONS and depth != 2:
        raise ValueError(f"depth must be 2 for {activation!r} (deeper trees are not trained)")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    for name, v in (("width", width), ("n_seeds", n_seeds), ("steps", steps), ("depth", depth)):
        if not isinstance(v, int) or v < (2 if name == "depth" else 1):
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not (np.isfinite(beta) and beta >= 0) or not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"beta must be >= 0 and lr > 0, got beta={beta}, lr={lr}")
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64))
    if xt.ndim != 1 or yt.shape != xt.shape:
        raise ValueError(f"x and y must be 1-D of equal length, got {xt.shape}, {yt.shape}")
    n_placed = n_seeds if n_placed is None else n_placed
    if isinstance(n_placed, bool) or not isinstance(n_placed, int) or not 0 <= n_placed <= n_seeds:
        raise ValueError(f"n_placed must be an integer in 0..n_seeds, got {n_placed!r}")
    params = _init(n_seeds, width, depth, shared_chain, generator, place, n_placed)
    faithful = mode == "faithful"
    opt = torch.optim.Adam(params, lr=lr, weight_decay=1e-4 if faithful else 0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps) if decay else None
    trace_at = np.unique(np.geomspace(1, steps, n_trace).astype(int))
    trace = np.zeros((n_seeds, trace_at.size))

    def objective():
        r = _forward(params, depth, activation, xt) - yt
        return 0.5 * (r**2).sum(1) + _penalty(params, depth, activation, beta)

    t = 0
    for step in range(1, steps + 1):
        opt.zero_grad()
        r = _forward(params, depth, activation, xt) - yt
        if faithful:
            loss = (r**2).sum() + _penalty(params, depth, activation, beta, use_abs=False).sum()
        else:
            loss = 0.5 * (r**2).sum() + _penalty(params, depth, activation, beta).sum()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        if step == trace_at[t]:
            with torch.no_grad():
                trace[:, t] = objective().numpy()
            t += 1
    g = np.linspace(xt.min().item() - 1, xt.max().item() + 1, 301) if grid is None else grid
    with torch.no_grad():
        final = objective().numpy()
        fitted = _forward(params, depth, activation, xt).numpy()
        pred = _forward(params, depth, activation, torch.as_tensor(np.asarray(g, float))).numpy()
        weights = _weights(params, depth, width)
    return TrainResult(final, fitted, trace, trace_at, np.asarray(g, float), pred, weights)


def _weights(params, L, m) -> dict[str, np.ndarray]:
    def hidden(layers):
        return np.stack([p.detach().expand(-1, m).numpy() for p in layers], axis=-1)

    return {
        "hidden_weights": hidden(params[: L - 1]),
        "hidden_biases": hidden(params[L - 1 : 2 * L - 2]),
        "output_weights": params[-2].detach().numpy().copy(),
        "output_bias": params[-1].detach().numpy().copy(),
    }

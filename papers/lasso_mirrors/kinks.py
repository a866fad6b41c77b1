"""Kinks of trained networks, read from their weights (brief M4: "learned kinks cluster at
the Lasso's kinks").

A network of width-1 chains (the architecture of the Lasso equivalence, and of
:func:`.training.train_networks`) computes ``f(x) = sum_j alpha_j h_j(x) + xi`` with
``h_j = act(W[j, L-2] act(... act(W[j, 0] x + B[j, 0]) ...) + B[j, L-2])``. For ReLU, leaky
ReLU and absolute value, a chain's prefix up to layer ``l`` is linear between consecutive
points of a set ``T`` that holds the window's ends and every zero crossing of the earlier
layers' pre-activations; the crossings of layer ``l`` are then found exactly by linear
interpolation between the points of ``T`` and added to it. ``f`` is linear between the
points of the union of all chains' sets, so its kinks and their slope changes follow from
its values there, computed by the forward pass (exact up to round-off, no grid). For 2-layer
sign and threshold nets the kinks are the jumps ``-B/W`` and their weights the jump sizes
``|f(t+) - f(t-)|``.
"""

from __future__ import annotations

import numpy as np

from papers.lasso_mirrors.features import ACTIVATIONS, STEP_ACTIVATIONS, act, chain_forward

__all__ = ["network_kinks"]

#: points closer than this fraction of the window are one point
_MERGE = 1e-9
#: slope changes (jumps) below this fraction of the largest slope (jump) are round-off
_NEGLIGIBLE = 1e-7


def _chain_points(w, b, activation, a: float, c: float) -> np.ndarray:
    """The ends ``a``, ``c`` and the zero crossings in between of every pre-activation of
    one chain (``w``, ``b``: its layers), sorted."""
    T = np.array([a, c])
    for layer in range(w.size):
        h = chain_forward(w[None, :layer], b[None, :layer], activation, T)[0]
        u = w[layer] * h + b[layer]
        i = np.flatnonzero(u[:-1] * u[1:] < 0)
        T = np.sort(np.concatenate([T, T[i] + (T[i + 1] - T[i]) * u[i] / (u[i] - u[i + 1])]))
    return T


def _checked(hidden_weights, hidden_biases, output_weights, activation, lo, hi):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    W = np.asarray(hidden_weights, dtype=np.float64)
    B = np.asarray(hidden_biases, dtype=np.float64)
    alpha = np.asarray(output_weights, dtype=np.float64)
    if W.ndim != 2 or B.shape != W.shape or alpha.shape != W.shape[:1]:
        raise ValueError(
            "hidden_weights and hidden_biases must be (m, L-1) and output_weights (m,), got "
            f"{W.shape}, {B.shape}, {alpha.shape}"
        )
    for name, a in (("hidden_weights", W), ("hidden_biases", B), ("output_weights", alpha)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or inf")
    if activation in STEP_ACTIVATIONS and W.shape[1] != 1:
        raise ValueError(f"{activation!r} networks must have depth 2 (one hidden layer)")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"lo and hi must be finite with lo < hi, got {lo}, {hi}")
    return W, B, alpha


def network_kinks(
    hidden_weights, hidden_biases, output_weights, activation: str, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray]:
    """The kinks of the network's predictor in ``[lo, hi]`` and their weights.

    ``hidden_weights``, ``hidden_biases``: ``(m, L-1)``, chain ``j``'s layer ``l`` (the
    layout of :attr:`.lasso.LassoNetwork.weights`); ``output_weights``: ``(m,)``. Returns
    the sorted locations and, for each, the absolute change of slope (sign/threshold: the
    absolute jump). Changes below 1e-7 of the largest slope (jump) are round-off and
    dropped; kinks closer than 1e-9 of the window apart are one.
    """
    W, B, alpha = _checked(hidden_weights, hidden_biases, output_weights, activation, lo, hi)
    # a margin of one window on each side, so that kinks at lo and hi have slopes on both sides
    a, c = lo - (hi - lo), hi + (hi - lo)
    eps = _MERGE * (c - a)
    if activation in STEP_ACTIVATIONS:
        live = W[:, 0] != 0
        t = -B[live, 0] / W[live, 0]
        rise = act(activation, 1.0) - act(activation, -1.0)  # 2 for sign, 1 for threshold
        jump = alpha[live] * np.sign(W[live, 0]) * rise
        inside = (t >= lo - eps) & (t <= hi + eps)
        t, jump = t[inside], jump[inside]
        order = np.argsort(t)
        t, jump = t[order], jump[order]
        if not t.size:
            return t, jump
        start = np.concatenate([[True], np.diff(t) > eps])
        loc, size = t[start], np.abs(np.add.reduceat(jump, np.flatnonzero(start)))
        scale = rise * np.abs(alpha).max()
    else:
        T = np.sort(
            np.concatenate([_chain_points(W[j], B[j], activation, a, c) for j in range(W.shape[0])])
        )
        T = T[np.concatenate([[True], np.diff(T) > eps])]
        f = alpha @ chain_forward(W, B, activation, T)
        s = np.diff(f) / np.diff(T)
        loc, size = T[1:-1], np.abs(np.diff(s))
        scale = np.abs(s).max()
    keep = (loc >= lo - eps) & (loc <= hi + eps) & (size > _NEGLIGIBLE * scale)
    return loc[keep], size[keep]

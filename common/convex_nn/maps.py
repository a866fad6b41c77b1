r"""Maps between convex solutions and two-layer networks (brief §4).

Convex -> network (square-root scaling; Pilanci & Ergen 2020, scnn ``solution_mappings``):
for every non-zero block,

.. math:: u_i\ne0:\ w=u_i/\sqrt{\|u_i\|},\ \alpha=+\sqrt{\|u_i\|};\qquad
          v_i\ne0:\ w=v_i/\sqrt{\|v_i\|},\ \alpha=-\sqrt{\|v_i\|}.

If :math:`u_i\in K_i` then :math:`\sigma(Xw)\alpha=M_iXu_i` and
:math:`\tfrac\beta2(\|w\|^2+\alpha^2)=\beta\|u_i\|`, so the network objective equals the convex
objective (to round-off). For ``c`` outputs each (block, output) pair becomes one neuron whose
output weight row is :math:`\alpha e_k` (the decoupled convention of brief §1.4).

Network -> convex: balance each neuron (:math:`c=\sqrt{|\alpha_j|/\|w_j\|}`), take
:math:`D_j=\mathbb 1[Xw_j\ge0]`, put :math:`|\alpha_j|w_j` in the ``u`` (``alpha > 0``) or ``v``
block of :math:`D_j`, summing neurons that share a pattern and sign. The convex objective is
``<=`` the network objective, with equality for balanced networks without merges.
"""

from __future__ import annotations

import numpy as np

from common.arrangements import stable_unique_rows

from .problem import (
    activation_coefficients,
    check_array,
    check_beta,
    check_loss,
    check_X,
    check_y,
)

__all__ = [
    "balance_network",
    "network_objective",
    "network_predict",
    "network_to_convex",
    "patterns_of_network",
    "to_network",
]


def to_network(result, *, tol: float = 0.0):
    r"""First-layer ``W1 (m, d)`` and output weights ``w2 (m,)`` or ``(m, c)`` of a result.

    Parameters
    ----------
    result : ConvexResult or tuple ``(U, V)``
        Blocks ``(P, d)`` / ``(P, d, c)``.
    tol : float
        Blocks with norm ``<= tol`` are dropped (default: exact zeros only).

    Notes
    -----
    For a gated result the weights are mapped the same way, but the model they define is the
    gated network :math:`\sum_j \mathbb 1[Xh_j\ge0]\,(Xw_j)\alpha_j` (gates ``h_j`` from
    :func:`common.arrangements.sample_patterns` with ``return_gates=True``), not a ReLU network.
    """
    if isinstance(result, tuple | list) and len(result) == 2:
        U, V = result
    elif hasattr(result, "U") and hasattr(result, "V"):
        U, V = result.U, result.V
    else:
        raise TypeError(f"result must be a ConvexResult or a pair (U, V), got "
                        f"{type(result).__name__}")  # fmt: skip
    U = check_array(U, "U", (2, 3))
    V = np.zeros_like(U) if V is None else check_array(V, "V", (2, 3))
    if U.shape != V.shape:
        raise ValueError(f"U and V must have the same shape, got {U.shape} and {V.shape}")
    scalar = U.ndim == 2
    U3 = U[..., None] if scalar else U
    V3 = V[..., None] if scalar else V
    c = U3.shape[2]
    W1, A = [], []
    for blocks, sign in ((U3, 1.0), (V3, -1.0)):
        for i in range(blocks.shape[0]):
            for k in range(c):
                w = blocks[i, :, k]
                nrm = float(np.linalg.norm(w))
                if nrm <= tol or nrm == 0.0:
                    continue
                root = np.sqrt(nrm)
                W1.append(w / root)
                a = np.zeros(c)
                a[k] = sign * root
                A.append(a)
    d = U3.shape[1]
    W1 = np.array(W1).reshape(len(W1), d)
    w2 = np.array(A).reshape(len(A), c)
    return W1, (w2[:, 0] if scalar else w2)


def _act(Z, activation):
    a, b = activation_coefficients(activation)
    return np.where(Z >= 0, a * Z, b * Z)


def _check_net(X, W1, w2):
    X = check_X(X)
    W1 = check_array(W1, "W1", (2,)) if np.size(W1) else np.zeros((0, X.shape[1]))
    w2 = check_array(w2, "w2", (1, 2)) if np.size(w2) else np.zeros((0, *np.shape(w2)[1:]))
    if W1.ndim != 2 or W1.shape[1] != X.shape[1]:
        raise ValueError(f"W1 must have shape (m, d={X.shape[1]}), got {np.shape(W1)}")
    if w2.ndim not in (1, 2) or w2.shape[0] != W1.shape[0]:
        raise ValueError(
            f"w2 must have shape (m={W1.shape[0]},) or (m, c) to match W1 of shape "
            f"{W1.shape} (m neurons), got {w2.shape}"
        )
    if not np.all(np.isfinite(w2)):
        raise ValueError("w2 contains NaN or inf; expected finite values")
    return X, W1, w2


def network_predict(X, W1, w2, *, activation="relu"):
    r"""Network output :math:`\sigma(XW_1^\top)w_2`, ``(n,)`` or ``(n, c)``."""
    X, W1, w2 = _check_net(X, W1, w2)
    return _act(X @ W1.T, activation) @ w2


def network_objective(X, y, W1, w2, beta, *, activation="relu", loss="squared") -> float:
    r"""Non-convex objective in paper scaling.

    .. math:: \tfrac12\|\sigma(XW_1^\top)w_2-y\|^2+\tfrac\beta2\Big(\|W_1\|_F^2
              +\sum_j\|\alpha_j\|_1^2\Big),

    where :math:`\alpha_j` is row ``j`` of ``w2`` (for scalar outputs the last term is
    :math:`\|w_2\|^2`; for single-output neurons, as produced by :func:`to_network`, it equals
    :math:`\|w_2\|_F^2`). ``loss`` is a name or a :class:`~common.convex_nn.losses.Loss`
    (``"logistic"``: :math:`\sum\log(1+e^{-y\hat y})`, labels in {-1, +1}). ``w2`` must
    match ``y``: ``(m,)`` (or ``(m, 1)``) for ``y (n,)``, ``(m, c)`` for ``y (n, c)``.
    """
    X, W1, w2 = _check_net(X, W1, w2)
    y = check_y(y, X.shape[0])
    beta = check_beta(beta)
    loss = check_loss(loss, y)
    c = 1 if y.ndim == 1 else y.shape[1]
    if (w2.ndim == 2 and w2.shape[1] != c) or (w2.ndim == 1 and y.ndim == 2 and c != 1):
        want = f"(m, {c})" if y.ndim == 2 else "(m,) or (m, 1)"
        raise ValueError(f"w2 must have shape {want} to match y of shape {y.shape}, got {w2.shape}")
    pred = _act(X @ W1.T, activation) @ w2
    pred = pred.reshape(y.shape)
    fit = float(loss.value(pred, y))
    a2 = w2**2 if w2.ndim == 1 else np.sum(np.abs(w2), axis=1) ** 2
    return fit + 0.5 * beta * (float(np.sum(W1**2)) + float(np.sum(a2)))


def balance_network(W1, w2):
    r"""Rescale each neuron so that :math:`\|w_j\|=\|\alpha_j\|_1` (objective cannot increase)."""
    W1 = check_array(W1, "W1", (2,))
    w2 = check_array(w2, "w2", (1, 2))
    a = np.abs(w2) if w2.ndim == 1 else np.sum(np.abs(w2), axis=1)
    nw = np.linalg.norm(W1, axis=1)
    ok = (a > 0) & (nw > 0)
    c = np.ones_like(nw)
    c[ok] = np.sqrt(a[ok] / nw[ok])
    W1b = W1 * c[:, None]
    w2b = (w2 / c) if w2.ndim == 1 else w2 / c[:, None]
    return W1b, w2b


def patterns_of_network(X, W1, *, strict: bool = False, drop_zero: bool = False):
    """Distinct patterns ``1[X w_j >= 0]`` of the neurons (stable order) -> bool ``(P, n)``.

    These define the *stationary-point program* of 2312.12657: the convex program restricted
    to the patterns of a (trained) network's own neurons.
    """
    X = check_X(X)
    W1 = check_array(W1, "W1", (2,))
    if W1.shape[1] != X.shape[1]:
        raise ValueError(f"W1 must have shape (m, d={X.shape[1]}), got {W1.shape}")
    Z = (X @ W1.T).T
    D = Z > 0 if strict else Z >= 0
    D = D[stable_unique_rows(D)]
    if drop_zero:
        D = D[D.any(axis=1)]
    return D


def network_to_convex(X, W1, w2, *, strict: bool = False):
    """Map a scalar-output network to the convex program: ``(patterns, U, V)``.

    Returns patterns ``(P, n)`` (distinct neuron patterns, stable order) and blocks ``U``, ``V``
    ``(P, d)``, with :math:`u_j=|\\alpha_j|w_j` after balancing; neurons sharing a pattern and
    sign are summed. ``U``/``V`` are cone-feasible by construction. Dead neurons
    (:math:`\\alpha_j=0` or :math:`w_j=0`) contribute nothing and are skipped: the pattern
    :math:`\\mathbb 1[X0\\ge0]` of a zero neuron is not one of the network's.
    """
    X, W1, w2 = _check_net(X, W1, w2)
    if w2.ndim != 1:
        raise ValueError("network_to_convex supports scalar outputs (w2 of shape (m,))")
    live = (w2 != 0) & np.any(W1 != 0, axis=1)
    W1, w2 = W1[live], w2[live]
    W1b, w2b = balance_network(W1, w2) if W1.shape[0] else (W1, w2)
    Z = (X @ W1b.T).T
    Dn = Z > 0 if strict else Z >= 0
    idx = stable_unique_rows(Dn)
    D = Dn[idx]
    packed = np.packbits(D, axis=1)
    key = {packed[i].tobytes(): i for i in range(D.shape[0])}
    U = np.zeros((D.shape[0], X.shape[1]))
    V = np.zeros_like(U)
    pk = np.packbits(Dn, axis=1)
    for j in range(W1b.shape[0]):
        i = key[pk[j].tobytes()]
        if w2b[j] > 0:
            U[i] += w2b[j] * W1b[j]
        elif w2b[j] < 0:
            V[i] += -w2b[j] * W1b[j]
    return D, U, V

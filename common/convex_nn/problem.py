r"""Problem definition, input validation, objectives and scaling conventions.

The convex programs (Pilanci & Ergen, ICML 2020, eq. (8); Mishkin, Sahiner & Pilanci,
ICML 2022) in *paper scaling*, for patterns :math:`D_i` (rows of a boolean ``(P, n)`` array)
and a piecewise-linear activation :math:`\sigma(t)=a\,t` for :math:`t\ge0`, :math:`b\,t` for
:math:`t<0` (ReLU :math:`(1,0)`, leaky ReLU :math:`(1,\kappa)`, absolute value
:math:`(1,-1)`), with masks :math:`M_i = aD_i + b(I-D_i)`:

.. math::

    \text{ReLU:}\quad \min_{u_i, v_i \in K_i}\ \ell\Big(\sum_i M_iX(u_i-v_i), y\Big)
        + \beta\sum_i(\|u_i\|_2+\|v_i\|_2),\qquad K_i=\{u:(2D_i-I)Xu\ge0\},

    \text{gated:}\quad \min_{u_i}\ \ell\Big(\sum_i M_iXu_i, y\Big) + \beta\sum_i\|u_i\|_2 .

Losses (:mod:`common.convex_nn.losses`): ``"squared"``
:math:`\ell(\hat y,y)=\tfrac12\|\hat y-y\|^2`; ``"logistic"``
:math:`\ell=\sum_k\log(1+e^{-y_k\hat y_k})` with labels :math:`y_k\in\{-1,+1\}`; ``"huber"``
(sums, not means, as in paper scaling); any :class:`~common.convex_nn.losses.Loss` object.

Vector outputs ``y (n, c)``: the per-neuron output penalty
:math:`\tfrac\beta2(\|w_j\|^2+\|\alpha_j\|_1^2)` decouples the problem into ``c`` scalar problems
sharing the pattern set (brief §1.4), so blocks are ``(P, d, c)``, the group norm runs over
``d`` only, and the objective is the sum over outputs. Ordinary :math:`\|\alpha_j\|_2^2` output
weight decay is *not* covered.

Scaling (brief §6): scnn minimises :math:`\tfrac1{2n}\|\cdot\|^2+\lambda\sum\|u_i\|`, so
:math:`\beta=n\lambda` and :math:`F_{\text{paper}}=nF_{\text{scnn}}` (also for ``c > 1``: scnn's
R-FISTA divides by ``n``, not ``n c``).
"""

from __future__ import annotations

import numbers

import numpy as np

from common.checks import check_real

from .losses import LOSSES, Loss, as_loss

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "activation_coefficients",
    "beta_from_scnn",
    "convex_objective",
    "masks",
    "objective_from_scnn",
    "objective_to_scnn",
    "predict_convex",
    "scnn_lambda",
]

#: Named piecewise-linear activations -> (slope for t >= 0, slope for t < 0).
ACTIVATIONS = {"relu": (1.0, 0.0), "abs": (1.0, -1.0), "absolute": (1.0, -1.0)}


# ----------------------------------------------------------------------------- validation
def check_array(A, name: str, ndim: tuple[int, ...], *, allow_bool: bool = False) -> np.ndarray:
    """Real, finite numeric array with ``A.ndim in ndim`` (returned as float64)."""
    if A is None or isinstance(A, str | bytes | dict | set):
        raise TypeError(f"{name} must be a numeric array, got {type(A).__name__}")
    try:
        arr = np.asarray(A)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a numeric array: {exc}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or (allow_bool and arr.dtype == bool)
    ):
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    if arr.dtype == bool and not allow_bool:
        raise TypeError(f"{name} must be a real numeric array, got dtype bool")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.ndim not in ndim:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndim))} dims, got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must be non-empty, got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; expected finite values")
    return arr


def check_X(X) -> np.ndarray:
    """Data matrix ``(n, d)``."""
    return check_array(X, "X", (2,))


def check_y(y, n: int) -> np.ndarray:
    """Targets ``(n,)`` or ``(n, c)`` matching ``n`` rows of X."""
    y = check_array(y, "y", (1, 2), allow_bool=True)
    if y.shape[0] != n:
        raise ValueError(f"y must have {n} rows to match X, got shape {y.shape}")
    return y


def check_patterns(patterns, n: int) -> np.ndarray:
    """Boolean (or 0/1) pattern array ``(P, n)`` with ``P >= 1``."""
    if patterns is None or isinstance(patterns, str | bytes):
        raise TypeError("patterns must be a boolean array of shape (P, n)")
    D = np.asarray(patterns)
    if (
        D.dtype == object
        or np.iscomplexobj(D)
        or not (D.dtype == bool or np.issubdtype(D.dtype, np.number))
    ):
        raise TypeError(f"patterns must be a boolean array of shape (P, n), got dtype {D.dtype}")
    if D.ndim == 1 and D.size == n and n > 0:
        D = D[None, :]
    if D.ndim != 2:
        raise ValueError(f"patterns must have shape (P, n={n}), got {D.shape}")
    if D.shape[0] == 0:
        raise ValueError("patterns is empty (P = 0); expected at least one pattern")
    if D.shape[1] != n:
        raise ValueError(f"patterns must have shape (P, n={n}) to match X, got {D.shape}")
    if D.dtype != bool:
        if not np.all((D == 0) | (D == 1)):
            raise ValueError("patterns must contain only 0/1 (or booleans)")
        D = D.astype(bool)
    return D


def check_beta(beta) -> float:
    """Regularisation strength ``beta >= 0`` (paper scaling)."""
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real | np.floating | np.integer):
        raise TypeError(f"beta must be a real number, got {type(beta).__name__}")
    beta = float(beta)
    if not np.isfinite(beta) or beta < 0:
        raise ValueError(f"beta must be a finite non-negative number, got {beta}")
    return beta


def check_blocks(U, V, P: int, d: int, y: np.ndarray | None = None):
    """Blocks ``U`` (and ``V``, of the same shape) ``(P, d)`` for one output or ``(P, d, c)``
    for ``c``, matching ``P`` patterns and ``d`` features, as float64; with targets ``y``,
    also their number of outputs (``(n,)`` for ``(P, d)`` blocks, ``(n, c)`` otherwise): a
    column ``(n, 1)`` against ``(P, d)`` blocks would broadcast the residual to ``(n, n)``."""
    U = check_array(U, "U", (2, 3))
    if U.shape[:2] != (P, d):
        raise ValueError(f"U must have shape (P={P}, d={d}) or (P, d, c) for {P} patterns of "
                         f"{d} features, got {U.shape}")  # fmt: skip
    if V is not None:
        V = check_array(V, "V", (2, 3))
        if V.shape != U.shape:
            raise ValueError(f"V must have U's shape {U.shape}, got {V.shape}")
    if y is not None:
        want = (y.shape[0],) if U.ndim == 2 else (y.shape[0], U.shape[2])
        if y.shape != want:
            raise ValueError(f"y of shape {y.shape} does not match blocks of shape {U.shape} "
                             f"(expected y of shape {want})")  # fmt: skip
    return U, V


def activation_coefficients(activation) -> tuple[float, float]:
    """``(a, b)`` slopes of a piecewise-linear activation.

    ``activation`` is ``"relu"``, ``"abs"``/``"absolute"``, ``("leaky", kappa)``,
    ``"leaky_relu"`` (kappa = 0.01) or an explicit pair ``(a, b)``.
    """
    if isinstance(activation, str):
        if activation in ACTIVATIONS:
            return ACTIVATIONS[activation]
        if activation in ("leaky", "leaky_relu"):
            return (1.0, 0.01)
        raise ValueError(
            f"activation must be 'relu', 'abs', 'leaky_relu', ('leaky', kappa) or (a, b); "
            f"got {activation!r}"
        )
    if isinstance(activation, tuple | list) and len(activation) == 2:
        leaky = activation[0] in ("leaky", "leaky_relu")
        a, b = (1.0, activation[1]) if leaky else activation
        try:
            return (
                check_real(a, "slope", -np.inf, np.inf),
                check_real(b, "slope", -np.inf, np.inf),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"activation slopes must be finite numbers, got {activation!r}"
            ) from exc
    raise TypeError(f"activation must be a string or a pair, got {type(activation).__name__}")


def masks(patterns: np.ndarray, activation="relu") -> np.ndarray:
    """Float masks ``(n, P)``: column ``i`` is the diagonal of ``a D_i + b (I - D_i)``."""
    a, b = activation_coefficients(activation)
    D = np.asarray(patterns, dtype=np.float64).T
    return a * D + b * (1.0 - D)


def check_loss(loss, y: np.ndarray) -> Loss:
    """The :class:`~common.convex_nn.losses.Loss` for ``loss`` (a name in
    :data:`~common.convex_nn.losses.LOSSES` or a loss object), checked against the targets
    (e.g. logistic loss needs labels ``y`` in {-1, +1})."""
    loss = as_loss(loss)
    loss.check_targets(y)
    return loss


# ----------------------------------------------------------------------------- objectives
def _blocks3(U: np.ndarray) -> np.ndarray:
    return U[..., None] if U.ndim == 2 else U


def predict_convex(X, patterns, U, V=None, activation="relu") -> np.ndarray:
    r"""Model output :math:`\sum_i M_iX(u_i - v_i)`, shape ``(n,)`` or ``(n, c)``.

    ``X (n, d)``, ``patterns (P, n)`` (boolean or 0/1), blocks ``(P, d)`` or ``(P, d, c)``;
    a ValueError/TypeError names the argument that does not fit."""
    X = check_X(X)
    D = check_patterns(patterns, X.shape[0])
    U, V = check_blocks(U, V, D.shape[0], X.shape[1])
    M = masks(D, activation)
    W = _blocks3(U) if V is None else _blocks3(U) - _blocks3(V)
    P, d, c = W.shape
    Z = (X @ W.transpose(1, 0, 2).reshape(d, P * c)).reshape(-1, P, c)  # one GEMM: 3x an einsum
    out = np.einsum("np,npc->nc", M, Z)
    return out[:, 0] if U.ndim == 2 else out


def loss_value(pred: np.ndarray, y: np.ndarray, loss="squared") -> float:
    return float(as_loss(loss).value(pred, y))


def convex_objective(
    X, y, patterns, U, V=None, beta: float = 0.0, *, activation="relu", loss="squared"
) -> float:
    r"""Paper-scaling objective :math:`\ell(\sum_iM_iX(u_i-v_i),y)+\beta\sum_i(\|u_i\|+\|v_i\|)`.

    Constraints are *not* checked (see :func:`common.convex_nn.constraint_violation`); the
    arguments are (``y`` with as many outputs as the blocks, ``beta >= 0``).
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    D = check_patterns(patterns, X.shape[0])
    U, V = check_blocks(U, V, D.shape[0], X.shape[1], y)
    beta = check_beta(beta)
    loss = check_loss(loss, y)
    pred = predict_convex(X, D, U, V, activation)
    return loss_value(pred, y, loss) + beta * group_norm_sum(U, V)


def group_norm_sum(U, V=None) -> float:
    r""":math:`\sum_i(\|u_i\|_2+\|v_i\|_2)` (per output for vector outputs)."""
    return sum(
        float(np.sum(np.linalg.norm(_blocks3(np.asarray(W, float)), axis=1)))
        for W in (U, V)
        if W is not None
    )


# ----------------------------------------------------------------------------- scaling
def beta_from_scnn(lam: float, n: int) -> float:
    r"""Paper :math:`\beta` for scnn's ``NeuronGL1(lam)``: :math:`\beta=n\lambda`."""
    return float(lam) * n


def scnn_lambda(beta: float, n: int) -> float:
    r"""scnn's :math:`\lambda` for paper :math:`\beta`: :math:`\lambda=\beta/n`."""
    return float(beta) / n


def objective_to_scnn(F: float, n: int) -> float:
    r""":math:`F_{\text{scnn}}=F_{\text{paper}}/n` (same minimiser when :math:`\beta=n\lambda`)."""
    return float(F) / n


def objective_from_scnn(F: float, n: int) -> float:
    r""":math:`F_{\text{paper}}=nF_{\text{scnn}}`."""
    return float(F) * n

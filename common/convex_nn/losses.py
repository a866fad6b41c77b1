r"""Losses (datafits) of the convex programs: one class per loss, everything a solver needs.

A loss :math:`f(\hat y; y)=\sum_k \ell(\hat y_k, y_k)` (a sum, not a mean: paper scaling)
carries, in the manner of skglm's datafits:

* ``value(pred, y, xp=np)`` and ``gradient(pred, y, xp=np)`` (in ``pred``), written once for
  any array namespace ``xp`` (numpy, ``jax.numpy``): the JAX solvers trace the same code;
* ``conjugate(u, y, xp=np)`` :math:`f^*(u)=\sup_z\langle u,z\rangle-f(z)` and
  ``dual_value(v, y, xp=np)`` :math:`=-f^*(-v)`, the dual objective at a dual point :math:`v`
  (for squared loss the residual :math:`y-\hat y`). Every dual point
  :math:`v=-s\nabla f(\hat y)`, :math:`0\le s\le1`, lies in the domain, so the scaled point
  of the certificates (brief §5, C4) gives the lower bound :math:`p^\star\ge`
  ``dual_value(s v, y)`` and a duality gap for every loss here, in every solver;
* ``lipschitz``: the Lipschitz constant of :math:`\nabla f` in :math:`\hat y` (first-order
  step sizes are ``1 / (lipschitz ||A||^2)``), and ``quadratic`` (the squared loss: exact
  Newton / interior-point / Woodbury solvers and the scaling law :math:`F(aX,by)=b^2F`);
* ``cvxpy(pred, y)``, ``torch_value(pred, y)``: the same loss as a CVXPY expression and in torch;
* ``check_targets(y)``: what labels the loss accepts.

Adding a loss is this file plus its tests: subclass :class:`Loss`, register it in
:data:`LOSSES`, and list its name in the ``losses`` of the solvers that can run it
(:mod:`common.convex_nn.solvers`; the generic ones, R-FISTA, the augmented Lagrangian and CVXPY,
need nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

__all__ = ["LOSSES", "Huber", "Logistic", "Loss", "Squared", "as_loss"]


@dataclass(frozen=True)
class Loss:
    """Base class; subclasses are frozen dataclasses (hashable: the JAX kernels take them as
    static arguments)."""

    name: ClassVar[str] = ""
    quadratic: ClassVar[bool] = False
    lipschitz: ClassVar[float] = 1.0

    def check_targets(self, y: np.ndarray) -> None:  # any real targets by default
        """Raise a ValueError naming ``y`` if the loss cannot take these targets."""

    def value(self, pred, y, xp=np):
        raise NotImplementedError

    def gradient(self, pred, y, xp=np):
        raise NotImplementedError

    def conjugate(self, u, y, xp=np):
        r""":math:`f^*(u)=\sup_z\langle u,z\rangle-f(z)` (``inf`` outside its domain)."""
        raise NotImplementedError

    def dual_value(self, v, y, xp=np):
        r""":math:`-f^*(-v)`, the dual objective at the dual point ``v`` (``-inf`` outside the
        domain)."""
        return -self.conjugate(-v, y, xp=xp)

    def cvxpy(self, pred, y):
        raise NotImplementedError

    def column(self, k: int) -> Loss:
        """The loss of output ``k`` alone (for per-output programs such as CVXPY's); losses
        with per-output parameters (``Logistic(offset=(...))``) override it."""
        return self

    def torch_value(self, pred, y):
        import torch

        return self.value(pred, y, xp=torch)

    def __str__(self) -> str:
        return self.name or type(self).__name__


@dataclass(frozen=True)
class Squared(Loss):
    r""":math:`\tfrac12\|\hat y-y\|^2`; conjugate :math:`\tfrac12\|u\|^2+\langle u,y\rangle`."""

    name: ClassVar[str] = "squared"
    quadratic: ClassVar[bool] = True
    lipschitz: ClassVar[float] = 1.0

    def value(self, pred, y, xp=np):
        return 0.5 * xp.sum((pred - y) ** 2)

    def gradient(self, pred, y, xp=np):
        return pred - y

    def conjugate(self, u, y, xp=np):
        return 0.5 * xp.sum(u * u) + xp.sum(u * y)

    def dual_value(self, v, y, xp=np):
        # -0.5 ||v - y||^2 + 0.5 ||y||^2 per output: no cancellation of ||v||^2 against <v, y>
        return xp.sum(-0.5 * xp.sum((v - y) ** 2, axis=0) + 0.5 * xp.sum(y * y, axis=0))

    def cvxpy(self, pred, y):
        import cvxpy as cp

        return 0.5 * cp.sum_squares(pred - y)

    def torch_value(self, pred, y):
        return 0.5 * ((pred - y) ** 2).sum()


@dataclass(frozen=True)
class Logistic(Loss):
    r""":math:`\sum_k\log(1+e^{-y_k\hat y_k})`, labels :math:`y_k\in\{-1,+1\}`; gradient
    Lipschitz constant 1/4; :math:`-f^*(-v)=\sum_k H(v_ky_k)` (binary entropy, domain
    :math:`v_ky_k\in[0,1]`).

    ``offset``: a fixed intercept ``b`` added to the prediction, :math:`\ell(\hat y_k+b)` (a
    float, or a tuple with one float per output); the conjugate gains :math:`-b\sum_k u_k`.
    The estimators put the intercept-only optimum there (``fit_intercept``).
    """

    offset: float | tuple[float, ...] = 0.0
    name: ClassVar[str] = "logistic"
    lipschitz: ClassVar[float] = 0.25

    def __post_init__(self):
        off = np.atleast_1d(np.asarray(self.offset, dtype=np.float64))
        if off.ndim != 1 or not np.all(np.isfinite(off)):
            raise ValueError(
                f"Logistic offset must be a finite float or tuple, got {self.offset!r}"
            )
        object.__setattr__(
            self, "offset", float(off[0]) if off.size == 1 else tuple(map(float, off))
        )

    def check_targets(self, y: np.ndarray) -> None:
        if not np.all(np.isin(y, (-1.0, 1.0))):
            bad = np.unique(y[~np.isin(y, (-1.0, 1.0))])[:3]
            raise ValueError(f"loss='logistic' needs labels y in {{-1, +1}}, got values like {bad}")

    def column(self, k: int) -> Logistic:
        return self if isinstance(self.offset, float) else Logistic(offset=self.offset[k])

    def _shift(self, pred, xp):
        if isinstance(self.offset, float):
            return pred if self.offset == 0.0 else pred + self.offset
        return pred + xp.asarray(self.offset, dtype=pred.dtype)  # one per output (last axis)

    def value(self, pred, y, xp=np):
        return xp.sum(xp.logaddexp(0.0, -y * self._shift(pred, xp)))

    def gradient(self, pred, y, xp=np):
        return -y / (1.0 + xp.exp(y * self._shift(pred, xp)))  # d/dpred log(1 + exp(-y pred))

    def conjugate(self, u, y, xp=np):
        # entries with y = 0 (the JAX solvers' zero padding) are the constant log 2, whose
        # conjugate is -log 2 at u = 0: the last term keeps the padded program's gap exact
        # with an offset b: f_b(z) = f(z + b), so f_b*(u) = f*(u) - <u, b>
        p = -u * y
        val = xp.sum(_xlogx(p, xp) + _xlogx(1.0 - p, xp) - np.log(2.0) * (1.0 - y * y))
        if self.offset != 0.0:
            val = val - xp.sum(self._shift(xp.zeros_like(u), xp) * u)
        return xp.where(xp.any((p < 0) | (p > 1)), xp.inf, val)

    def cvxpy(self, pred, y):
        import cvxpy as cp

        if self.offset != 0.0:
            pred = pred + np.broadcast_to(np.asarray(self.offset), pred.shape)
        return cp.sum(cp.logistic(-cp.multiply(y, pred)))

    def torch_value(self, pred, y):
        import torch

        return torch.nn.functional.softplus(-y * self._shift(pred, torch)).sum()

    def __str__(self) -> str:
        return "logistic" if self.offset == 0.0 else f"logistic(offset={self.offset})"


@dataclass(frozen=True)
class Huber(Loss):
    r"""Huber loss :math:`\sum_k h_\delta(\hat y_k-y_k)`, :math:`h_\delta(t)=\tfrac12t^2` for
    :math:`|t|\le\delta`, :math:`\delta(|t|-\tfrac\delta2)` beyond; gradient
    :math:`\mathrm{clip}(\hat y-y,-\delta,\delta)` (Lipschitz 1); conjugate
    :math:`\tfrac12\|u\|^2+\langle u,y\rangle` on :math:`\|u\|_\infty\le\delta`."""

    delta: float = 1.0
    name: ClassVar[str] = "huber"
    lipschitz: ClassVar[float] = 1.0

    def __post_init__(self):
        d = self.delta
        if isinstance(d, bool) or not isinstance(d, int | float | np.integer | np.floating):
            raise TypeError(f"Huber delta must be a positive number, got {type(d).__name__}")
        if not (np.isfinite(d) and d > 0):
            raise ValueError(f"Huber delta must be a positive finite number, got {d!r}")
        object.__setattr__(self, "delta", float(d))

    def value(self, pred, y, xp=np):
        a = xp.abs(pred - y)
        return xp.sum(xp.where(a <= self.delta, 0.5 * a * a, self.delta * (a - 0.5 * self.delta)))

    def gradient(self, pred, y, xp=np):
        return xp.clip(pred - y, -self.delta, self.delta)

    def conjugate(self, u, y, xp=np):
        val = 0.5 * xp.sum(u * u) + xp.sum(u * y)
        return xp.where(xp.any(xp.abs(u) > self.delta), xp.inf, val)

    def cvxpy(self, pred, y):
        import cvxpy as cp

        return 0.5 * cp.sum(cp.huber(pred - y, self.delta))  # cp.huber is 2 h_delta

    def torch_value(self, pred, y):
        import torch

        return torch.nn.functional.huber_loss(pred, y, reduction="sum", delta=self.delta)

    def __str__(self) -> str:
        return f"huber(delta={self.delta:g})"


#: Registered losses by name (the ``loss=`` strings of the public functions).
LOSSES: dict[str, Loss] = {"squared": Squared(), "logistic": Logistic(), "huber": Huber()}


def _xlogx(p, xp):
    r""":math:`p\log p` with :math:`0\log0=0` (``p >= 0``; safe under autodiff)."""
    pos = p > 0
    return xp.where(pos, p * xp.log(xp.where(pos, p, 1.0)), 0.0)


def as_loss(loss) -> Loss:
    """A :class:`Loss` from a loss object or a registered name (ValueError otherwise)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(
        f"loss must be one of {tuple(LOSSES)} or a common.convex_nn.losses.Loss, got {loss!r}"
    )

r"""Riemannian preconditioned LoRA optimizers: scaled GD and scaled AdamW.

Zhang & Pilanci, *Riemannian Preconditioned LoRA for Fine-Tuning Foundation Models*, ICML 2024
(arXiv:2402.02347); reference code ``pilancilab/Riemannian_Preconditioned_LoRA``
(``GPT2/examples/NLG/src/optimizer_custom.py``: ``SGDr``, ``AdamWr``).

Convention (the reference code's and peft's): a LoRA layer computes
:math:`W = W_0 + s\,BA` with the down factor :math:`A\in\mathbb R^{r\times d_{in}}` (``lora_A``)
and the up factor :math:`B\in\mathbb R^{d_{out}\times r}` (``lora_B``). With
:math:`G=\partial L/\partial W`, autograd gives :math:`\nabla_A = sB^\top G` and
:math:`\nabla_B = sGA^\top`. The preconditioned gradients are

.. math::

    \hat G_A = (B^\top B + \delta I_r)^{-1}\nabla_A, \qquad
    \hat G_B = \nabla_B\,(AA^\top + \delta I_r)^{-1},

the Riemannian gradient of the metric
:math:`g((\xi_A,\xi_B),(\zeta_A,\zeta_B)) = \langle \xi_A, B^\top B\zeta_A\rangle +
\langle\xi_B, \zeta_B AA^\top\rangle`. To first order the step moves :math:`BA` by
:math:`-\eta s^2(P_B G + G P_A)` with the orthogonal projections :math:`P_B` onto
:math:`\operatorname{col}(B)` and :math:`P_A` onto :math:`\operatorname{row}(A)` (for
:math:`\delta=0`): the step depends on the product :math:`BA` only, not on its factorisation,
which is why it is insensitive to the conditioning of the factors.

* :class:`ScaledGD` (``SGDr``): :math:`A \leftarrow (1-\eta\lambda)(A - \eta\hat G_A)`, same for
  ``B``; both preconditioners from :math:`(A_t, B_t)` (``ordering="jacobi"``, the reference).
* :class:`ScaledAdamW` (``AdamWr``): Adam moments of the *preconditioned* gradient, step
  :math:`\eta\sqrt{1-\beta_2^k}/(1-\beta_1^k)\,m/(\sqrt v+\epsilon)` (``correct_bias``), decoupled
  decay after the step; the reference updates ``A`` first and builds ``B``'s preconditioner from
  the *updated* :math:`A_{t+1}` (``ordering="gauss-seidel"``, default); peft's
  ``create_riemannian_optimizer`` uses :math:`(A_t, B_t)` for both (``ordering="jacobi"``).

The damped :math:`r\times r` systems are solved by a batched Cholesky factorisation (in at least
float32) with a pseudo-inverse fallback when the matrix is singular (:math:`\delta=0`, a zero
factor). The reference instead uses ``torch.inverse`` and the identity when it raises; the
pseudo-inverse gives the minimum-norm Riemannian gradient, and where the reference falls back
(``B = 0``) the gradient of ``A`` is zero anyway.

Parameters are paired **by name** (:func:`find_lora_pairs`), never by position as the reference
code does. Other trainable parameters go to a separate group that is updated by the same rule
with the identity preconditioner (plain SGD / AdamW, as the authors timed their baselines).
:class:`PlainSGD` / :class:`PlainAdamW` (``make_optimizer`` names ``"sgd"`` / ``"adamw"``) are
those rules with the identity preconditioner on every group: the baselines, same code path.

Input checks: hyper-parameters (``lr``, ``reg``, ``weight_decay``, ``eps``, ``betas``) may be any
real scalar (python number, numpy scalar, 0-d tensor) and are stored as python floats; a
non-real value raises ``TypeError``, a non-finite or out-of-range one (negative; ``eps = 0``)
``ValueError``, naming the argument. ``step()`` first checks every gradient and raises
``ValueError`` naming the parameter (LoRA pair and factor), its group and the ``step()`` call
when one holds a NaN or inf; nothing is updated then (the reference code and torch's optimizers
would write NaN into the weights, or fail inside ``eigh`` with an opaque ``LinAlgError``).
Skipping such steps (as a ``GradScaler`` does) is the caller's choice: catch the error, or
unscale/clip before ``step()``.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "OPTIMIZERS",
    "LoraPair",
    "PlainAdamW",
    "PlainSGD",
    "ScaledAdamW",
    "ScaledGD",
    "find_lora_pairs",
    "make_optimizer",
    "precondition",
]

#: Names of the factors: (down, up) = (A, B); peft, loralib, cloneofsimo / Mix-of-Show.
_FACTOR_NAMES = (
    ("lora_A", "lora_B"),
    ("lora_embedding_A", "lora_embedding_B"),
    ("lora_down", "lora_up"),
)
_ROLE = {a: ("A", b) for a, b in _FACTOR_NAMES} | {b: ("B", a) for a, b in _FACTOR_NAMES}
_ORDERINGS = ("jacobi", "gauss-seidel")


@dataclass(frozen=True)
class LoraPair:
    """One LoRA pair found by name: ``B @ A`` is the low-rank update of one layer."""

    name: str
    A: nn.Parameter
    B: nn.Parameter


# ----------------------------------------------------------------------------- validation
def _check_pair(A: torch.Tensor, B: torch.Tensor, name: str) -> None:
    for what, p in (("A", A), ("B", B)):
        if not isinstance(p, torch.Tensor):
            raise TypeError(
                f"LoRA pair {name}: {what} must be a torch.Tensor, got {type(p).__name__}"
            )
        if p.ndim < 2:
            raise ValueError(
                f"LoRA pair {name}: {what} must have >= 2 dims, got shape {tuple(p.shape)}"
            )
        if not p.is_floating_point():
            raise TypeError(f"LoRA pair {name}: {what} must be floating point, got {p.dtype}")
    r = A.shape[0]
    if B.shape[1] != r or any(k != 1 for k in B.shape[2:]):
        raise ValueError(
            f"LoRA pair {name}: shape mismatch, A (lora_A) is {tuple(A.shape)} (rank r={r} rows) "
            f"but B (lora_B) is {tuple(B.shape)}; expected B of shape (d_out, {r}[, 1, 1])"
        )
    if A.device != B.device or A.dtype != B.dtype:
        raise ValueError(
            f"LoRA pair {name}: A and B must share device and dtype, got "
            f"{A.device}/{A.dtype} and {B.device}/{B.dtype}"
        )


def _real(what: str, v: Any, *, upper: float | None = None, positive: bool = False) -> float:
    """``v`` as a python float: any real scalar, finite, ``>= 0`` (``> 0`` if ``positive``; and
    ``< upper`` if given).

    Python numbers, numpy scalars / 0-d arrays and 0-d real tensors are accepted; ``bool`` and
    everything else raise ``TypeError``; NaN, inf, negative values ``ValueError``.
    """
    x = v
    if isinstance(x, torch.Tensor):
        if x.ndim != 0 or x.is_complex() or x.dtype == torch.bool:
            raise TypeError(
                f"{what} must be a real scalar (python number, numpy scalar or 0-d real tensor), "
                f"got a tensor of shape {tuple(x.shape)} and dtype {x.dtype}"
            )
        x = x.item()
    elif isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} must be a real scalar (python number, numpy scalar or 0-d real tensor), "
            f"got {type(v).__name__} {v!r}"
        )
    f = float(x)
    rng = f"in [0, {upper:g})" if upper is not None else "> 0" if positive else ">= 0"
    if not math.isfinite(f) or f < 0 or (positive and f == 0) or (upper is not None and f >= upper):
        raise ValueError(f"{what} must be a finite number {rng}, got {v!r}")
    return f


def _check_betas(betas: Any) -> tuple[float, float]:
    seq = isinstance(betas, Sequence) and not isinstance(betas, str | bytes)
    arr = isinstance(betas, np.ndarray | torch.Tensor) and betas.ndim == 1
    if not (seq or arr):
        raise TypeError(
            f"betas must be a pair (beta1, beta2), got {type(betas).__name__} {betas!r}"
        )
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2) in [0, 1), got {betas!r}")
    return tuple(_real(f"betas[{i}]", b, upper=1.0) for i, b in enumerate(betas))


def _check_ordering(ordering: Any) -> str:
    if not isinstance(ordering, str) or ordering not in _ORDERINGS:
        raise ValueError(
            f"ordering must be one of {', '.join(map(repr, _ORDERINGS))}, got {ordering!r}"
        )
    return ordering


# ----------------------------------------------------------------------------- pairing
def _split_name(name: str) -> tuple[str, str, str] | None:
    """``(key, role, partner_name)`` when ``name`` is a LoRA factor weight, else ``None``."""
    parts = name.split(".")
    idx = [i for i, p in enumerate(parts) if p in _ROLE]
    if not idx or parts[-1] == "bias":  # peft's optional lora_B bias is an ordinary parameter
        return None
    i = idx[-1]
    role, other = _ROLE[parts[i]]
    key = ".".join([*parts[:i], "<lora>", *parts[i + 1 :]])
    return key, role, ".".join([*parts[:i], other, *parts[i + 1 :]])


def find_lora_pairs(model: nn.Module) -> tuple[list[LoraPair], list[tuple[str, nn.Parameter]]]:
    """Find the trainable LoRA pairs of ``model`` by parameter name.

    A parameter whose dotted name contains a component ``lora_A`` (peft:
    ``...q_proj.lora_A.default.weight``; our :class:`~papers.riemannian_lora.lora.LoRALinear`:
    ``...q_proj.lora_A``), ``lora_embedding_A`` or ``lora_down`` is paired with the parameter of
    the same name with that component replaced by ``lora_B`` / ``lora_embedding_B`` /
    ``lora_up``. Frozen pairs are skipped.

    Returns
    -------
    pairs : list of LoraPair
        In ``named_parameters`` order of their ``A``.
    others : list of (name, parameter)
        Every other trainable parameter (heads, biases, norms).

    Raises
    ------
    ValueError
        For a factor without its partner, a pair with one factor frozen, or a shape mismatch.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = dict(model.named_parameters())
    found: dict[str, dict[str, tuple[str, nn.Parameter]]] = {}
    others = []
    for name, p in params.items():
        split = _split_name(name)
        if split is None:
            if p.requires_grad:
                others.append((name, p))
            continue
        key, role, partner = split
        if partner not in params:
            raise ValueError(
                f"LoRA factor {name!r} has no partner: expected a parameter named {partner!r}"
            )
        found.setdefault(key, {})[role] = (name, p)
    pairs = []
    for slot in found.values():
        (name_a, A), (name_b, B) = slot["A"], slot["B"]
        if A.requires_grad != B.requires_grad:
            frozen = name_a if not A.requires_grad else name_b
            raise ValueError(
                f"LoRA pair {name_a!r}/{name_b!r} has one frozen factor ({frozen!r}); the "
                "preconditioner needs both factors trainable (or both frozen)"
            )
        if not A.requires_grad:
            continue
        _check_pair(A, B, name_a)
        pairs.append(LoraPair(name_a, A, B))
    return pairs, others


# ----------------------------------------------------------------------------- math
def _damped_inverse(M: torch.Tensor, reg: float) -> torch.Tensor:
    """Batched ``(M + reg I)^{-1}`` of symmetric PSD ``M`` (k, r, r): Cholesky, pinv if singular.

    (An explicit r x r inverse followed by one batched matmul is several times faster on CPU
    than ``cholesky_solve`` with the wide right-hand side.)
    """
    Md = M + reg * torch.eye(M.shape[-1], dtype=M.dtype, device=M.device)
    L, info = torch.linalg.cholesky_ex(Md)
    bad = info != 0
    if not bool(bad.any()):
        return torch.cholesky_inverse(L)
    finite = torch.isfinite(Md).flatten(1).all(1)  # only on this slow path: free otherwise
    if not bool(finite.all()):
        raise _NonFiniteFactor(torch.nonzero(~finite).flatten().tolist())
    out = torch.linalg.pinv(Md, hermitian=True)
    good = ~bad
    if bool(good.any()):
        out[good] = torch.cholesky_inverse(L[good])
    return out


class _NonFiniteFactor(ArithmeticError):
    """A Gram matrix with NaN/inf (a non-finite factor); ``args[0]``: positions in the batch."""


def _as_matrix(t: torch.Tensor, rows: bool) -> torch.Tensor:
    """A ``A``-like factor as (r, -1) when ``rows``, a ``B``-like one as (-1, r)."""
    if t.ndim == 2:
        return t
    return t.reshape(t.shape[0], -1) if rows else t.reshape(t.shape[0], t.shape[1])


def _stack(ts: Sequence[torch.Tensor], rows: bool) -> torch.Tensor:
    out = torch.stack([_as_matrix(t, rows) for t in ts])
    compute = torch.promote_types(out.dtype, torch.float32)  # at least fp32 for the r x r solve
    return out if out.dtype == compute else out.to(compute)


def _precondition_A(As: Sequence[torch.Tensor], Bs: Sequence[torch.Tensor], gAs, reg: float):
    """``(B^T B + reg I)^{-1} g_A`` for every pair, batched over pairs of equal shape."""
    return _batched(As, Bs, gAs, reg, side="A")


def _precondition_B(As, Bs, gBs, reg: float):
    """``g_B (A A^T + reg I)^{-1}`` for every pair, batched over pairs of equal shape."""
    return _batched(As, Bs, gBs, reg, side="B")


def _batched(As, Bs, grads, reg: float, side: str) -> list[torch.Tensor]:
    groups: dict[tuple, list[int]] = {}
    for i, (A, B) in enumerate(zip(As, Bs, strict=True)):
        groups.setdefault((A.shape, B.shape, A.dtype, A.device), []).append(i)
    out: list[torch.Tensor] = [None] * len(As)  # type: ignore[list-item]
    for idx in groups.values():
        try:
            if side == "A":
                Bm = _stack([Bs[i] for i in idx], rows=False)  # (k, m, r)
                res = _damped_inverse(Bm.mT @ Bm, reg) @ _stack([grads[i] for i in idx], rows=True)
            else:
                Am = _stack([As[i] for i in idx], rows=True)  # (k, r, n)
                res = _stack([grads[i] for i in idx], rows=False) @ _damped_inverse(Am @ Am.mT, reg)
        except _NonFiniteFactor as err:  # positions in this shape group -> in As / Bs
            raise _NonFiniteFactor([idx[k] for k in err.args[0]]) from None
        res = res.to(grads[idx[0]].dtype)
        for i, r in zip(idx, res.unbind(0), strict=True):
            out[i] = r if r.shape == grads[i].shape else r.reshape(grads[i].shape)
    return out


@torch.no_grad()
def precondition(
    A: torch.Tensor, B: torch.Tensor, grad_A: torch.Tensor, grad_B: torch.Tensor, reg: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The Riemannian gradients of one pair (both from the given ``A``, ``B``).

    .. math:: \hat G_A = (B^\top B + \delta I)^{-1}\nabla_A,\quad
              \hat G_B = \nabla_B (AA^\top + \delta I)^{-1}.

    Parameters
    ----------
    A : tensor (r, d_in)
    B : tensor (d_out, r)
    grad_A, grad_B : tensors shaped like ``A`` and ``B``
    reg : float
        Damping :math:`\delta \ge 0`.
    """
    _check_pair(A, B, "given")
    reg = _real("reg", reg)
    if grad_A.shape != A.shape or grad_B.shape != B.shape:
        raise ValueError(
            f"grad_A/grad_B must have the shapes of A/B, got {tuple(grad_A.shape)}, "
            f"{tuple(grad_B.shape)} for A {tuple(A.shape)}, B {tuple(B.shape)}"
        )
    for what, t in (("grad_A", grad_A), ("grad_B", grad_B)):
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{what} holds non-finite values (NaN or inf)")
    try:
        (gA,) = _precondition_A([A], [B], [grad_A], reg)
        (gB,) = _precondition_B([A], [B], [grad_B], reg)
    except _NonFiniteFactor:
        raise ValueError("A or B holds non-finite values (NaN or inf)") from None
    return gA, gB


# ----------------------------------------------------------------------------- optimizers
class _PairOptimizer(torch.optim.Optimizer):
    """Shared parameter-group handling: pair groups hold ``[A1, B1, A2, B2, ...]``.

    ``params`` is an iterable of ``(A, B)`` tuples, or of group dicts, each either
    ``{"pairs": [(A, B), ...], **options}`` (preconditioned) or ``{"params": [...], **options}``
    (plain rule). Pairs are validated here; the flat order inside a pair group is ours, built from
    explicit pairs, so the positional read in :meth:`step` cannot mis-pair.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        groups = list(params)
        if not groups:
            raise ValueError("params is empty: give (A, B) pairs or parameter-group dicts")
        if all(isinstance(g, tuple | list) and len(g) == 2 for g in groups) and not any(
            isinstance(g, dict) for g in groups
        ):
            groups = [{"pairs": groups}]
        for g in groups:
            if not isinstance(g, dict):
                raise TypeError(
                    "params must be (A, B) tuples or dicts with 'pairs' or 'params', got "
                    f"{type(g).__name__}"
                )
        super().__init__(groups, self._normalized(defaults, ""))
        self._step_calls = 0

    #: whether pair groups are preconditioned unless they say ``precondition=False``
    _PRECONDITIONS = True

    @staticmethod
    def _normalized(options: dict[str, Any], where: str) -> dict[str, Any]:
        """``options`` with the hyper-parameters checked and stored as python floats."""
        out = dict(options)
        for key in ("lr", "reg", "weight_decay", "eps"):
            if key in out:  # eps = 0 divides 0 by 0 where a gradient entry is zero (B = 0 at init)
                out[key] = _real(key + where, out[key], positive=key == "eps")
        if "betas" in out:
            try:
                out["betas"] = _check_betas(out["betas"])
            except (TypeError, ValueError) as err:
                raise type(err)(f"{err}{where}") from None
        if "ordering" in out:
            try:
                out["ordering"] = _check_ordering(out["ordering"])
            except ValueError as err:
                raise ValueError(f"{err}{where}") from None
        return out

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        where = f" (param group {len(self.param_groups)})"
        group = self._normalized(param_group, where)
        if "pairs" in group:
            if "params" in group:
                raise ValueError("a parameter group has either 'pairs' or 'params', not both")
            flat = []
            for i, pair in enumerate(group.pop("pairs")):
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise TypeError(
                        f"pairs[{i}] must be an (A, B) tuple, got {type(pair).__name__}"
                    )
                _check_pair(pair[0], pair[1], f"#{i}")
                flat.extend(pair)
            if not flat:
                raise ValueError("a 'pairs' group must hold at least one (A, B) pair")
            group["params"] = flat
            group["lora_pairs"] = True
        else:
            group["lora_pairs"] = bool(group.get("lora_pairs", False))
            if group["lora_pairs"]:  # explicit flat [A1, B1, A2, B2, ...]
                ps = list(group["params"])
                for i in range(0, len(ps) - 1, 2):
                    _check_pair(ps[i], ps[i + 1], f"#{i // 2}")
        if not self._PRECONDITIONS and group.get("precondition", False):
            raise ValueError(
                f"{type(self).__name__} uses the identity preconditioner; got precondition="
                f"{group['precondition']!r}{where} (use the Scaled* optimizer to precondition)"
            )
        group.setdefault("precondition", group["lora_pairs"] and self._PRECONDITIONS)
        if group["lora_pairs"] and len(group["params"]) % 2:
            raise ValueError("a LoRA pair group must hold an even number of tensors (A, B, ...)")
        super().add_param_group(group)

    @staticmethod
    def _pairs(group: dict[str, Any]) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        ps = group["params"]
        return ps[0::2], ps[1::2]

    def _directions(self, group, As, Bs, side: str) -> list[torch.Tensor | None]:
        """Preconditioned gradients of one side of every pair (``None`` where no grad)."""
        own, grads = (As, [a.grad for a in As]) if side == "A" else (Bs, [b.grad for b in Bs])
        keep = [i for i, g in enumerate(grads) if g is not None]
        out: list[torch.Tensor | None] = [None] * len(own)
        if not keep:
            return out
        if not group["precondition"]:
            for i in keep:
                out[i] = grads[i]
            return out
        fn = _precondition_A if side == "A" else _precondition_B
        try:
            res = fn(
                [As[i] for i in keep], [Bs[i] for i in keep], [grads[i] for i in keep], group["reg"]
            )
        except _NonFiniteFactor as err:
            j = keep[err.args[0][0]]
            raise ValueError(
                f"{self._describe(group, 2 * j, pair_only=True)} holds non-finite values (NaN or "
                f"inf) in A or B at step() call {self._step_calls}: the weights were already "
                "non-finite or overflowed in this step (lower the learning rate)"
            ) from None
        for i, r in zip(keep, res, strict=True):
            out[i] = r
        return out

    def _describe(self, group: dict[str, Any], pos: int, pair_only: bool = False) -> str:
        """Human name of ``group["params"][pos]``: the pair and factor, or the parameter."""
        gi = next(k for k, g in enumerate(self.param_groups) if g is group)
        params, names = group["params"], group.get("names")
        if group["lora_pairs"]:
            j = pos // 2
            label = repr(names[j]) if names and len(names) == len(params) // 2 else f"#{j}"
            factor = "" if pair_only else f" factor {'AB'[pos % 2]}"
            return f"LoRA pair {label}{factor} (param group {gi}, pair {j})"
        label = repr(names[pos]) if names and len(names) == len(params) else f"#{pos}"
        return f"parameter {label} (param group {gi}, index {pos})"

    def _check_grads(self) -> None:
        """Raise ``ValueError`` naming the first parameter whose gradient has a NaN or inf."""
        by_device: dict[torch.device, list[tuple[dict, int, torch.Tensor]]] = {}
        for group in self.param_groups:
            for pos, p in enumerate(group["params"]):
                if p.grad is not None:
                    g = p.grad._values() if p.grad.is_sparse else p.grad
                    if g.numel():
                        by_device.setdefault(g.device, []).append((group, pos, g))
        for items in by_device.values():
            # max |g| is finite iff every entry is (NaN propagates; no overflow as for a sum or
            # norm); several times faster than isfinite().all() on CPU. One sync per device.
            ok = torch.stack([g.abs().amax() for _, _, g in items]).isfinite()
            if not bool(ok.all()):
                group, pos, _ = items[int(torch.nonzero(~ok)[0, 0])]
                raise ValueError(
                    f"non-finite gradient (NaN or inf) of {self._describe(group, pos)} at step() "
                    f"call {self._step_calls} of this {type(self).__name__}; no parameter was "
                    "updated"
                )

    def step(self, closure=None):
        """One update of every group; ``ValueError`` (and no update) if a gradient is non-finite."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        self._step_calls = getattr(self, "_step_calls", 0) + 1
        with torch.no_grad():
            self._check_grads()
            for group in self.param_groups:
                if group["lora_pairs"]:
                    As, Bs = self._pairs(group)
                    dA = self._directions(group, As, Bs, "A")
                    if group["ordering"] == "jacobi":
                        dB = self._directions(group, As, Bs, "B")
                        self._update(group, As, dA)
                    else:  # Gauss-Seidel: B's preconditioner sees the updated A
                        self._update(group, As, dA)
                        dB = self._directions(group, As, Bs, "B")
                    self._update(group, Bs, dB)
                else:
                    self._update(group, group["params"], [p.grad for p in group["params"]])
        return loss

    def _update(self, group, params, directions) -> None:
        raise NotImplementedError


class _GDRule(_PairOptimizer):
    """Gradient descent with decoupled decay applied after the step (``SGDr``'s update)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        *,
        reg: float = 1e-6,
        weight_decay: float = 0.0,
        ordering: str = "jacobi",
    ) -> None:
        defaults = {"lr": lr, "reg": reg, "weight_decay": weight_decay, "ordering": ordering}
        super().__init__(params, defaults)

    def _update(self, group, params, directions) -> None:
        lr, wd = group["lr"], group["weight_decay"]
        for p, d in zip(params, directions, strict=True):
            if d is None:
                continue
            p.add_(d, alpha=-lr)
            if wd:
                p.mul_(1.0 - lr * wd)


class ScaledGD(_GDRule):
    r"""Scaled (Riemannian preconditioned) gradient descent for LoRA pairs (reference ``SGDr``).

    .. math:: A \leftarrow (1-\eta\lambda)(A - \eta\hat G_A),\qquad
              B \leftarrow (1-\eta\lambda)(B - \eta\hat G_B),

    with :math:`\hat G` from :func:`precondition`. Groups given as ``{"params": ...}`` (or with
    ``precondition=False``) use :math:`\hat G = \nabla` (plain SGD with decoupled decay).

    Parameters
    ----------
    params : iterable
        ``(A, B)`` pairs, or group dicts (``{"pairs": [...]}`` / ``{"params": [...]}``).
    lr : real scalar
        Learning rate :math:`\eta \ge 0` (python number, numpy scalar or 0-d tensor).
    reg : real scalar
        Damping :math:`\delta` added to the :math:`r\times r` Gram matrices (reference GPT-2
        default 1e-6).
    weight_decay : real scalar
        Decoupled decay :math:`\lambda`, applied after the step as in the reference.
    ordering : {"jacobi", "gauss-seidel"}
        Which ``A`` the ``B`` preconditioner sees: :math:`A_t` (reference ``SGDr``, peft) or
        :math:`A_{t+1}`.

    Raises
    ------
    TypeError, ValueError
        At construction, for a bad hyper-parameter (named in the message); in :meth:`step`,
        ``ValueError`` for a non-finite gradient (nothing is updated then).
    """


class PlainSGD(_GDRule):
    r"""Plain SGD (no momentum) with decoupled decay: :class:`ScaledGD` with the identity.

    :math:`p \leftarrow (1-\eta\lambda)(p - \eta\nabla_p)` for every parameter, the same code
    as :class:`ScaledGD` (the authors' baseline; ``torch.optim.SGD`` up to the placement of the
    decay). Same arguments as :class:`ScaledGD` (``reg`` and ``ordering`` have no effect); a
    group with ``precondition=True`` is refused.
    """

    _PRECONDITIONS = False


class _AdamWRule(_PairOptimizer):
    """transformers-style AdamW (``AdamWr``'s update): eps outside the root, decay after."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        reg: float = 1e-6,
        correct_bias: bool = True,
        ordering: str = "gauss-seidel",
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "reg": reg,
            "correct_bias": correct_bias,
            "ordering": ordering,
        }
        super().__init__(params, defaults)

    def _update(self, group, params, directions) -> None:
        lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
        b1, b2 = group["betas"]
        for p, d in zip(params, directions, strict=True):
            if d is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["step"] += 1
            k = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.mul_(b1).add_(d, alpha=1.0 - b1)
            v.mul_(b2).addcmul_(d, d, value=1.0 - b2)
            step = lr * math.sqrt(1.0 - b2**k) / (1.0 - b1**k) if group["correct_bias"] else lr
            p.addcdiv_(m, v.sqrt().add_(eps), value=-step)
            if wd:
                p.mul_(1.0 - lr * wd)


class ScaledAdamW(_AdamWRule):
    r"""Scaled (Riemannian preconditioned) AdamW for LoRA pairs (reference ``AdamWr``).

    For each factor with preconditioned gradient :math:`\hat G` and step count :math:`k`:

    .. math::

        m \leftarrow \beta_1 m + (1-\beta_1)\hat G,\quad
        v \leftarrow \beta_2 v + (1-\beta_2)\hat G^{\odot 2},\quad
        p \leftarrow \bigl(p - \eta_k\, m/(\sqrt v + \epsilon)\bigr)(1-\eta\lambda),

    :math:`\eta_k = \eta\sqrt{1-\beta_2^k}/(1-\beta_1^k)` when ``correct_bias`` else :math:`\eta`
    (the transformers-style AdamW of the reference: :math:`\epsilon` outside the root, decay after
    the step). ``A`` is updated first; with ``ordering="gauss-seidel"`` (the reference) ``B``'s
    preconditioner uses the updated :math:`A_{t+1}`, with ``"jacobi"`` (peft) :math:`A_t`.
    Groups given as ``{"params": ...}`` or with ``precondition=False`` are plain AdamW.

    Parameters
    ----------
    params : iterable
        ``(A, B)`` pairs, or group dicts (``{"pairs": [...]}`` / ``{"params": [...]}``).
    lr : real scalar
        Python number, numpy scalar or 0-d tensor, finite and ``>= 0`` (as ``weight_decay``,
        ``reg``).
    betas : (real, real)
        Each in ``[0, 1)``.
    eps : real scalar
        Finite and ``> 0``; reference GPT-2 default 1e-6.
    weight_decay : real scalar
    reg : real scalar
        Damping :math:`\delta`.
    correct_bias : bool
    ordering : {"gauss-seidel", "jacobi"}

    Raises
    ------
    TypeError, ValueError
        At construction, for a bad hyper-parameter (named in the message); in :meth:`step`,
        ``ValueError`` for a non-finite gradient (nothing is updated then).
    """


class PlainAdamW(_AdamWRule):
    r"""Plain transformers-style AdamW: :class:`ScaledAdamW` with the identity preconditioner.

    The same code as :class:`ScaledAdamW` on the raw gradients (the authors' baseline; it
    differs from ``torch.optim.AdamW`` in the placement of :math:`\epsilon` and of the decay).
    Same arguments (``reg`` and ``ordering`` have no effect); a group with
    ``precondition=True`` is refused.
    """

    _PRECONDITIONS = False


#: name -> (class, preconditioned?) accepted by :func:`make_optimizer`.
OPTIMIZERS = {
    "scaled_gd": (ScaledGD, True),
    "scaled_adamw": (ScaledAdamW, True),
    "sgd": (PlainSGD, False),
    "adamw": (PlainAdamW, False),
}


def make_optimizer(
    model: nn.Module,
    name: str,
    *,
    lr: float,
    reg: float = 1e-6,
    strict: bool = False,
    **kwargs: Any,
) -> ScaledGD | ScaledAdamW | PlainSGD | PlainAdamW:
    """The optimizer ``name`` over every trainable LoRA pair of ``model``, paired by name.

    Parameters
    ----------
    model : torch.nn.Module
        A peft model, or any module with ``lora_A``/``lora_B`` (or ``lora_down``/``lora_up``,
        ``lora_embedding_A``/``lora_embedding_B``) parameters, see :func:`find_lora_pairs`.
    name : {"scaled_gd", "scaled_adamw", "sgd", "adamw"}
        :class:`ScaledGD`, :class:`ScaledAdamW`, :class:`PlainSGD`, :class:`PlainAdamW`: ``sgd`` /
        ``adamw`` are the same update rules with the identity preconditioner (the authors'
        baselines for timing; ``sgd`` equals ``torch.optim.SGD`` without momentum up to the
        placement of the decay).
    lr, reg : float
        Learning rate and damping.
    strict : bool
        Refuse a model with trainable parameters outside the LoRA pairs (the reference code's
        assumption). Otherwise those form a second group with the plain rule of the family.
    **kwargs
        Further options of :class:`ScaledGD` / :class:`ScaledAdamW` (``weight_decay``, ``betas``,
        ``eps``, ``correct_bias``, ``ordering``).

    Returns
    -------
    ScaledGD, ScaledAdamW, PlainSGD or PlainAdamW
        Group 0 holds the pairs; group 1, if any, the other trainable parameters.

    Raises
    ------
    ValueError, TypeError
        For an unknown ``name`` (the message lists the valid ones), a model without LoRA pair,
        or a bad hyper-parameter.
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        kind = ValueError if isinstance(name, str) else TypeError
        raise kind(f"name must be one of {', '.join(map(repr, OPTIMIZERS))}, got {name!r}")
    cls, pre = OPTIMIZERS[name]
    options = sorted(set(inspect.signature(cls).parameters) - {"params", "lr", "reg"})
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise TypeError(
            f"make_optimizer got unknown option(s) {', '.join(unknown)} for name={name!r}; it "
            f"accepts model, name, lr, reg, strict and {', '.join(options)}"
        )
    pairs, others = find_lora_pairs(model)
    if not pairs:
        raise ValueError(
            "model has no trainable LoRA pair (parameters named lora_A/lora_B, "
            "lora_embedding_A/lora_embedding_B or lora_down/lora_up)"
        )
    if strict and others:
        names = [n for n, _ in others]
        raise ValueError(
            f"strict=True but the model has {len(names)} trainable non-LoRA parameter(s): "
            f"{names[:5]}{' ...' if len(names) > 5 else ''}; freeze them or use strict=False"
        )
    groups: list[dict[str, Any]] = [
        {
            "pairs": [(p.A, p.B) for p in pairs],
            "precondition": pre,
            "names": [p.name for p in pairs],
        }
    ]
    if others:
        groups.append({"params": [p for _, p in others], "names": [n for n, _ in others]})
    return cls(groups, lr=lr, reg=reg, **kwargs)

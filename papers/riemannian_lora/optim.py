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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = [
    "OPTIMIZERS",
    "LoraPair",
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


def _check_hyper(lr: float, reg: float, weight_decay: float) -> None:
    for what, v in (("lr", lr), ("reg", reg), ("weight_decay", weight_decay)):
        if not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{what} must be a finite number >= 0, got {v!r}")


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
    out = torch.linalg.pinv(Md, hermitian=True)
    good = ~bad
    if bool(good.any()):
        out[good] = torch.cholesky_inverse(L[good])
    return out


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
        if side == "A":
            Bm = _stack([Bs[i] for i in idx], rows=False)  # (k, m, r)
            res = _damped_inverse(Bm.mT @ Bm, reg) @ _stack([grads[i] for i in idx], rows=True)
        else:
            Am = _stack([As[i] for i in idx], rows=True)  # (k, r, n)
            res = _stack([grads[i] for i in idx], rows=False) @ _damped_inverse(Am @ Am.mT, reg)
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
    _check_hyper(0.0, reg, 0.0)
    if grad_A.shape != A.shape or grad_B.shape != B.shape:
        raise ValueError(
            f"grad_A/grad_B must have the shapes of A/B, got {tuple(grad_A.shape)}, "
            f"{tuple(grad_B.shape)} for A {tuple(A.shape)}, B {tuple(B.shape)}"
        )
    (gA,) = _precondition_A([A], [B], [grad_A], reg)
    (gB,) = _precondition_B([A], [B], [grad_B], reg)
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
        super().__init__(groups, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        group = dict(param_group)
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
        group.setdefault("precondition", group["lora_pairs"])
        if group["lora_pairs"] and len(group["params"]) % 2:
            raise ValueError("a LoRA pair group must hold an even number of tensors (A, B, ...)")
        if group.get("ordering", self.defaults.get("ordering")) not in _ORDERINGS:
            raise ValueError(f"ordering must be one of {_ORDERINGS}, got {group.get('ordering')!r}")
        _check_hyper(
            group.get("lr", self.defaults["lr"]),
            group.get("reg", self.defaults["reg"]),
            group.get("weight_decay", self.defaults["weight_decay"]),
        )
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
        res = fn(
            [As[i] for i in keep], [Bs[i] for i in keep], [grads[i] for i in keep], group["reg"]
        )
        for i, r in zip(keep, res, strict=True):
            out[i] = r
        return out

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
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


class ScaledGD(_PairOptimizer):
    r"""Scaled (Riemannian preconditioned) gradient descent for LoRA pairs (reference ``SGDr``).

    .. math:: A \leftarrow (1-\eta\lambda)(A - \eta\hat G_A),\qquad
              B \leftarrow (1-\eta\lambda)(B - \eta\hat G_B),

    with :math:`\hat G` from :func:`precondition`. Groups given as ``{"params": ...}`` (or with
    ``precondition=False``) use :math:`\hat G = \nabla` (plain SGD with decoupled decay).

    Parameters
    ----------
    params : iterable
        ``(A, B)`` pairs, or group dicts (``{"pairs": [...]}`` / ``{"params": [...]}``).
    lr : float
        Learning rate :math:`\eta`.
    reg : float
        Damping :math:`\delta` added to the :math:`r\times r` Gram matrices (reference GPT-2
        default 1e-6).
    weight_decay : float
        Decoupled decay :math:`\lambda`, applied after the step as in the reference.
    ordering : {"jacobi", "gauss-seidel"}
        Which ``A`` the ``B`` preconditioner sees: :math:`A_t` (reference ``SGDr``, peft) or
        :math:`A_{t+1}`.
    """

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


class ScaledAdamW(_PairOptimizer):
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
    lr : float
    betas : (float, float)
    eps : float
        Reference GPT-2 default 1e-6.
    weight_decay : float
    reg : float
        Damping :math:`\delta`.
    correct_bias : bool
    ordering : {"gauss-seidel", "jacobi"}
    """

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
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        if not eps >= 0:
            raise ValueError(f"eps must be >= 0, got {eps!r}")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
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


#: name -> (class, preconditioned?) accepted by :func:`make_optimizer`.
OPTIMIZERS = {
    "scaled_gd": (ScaledGD, True),
    "scaled_adamw": (ScaledAdamW, True),
    "sgd": (ScaledGD, False),
    "adamw": (ScaledAdamW, False),
}


def make_optimizer(
    model: nn.Module,
    name: str,
    *,
    lr: float,
    reg: float = 1e-6,
    strict: bool = False,
    **kwargs: Any,
) -> ScaledGD | ScaledAdamW:
    """The optimizer ``name`` over every trainable LoRA pair of ``model``, paired by name.

    Parameters
    ----------
    model : torch.nn.Module
        A peft model, or any module with ``lora_A``/``lora_B`` (or ``lora_down``/``lora_up``,
        ``lora_embedding_A``/``lora_embedding_B``) parameters, see :func:`find_lora_pairs`.
    name : {"scaled_gd", "scaled_adamw", "sgd", "adamw"}
        ``sgd`` / ``adamw`` are the same update rules with the identity preconditioner (the
        authors' baselines for timing; ``sgd`` equals ``torch.optim.SGD`` without momentum up to
        the placement of the decay).
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
    ScaledGD or ScaledAdamW
        Group 0 holds the pairs; group 1, if any, the other trainable parameters.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"name must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    cls, pre = OPTIMIZERS[name]
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

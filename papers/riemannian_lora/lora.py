r"""The LoRA layer of our own (loralib / peft conventions), for models without peft.

:math:`y = W_0x + b + s\,B(Ax)` with frozen :math:`W_0, b`, trainable ``lora_A``
:math:`\in\mathbb R^{r\times d_{in}}` (kaiming-uniform, :math:`a=\sqrt5`, as loralib and peft) and
``lora_B`` :math:`\in\mathbb R^{d_{out}\times r}` (zeros), :math:`s = \alpha/r`. The parameter
names ``lora_A`` / ``lora_B`` are what :func:`papers.riemannian_lora.find_lora_pairs` looks for.

With ``runs=K`` one frozen layer carries ``K`` independent adapters (parameters ``lora_A.k``,
``lora_B.k``) and the input a leading run axis ``(K, ..., d_in)``: run ``k`` only ever sees its
own adapter, so ``K`` tiny fine-tuning runs share one forward pass (on CPU the cost of a tiny run
is per-operation overhead).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["LoRALinear", "add_lora"]


class LoRALinear(nn.Module):
    """Wrap a frozen ``nn.Linear`` with a trainable rank-``r`` update ``(alpha / r) B A``.

    Parameters
    ----------
    base : nn.Linear
        The pretrained layer; its parameters are frozen.
    r : int
        Rank, ``1 <= r <= min(in_features, out_features)``.
    alpha : float
        Scaling numerator; the update is multiplied by ``alpha / r``.
    generator : torch.Generator or a list of ``runs`` of them, optional
        For the initialisation of ``lora_A`` (with ``runs``: one generator per run).
    runs : int, optional
        ``K`` independent adapters on the one base layer (input ``(K, ..., d_in)``); default:
        one adapter, input ``(..., d_in)``.
    """

    def __init__(
        self,
        base: nn.Linear,
        r: int,
        alpha: float = 1.0,
        generator: torch.Generator | Sequence[torch.Generator] | None = None,
        *,
        runs: int | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"base must be torch.nn.Linear, got {type(base).__name__}")
        if not isinstance(r, int) or isinstance(r, bool) or r < 1:
            raise ValueError(f"r must be an integer >= 1, got {r!r}")
        if r > min(base.in_features, base.out_features):
            # A A^T (rank <= d_in) or B^T B (rank <= d_out) is then a singular r x r Gram: the
            # damped preconditioner amplifies round-off by 1 / reg (float32 steps go wrong)
            raise ValueError(
                f"r must be <= min(in_features, out_features) = "
                f"{min(base.in_features, base.out_features)} of {base}, got {r}"
            )
        if not math.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
        gens = _generators(generator, runs)
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.runs = runs
        self.scaling = alpha / r
        w = base.weight
        bound = 1.0 / math.sqrt(base.in_features)  # kaiming_uniform_(a=sqrt(5)) on (r, d_in)

        def down(g):
            A = torch.empty(r, base.in_features, dtype=w.dtype, device=w.device)
            return nn.Parameter(A.uniform_(-bound, bound, generator=g))

        def up():
            return nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device))

        if runs is None:
            self.lora_A, self.lora_B = down(gens[0]), up()
        else:
            self.lora_A = nn.ParameterList(down(g) for g in gens)
            self.lora_B = nn.ParameterList(up() for _ in gens)

    def delta_weight(self) -> torch.Tensor:
        """The low-rank update ``s B A``: ``(d_out, d_in)``, or ``(K, d_out, d_in)`` with runs."""
        if self.runs is None:
            return self.scaling * self.lora_B @ self.lora_A
        return self.scaling * torch.stack(list(self.lora_B)) @ torch.stack(list(self.lora_A))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.runs is None:
            return self.base(x) + self.scaling * (x @ self.lora_A.T) @ self.lora_B.T
        if x.ndim < 2 or x.shape[0] != self.runs:
            raise ValueError(f"x must have a leading run axis of {self.runs}, got {tuple(x.shape)}")
        A = torch.stack(list(self.lora_A))  # (K, r, d_in)
        B = torch.stack(list(self.lora_B))  # (K, d_out, r)
        z = x.reshape(self.runs, -1, x.shape[-1])
        low = torch.bmm(torch.bmm(z, A.mT), B.mT).reshape(*x.shape[:-1], -1)
        return self.base(x) + self.scaling * low


def _generators(generator, runs) -> list:
    if runs is None:
        if not (generator is None or isinstance(generator, torch.Generator)):
            raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        return [generator]
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if generator is None:
        return [None] * runs
    if isinstance(generator, torch.Generator) or len(generator) != runs:
        raise ValueError(f"generator must be a list of one torch.Generator per run ({runs})")
    return list(generator)


def add_lora(
    model: nn.Module,
    targets: Sequence[str],
    r: int,
    alpha: float = 1.0,
    generator: torch.Generator | Sequence[torch.Generator] | None = None,
    *,
    runs: int | None = None,
) -> list[str]:
    """Replace every ``nn.Linear`` whose attribute name is in ``targets`` by a :class:`LoRALinear`.

    All other parameters of ``model`` are frozen. With ``runs=K`` every layer carries ``K``
    adapters and ``generator`` is one generator per run (run ``k``'s stream, shared by its
    layers). Returns the dotted names of the wrapped modules.
    """
    if isinstance(targets, str) or not targets:
        raise ValueError(f"targets must be a non-empty sequence of module names, got {targets!r}")
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for parent_name, parent in list(model.named_modules()):
        for child_name, child in list(parent.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                name = f"{parent_name}.{child_name}".lstrip(".")
                try:
                    layer = LoRALinear(child, r, alpha, generator, runs=runs)
                except ValueError as err:
                    raise ValueError(f"layer {name!r}: {err}") from None
                setattr(parent, child_name, layer)
                wrapped.append(name)
    if not wrapped:
        raise ValueError(f"no nn.Linear named one of {list(targets)} in the model")
    return wrapped

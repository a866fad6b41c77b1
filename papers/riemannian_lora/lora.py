r"""A minimal LoRA layer of our own (loralib / peft conventions), for models without peft.

:math:`y = W_0x + b + s\,B(Ax)` with frozen :math:`W_0, b`, trainable ``lora_A``
:math:`\in\mathbb R^{r\times d_{in}}` (kaiming-uniform, :math:`a=\sqrt5`, as loralib and peft) and
``lora_B`` :math:`\in\mathbb R^{d_{out}\times r}` (zeros), :math:`s = \alpha/r`. The parameter
names ``lora_A`` / ``lora_B`` are what :func:`papers.riemannian_lora.find_lora_pairs` looks for.
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
        Rank (>= 1).
    alpha : float
        Scaling numerator; the update is multiplied by ``alpha / r``.
    generator : torch.Generator, optional
        For the initialisation of ``lora_A``.
    """

    def __init__(
        self, base: nn.Linear, r: int, alpha: float = 1.0, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"base must be torch.nn.Linear, got {type(base).__name__}")
        if not isinstance(r, int) or r < 1:
            raise ValueError(f"r must be an integer >= 1, got {r!r}")
        if not math.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        w = base.weight
        self.scaling = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        self.lora_B = nn.Parameter(
            torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device)
        )
        bound = 1.0 / math.sqrt(base.in_features)  # kaiming_uniform_(a=sqrt(5)) on (r, d_in)
        with torch.no_grad():
            self.lora_A.uniform_(-bound, bound, generator=generator)

    def delta_weight(self) -> torch.Tensor:
        """The low-rank update ``s B A`` (d_out x d_in)."""
        return self.scaling * self.lora_B @ self.lora_A

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * (x @ self.lora_A.T) @ self.lora_B.T


def add_lora(
    model: nn.Module,
    targets: Sequence[str],
    r: int,
    alpha: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[str]:
    """Replace every ``nn.Linear`` whose attribute name is in ``targets`` by a :class:`LoRALinear`.

    All other parameters of ``model`` are frozen. Returns the dotted names of the wrapped modules.
    """
    if isinstance(targets, str) or not targets:
        raise ValueError(f"targets must be a non-empty sequence of module names, got {targets!r}")
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for parent_name, parent in list(model.named_modules()):
        for child_name, child in list(parent.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                setattr(parent, child_name, LoRALinear(child, r, alpha, generator))
                wrapped.append(f"{parent_name}.{child_name}".lstrip("."))
    if not wrapped:
        raise ValueError(f"no nn.Linear named one of {list(targets)} in the model")
    return wrapped

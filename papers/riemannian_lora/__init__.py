"""Riemannian Preconditioned LoRA for Fine-Tuning Foundation Models.

Fangzhao Zhang and Mert Pilanci, ICML 2024 (PMLR v235), arXiv:2402.02347.
Reference code: https://github.com/pilancilab/Riemannian_Preconditioned_LoRA

Public API: the optimizers :class:`ScaledGD` and :class:`ScaledAdamW`, :func:`make_optimizer`
(finds a model's LoRA pairs by name, peft models included), :func:`find_lora_pairs`,
:func:`precondition` (the r x r preconditioned gradients of one pair) and a LoRA layer of our
own (:class:`LoRALinear`, :func:`add_lora`).
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "LoRALinear": "lora",
    "add_lora": "lora",
    "OPTIMIZERS": "optim",
    "LoraPair": "optim",
    "ScaledAdamW": "optim",
    "ScaledGD": "optim",
    "find_lora_pairs": "optim",
    "make_optimizer": "optim",
    "precondition": "optim",
}


def __getattr__(name: str) -> Any:
    """Import torch-backed objects on first use (``python -m ... plot`` never needs torch)."""
    if name in _WHERE:
        return getattr(import_module(f"papers.riemannian_lora.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'papers.riemannian_lora' has no attribute {name!r}")


__all__ = [
    "OPTIMIZERS",
    "LoRALinear",
    "LoraPair",
    "ScaledAdamW",
    "ScaledGD",
    "add_lora",
    "find_lora_pairs",
    "make_optimizer",
    "precondition",
]

"""Riemannian Preconditioned LoRA for Fine-Tuning Foundation Models.

Fangzhao Zhang and Mert Pilanci, ICML 2024 (PMLR v235), arXiv:2402.02347.
Reference code: https://github.com/pilancilab/Riemannian_Preconditioned_LoRA

Public API: the optimizers :class:`ScaledGD` and :class:`ScaledAdamW` (and their unpreconditioned
baselines :class:`PlainSGD`, :class:`PlainAdamW`), :func:`make_optimizer`
(finds a model's LoRA pairs by name, peft models included), :func:`find_lora_pairs`,
:func:`precondition` (the r x r preconditioned gradients of one pair) and a LoRA layer of our
own (:class:`LoRALinear`, :func:`add_lora`).
"""

from papers.riemannian_lora.lora import LoRALinear, add_lora
from papers.riemannian_lora.optim import (
    OPTIMIZERS,
    LoraPair,
    PlainAdamW,
    PlainSGD,
    ScaledAdamW,
    ScaledGD,
    find_lora_pairs,
    make_optimizer,
    precondition,
)

__all__ = [
    "OPTIMIZERS",
    "LoRALinear",
    "LoraPair",
    "PlainAdamW",
    "PlainSGD",
    "ScaledAdamW",
    "ScaledGD",
    "add_lora",
    "find_lora_pairs",
    "make_optimizer",
    "precondition",
]

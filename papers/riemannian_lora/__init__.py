"""Riemannian Preconditioned LoRA for Fine-Tuning Foundation Models.

Fangzhao Zhang and Mert Pilanci, ICML 2024 (PMLR v235), arXiv:2402.02347.
Reference code: https://github.com/pilancilab/Riemannian_Preconditioned_LoRA

Public API: the optimizers :class:`ScaledGD` and :class:`ScaledAdamW` (and their unpreconditioned
baselines :class:`PlainSGD`, :class:`PlainAdamW`), :func:`make_optimizer`
(finds a model's LoRA pairs by name, peft models included), :func:`find_lora_pairs`,
:func:`precondition` (the r x r preconditioned gradients of one pair) and a LoRA layer of our
own (:class:`LoRALinear`, :func:`add_lora`).
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "lora": ["LoRALinear", "add_lora"],
        "optim": [
            "LoraPair",
            "OPTIMIZERS",
            "PlainAdamW",
            "PlainSGD",
            "ScaledAdamW",
            "ScaledGD",
            "find_lora_pairs",
            "make_optimizer",
            "precondition",
        ],
    },
)

register(
    "riemannian_lora",
    experiments={
        "condition_number": {},
        "convex_relu": {},
        "finetune_lr": {"gpu": True},
        "step_cost": {},
        "gpt2_e2e": {"gpu": True},
    },
    figures={
        "condition_number": ["condition_number"],
        "convex_relu": ["convex_relu"],
        "finetune_lr": ["finetune_lr"],
        "step_cost": ["step_cost"],
    },
)


rule riemannian_lora:
    input:
        paper_targets("riemannian_lora"),

register(
    "convex_landscape",
    experiments={
        "equivalence": {},
        "subsampling": {},
        "stationary": {},
        "sensitivity": {},
        "cifar": {"gpu": True},
    },
    figures={
        "equivalence": ["equivalence"],
        "certificate": ["equivalence"],
        "subsampling": ["subsampling"],
        "stationary": ["stationary"],
        "sensitivity": ["sensitivity"],
        "cifar": ["cifar"],
    },
)


rule convex_landscape:
    input:
        paper_targets("convex_landscape"),

"""Ergen & Pilanci, "The Convex Landscape of Neural Networks: Characterizing Global Optima and
Stationary Points via Lasso Models", IEEE Trans. Inf. Theory (2025), arXiv:2312.12657.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`; the
non-convex networks are trained by :func:`common.convex_nn.train_ensemble`). Public API here:
exact optima by column generation, the stationary-point program and the low-rank approximation
(:mod:`.landscape`), and the CIFAR-10 loader and models (:mod:`.cifar`).
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "cifar": ["load_cifar10", "train_convex", "train_nonconvex", "write_standin"],
        "landscape": [
            "all_patterns",
            "dual_constraint_all",
            "exact_optimum",
            "lowrank_patterns",
            "recalled_ratio_bound",
            "stationary_program",
            "ExactOptimum",
        ],
    },
)

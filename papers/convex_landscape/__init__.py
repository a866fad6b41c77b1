"""Ergen & Pilanci, "The Convex Landscape of Neural Networks: Characterizing Global Optima and
Stationary Points via Lasso Models", IEEE Trans. Inf. Theory (2025), arXiv:2312.12657.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`; the
non-convex networks are trained by :func:`common.convex_nn.train_ensemble`). Public API here:
exact optima by column generation, the stationary-point program and the low-rank approximation
(:mod:`.landscape`), and the CIFAR-10 loader and models (:mod:`.cifar`).
"""

from papers.convex_landscape.cifar import load_cifar10, train_convex, train_nonconvex, write_standin
from papers.convex_landscape.landscape import (
    ExactOptimum,
    all_patterns,
    dual_constraint_all,
    exact_optimum,
    lowrank_patterns,
    recalled_ratio_bound,
    stationary_program,
)

__all__ = [
    "ExactOptimum",
    "all_patterns",
    "dual_constraint_all",
    "exact_optimum",
    "load_cifar10",
    "lowrank_patterns",
    "recalled_ratio_bound",
    "stationary_program",
    "train_convex",
    "train_nonconvex",
    "write_standin",
]

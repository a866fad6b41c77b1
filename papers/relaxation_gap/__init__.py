"""Kim & Pilanci, "Convex Relaxations of ReLU Neural Networks Approximate Global Optima in
Polynomial Time", ICML 2024, arXiv:2402.03625.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`). Public
API: :func:`relative_gap` (the relaxation's optimum over the exact one), :func:`exact_optimum`,
:func:`proxy_optimum` and :func:`cone_decomposition` (:mod:`.gap`).
"""

from papers.relaxation_gap.gap import (
    GapResult,
    Optimum,
    cone_decomposition,
    exact_optimum,
    proxy_optimum,
    relative_gap,
)

__all__ = [
    "GapResult",
    "Optimum",
    "cone_decomposition",
    "exact_optimum",
    "proxy_optimum",
    "relative_gap",
]

"""Kim & Pilanci, "Convex Relaxations of ReLU Neural Networks Approximate Global Optima in
Polynomial Time", ICML 2024, arXiv:2402.03625.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`). Public
API: :func:`relative_gap` (the relaxation's optimum over the exact one) and
:func:`exact_optimum` (:mod:`.gap`).
"""

from papers.relaxation_gap.gap import GapResult, Optimum, exact_optimum, relative_gap

__all__ = ["GapResult", "Optimum", "exact_optimum", "relative_gap"]

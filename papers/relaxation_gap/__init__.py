"""Kim & Pilanci, "Convex Relaxations of ReLU Neural Networks Approximate Global Optima in
Polynomial Time", ICML 2024, arXiv:2402.03625.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`). Public
API: :func:`relative_gap` (the relaxation's optimum over the exact one), :func:`exact_optimum`,
:func:`proxy_optimum` and :func:`cone_decomposition` (:mod:`.gap`).
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "gap": [
            "GapResult",
            "Optimum",
            "cone_decomposition",
            "exact_optimum",
            "proxy_optimum",
            "relative_gap",
        ],
    },
)

"""A Library of Mirrors: deep neural nets in low dimensions are convex Lasso models with
reflection features.

Emi Zeger, Yifei Wang, Aaron Mishkin, Tolga Ergen, Emmanuel Candes and Mert Pilanci.
arXiv:2403.01046 (2024). Reference code (matches v2): ``pilancilab/1d-convex-nn``.

Public API:

- :func:`dictionary`: the Lasso dictionary of 1-D networks (activation, depth) at the data,
  deduplicated, with each feature's breakpoints labelled data point or reflection;
- :func:`fit_lasso_network`: the Lasso (beta > 0) or the exact minimum-l1 interpolation LP
  (beta = 0), rebuilt as a network with ``predict``, ``objective``, ``weights``, ``kinks``;
- :func:`min_norm_interpolation`, :func:`solve_lasso`: the two convex programs on any matrix;
- :func:`relu_dictionary`, :func:`fista_lasso`: full scale, the deep ReLU dictionary built in
  chunks (matrix and reflection labels only) and the Lasso by FISTA (JAX, CPU or GPU) to a
  certified duality gap;
- :func:`train_networks`: Adam on the non-convex networks (torch);
- :func:`network_kinks`: the kinks of a network's predictor, read exactly from its weights.
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "features": [
            "ACTIVATIONS",
            "DEPTHS",
            "dictionary",
            "relu_dictionary",
            "Dictionary",
            "Feature",
        ],
        "fista": ["fista_lasso"],
        "lasso": [
            "fit_lasso_network",
            "min_norm_interpolation",
            "rebuild_network",
            "solve_lasso",
            "Kink",
            "LassoNetwork",
        ],
        "kinks": ["network_kinks"],
        "training": ["train_networks"],
    },
)

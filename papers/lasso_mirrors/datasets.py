"""The authors' toy data sets (hard-coded in ``pilancilab/1d-convex-nn``) and what their
notebooks printed or drew, which the experiments compare with exact optima."""

import numpy as np

#: name -> (x, y)
DATASETS = {
    "opt": (np.array([0.0, 4, 5, 7, 10, 11]), np.array([0.0, 0, 0, 2, 3, 3])),
    "zshape": (np.array([0.0, 2, 6, 7]), np.array([0.0, 0, 3, 3])),
    "zshape_left": (np.array([-1.0, 2, 6, 7]), np.array([0.0, 0, 3, 3])),
    "bounce": (np.array([0.0, 2, 6, 7]), np.array([0.0, 0, 3, 7])),
}

#: (activation, depth) of every dictionary the experiments build
CONFIGS = (
    ("relu", 2),
    ("relu", 3),
    ("relu", 4),
    ("relu", 5),
    ("abs", 2),
    ("abs", 3),
    ("abs", 4),
    ("leaky_relu", 2),
    ("sign", 2),
    ("sign", 3),
    ("sign", 4),
    ("threshold", 2),
    ("threshold", 3),
)

#: Lasso objectives the notebooks printed (``Fig18.ipynb``, ``Fig19.ipynb``; MOSEK) with
#: their beta: (figure, dataset, depth) -> (objective, beta)
PRINTED = {
    ("18", "bounce", 2): (4e-08, 1e-8),
    ("18", "bounce", 3): (4.0000000374258676e-08, 1e-8),
    ("18", "bounce", 4): (9e-08, 1e-8),
    ("19", "zshape", 3): (1.4999999949889037e-08, 1e-8),
    ("19", "zshape", 4): (3.0000000000000004e-08, 1e-8),
}


def ramp(a: float, b: float, x) -> np.ndarray:
    """The authors' ``rampvec``: 0 left of ``a``, slope 1 up to ``b``, then flat."""
    return np.clip(np.asarray(x, dtype=np.float64) - a, 0.0, b - a)


#: Fig. 3's "Lasso" panels are these hard-coded solutions (``get_features``) on ``opt``:
#: depth -> [(a, b, coefficient), ...]
FIG3_HARDCODED = {
    2: [(5.0, np.inf, 1.0), (7.0, np.inf, -2 / 3), (10.0, np.inf, -1 / 3)],
    3: [(5.0, 7.0, 2 / 3), (5.0, 10.0, 1 / 3)],
    4: [(5.0, 8.0, 1.0)],
}

#: panel -> (dataset, depth, beta, width, epochs, seed of the authors, init)
PAPER_RUNS = {
    "fig2_left": ("zshape", 4, 1e-8, 100, 1000, 8, "reflection"),
    "fig2_right": ("zshape_left", 4, 1e-8, 100, 15000, 8, "reflection"),
    "fig3_L2": ("opt", 2, 1e-7, 100, 1000, 7, "optimum"),
    "fig3_L3": ("opt", 3, 1e-7, 500, 100000, 7, "default"),
    "fig3_L4": ("opt", 4, 1e-7, 100, 1000, 7, "reflection"),
    "fig19_L3": ("zshape", 3, 1e-8, 100, 1000, 8, "default"),
}

#: Lasso panels: name -> (figure, dataset, depth)
LASSO_PANELS = {
    "fig3_L2": ("3", "opt", 2),
    "fig3_L3": ("3", "opt", 3),
    "fig3_L4": ("3", "opt", 4),
    "fig18_L2": ("18", "bounce", 2),
    "fig18_L3": ("18", "bounce", 3),
    "fig18_L4": ("18", "bounce", 4),
    "fig19_L3": ("19", "zshape", 3),
    "fig19_L4": ("19", "zshape", 4),
}

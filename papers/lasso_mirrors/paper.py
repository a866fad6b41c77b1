"""Declaration of lasso_mirrors: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

_ALL = ["relu_2", "relu_3", "relu_4", "abs_2", "abs_3", "leaky_relu_2", "sign_2"]
#: beyond the authors' code: abs depth 4 (reflections of reflections), binary sign and
#: threshold trees
_DEEP = ["abs_4", "sign_3", "sign_4", "threshold_2", "threshold_3"]
_RANDOM = ["relu_4", "abs_3", "abs_4", "sign_2", "sign_3", "sign_4"]
_DATA = ["opt", "zshape", "zshape_left", "bounce"]

PAPER = Paper(
    slug="lasso_mirrors",
    title=(
        "A Library of Mirrors: Deep Neural Nets in Low Dimensions are Convex Lasso Models "
        "with Reflection Features"
    ),
    arxiv="2403.01046",
    experiments=(
        Experiment(
            "dictionaries",
            quick={"datasets": _DATA, "configs": [*_ALL, *_DEEP], "n_grid": 301},
            full={"datasets": _DATA, "configs": [*_ALL, "relu_5", *_DEEP], "n_grid": 1001},
            description="M1: dictionary sizes before/after deduplication, feature kinds, "
            "recursive vs functional builders",
        ),
        Experiment(
            "min_norm",
            quick={
                "datasets": _DATA,
                "configs": [*_ALL, *_DEEP],
                "n_grid": 301,
                "n_perturb": 3,
                "perturb_scale": 1e-7,
                "tol": 1e-7,
            },
            full={
                "datasets": _DATA,
                "configs": [*_ALL, *_DEEP],
                "n_grid": 1001,
                "n_perturb": 20,
                "perturb_scale": 1e-7,
                "tol": 1e-7,
            },
            description="M2/M7: the beta -> 0 minimum-l1 interpolation LP (HiGHS), kinks, "
            "uniqueness, reflection features",
        ),
        Experiment(
            "reflection_frequency",
            quick={"n_points": [5, 6], "draws": 4, "configs": _RANDOM, "tol": 1e-7},
            full={"n_points": [6, 8, 10, 12], "draws": 100, "configs": _RANDOM, "tol": 1e-7},
            description="Full scale of M2/M7: how often optima need reflection features on "
            "random 1-D data",
        ),
        Experiment(
            "reflection_lasso",
            quick={
                "n_points": [8],
                "draws": 2,
                "beta_fracs": [0.03, 0.1, 0.3],
                "tol": 1e-8,
                "max_iter": 100_000,
                "threshold": 1e-3,
            },
            full={
                "n_points": [15, 20, 30, 40],
                "draws": 100,
                "beta_fracs": [0.03, 0.1, 0.3],
                "tol": 1e-8,
                "max_iter": 100_000,
                "threshold": 1e-3,
            },
            description="Full scale: depth-4 ReLU Lasso at moderate beta on random data up to "
            "N = 40 (chunked dictionary, FISTA with a certified gap): reflection features used "
            "and needed",
        ),
        Experiment(
            "lasso_network",
            quick={
                "datasets": _DATA,
                "configs": [*_ALL, *_DEEP],
                "betas": [1e-3, 1e-2, 1e-1, 1.0],
            },
            full={
                "datasets": _DATA,
                "configs": [*_ALL, *_DEEP],
                "betas": [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0],
            },
            description="M3: Lasso by CLARABEL and coordinate descent; reconstructed networks",
        ),
        Experiment(
            "training",
            quick={
                "dataset": "opt",
                "configs": _ALL,
                "beta": 0.05,
                "width": 20,
                "seeds": 5,
                "steps": 600,
                "lr": 0.02,
                "n_grid": 201,
                "kink_radius": 0.1,
            },
            full={
                "dataset": "opt",
                "configs": _ALL,
                "beta": 0.05,
                "width": 20,
                "seeds": 20,
                "steps": 20000,
                "lr": 0.02,
                "n_grid": 601,
                "kink_radius": 0.1,
            },
            description="M4/M8: Adam on every activation and depth vs the Lasso optimum; "
            "kinks of the trained networks vs the Lasso's kinks",
        ),
        Experiment(
            "paper_adam",
            quick={"seeds": 1, "max_epochs": 300, "n_grid": 301},
            full={"seeds": 5, "max_epochs": 100000, "n_grid": 1001},
            description="M5: the Adam panels of Figs. 2, 3, 19, the authors' loss vs ours",
        ),
        Experiment(
            "paper_lasso",
            quick={"n_grid": 301},
            full={"n_grid": 1001},
            description="M5: the Lasso panels of Figs. 3, 18, 19 as drawn vs exact optima",
        ),
        Experiment(
            "path",
            quick={
                "dataset": "opt",
                "configs": ["relu_2", "relu_3", "relu_4"],
                "beta_min": 1e-4,
                "beta_max": 1.0,
                "n_beta": 9,
            },
            full={
                "dataset": "opt",
                "configs": ["relu_2", "relu_3", "relu_4"],
                "beta_min": 1e-4,
                "beta_max": 1.0,
                "n_beta": 41,
            },
            description="M6: Lasso path over beta: active features and kinds of kinks",
        ),
    ),
    figures=(
        Figure(
            "dictionary",
            ("dictionaries",),
            "M1: features on the data set 'opt' (ReLU: a ramp, a capped ramp, a reflection "
            "feature with a breakpoint at 2x_j - x_k; absolute value depth 4: a reflection "
            "of a reflection; a depth-4 sign tree: four switches at data points), and "
            "dictionary sizes before (raw, = 2N, (2N)^2, 2(2N)^3 for ReLU; sum of "
            "C(N-1, k), k <= 2^(L-2), for sign/threshold trees) and after deduplication, "
            "split by kind.",
        ),
        Figure(
            "min_norm",
            ("min_norm",),
            "M2: minimum-l1 interpolants (the beta -> 0 limit, exact LP by HiGHS) of ReLU "
            "networks of depth 2, 3, 4 on the authors' four data sets; markers: kinks at "
            "data points (circles) and at reflections 2x_j - x_k (triangles).",
        ),
        Figure(
            "lasso_network",
            ("lasso_network",),
            "M3: the Lasso at moderate beta: the rebuilt network's non-convex objective "
            "(evaluated from its weights) and coordinate descent against CLARABEL, relative "
            "differences (floored at 1e-17) over every data set, activation and depth.",
        ),
        Figure(
            "training",
            ("training",),
            "M4/M8: Adam-trained networks (5 seeds each, random and Lasso-placed starts) "
            "against the Lasso optimum p*: final objective / p* - 1 per activation and "
            "depth (0 = optimal, never below in theory); right: predictions on 'opt'.",
        ),
        Figure(
            "learned_kinks",
            ("training",),
            "M4: kinks of the Adam-trained networks of the 'training' experiment, read "
            "exactly from their weights (slope changes of the composed piecewise-linear "
            "predictor; jumps for sign), on the data range; one row per seed, random starts "
            "below, Lasso-placed starts above, marker area proportional to the slope change. "
            "Solid lines with grey bands: kinks of the Lasso optimum, +- 0.1 x the median data "
            "spacing; dotted: data points. Last panel: slope-change-weighted fraction of "
            "learned kinks within that band (bars), and within it of a data point (ticks).",
        ),
        Figure(
            "paper_adam",
            ("paper_adam",),
            "M5 (Figs. 2, 3 left, 19 left): the authors' deep narrow networks trained by "
            "Adam with their loss (MSE sum, pow without abs, weight decay 1e-4; left "
            "curves) and with the corrected loss (right curves), against the exact "
            "minimum-norm interpolant (dashed).",
        ),
        Figure(
            "paper_lasso",
            ("paper_lasso",),
            "M5 (Figs. 3, 18, 19 Lasso panels): as the authors drew them (Fig. 3 hard-coded; "
            "Figs. 18/19 a Lasso at beta = 1e-8, here CLARABEL) against the exact "
            "minimum-norm LP interpolant; titles give the printed and exact minimum norms.",
        ),
        Figure(
            "path",
            ("path",),
            "M6: the Lasso path on 'opt' for ReLU depth 2, 3, 4: active features and kinks "
            "by kind (data point, reflection, other) against beta.",
        ),
        Figure(
            "reflection_lasso",
            ("reflection_lasso",),
            "Full scale (brief): the depth-4 ReLU Lasso at beta = 0.03, 0.1, 0.3 x beta_max "
            "(beta_max: the smallest beta with the zero solution) on random data, N up to 40 "
            "(at quick scale a stand-in: N = 8, 2 draws), deduplicated dictionary, FISTA to a "
            "certified relative duality gap. Left: fraction of draws whose FISTA optimum uses "
            "a reflection feature (solid) and whose optimum is certified to rise when they are "
            "removed (dashed); right: active features by kind.",
        ),
        Figure(
            "reflections",
            ("min_norm", "reflection_frequency"),
            "M7: reflection features in optimal solutions: the minimum norm with and "
            "without reflection features (ReLU depth 4, absolute value depth 3) on the "
            "authors' data sets, and on random data the fraction of draws whose optimum "
            "needs them (ReLU depth 4, absolute value depth 3 and 4). Bottom: binary sign "
            "trees (no reflections) on the same random draws: the minimum norm falls with "
            "depth as features may switch more often.",
        ),
    ),
)

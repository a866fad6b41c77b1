"""Declaration of relaxation_gap: experiments with their parameters, figures with captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

_RULES = ["1log", "2log", "4log", "nd"]
_RATIO = {"d": 3, "rules": _RULES, "targets": ["noise", "planted"], "noise": 0.1,
          "gd_rule": "2log", "gd_lrs": [1e-2, 3e-3]}  # fmt: skip
# regime (i), with or without a bias column: quick (CPU) and full (the brief's) settings
_QUICK = {**_RATIO, "beta_fracs": [0.1], "gated_solver": "clarabel", "gd_steps": 600}
_FULL = {**_RATIO, "n_grid": [10, 20, 40, 80, 160], "seeds": 50, "beta_fracs": [0.01, 0.001],
         "gated_solver": "fast", "gd_steps": 20000}  # fmt: skip
_A1 = {"rules": _RULES, "targets": ["noise", "planted"], "noise": 0.1}

PAPER = Paper(
    slug="relaxation_gap",
    title=(
        "Convex Relaxations of ReLU Neural Networks Approximate Global Optima in Polynomial Time"
    ),
    arxiv="2402.03625",
    experiments=(
        Experiment(
            name="ratio",
            description=(
                "Regime (i): relaxed / exact optimum (rho, rho_G, rho_dec) and GD / exact (rho_GD) "
                "against n for nested Gaussian gates, d=3, exact p* by certified enumeration"
            ),
            quick={**_QUICK, "n_grid": [10, 20, 40, 80, 160], "seeds": 2},
            full=_FULL,
        ),
        Experiment(
            name="bias",
            description=(
                "Regime (i) variant: 2 Gaussian features plus a bias column (d=3 counts it, "
                "convention B1), reported separately from the bias-free runs"
            ),
            quick={**_QUICK, "n_grid": [10, 20, 40], "seeds": 1},
            full=_FULL,
        ),
        Experiment(
            name="a1",
            description=(
                "Assumption A1 (n/d = c fixed): rho against n with exact p* where enumeration "
                "fits (regime ii) and the PROXY p~*(M) at larger d (regime iii)"
            ),
            quick={
                **_A1,
                "ratios": [2, 4],
                "max_patterns": 1200,
                "seeds": 2,
                "proxy_dims": [10],
                "proxy_seeds": 1,
                "proxy_gates": 500,
                "beta_frac": 0.1,
            },
            full={
                **_A1,
                "ratios": [2, 4],
                "max_patterns": 100_000,
                "seeds": 50,
                "proxy_dims": [10, 50],
                "proxy_seeds": 50,
                "proxy_gates": 10_000,
                "beta_frac": 0.01,
            },
        ),
        Experiment(
            name="timing",
            description="Solve time of the relaxation against d*m: ours vs CVXPY+CLARABEL",
            quick={
                "n": 60,
                "dims": [3, 6],
                "gates": [4, 8, 16, 32],
                "beta_frac": 0.1,
                "repeats": 1,
                "clarabel_max_dm": 100,
            },
            full={
                "n": 400,
                "dims": [3, 6, 12, 24],
                "gates": [4, 8, 16, 32, 64, 128],
                "beta_frac": 0.01,
                "repeats": 3,
                "clarabel_max_dm": 1600,
            },
        ),
    ),
    figures=(
        Figure(
            "ratio",
            ("ratio", "a1"),
            "Relaxation gap rho = p~*/p* against n for the gate-count rules m = ceil(c log n) "
            "and ceil((n/d) log n). Top, regime (i), d = 3, exact p* (enumeration, certified): "
            "median and IQR over seeds and targets, with the envelope C sqrt(log 2n) (C the "
            "smallest constant bounding the data); right: rho / sqrt(log 2n). Bottom left, "
            "regime (ii), A1 (n/d = c fixed), exact p*: median rho per rule and c, with its "
            "envelope. Bottom right, regime (iii), A1 at larger d: the PROXY ratio "
            "p~*(m) / p~*(M) (p~*(M) an upper bound on p*, so a lower bound on rho). Under A1 "
            "the rule ceil((n/d) log n) equals ceil(c log n): its points cover those.",
        ),
        Figure(
            "gates",
            ("ratio",),
            "Top left: rho against the number of nested gates m at each n (one line per seed and "
            "target). Top right: the gated relaxation rho_G (not bounded below by 1) against "
            "rho. Bottom (alternative route): the gated solution cone-decomposed into a "
            "ReLU-feasible network, rho_dec = its objective / p* against rho at the same gates "
            "(rho_dec >= rho; diagonal dashed), and the decomposition's norm blow-up "
            "sum(|a_i|+|b_i|)/sum|u_i| (the empirical proxy for cone sharpness) against n, "
            "median and IQR per gate-count rule.",
        ),
        Figure(
            "gd",
            ("ratio",),
            "Local method: full-batch GD (float64, penalty in the loss, best of two learning "
            "rates) at widths m and 2m, objective over p* (rho_GD) against the relaxation's rho "
            "at the same m; the diagonal rho_GD = rho.",
        ),
        Figure(
            "bias",
            ("bias",),
            "Regime (i) with a bias column (2 Gaussian features + ones, d = 3, convention B1), "
            "reported separately: rho = p~*/p* (exact p*) against n per gate-count rule, median "
            "and IQR, with the envelope C sqrt(log 2n); right: rho / sqrt(log 2n).",
        ),
        Figure(
            "timing",
            ("timing",),
            "Wall time of the constrained relaxation against d*m on log-log axes, our "
            "working-set solver and CVXPY+CLARABEL, with the fitted log-log slopes.",
        ),
    ),
)

"""Declaration of shrinkage_newton: experiments with their parameters, figures with captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

PAPER = Paper(
    slug="shrinkage_newton",
    title="Optimal Shrinkage for Distributed Second-Order Optimization",
    arxiv="2402.01956",
    experiments=(
        Experiment(
            "resolvent_bias",
            quick={
                "d": 50,
                "m": 125,
                "qs": [10, 30, 100, 300, 1000],
                "lams": [0.0, 1e-3, 1e-2, 1e-1],
                "log_eig_range": [-2.0, 0.0],
                "seeds": 5,
                "chunk": 250,
            },
            full={
                "d": 100,
                "m": 250,
                "qs": [10, 30, 100, 300, 1000, 2000, 5000],
                "lams": [0.0, 1e-3, 1e-2, 1e-1],
                "log_eig_range": [-2.0, 0.0],
                "seeds": 10,
                "chunk": 250,
            },
            description="E1: resolvent error vs number of agents q (naive, shrinkage, "
            "fixed-point shrinkage, lambda-only control)",
        ),
        Experiment(
            "aspect_ratio",
            quick={
                "d": 50,
                "gammas": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                "q": 400,
                "lams": [0.0, 1e-2, 1e-1],
                "log_eig_range": [-2.0, 0.0],
                "seeds": 5,
                "chunk": 200,
            },
            full={
                "d": 100,
                "gammas": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                "q": 2000,
                "lams": [0.0, 1e-2, 1e-1],
                "log_eig_range": [-2.0, 0.0],
                "seeds": 10,
                "chunk": 200,
            },
            description="E2: naive plateau vs gamma = d/m with gamma/(1-gamma) and the "
            "deterministic-equivalent curves",
        ),
        Experiment(
            "newton_logistic",
            quick={
                "q": 100,
                "m": 150,
                "d": 60,
                "lams": [1e-4, 1e-2],
                "log_eig_range": [-1.5, 0.0],
                "signal": 3.0,
                "n_rounds": 15,
                "seeds": 5,
            },
            full={
                "q": 1000,
                "m": 1000,
                "d": 500,
                "lams": [1e-4, 1e-2],
                "log_eig_range": [-1.5, 0.0],
                "signal": 3.0,
                "n_rounds": 20,
                "seeds": 5,
            },
            description="E3: distributed Newton, synthetic logistic regression",
        ),
        Experiment(
            "newton_real",
            quick={
                "datasets": ["breast_cancer", "digits"],
                "rows_per_dimension": 2.0,
                "lams": [1e-4, 1e-2],
                "n_rounds": 15,
                "line_search": True,
                "partitions": 10,
            },
            full={
                "datasets": ["breast_cancer", "digits"],
                "rows_per_dimension": 2.0,
                "lams": [1e-4, 1e-2],
                "n_rounds": 20,
                "line_search": True,
                "partitions": 50,
            },
            description="E4: distributed Newton, logistic regression on breast_cancer and "
            "digits (>= 5), random partitions",
        ),
        Experiment(
            "newton_least_squares",
            quick={
                "q": 100,
                "m": 100,
                "d": 60,
                "lam": 1e-6,
                "log_eig_range": [-1.5, 0.0],
                "noise": 1.0,
                "n_rounds": 20,
                "seeds": 5,
            },
            full={
                "q": 1000,
                "m": 1000,
                "d": 600,
                "lam": 1e-6,
                "log_eig_range": [-1.5, 0.0],
                "noise": 1.0,
                "n_rounds": 20,
                "seeds": 5,
            },
            description="E5: least squares with d/m = 0.6: unit-step divergence of naive "
            "averaging, spectral radii",
        ),
        Experiment(
            "sketch_averaging",
            quick={
                "n": 2000,
                "d": 50,
                "m": 100,
                "qs": [10, 30, 100, 300, 1000, 3000],
                "sketch_form": "rotation",
                "dlam_fractions": [1.0, 0.8, 0.5],
                "decay": 2.0,
                "seeds": 5,
            },
            full={
                "n": 20000,
                "d": 100,
                "m": 200,
                "qs": [10, 30, 100, 300, 1000, 3000],
                "sketch_form": "explicit",
                "dlam_fractions": [1.0, 0.8, 0.5],
                "decay": 2.0,
                "seeds": 5,
            },
            description="E6: averaged Gaussian-sketch Newton directions (ridge) vs q",
        ),
    ),
    figures=(
        Figure(
            "resolvent_bias",
            ("resolvent_bias",),
            "E1: relative operator-norm error of the averaged resolvent estimate against the "
            "number of agents q (Gaussian rows, eigenvalues log-spaced on [1e-2, 1], "
            "gamma = d/m = 0.4), one panel per lambda; mean over seeds with min-max band. "
            "Dashed: the predicted naive plateau (deterministic equivalent; gamma/(1-gamma) "
            "at lambda = 0); dotted: slope q^(-1/2).",
        ),
        Figure(
            "aspect_ratio",
            ("aspect_ratio",),
            "E2: naive plateau (error at the largest q, mean and min-max over seeds) against "
            "gamma = d/m, with gamma/(1-gamma) and the exact inverse-Wishart value at lambda = "
            "0 and the deterministic-equivalent curves at lambda > 0.",
        ),
        Figure(
            "newton_logistic",
            ("newton_logistic",),
            "E3: distributed Newton on synthetic logistic regression (q = 100 agents, m = 150, "
            "d = 60): F(x_t) - F* (median over seeds, band min-max) per round; F* certified by "
            "its gradient norm.",
        ),
        Figure(
            "newton_real",
            ("newton_real",),
            "E4: distributed Newton on breast_cancer and digits (>= 5) with m = 2d rows per "
            "agent, Armijo backtracking on F (with unit steps every distributed method diverges at "
            "lambda = 1e-4): F(x_t) - F* (median over random partitions, band min-max) per round.",
        ),
        Figure(
            "newton_least_squares",
            ("newton_least_squares",),
            "E5: least squares with d/m = 0.6, unit step: F(x_t) - F* per round (left) and the "
            "eigenvalues of each method's iteration matrix I - P H (right; dashed: "
            "-gamma/(1-gamma), the q -> infinity prediction for naive averaging).",
        ),
        Figure(
            "sketch_averaging",
            ("sketch_averaging",),
            "E6: relative error of averaged Gaussian-sketch Newton directions (ridge, n = 2000, "
            "d = 50, m = 100; quick scale draws S_i B through the SVD of B, equal in law) "
            "against q, "
            "one panel per d_lambda/d; dashed: the deterministic-equivalent prediction of the "
            "naive plateau; last panel: naive error at the largest q against the prediction.",
        ),
    ),
)

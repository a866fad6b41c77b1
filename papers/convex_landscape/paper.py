"""Declaration of convex_landscape: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

_E1_LRS = {"gd": [1e-3, 3e-3, 1e-2], "sgd": [1e-3, 3e-3, 1e-2], "adam": [1e-3, 1e-2, 1e-1]}
#: activation name -> slopes (a, b) of sigma(t) = a t (t >= 0), b t (t < 0) (core brief §3.4)
_ACTIVATIONS = {"leaky ReLU (kappa=0.1)": [1.0, 0.1], "absolute value": [1.0, -1.0]}
_PLANTED = {"n": 20, "d": 2, "teacher_width": 3, "noise": 0.1, "beta_frac": 0.01}

PAPER = Paper(
    slug="convex_landscape",
    title=(
        "The Convex Landscape of Neural Networks: Characterizing Global Optima and Stationary "
        "Points via Lasso Models"
    ),
    arxiv="2312.12657",
    experiments=(
        Experiment(
            name="equivalence",
            description=(
                "E1+E2: exact convex optimum over all patterns vs GD/SGD/Adam; certificates"
            ),
            quick={
                **_PLANTED,
                "seeds": 4,
                "steps": 3000,
                "batch_size": 5,
                "n_trace": 60,
                "width_multipliers": [1, 2],
                "extra_widths": [50],
                "lrs": _E1_LRS,
                "perturb_scale": 0.9,
                "sphere_samples": 200_000,
            },
            full={
                **_PLANTED,
                "seeds": 20,
                "steps": 20000,
                "batch_size": 5,
                "n_trace": 100,
                "width_multipliers": [1, 2],
                "extra_widths": [50],
                "lrs": _E1_LRS,
                "perturb_scale": 0.9,
                "sphere_samples": 2_000_000,
            },
        ),
        Experiment(
            name="subsampling",
            description="E3: optimal value with m sampled patterns relative to the exact optimum",
            quick={
                **_PLANTED,
                "seeds": 6,
                "m_grid": [2, 4, 8, 16, 32, 64, 128, 256, 512],
                "lowrank_ks": [1, 2],
                "lowrank_beta_fracs": [0.01, 0.1, 0.5],
            },
            full={
                **_PLANTED,
                "seeds": 20,
                "m_grid": [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
                "lowrank_ks": [1, 2],
                "lowrank_beta_fracs": [0.003, 0.01, 0.03, 0.1, 0.3, 0.5],
            },
        ),
        Experiment(
            name="stationary",
            description=(
                "E4: near-stationary GD points equal the convex optimum on their own patterns"
            ),
            quick={
                **_PLANTED,
                "widths": [2, 5, 10, 20],
                "seeds": 4,
                "lr": 5e-3,
                "gd_steps": 8000,
                "polish_tol": 1e-10,
                "polish_iter": 1500,
                "stationary_tol": 1e-8,
                "optimal_rtol": 1e-6,
                "c2_rtol": 1e-4,
            },
            full={
                **_PLANTED,
                "widths": [2, 4, 5, 8, 10, 16, 20],
                "seeds": 20,
                "lr": 5e-3,
                "gd_steps": 100000,
                "polish_tol": 1e-10,
                "polish_iter": 5000,
                "stationary_tol": 1e-8,
                "optimal_rtol": 1e-6,
                "c2_rtol": 1e-4,
            },
        ),
        Experiment(
            name="sensitivity",
            description="E5: convex solvers vs SGD/Adam learning rates on breast_cancer (PCA-2)",
            quick={
                "dataset": "breast_cancer",
                "test_fraction": 0.3,
                "n_train": 60,
                "n_components": 2,
                "beta_frac": 0.05,
                "cvx_solvers": ["clarabel", "scs"],
                "solver_opts": {"scs": {"eps_abs": 1e-7, "eps_rel": 1e-7}},
                "al_deltas": [1.0, 10.0, 100.0, 1000.0, 10000.0],
                "al_max_iter": 2000,
                "fista_max_iter": 10000,
                "seeds": 3,
                "width": 20,
                "steps": 1500,
                "batch_size": 10,
                "n_trace": 60,
                "lrs": {"sgd": [1e-4, 1e-3, 1e-2], "adam": [1e-3, 1e-2, 1e-1]},
            },
            full={
                "dataset": "breast_cancer",
                "test_fraction": 0.3,
                "n_train": None,
                "n_components": 2,
                "beta_frac": 0.05,
                "cvx_solvers": ["clarabel", "scs", "al"],
                "solver_opts": {},
                "al_deltas": [1.0, 10.0, 100.0, 1000.0, 10000.0],
                "al_max_iter": 20000,
                "fista_max_iter": 10000,
                "seeds": 20,
                "width": 50,
                "steps": 20000,
                "batch_size": 10,
                "n_trace": 100,
                "lrs": {"sgd": [1e-4, 1e-3, 1e-2], "adam": [1e-3, 1e-2, 1e-1]},
            },
        ),
        Experiment(
            name="rank",
            description="E6: number of activation patterns vs n for rank-r data in dimension d",
            quick={"ranks": [1, 2, 3], "dims": [10, 50], "n_grid": [10, 20, 40, 80, 160]},
            full={"ranks": [1, 2, 3], "dims": [10, 50], "n_grid": [10, 20, 40, 80, 160, 320]},
        ),
        Experiment(
            name="activations",
            description=(
                "E7: E1+E2 for leaky ReLU (kappa=0.1) and absolute value: exact convex optimum "
                "over all patterns vs GD/SGD/Adam on the same activation; certificates"
            ),
            quick={
                **_PLANTED,
                "activations": _ACTIVATIONS,
                "seeds": 4,
                "steps": 8000,
                "compare_steps": 3000,
                "batch_size": 5,
                "n_trace": 60,
                "width_multipliers": [1],
                "extra_widths": [50],
                "lrs": _E1_LRS,
                "perturb_scale": 0.9,
                "sphere_samples": 200_000,
            },
            full={
                **_PLANTED,
                "activations": _ACTIVATIONS,
                "seeds": 20,
                "steps": 20000,
                "compare_steps": 3000,
                "batch_size": 5,
                "n_trace": 100,
                "width_multipliers": [1, 2],
                "extra_widths": [50],
                "lrs": _E1_LRS,
                "perturb_scale": 0.9,
                "sphere_samples": 2_000_000,
            },
        ),
        Experiment(
            name="cifar",
            gpu=True,
            schema={
                "dataset": {"type": "string", "enum": ["digits", "cifar10", "standin"]},
                "data_dir": {"type": ["string", "null"]},
                "n_train": {"type": ["integer", "null"], "minimum": 1},
                "n_test": {"type": ["integer", "null"], "minimum": 1},
            },
            description=(
                "CIFAR-10 (full; quick: scikit-learn digits as a real-data proxy): convex "
                "(random / conv gates) vs SGD over learning rates (GPU at full scale)"
            ),
            quick={
                "dataset": "digits",
                "data_dir": None,
                "test_fraction": 0.2,
                "standin_per_batch": 20,
                "standin_test": 50,
                "n_train": None,
                "n_test": None,
                "seeds": 5,
                "n_gates": 64,
                "width": 64,
                "gates": ["dense", "patch"],
                "sgd_lrs": [1e-2, 5e-3, 1e-3],
                "convex_lrs": [1e-3, 5e-4],
                "beta": 1e-3,
                "rho": 1e-2,
                "epochs": 12,
                "batch": 100,
            },
            full={
                "dataset": "cifar10",
                "data_dir": None,
                "test_fraction": 0.2,
                "standin_per_batch": 40,
                "standin_test": 50,
                "n_train": None,
                "n_test": None,
                "seeds": 5,
                "n_gates": 4096,
                "width": 4096,
                "gates": ["dense", "patch"],
                "sgd_lrs": [1e-2, 5e-3, 1e-3],
                "convex_lrs": [1e-6, 5e-7],
                "beta": 1e-3,
                "rho": 1e-2,
                "epochs": 20,
                "batch": 1000,
            },
        ),
    ),
    figures=(
        Figure(
            "equivalence",
            ("equivalence",),
            "Exact equivalence on n=20 planted data (all patterns enumerated): relative gap of "
            "every GD/SGD/Adam run (seeds x learning rates x widths) to the convex optimum over "
            "iterations (symlog; 0 = optimum, negative would be below it), and the final values "
            "with the network mapped from the convex solution (star).",
        ),
        Figure(
            "certificate",
            ("equivalence",),
            "Dual certificate: the dual constraint value of every pattern at the optimal residual "
            "(<= beta, with equality on the active ones) and at a scaled (feasible, non-optimal) "
            "solution; C1 residual, duality gap and C2 violation at both.",
        ),
        Figure(
            "subsampling",
            ("subsampling",),
            "Pattern subsampling: optimal value with the patterns of m Gaussian gates relative to "
            "the exact optimum (median and IQR over seeds), ReLU and gated; low-rank scheme "
            "(patterns of X_k) against sigma_{k+1}/beta with the recalled, unverified ratio bound.",
        ),
        Figure(
            "stationary",
            ("stationary",),
            "Stationary points: the gap between a GD network's objective and the optimum of the "
            "convex program on its own patterns shrinks with the gradient norm; p_sub >= p* with "
            "equality exactly where the dual constraint C2 holds over all patterns.",
        ),
        Figure(
            "sensitivity",
            ("sensitivity",),
            "Hyperparameter (in)sensitivity on breast_cancer (2 principal components + bias, exact "
            "optimum by column generation): SGD/Adam over learning rates vs convex solvers; test "
            "accuracy of the mapped convex network and of the non-convex runs.",
        ),
        Figure(
            "rank",
            ("rank",),
            "Complexity for bounded rank: the number of activation patterns (= blocks of the "
            "convex program) of rank-r data against n, enumerated exactly, for two ambient "
            "dimensions d, with Cover's count and the bound 2r(e(n-1)/r)^r; and the local "
            "log-log slope, polynomial of degree r-1 for every d.",
        ),
        Figure(
            "activations",
            ("activations",),
            "Other activations (leaky ReLU, kappa=0.1; absolute value) on n=20 planted data, all "
            "patterns enumerated: final relative gap of every GD/SGD/Adam run to the exact convex "
            "optimum of the same activation (symlog; negative would be below it), the best run's "
            "gap over iterations, and the dual constraint of every pattern at the optimum and at "
            "a scaled non-optimal solution.",
        ),
        Figure(
            "cifar",
            ("cifar",),
            "CIFAR-10 at full scale; at quick scale scikit-learn's 8x8 digits as a real-data proxy "
            "(the panel titles name the data): test and train accuracy and training objective "
            "against time (mean over seeds) for SGD over learning rates and the convex model "
            "with random and convolutional (3x3 patch) gates; final test accuracy per seed.",
        ),
    ),
)

"""Declaration of adaptive_inference: experiments with their parameters, figures with their
captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

# Quick: 3-fold cross-fitting x 2 repeats (the brief: 5-fold x 5) to fit the CPU budget.
_TRAIN_QUICK = {
    "folds": 3,
    "repeats": 2,
    "epochs": 10,
    "batch": 128,
    "lr": 0.01,
    "weight_decay": 1e-4,
    "n_thresholds": 41,
}
_TRAIN_FULL = {**_TRAIN_QUICK, "folds": 5, "repeats": 20, "epochs": 40, "n_thresholds": 101}
_WIDTHS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
_ABLATION = {"widths": _WIDTHS, "sizes": [2, 3, 5, 7, 11]}
_POSITIVE = {"minimum": 1}
_RANDOM = {
    "kinds": ["nested", "correlated", "independent", "anti", "disjoint"],
    "draws": 40,
    "n_states": 6,
    "n_inputs": 400,
    "acc_low": 0.1,
    "acc_high": 0.9,
    "cost_range": 1000.0,
    "rho": 0.5,
}

# CNN families (the brief's full scale): quick = tiny stand-ins within the CPU budget.
_CNN_QUICK = {**_TRAIN_QUICK, "epochs": 6, "lr": 0.03, "depth": 2}
_CNN_FULL = {**_TRAIN_FULL, "lr": 0.01, "epochs": 60, "depth": 3}
_DIGITS_CNN = {
    "width": ({"widths": [1, 2, 4, 8]}, {"widths": [1, 2, 4, 8, 16, 32, 64, 128]}),
    "early_exit": ({"channels": 8, "depth": 3}, {"channels": 64, "depth": 4}),
    "resolution": ({"channels": 8, "sizes": [2, 4, 8]}, {"channels": 64, "sizes": [2, 4, 8]}),
}
_SHAPES_QUICK = {"n_samples": 1000, "image_size": 16, "noise": 0.3}
_SHAPES_FULL = {"n_samples": 20000, "image_size": 32, "noise": 0.3}
_SHAPES_CNN = {
    "width": ({"widths": [1, 2, 4, 8]}, {"widths": [1, 2, 4, 8, 16, 32, 64, 128]}),
    "early_exit": ({"channels": 8, "depth": 3}, {"channels": 64, "depth": 5}),
    "resolution": (
        {"channels": 8, "sizes": [4, 8, 16]},
        {"channels": 64, "sizes": [2, 4, 8, 16, 32]},
    ),
}
_CNN_WHAT = {
    "width": "CNNs (conv layers of c channels, c = 1, 2, 4, ...; max-pool, global "
    "average pool, linear head)",
    "early_exit": "one CNN with an exit head (global average pool, linear) after each conv "
    "layer, trained on the sum of the exit losses",
    "resolution": "the image average-pooled to k x k, each fed to its own CNN",
}


_CNN_NAMES = tuple(
    f"{data}_cnn_{family}" for data in ("digits", "shapes") for family in _DIGITS_CNN
)


def _cnn_experiments(dataset: str, what: str, families, quick, full) -> tuple:
    return tuple(
        Experiment(
            f"{dataset}_cnn_{family}",
            quick={**_CNN_QUICK, **quick, **q},
            full={**_CNN_FULL, **full, **f},
            description=f"CNN {family.replace('_', '-')} family on {what}: "
            + _CNN_WHAT[family]
            + " (k-fold cross-fitting; brief's full scale, quick = tiny stand-in)",
            gpu=True,
            schema={"repeats": _POSITIVE, "epochs": _POSITIVE},
        )
        for family, (q, f) in families.items()
    )


PAPER = Paper(
    slug="adaptive_inference",
    title="Adaptive Inference: Theoretical Limits and Unexplored Opportunities",
    arxiv="2402.04359",
    experiments=(
        Experiment(
            "digits_width",
            quick={**_TRAIN_QUICK, **_ABLATION, "granularity_states": 6},
            full={**_TRAIN_FULL, **_ABLATION, "granularity_states": 6},
            description="F1 on scikit-learn digits: one-hidden-layer MLPs of widths 1..1024 "
            "(k-fold cross-fitting, out-of-fold correctness), oracle and approximate gains, "
            "confidence cascade, chance control, size/range/granularity ablations",
            gpu=True,
            schema={
                "repeats": _POSITIVE,
                "epochs": _POSITIVE,
                "granularity_states": {"type": "integer", "minimum": 0},
            },
        ),
        Experiment(
            "synthetic_width",
            quick={
                **_TRAIN_QUICK,
                **_ABLATION,
                "granularity_states": 0,
                "n_samples": 2000,
            },
            full={**_TRAIN_FULL, **_ABLATION, "granularity_states": 6, "n_samples": 20000},
            description="F1 on make_classification (20 features, 10 informative, 10 classes, "
            "2 clusters per class, 5% flipped labels)",
            gpu=True,
            schema={"n_samples": {"type": "integer", "minimum": 50}},
        ),
        Experiment(
            "digits_resolution",
            quick={**_TRAIN_QUICK, "batch": 256, "sizes": [2, 4, 8], "width": 32},
            full={**_TRAIN_FULL, "sizes": [2, 4, 8], "width": 32},
            description="F2 on digits: average-pooled 2x2/4x4/8x8 inputs, linear softmax and "
            "MLP (width 32) classifiers",
            gpu=True,
        ),
        Experiment(
            "digits_early_exit",
            quick={**_TRAIN_QUICK, "width": 128, "depth": 4},
            full={**_TRAIN_FULL, "width": 128, "depth": 4},
            description="F3 on digits: a 4-hidden-layer MLP (width 128) with a linear exit "
            "after each layer, trained on the sum of the exit losses",
            gpu=True,
        ),
        Experiment(
            "random_matrices",
            quick=_RANDOM,
            full={**_RANDOM, "draws": 1000, "n_inputs": 2000},
            description="Exact iso gain vs the nested (lower), union (upper) and independent "
            "approximations on random and adversarial non-nested correctness matrices",
            schema={"draws": _POSITIVE, "n_states": {"type": "integer", "minimum": 2}},
        ),
        Experiment(
            "published",
            quick={"table": ""},
            full={"table": ""},
            description="Approximate bounds on published accuracy/cost tables (EfficientNet, "
            "ResNet, LLaMA on HellaSwag); table: a CSV path, empty for the packaged one",
        ),
        *_cnn_experiments("digits", "scikit-learn digits (8x8)", _DIGITS_CNN, {}, {}),
        *_cnn_experiments(
            "shapes",
            "generated shapes and textures in noise (10 classes)",
            _SHAPES_CNN,
            _SHAPES_QUICK,
            _SHAPES_FULL,
        ),
    ),
    figures=(
        Figure(
            "correctness_matrix",
            ("digits_width",),
            "Digits, width family F1 (widths 1..1024): the out-of-fold correctness matrix of "
            "one repeat (inputs ordered by the oracle's state s*(x), white = correct) and the "
            "share of inputs first solved by each state (mean over repeats).",
        ),
        Figure(
            "frontier",
            ("digits_width", "synthetic_width", "digits_resolution", "digits_early_exit"),
            "Accuracy against cost (FLOPs per input, log scale) per family: the states, the "
            "exact iso-accuracy oracle frontier, the nested (lower-bound) and union "
            "(upper-bound) approximate frontiers from aggregate accuracies, and the "
            "softmax-confidence cascade under direct and sequential cost accounting.",
        ),
        Figure(
            "cnn_frontier",
            _CNN_NAMES,
            "CNN families (the brief's full scale; at quick scale tiny, undertrained "
            "stand-ins): accuracy against cost (FLOPs per input, log) for the width "
            "(channels), early-exit and resolution families on digits and on the generated "
            "shapes task, with the exact oracle frontier, the nested and union approximate "
            "frontiers and the confidence cascade (direct and sequential cost).",
        ),
        Figure(
            "exact_vs_approximate",
            (
                "random_matrices",
                "digits_width",
                "synthetic_width",
                "digits_resolution",
                "digits_early_exit",
                *_CNN_NAMES,
            ),
            "Exact iso gain G_iso(A_N) against the approximations from aggregate accuracies, "
            "on random and adversarial correctness matrices (left) and on the trained MLP "
            "and CNN families (right): nested <= exact <= union on every matrix.",
        ),
        Figure(
            "state_space",
            ("digits_width", "synthetic_width"),
            "State-space design on the width families: iso gain against the number of "
            "log-spaced states (both ends kept), against the cost range R_N/R_1 (dropping the "
            "smallest models; dashed: G = R_N/R_1), log- vs linearly spaced widths at N = 6, "
            "and the chance control (a zero-cost random-class state).",
        ),
        Figure(
            "published",
            ("published",),
            "Published-table mode: the nested (conservative) and union (optimistic) "
            "approximate gains for every target model of each family, and the nested gain "
            "against the number of states and the cost range.",
        ),
    ),
)

"""Declaration of pretrained_lasso: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

PAPER = Paper(
    slug="pretrained_lasso",
    title="Pretraining and the Lasso",
    arxiv="2401.12911",
    experiments=(
        Experiment(
            "stratified_gaussian",
            quick={
                "n_groups": 5,
                "n_per_group": 200,
                "p": 120,
                "sigmas": [10.0, 20.0, 30.0],
                "reps": 3,
                "nfolds": 5,
                "n_alpha": 11,
            },
            full={
                "n_groups": 5,
                "n_per_group": 200,
                "p": 120,
                "sigmas": [5.0, 10.0, 20.0, 30.0, 40.0],
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="Gaussian quick-start design: test error across alpha and noise levels",
        ),
        Experiment(
            "stage1_lambda",
            quick={
                "n_groups": 5,
                "n_per_group": 200,
                "p": 120,
                "sigma": 20.0,
                "reps": 3,
                "nfolds": 5,
                "n_alpha": 6,
            },
            full={
                "n_groups": 5,
                "n_per_group": 200,
                "p": 120,
                "sigma": 20.0,
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="Ablation: the overall model's lambda.1se (default) versus lambda.min",
        ),
        Experiment(
            "support_recovery",
            quick={
                "n_groups": 3,
                "p": 60,
                "n_common": 5,
                "n_individual": 3,
                "common": 1.0,
                "individual": 0.5,
                "sigma": 2.0,
                "n_per_group": [20, 40, 80, 160],
                "reps": 10,
                "nfolds": 5,
            },
            full={
                "n_groups": 3,
                "p": 60,
                "n_common": 5,
                "n_individual": 3,
                "common": 1.0,
                "individual": 0.5,
                "sigma": 2.0,
                "n_per_group": [20, 30, 40, 60, 80, 120, 160, 240],
                "reps": 200,
                "nfolds": 10,
            },
            description="Common-support recovery: pooled stage 1 versus individual majority vote",
        ),
        Experiment(
            "alpha_choice",
            quick={
                "n_groups": 3,
                "p": 60,
                "support_size": 8,
                "n_own_shared": 3,
                "sigma": 2.0,
                "n_per_group": 100,
                "reps": 6,
                "nfolds": 5,
                "n_alpha": 11,
            },
            full={
                "n_groups": 3,
                "p": 60,
                "support_size": 8,
                "n_own_shared": 3,
                "sigma": 2.0,
                "n_per_group": 100,
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="CV-chosen alpha with shared versus disjoint supports",
        ),
        Experiment(
            "binomial",
            quick={"n_per_group": 100, "p": 40, "reps": 3, "nfolds": 5, "n_alpha": 6},
            full={"n_per_group": 100, "p": 40, "reps": 100, "nfolds": 10, "n_alpha": 11},
            description="Binomial quick-start design: deviance, AUC, misclassification",
        ),
        Experiment(
            "cate",
            quick={"n_train": 300, "p": 20, "noise": 10.0, "reps": 6, "nfolds": 5, "n_alpha": 11},
            full={"n_train": 300, "p": 20, "noise": 10.0, "reps": 100, "nfolds": 10, "n_alpha": 11},
            description="Pretrained R-learner versus R-learner (shared and disjoint supports)",
        ),
        Experiment(
            "diabetes",
            quick={
                "splits": 6,
                "train_fraction": 0.5,
                "interactions": True,
                "nfolds": 5,
                "n_alpha": 11,
            },
            full={
                "splits": 100,
                "train_fraction": 0.5,
                "interactions": True,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="scikit-learn diabetes data grouped by sex",
        ),
        Experiment(
            "multiresponse",
            quick={
                "n_train": 650,
                "n_test": 350,
                "p": 500,
                "sigma": 2.0,
                "reps": 3,
                "nfolds": 3,
                "n_alpha": 6,
            },
            full={
                "n_train": 650,
                "n_test": 350,
                "p": 500,
                "sigma": 2.0,
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="Two Gaussian responses sharing features: mgaussian stage 1, "
            "per-response stage 2 (ptLasso multiresponse vignette)",
        ),
        Experiment(
            "multinomial_target",
            quick={
                "n_per_class": 100,
                "p": 50,
                "n_classes": 5,
                "reps": 6,
                "nfolds": 5,
                "n_alpha": 3,
                "nlambda": 50,
            },
            full={
                "n_per_class": 100,
                "p": 50,
                "n_classes": 5,
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
                "nlambda": 100,
            },
            description="Multinomial target: one-vs-rest lassos pretrained from a multinomial "
            "lasso (ptLasso targetGroups vignette)",
        ),
        Experiment(
            "boosting",
            quick={
                "n_groups": 3,
                "n_per_group": 200,
                "p": 100,
                "n_common": 10,
                "n_individual": 10,
                "sigma": 5.0,
                "n_trees": 200,
                "reps": 4,
                "nfolds": 5,
                "n_alpha": 6,
            },
            full={
                "n_groups": 3,
                "n_per_group": 600,
                "p": 500,
                "n_common": 50,
                "n_individual": 50,
                "sigma": 5.0,
                "n_trees": 200,
                "reps": 100,
                "nfolds": 10,
                "n_alpha": 11,
            },
            description="ptLasso on the leaves of depth-1 boosted trees (ptLasso nonlinear-"
            "bases vignette, grouped variant; scikit-learn stands in for xgboost)",
        ),
    ),
    figures=(
        Figure(
            "gaussian_error_vs_alpha",
            ("stratified_gaussian",),
            "Gaussian stratified design (K = 5, shared + individual supports): test MSE of "
            "the pretrained lasso at each fixed alpha (mean +- s.e. over repetitions) with "
            "the overall and individual models, per noise level; right: CV-chosen alpha.",
        ),
        Figure(
            "gaussian_per_group",
            ("stratified_gaussian",),
            "Per-group test MSE of the overall, individual and pretrained models at "
            "sigma = 20 (the overall model's error is U-shaped in the group index) and the "
            "sizes of the selected supports.",
        ),
        Figure(
            "stage1_lambda",
            ("stage1_lambda",),
            "Ablation on the Gaussian design at sigma = 20: the overall model's lambda at "
            "lambda.1se (ptLasso's default) versus lambda.min, with the same data and folds.",
        ),
        Figure(
            "support_recovery",
            ("support_recovery",),
            "Recovery of the common support: the pooled stage-1 lasso (ptLasso's S) versus "
            "the individual lassos' majority vote, against the group size.",
        ),
        Figure(
            "alpha_choice",
            ("alpha_choice",),
            "CV-chosen alpha when the groups share their support versus when the supports "
            "are disjoint, and the normalised CV curves.",
        ),
        Figure(
            "binomial",
            ("binomial",),
            "Binomial stratified design (K = 3, p = 40): test deviance, AUC and "
            "misclassification (mean +- s.e.).",
        ),
        Figure(
            "cate",
            ("cate",),
            "CATE: test MSE of tau(x) for the pretrained R-learner (alpha by CV) versus the "
            "R-learner, when tau shares the outcome's support and when it does not.",
        ),
        Figure(
            "diabetes",
            ("diabetes",),
            "scikit-learn diabetes data grouped by sex (main effects + pairwise products): "
            "test MSE over random 50/50 splits (bars from 0), paired differences from the "
            "pretrained model, and test MSE against alpha.",
        ),
        Figure(
            "multiresponse",
            ("multiresponse",),
            "Two Gaussian responses sharing features 1-5 (n = 650 training rows, p = 500): "
            "test MSE summed over the responses (mean +- s.e.; right: paired differences "
            "from the pretrained model) and the CV-chosen alpha.",
        ),
        Figure(
            "multinomial_target",
            ("multinomial_target",),
            "Multinomial target (5 classes, p = 50): test misclassification and deviance "
            "of the multinomial (overall), one-vs-rest (individual) and pretrained "
            "one-vs-rest models.",
        ),
        Figure(
            "boosting",
            ("boosting",),
            "Lasso on a boosting basis (leaf indicators of 200 depth-1 trees), 3 groups: "
            "test MSE of the overall, individual and pretrained lassos (mean +- s.e.) and "
            "paired differences from the pretrained model.",
        ),
    ),
)

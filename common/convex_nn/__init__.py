r"""Convex reformulations of two-layer ReLU networks: programs, solvers, certificates, maps.

The gated-ReLU (group Lasso) and ReLU (cone-constrained group Lasso) programs of
Pilanci & Ergen (ICML 2020) and Mishkin, Sahiner & Pilanci (ICML 2022), in paper scaling

.. math:: \tfrac12\Big\|\sum_i D_iX(u_i-v_i)-y\Big\|^2+\beta\sum_i(\|u_i\|+\|v_i\|),

with CVXPY reference solvers, fast solvers (R-FISTA + active-set Newton for the gated program,
a certified working-set method for the ReLU program; JAX augmented Lagrangian and ADMM as
first-order alternatives), dual certificates (brief §5), maps to and from networks (§4), a
torch trainer of non-convex networks (one or a batched ensemble) and scikit-learn estimators.
Patterns come from :mod:`common.arrangements`. Guide and measurements:
``common/convex_nn/README.md``. Used by convex_landscape (2312.12657), relaxation_gap
(2402.03625), lasso_mirrors (2403.01046), convex_diffusion (2402.01965) and riemannian_lora
(2402.02347).
"""

import lazy_loader

# Imported from their modules on first use: a caller of `solve_convex` does not pay for
# scikit-learn (the estimators) or torch (the non-convex trainer).
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "certificates": [
            "DualityGap",
            "active_neuron_residual",
            "certified_lower_bound",
            "cone_projection_norm",
            "constraint_violation",
            "dual_constraint_values",
            "duality_gap",
        ],
        "colgen": ["ColumnGenerationResult", "column_generation"],
        "estimators": [
            "ConvexReLUClassifier",
            "ConvexReLUClassifierCV",
            "ConvexReLURegressor",
            "ConvexReLURegressorCV",
        ],
        "formulations": ["Formulation"],
        "losses": ["Huber", "LOSSES", "Logistic", "Loss", "Squared"],
        "maps": [
            "balance_network",
            "network_objective",
            "network_predict",
            "network_to_convex",
            "patterns_of_network",
            "to_network",
        ],
        "nonconvex": [
            "EnsembleResult",
            "NonconvexResult",
            "network_forward",
            "train_ensemble",
            "train_nonconvex",
        ],
        "path": ["PathResult", "solve_path"],
        "problem": [
            "activation_coefficients",
            "beta_from_scnn",
            "convex_objective",
            "objective_from_scnn",
            "objective_to_scnn",
            "predict_convex",
            "scnn_lambda",
        ],
        "solve": ["ConvexResult", "solve_convex"],
        "solvers": ["SOLVERS", "Solver", "UnsupportedProblemError", "get_solver"],
    },
)

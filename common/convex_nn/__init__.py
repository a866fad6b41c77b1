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

from .certificates import (
    DualityGap,
    active_neuron_residual,
    certified_lower_bound,
    cone_projection_norm,
    constraint_violation,
    dual_constraint_values,
    duality_gap,
)
from .colgen import ColumnGenerationResult, column_generation
from .estimators import (
    ConvexReLUClassifier,
    ConvexReLUClassifierCV,
    ConvexReLURegressor,
    ConvexReLURegressorCV,
)
from .formulations import Formulation
from .losses import LOSSES, Huber, Logistic, Loss, Squared
from .maps import (
    balance_network,
    network_objective,
    network_predict,
    network_to_convex,
    patterns_of_network,
    to_network,
)
from .nonconvex import (
    EnsembleResult,
    NonconvexResult,
    network_forward,
    train_ensemble,
    train_nonconvex,
)
from .path import PathResult, solve_path
from .problem import (
    activation_coefficients,
    beta_from_scnn,
    convex_objective,
    objective_from_scnn,
    objective_to_scnn,
    predict_convex,
    scnn_lambda,
)
from .solve import ConvexResult, solve_convex
from .solvers import SOLVERS, Solver, UnsupportedProblemError, get_solver

__all__ = [
    "LOSSES",
    "SOLVERS",
    "ColumnGenerationResult",
    "ConvexReLUClassifier",
    "ConvexReLUClassifierCV",
    "ConvexReLURegressor",
    "ConvexReLURegressorCV",
    "ConvexResult",
    "DualityGap",
    "EnsembleResult",
    "Formulation",
    "Huber",
    "Logistic",
    "Loss",
    "NonconvexResult",
    "PathResult",
    "Solver",
    "Squared",
    "UnsupportedProblemError",
    "activation_coefficients",
    "active_neuron_residual",
    "balance_network",
    "beta_from_scnn",
    "certified_lower_bound",
    "column_generation",
    "cone_projection_norm",
    "constraint_violation",
    "convex_objective",
    "dual_constraint_values",
    "duality_gap",
    "get_solver",
    "network_forward",
    "network_objective",
    "network_predict",
    "network_to_convex",
    "objective_from_scnn",
    "objective_to_scnn",
    "patterns_of_network",
    "predict_convex",
    "scnn_lambda",
    "solve_convex",
    "solve_path",
    "to_network",
    "train_ensemble",
    "train_nonconvex",
]

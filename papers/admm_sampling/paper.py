"""Declaration of admm_sampling: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

METHODS = ["d_sgld", "d_ula", "d_sghmc", "d_admms", "admm"]
GRAPHS = ["complete", "cycle", "empty"]
RHOS = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
# (N, samples per agent, iterations) of the authors' result files
RESULT_SETTINGS = [
    [5, 50, 100],
    [20, 50, 100],
    [20, 200, 100],
    [5, 200, 30],
    [20, 10, 50],
    [100, 50, 50],
    [100, 200, 50],
]
# parameters shared by both scales (the scales differ in trials and sizes only)
LINEAR = {"graphs": GRAPHS, "methods": METHODS, "rho": 5.0, "floor_reps": 200, "data_seed": 10}
RHO_SWEEP = {
    "graphs": ["cycle", "complete"],
    "n_agents": [5, 20],
    "rhos": RHOS,
    "n_samples": 50,
    "n_iter": 50,
    "floor_reps": 200,
    "data_seed": 10,
}
CYCLE_20 = {
    "graph": "cycle",
    "n_agents": 20,
    "n_samples": 50,
    "rho": 5.0,
    "floor_reps": 200,
    "data_seed": 10,
}
INIT_ABLATION = {**CYCLE_20, "n_iter": 50, "n_starts": 9}
NEIGHBOUR_BUG = {**CYCLE_20, "n_iter": 100, "rhos": RHOS}
LOGISTIC = {"graphs": GRAPHS, "methods": METHODS, "n_samples": 50, "rho": 5.0, "data_seed": 10}

PAPER = Paper(
    slug="admm_sampling",
    title="Distributed MCMC sampling based on ADMM (D-ADMMS)",
    arxiv="2401.15838",
    experiments=(
        Experiment(
            "data_posterior",
            quick={"settings": [s[:2] for s in RESULT_SETTINGS], "data_seed": 10},
            full={"settings": [s[:2] for s in RESULT_SETTINGS], "data_seed": 10},
            description="S1: the released linear-regression data (legacy seed 10) and the "
            "exact pooled posterior per (N, samples per agent)",
        ),
        Experiment(
            "linear_w2",
            quick={**LINEAR, "settings": RESULT_SETTINGS[:5], "n_trials": 100},
            full={**LINEAR, "settings": RESULT_SETTINGS, "n_trials": 10_000},
            description="S2: Bayesian linear regression, W2 to the posterior of agent 0 and "
            "of the network average, Monte Carlo and exact recursion",
        ),
        Experiment(
            "rho_sweep",
            quick={**RHO_SWEEP, "n_trials": 100},
            full={**RHO_SWEEP, "n_trials": 10_000},
            description="S3: exact stationary W2 (variance bias) of D-ADMMS against rho, with "
            "the 50-iteration values of the authors' rho ablation",
        ),
        Experiment(
            "init_ablation",
            quick={**INIT_ABLATION, "n_trials": 100},
            full={**INIT_ABLATION, "n_trials": 10_000},
            description="S4: D-ADMMS from nine far initial distributions versus N(0, I)",
        ),
        Experiment(
            "logistic",
            quick={**LOGISTIC, "n_agents": [5, 20], "n_iter": [30, 20], "n_trials": 100},
            full={**LOGISTIC, "n_agents": [5, 20, 50], "n_iter": [30, 20, 20], "n_trials": 1000},
            description="S5/S7: Bayesian logistic regression, training accuracy and "
            "Gaussian-fit W2 to the quadrature posterior",
        ),
        Experiment(
            "neighbour_bug",
            quick={**NEIGHBOUR_BUG, "n_trials": 100},
            full={**NEIGHBOUR_BUG, "n_trials": 10_000},
            description="S6: ADMM and D-ADMMS with the true neighbours and with the released "
            "code's neighbour indices",
        ),
    ),
    figures=(
        Figure(
            "data_posterior",
            ("data_posterior",),
            "The released linear-regression data (legacy seed 10, d = 2): the true parameter "
            "and the exact pooled posterior (mean and 2-s.d. ellipse) per (N, samples per "
            "agent), and sqrt(tr Sigma), the W2 of a Dirac at the posterior mean.",
        ),
        Figure(
            "linear_w2_n20",
            ("linear_w2",),
            "Bayesian linear regression, N = 20 agents, 50 samples each, rho = 5: W2 to the "
            "posterior of agent 0 (top) and of the network average (bottom) on the complete, "
            "cycle and empty graphs. Solid: Monte Carlo (Gaussian fit over the trials); dashed: "
            "exact recursion; dotted: sqrt(tr Sigma) (ADMM's plateau); grey band: Monte-Carlo "
            "floor (mean +- s.d. of the W2 of a fit to exact posterior draws).",
        ),
        Figure(
            "linear_w2_n5",
            ("linear_w2",),
            "As the N = 20 figure for N = 5 agents, 50 samples each.",
        ),
        Figure(
            "rho_sweep",
            ("rho_sweep",),
            "D-ADMMS against the penalty rho: exact stationary W2 (lines; agent 0 and network "
            "average), exact W2 after the ablation's 50 iterations (dashed) and its Monte-Carlo "
            "value (markers), per graph and N; dotted: sqrt(tr Sigma).",
        ),
        Figure(
            "init_ablation",
            ("init_ablation",),
            "D-ADMMS on the cycle (N = 20, rho = 5) from nine far initial distributions "
            "N((-1, 2), A A^T), A = 10 U[0,1]^{2x2} (thin), versus the standard N(0, I) start "
            "(thick): Monte Carlo (solid) and exact (dashed) W2.",
        ),
        Figure(
            "logistic_accuracy",
            ("logistic",),
            "Bayesian logistic regression (d = 3, 50 samples per agent): training accuracy of "
            "agent 0's samples on all data, mean +- s.d. over trials, per N (rows) and graph "
            "(columns).",
        ),
        Figure(
            "neighbour_bug",
            ("neighbour_bug",),
            "Cycle, N = 20: ADMM and D-ADMMS with the true neighbours and with the released "
            "code's neighbour indices 0..d_i-1: exact W2 curves (left, rho = 5; markers Monte "
            "Carlo) and exact stationary W2 of D-ADMMS against rho (right).",
        ),
    ),
)

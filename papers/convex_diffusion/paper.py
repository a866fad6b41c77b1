"""Declaration of convex_diffusion: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

_PROGRAM = {
    "activations": ["relu", "abs"],
    "crit_margin": 1.05,
    "beta_max": 0.95,
    "bisect_iters": 14,
    "witness_k": [1, 10, 100, 1000, 10000],
}
_CASES = [
    {"name": "gaussian", "data": "five", "beta_over_crit": 2.0},
    {"name": "gaussian_laplace", "data": "five", "beta_over_crit": 2.0, "relu_only": True},
    {"name": "steep", "data": "five", "beta_over_crit": 1.1},
    {"name": "bimodal", "data": "bimodal12", "beta_over_crit": 3.0},
]

PAPER = Paper(
    slug="convex_diffusion",
    title=(
        "Analyzing Neural Network-Based Generative Diffusion Models through Convex Optimization"
    ),
    arxiv="2402.01965",
    experiments=(
        Experiment(
            name="sm_program",
            description=(
                "D1: univariate SM program against beta on five data sets: critical beta "
                "(closed form, recession LP, solver status, witness), regimes, Gaussian threshold "
                "by dual certificate and by solver sweep"
            ),
            quick={**_PROGRAM, "n_beta": 12, "n_grid": 801},
            full={**_PROGRAM, "n_beta": 40, "n_grid": 4001},
        ),
        Experiment(
            name="nonconvex",
            description="D2: Adam on the SM objective (seeds x widths x lrs) vs the convex value",
            quick={
                "datasets": ["linspace11", "bimodal12"],
                "beta_over_crit": [1.1, 2.0],
                "widths": [50, 200],
                "lrs": [1e-3, 1e-2],
                "seeds": 5,
                "steps": 1000,
            },
            full={
                "datasets": ["five", "linspace11", "symmetric", "bimodal12", "gauss50"],
                "beta_over_crit": [1.1, 1.5, 2.0, 4.0],
                "widths": [50, 200],
                "lrs": [1e-3, 3e-3, 1e-2],
                "seeds": 10,
                "steps": 20000,
            },
        ),
        Experiment(
            name="langevin",
            description="D3: plain Langevin with learned scores vs their implied densities",
            quick={
                "cases": _CASES,
                "steps": [1e-3, 1e-2],
                "burn_in": 30.0,
                "horizon": 5.0,
                "chains": 4000,
                "pad": 15.0,
                "n_grid": 6001,
                "bins": 40,
            },
            full={
                "cases": _CASES,
                "steps": [1e-3, 1e-2],
                "burn_in": 50.0,
                "horizon": 10.0,
                "chains": 10000,
                "pad": 20.0,
                "n_grid": 8001,
                "bins": 60,
            },
        ),
        Experiment(
            name="dsm",
            description="D4: DSM as a Lasso on noisy inputs vs Adam, against the true scores",
            quick={
                "n": 10,
                "mu": 0.5,
                "sd": 1.0,
                "K": 20,
                "sigmas": [0.1, 0.3],
                "betas": [1e-3, 1e-2, 0.1, 1.0],
                "lasso_min_beta": 0.1,
                "widths": [50, 200],
                "lr": 1e-2,
                "seeds": 3,
                "steps": 500,
                "n_grid": 601,
            },
            full={
                "n": 10,
                "mu": 0.5,
                "sd": 1.0,
                "K": 20,
                "sigmas": [0.1, 0.3],
                "betas": [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0],
                "lasso_min_beta": 0.1,
                "widths": [50, 200],
                "lr": 1e-2,
                "seeds": 10,
                "steps": 20000,
                "n_grid": 2001,
            },
        ),
        Experiment(
            name="multivariate",
            description="D5 (ours): gated nuclear-norm SM program on 2-D circle data, Langevin",
            quick={
                "n": 20,
                "n_gates": 20,
                "betas": [0.1, 0.3, 0.6, 1.0],
                "sample_beta": 0.6,
                "n_field": 15,
                "chains": 2000,
                "step": 1e-2,
                "n_steps": 500,
            },
            full={
                "n": 40,
                "n_gates": 60,
                "betas": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0],
                "sample_beta": 0.3,
                "n_field": 25,
                "chains": 10000,
                "step": 1e-3,
                "n_steps": 10000,
            },
        ),
    ),
    figures=(
        Figure(
            "sm_program",
            ("sm_program",),
            "Univariate SM program (ReLU, both atoms of each pair at every data point, linear "
            "atom): optimal value against beta with the affine (Gaussian) value, the critical "
            "beta 1/n (dotted) and the Gaussian threshold from the dual certificate (dashed); "
            "learned scores at four betas on the bimodal data; the witness objective falling "
            "without bound below the critical beta.",
        ),
        Figure(
            "nonconvex",
            ("nonconvex",),
            "Adam on the SM objective (ReLU networks, widths 50/200, learning rates, seeds) "
            "against the convex optimum and the affine value: final objective minus the convex "
            "optimum per beta (log scale; 0 would be optimal).",
        ),
        Figure(
            "langevin",
            ("langevin",),
            "Plain Langevin samples (two step sizes) from learned scores against the implied "
            "densities exp(int s): Gaussian regime (linear atom), its ReLU-only realisation "
            "(Gaussian-Laplace: constant score, exponential tail left of the data), steep atoms "
            "near the critical beta, bimodal data; log-density panels show the tails.",
        ),
        Figure(
            "dsm",
            ("dsm",),
            "DSM as a Lasso on 10 x 20 noisy inputs: convex scores and Adam-trained networks "
            "against the true scores of the data Gaussian and the noised Gaussian, for two "
            "noise levels and several betas; objective gap of every Adam run to the convex value.",
        ),
        Figure(
            "multivariate",
            ("multivariate",),
            "Our gated nuclear-norm SM program on 20 points of the unit circle: solver status "
            "against beta (unbounded below a critical value), the learned vector field and "
            "Langevin samples at the smallest beta sampled.",
        ),
    ),
)

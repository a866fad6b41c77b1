"""Declaration of accelerated_sgd: experiments with their parameters, figures with their captions.

Read by the workflow, the config schema, the command line and the gallery (see
:mod:`common.paper`); experiment ``E`` runs ``experiments.run_E``, figure ``F`` is drawn by
``figures.plot_F``, the claims are ``claims.CLAIMS``. Imports nothing heavy.
"""

from common.paper import Experiment, Figure, Paper

PAPER = Paper(
    slug="accelerated_sgd",
    title="Faster Convergence of Stochastic Accelerated Gradient Descent under Interpolation",
    arxiv="2404.02378",
    experiments=(
        Experiment(
            "falsification",
            quick={
                "dims": [100, 400, 1600],
                "steps_per_dim": 3,
                "n": 2000,
                "d": 100,
                "finite_steps": 4000,
                "seeds": 3,
            },
            full={
                "dims": [100, 400, 1600, 10000],
                "steps_per_dim": 4,
                "n": 2000,
                "d": 100,
                "finite_steps": 8000,
                "seeds": 20,
            },
            description="E1: SGD, v1 SAGD, corrected SAGD and the semi-stochastic scheme on "
            "population isotropic Gaussian LS (a) and finite-sum Gaussian LS (b), b = 1",
        ),
        Experiment(
            "semi_bound",
            quick={
                "n_gaussian": 2000,
                "d": 100,
                "n_spectral": 1000,
                "spectral_dims": [50, 200],
                "kappa": 100.0,
                "tol": 1e-6,
                "step_factor": 1.2,
                "seeds": 3,
            },
            full={
                "n_gaussian": 2000,
                "d": 100,
                "n_spectral": 1000,
                "spectral_dims": [50, 200],
                "kappa": 100.0,
                "tol": 1e-6,
                "step_factor": 1.2,
                "seeds": 20,
            },
            description="E2: the semi-stochastic scheme against R3's bound (seed mean)",
        ),
        Experiment(
            "acceleration",
            quick={
                "kappas": [10, 100, 1000, 10000],
                "stochastic_kappas": [10, 100],
                "n": 1000,
                "d": 50,
                "batch": 500,
                "instances": 2,
                "seeds": 2,
                "tol": 1e-6,
                "step_factor": 1.0,
            },
            full={
                "kappas": [10, 100, 1000, 10000],
                "stochastic_kappas": [10, 100, 1000, 10000],
                "n": 1000,
                "d": 50,
                "batch": 500,
                "instances": 5,
                "seeds": 5,
                "tol": 1e-6,
                "step_factor": 1.0,
            },
            description="E3: iterations to 1e-6 of GD/AGD (exact) and SGD/corrected SAGD "
            "(b = 500) against kappa",
        ),
        Experiment(
            "rho_dependence",
            quick={
                "kappa": 10.0,
                "n": 1000,
                "d": 50,
                "batches": [1000, 500, 100, 10, 1],
                "seeds": 3,
                "tol": 1e-6,
                "step_factor": 1.0,
            },
            full={
                "kappa": 100.0,
                "n": 1000,
                "d": 50,
                "batches": [1000, 500, 100, 10, 1],
                "seeds": 10,
                "tol": 1e-6,
                "step_factor": 1.0,
            },
            description="E4: iterations to 1e-6 against the exact rho_b of the minibatch",
        ),
        Experiment(
            "convex",
            quick={
                "n": 50,
                "d": 200,
                "min_eigenvalue": 1e-6,
                "n_steps": 10000,
                "batch": 10,
                "seeds": 3,
            },
            full={
                "n": 50,
                "d": 200,
                "min_eigenvalue": 1e-6,
                "n_steps": 100000,
                "batch": 10,
                "seeds": 10,
            },
            description="E5: convex (rank-deficient) least squares, f - f* against k",
        ),
    ),
    figures=(
        Figure(
            "falsification",
            ("falsification",),
            "E1 (a): population isotropic Gaussian least squares (rho = d + 2, kappa = 1, "
            "b = 1): relative suboptimality of every seed of SGD, v1-parameter SAGD "
            "(momentum form), corrected SAGD (c = rho) and the semi-stochastic scheme, with "
            "the v1 bound 2(1 - 1/sqrt(d+2))^k and the span lower bound 1 - k/d for methods "
            "using sampled gradients only.",
        ),
        Figure(
            "falsification_finite_sum",
            ("falsification",),
            "E1 (b): finite-sum Gaussian least squares (n = 2000, d = 100, b = 1): every "
            "seed of SGD (eta = 1/(rho L) and 1/L_max), v1 SAGD, corrected SAGD and the "
            "semi-stochastic scheme, with the v1 bound (R3) and R2's bound for SGD at 1/L_max.",
        ),
        Figure(
            "semi_bound",
            ("semi_bound",),
            "E2: the semi-stochastic scheme (true gradient in the estimating sequence, v1 "
            "coupling, b = 1): seed mean and every seed of the relative suboptimality against "
            "R3's right-hand side.",
        ),
        Figure(
            "acceleration",
            ("acceleration",),
            "E3: iterations to 1e-6 relative suboptimality against kappa (left) and the "
            "speed-ups GD/AGD and SGD/corrected SAGD (b = 500) with a sqrt(kappa) guide and "
            "the fitted log-log slope (right).",
        ),
        Figure(
            "rho_dependence",
            ("rho_dependence",),
            "E4: iterations to 1e-6 against the exact strong-growth constant rho_b of the "
            "minibatch, with the theory curves rho kappa, rho sqrt(kappa) and sqrt(rho "
            "kappa) (times log(1/eps)); missing markers did not converge.",
        ),
        Figure(
            "convex",
            ("convex",),
            "E5: consistent rank-deficient least squares (n = 50 < d = 200): f - f* against k "
            "on log-log axes, with R4's bound for the semi-stochastic scheme and k^-1, k^-2 "
            "guides.",
        ),
    ),
)

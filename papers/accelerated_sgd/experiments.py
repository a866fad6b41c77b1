"""Experiments E1-E5 of the brief: pure compute, every random draw from ``ctx``.

Each ``run_<name>(params, ctx)`` returns arrays (trajectories ``f(w_k) - f*`` with shape
``(method, seed, k)``, the theory curves, iteration counts) and scalars. Iteration counts
are ``inf`` where a run did not reach the tolerance within its steps. Step budgets come
from the theory: each run gets the number of steps its (claimed or proved) bound needs to
reach the tolerance, times ``step_factor``.
"""

from __future__ import annotations

import math

import numpy as np

from papers.accelerated_sgd.agd import Parameters, parameters, run
from papers.accelerated_sgd.problems import (
    LeastSquares,
    least_squares,
    population_least_squares,
    spectral_design,
)
from papers.accelerated_sgd.rates import iterations_to

#: The fully stochastic methods of E1 and their labels, in the order stored.
E1_METHODS = ("sgd", "sagd_v1", "sagd_corrected", "semi_stochastic")


def _seeds(ctx, n: int, *names) -> list[int]:
    return [ctx.derive(*names, "seed", i) for i in range(n)]


def _steps(rate: float, constant: float, tol: float, factor: float) -> int:
    """Steps for ``constant * (1 - rate)^k <= tol``, times ``factor``."""
    return max(1, math.ceil(factor * math.log(constant / tol) / -math.log1p(-rate)))


def _gaussian_problem(ctx, n: int, d: int, *names) -> LeastSquares:
    rng = ctx.rng(*names, "design")
    X = rng.standard_normal((n, d))
    return least_squares(X, X @ rng.standard_normal(d))


def _spectral_problem(ctx, n: int, d: int, kappa: float, *names) -> LeastSquares:
    spectrum = np.logspace(-math.log10(kappa), 0.0, d)
    return least_squares(*spectral_design(n, spectrum, ctx.rng(*names, "design")))


def _e1_runs(problem: LeastSquares, n_steps: int, seeds: list[int], batch) -> dict:
    """SGD, v1 SAGD (momentum form), corrected SAGD and the semi-stochastic scheme."""
    rho = problem.rho(batch)
    v1 = parameters(problem.mu, problem.L, rho, "v1")
    corrected = parameters(problem.mu, problem.L, rho, "corrected")
    runs = {
        "sgd": run(problem, "sgd", n_steps, batch, v1, seeds),
        "sagd_v1": run(problem, "sagd", n_steps, batch, v1, seeds),
        "sagd_corrected": run(problem, "sagd_general", n_steps, batch, corrected, seeds),
        "semi_stochastic": run(problem, "sagd_general", n_steps, batch, v1, seeds, "full"),
    }
    return {"runs": runs, "v1": v1, "corrected": corrected}


def _stack(runs: dict, names) -> tuple[np.ndarray, np.ndarray]:
    gap = np.stack([runs[m].gap for m in names])
    rho = np.stack([runs[m].rho_empirical for m in names])
    return gap, rho


def _relative_bound(problem: LeastSquares, params: Parameters, n_steps: int) -> np.ndarray:
    """R3/R4's right-hand side over ``f(w_0) - f*`` for ``w_0 = 0``."""
    gap0 = problem.gap(np.zeros((1, problem.d)))[0]
    return params.bound(gap0, problem.w_star @ problem.w_star, n_steps) / gap0


def run_falsification(params, ctx) -> dict:
    """E1: (a) population isotropic Gaussian LS over ``dims``; (b) finite-sum Gaussian LS.

    Trajectories are relative, ``(f(w_k) - f*) / (f(w_0) - f*)``."""
    seeds = _seeds(ctx, params["seeds"], "falsification")
    out: dict = {"dims": np.array(params["dims"]), "methods": np.array(E1_METHODS)}
    for d in params["dims"]:
        problem = population_least_squares(d, ctx.derive("population", d))
        n_steps = params["steps_per_dim"] * d
        res = _e1_runs(problem, n_steps, seeds, 1)
        gap, out[f"a_rho_empirical_{d}"] = _stack(res["runs"], E1_METHODS)
        out[f"a_gap_{d}"] = gap / gap[..., :1]
        out[f"a_v1_bound_{d}"] = _relative_bound(problem, res["v1"], n_steps)
    problem = _gaussian_problem(ctx, params["n"], params["d"], "finite")
    n_steps = params["finite_steps"]
    res = _e1_runs(problem, n_steps, seeds, 1)
    step = parameters(problem.mu, problem.L, 1.0, "deterministic", eta=1 / problem.L_max)
    res["runs"]["sgd_lmax"] = run(problem, "sgd", n_steps, 1, step, seeds)
    names = (*E1_METHODS, "sgd_lmax")
    gap, rho_emp = _stack(res["runs"], names)
    out.update(
        b_methods=np.array(names),
        b_gap=gap / gap[..., :1],
        b_rho_empirical=rho_emp,
        b_v1_bound=_relative_bound(problem, res["v1"], n_steps),
        b_sgd_lmax_bound=problem.kappa * (1 - problem.mu / problem.L_max) ** np.arange(n_steps + 1),
        b_rho=problem.rho1,
        b_mu=problem.mu,
        b_L=problem.L,
        b_L_max=problem.L_max,
    )
    return out


def run_semi_bound(params, ctx) -> dict:
    """E2: the semi-stochastic scheme (v1 coupling, true gradient in v, b = 1) against
    R3's right-hand side on the E1(b) design and on log-spaced spectra."""
    seeds = _seeds(ctx, params["seeds"], "semi_bound")
    problems = {"gaussian": _gaussian_problem(ctx, params["n_gaussian"], params["d"], "gaussian")}
    for d in params["spectral_dims"]:
        problems[f"spectral_{d}"] = _spectral_problem(
            ctx, params["n_spectral"], d, params["kappa"], "spectral", d
        )
    out: dict = {"problems": np.array(list(problems))}
    for name, problem in problems.items():
        v1 = parameters(problem.mu, problem.L, problem.rho1, "v1")
        n_steps = _steps(v1.alpha0, 2.0, params["tol"], params["step_factor"])
        gap = run(problem, "sagd_general", n_steps, 1, v1, seeds, "full").gap
        bound = _relative_bound(problem, v1, n_steps)
        out[f"gap_{name}"] = gap / gap[:, :1]
        out[f"bound_{name}"] = bound
        out[f"iterations_{name}"] = iterations_to(gap.mean(axis=0), params["tol"])
        out[f"bound_iterations_{name}"] = iterations_to(bound, params["tol"])
        out[f"rho_{name}"], out[f"kappa_{name}"] = problem.rho1, problem.kappa
    return out


def _to_tol(problem, method, params: Parameters, rate, batch, seeds, p) -> np.ndarray:
    """Iterations to ``p["tol"]`` (relative) of ``method``, per seed; the run gets the
    steps its bound ``kappa (1 - rate)^k`` needs, times ``p["step_factor"]``."""
    n_steps = _steps(rate, 2 * problem.kappa, p["tol"], p["step_factor"])
    return iterations_to(run(problem, method, n_steps, batch, params, seeds).gap, p["tol"])


def run_acceleration(params, ctx) -> dict:
    """E3: iterations to ``tol`` of GD / AGD (exact gradients) and of SGD / corrected SAGD
    (minibatch ``batch``) as kappa grows (log-spaced spectrum on [1/kappa, 1])."""
    kappas, stoch = params["kappas"], params["stochastic_kappas"]
    n_inst, n_seeds, b = params["instances"], params["seeds"], params["batch"]
    det = np.full((2, n_inst, len(kappas)), np.inf)  # gd, agd
    sto = np.full((2, n_inst, len(stoch), n_seeds), np.inf)  # sgd, corrected sagd
    rho_b = np.full((n_inst, len(stoch)), np.nan)
    for i in range(n_inst):
        for j, kappa in enumerate(kappas):
            problem = _spectral_problem(ctx, params["n"], params["d"], kappa, "acc", i, j)
            p = parameters(problem.mu, problem.L, 1.0, "deterministic")
            det[0, i, j] = _to_tol(problem, "sgd", p, 2 / (kappa + 1), None, 0, params)
            det[1, i, j] = _to_tol(problem, "agd", p, p.alpha0, None, 0, params)
            if kappa not in stoch:
                continue
            s = stoch.index(kappa)
            seeds = _seeds(ctx, n_seeds, "acc", i, j)
            rho = rho_b[i, s] = problem.rho(b)
            sgd = parameters(problem.mu, problem.L, rho, "v1")
            corr = parameters(problem.mu, problem.L, rho, "corrected")
            sto[0, i, s] = _to_tol(problem, "sgd", sgd, 2 / (rho * (kappa + 1)), b, seeds, params)
            sto[1, i, s] = _to_tol(problem, "sagd_general", corr, corr.alpha0, b, seeds, params)
    return {
        "kappas": np.array(kappas, dtype=float),
        "stochastic_kappas": np.array(stoch, dtype=float),
        "deterministic_iterations": det,
        "stochastic_iterations": sto,
        "rho_batch": rho_b,
    }


def run_rho_dependence(params, ctx) -> dict:
    """E4: iterations to ``tol`` against the minibatch's exact rho_b (``batch = n`` means
    the exact gradient, rho = 1) for SGD, corrected SAGD, v1 SAGD and the semi-stochastic
    scheme, on one log-spaced problem with condition number ``kappa``."""
    problem = _spectral_problem(ctx, params["n"], params["d"], params["kappa"], "rho")
    batches = params["batches"]
    names = ("sgd", "sagd_corrected", "sagd_v1", "semi_stochastic")
    iters = np.full((len(names), len(batches), params["seeds"]), np.inf)
    rho_b, rho_emp = np.empty(len(batches)), np.full((len(names), len(batches)), np.nan)
    for j, b in enumerate(batches):
        batch = None if b >= params["n"] else b
        rho = rho_b[j] = problem.rho(batch)
        v1 = parameters(problem.mu, problem.L, rho, "v1")
        corr = parameters(problem.mu, problem.L, rho, "corrected")
        n_steps = _steps(2 / (rho * (problem.kappa + 1)), 2 * problem.kappa, params["tol"], 1.0)
        n_steps = math.ceil(params["step_factor"] * n_steps)
        seeds = _seeds(ctx, params["seeds"], "rho", b)
        runs = (
            run(problem, "sgd", n_steps, batch, v1, seeds),
            run(problem, "sagd_general", n_steps, batch, corr, seeds),
            run(problem, "sagd", n_steps, batch, v1, seeds),
            run(problem, "sagd_general", n_steps, batch, v1, seeds, "full"),
        )
        for m, r in enumerate(runs):
            iters[m, j] = iterations_to(r.gap, params["tol"])
            rho_emp[m, j] = np.nanmean(r.rho_empirical)
    return {
        "methods": np.array(names),
        "batches": np.array(batches),
        "rho_batch": rho_b,
        "rho_empirical": rho_emp,
        "iterations": iters,
        "kappa": problem.kappa,
        "rho1": problem.rho1,
        "L_max_over_mu": problem.L_max / problem.mu,
    }


def run_convex(params, ctx) -> dict:
    """E5: consistent rank-deficient least squares (``n < d``, log-spaced nonzero spectrum
    on [``min_eigenvalue``, 1]): GD and AGD (exact gradients), SGD (b = 1, eta = 1/L_max),
    corrected SAGD and the semi-stochastic scheme (v1 coupling, convex start) with minibatch
    ``batch``, and R4's bound for the latter."""
    n, d, n_steps = params["n"], params["d"], params["n_steps"]
    spectrum = np.logspace(math.log10(params["min_eigenvalue"]), 0.0, n)
    problem = least_squares(*spectral_design(n, spectrum, ctx.rng("convex", "design"), d=d))
    seeds = _seeds(ctx, params["seeds"], "convex")
    b = params["batch"]
    rho = problem.rho(b)
    det = parameters(0.0, problem.L, 1.0, "deterministic")
    lmax = parameters(0.0, problem.L, 1.0, "deterministic", eta=1 / problem.L_max)
    v1 = parameters(0.0, problem.L, rho, "v1")
    corrected = parameters(0.0, problem.L, rho, "corrected")
    runs = (
        run(problem, "sgd", n_steps, None, det, 0).gap[None],
        run(problem, "agd", n_steps, None, det, 0).gap[None],
        run(problem, "sgd", n_steps, 1, lmax, seeds).gap,
        run(problem, "sagd_general", n_steps, b, corrected, seeds).gap,
        run(problem, "sagd_general", n_steps, b, v1, seeds, "full").gap,
    )
    gap0 = runs[0][0, 0]
    return {
        "methods": np.array(["gd", "agd", "sgd_lmax", "sagd_corrected", "semi_stochastic"]),
        "mean_gap": np.stack([g.mean(axis=0) for g in runs]) / gap0,
        "seed_gap": np.stack(runs[2:]) / gap0,
        "r4_bound": v1.bound(gap0, problem.w_star @ problem.w_star, n_steps) / gap0,
        "rho_batch": rho,
        "rho1": problem.rho1,
        "L_max": problem.L_max,
    }

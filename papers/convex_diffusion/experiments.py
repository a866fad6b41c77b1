"""Experiments (pure compute): ``run_<name>(params, ctx) -> dict`` of arrays and scalars.

D1 ``sm_program``: the univariate SM program against beta on five data sets (critical beta,
witness, regimes, Gaussian threshold by certificate and by sweep). D2 ``nonconvex``: Adam on
the SM objective against the convex value. D3 ``langevin``: samples from learned scores against
their implied densities. D4 ``dsm``: DSM as a Lasso on noisy inputs against Adam and the true
scores. D5 ``multivariate``: the gated nuclear-norm SM program on a circle (ours).
"""

from __future__ import annotations

import warnings

import numpy as np

from common.lasso import ConvergenceWarning, lasso_path
from papers.convex_diffusion.langevin import affine_stationary_variance, langevin_sample
from papers.convex_diffusion.multivariate import fit_gated_sm, sample_gates
from papers.convex_diffusion.score import (
    affine_objective,
    critical_beta,
    dsm_problem,
    fit_score,
    gaussian_threshold,
    recession_beta,
    sm_status,
)
from papers.convex_diffusion.training import init_networks, network_objective, train_networks

#: a fitted score's values differ from the affine optimum's by more than this: not affine
AFFINE_ATOL = 1e-6


def datasets(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The brief's D1 data sets (sorted)."""
    bimodal = np.concatenate([rng.normal(-2.0, 0.3, 6), rng.normal(2.0, 0.3, 6)])
    return {
        "five": np.arange(-2.0, 3.0),
        "linspace11": np.linspace(-1.0, 1.0, 11),
        "symmetric": np.array([-3.0, -2.5, -2.0, 2.0, 2.5, 3.0]),
        "bimodal12": np.sort(bimodal),
        "gauss50": np.sort(rng.standard_normal(50)),
    }


def is_affine(x: np.ndarray, beta: float, model) -> bool:
    """The fitted values on the data equal the affine (Gaussian) optimum's."""
    _, v, c = affine_objective(x, beta)
    return bool(np.max(np.abs(model.score(x) - (v * x + c))) <= AFFINE_ATOL)


def numeric_kinks(model, grid: np.ndarray) -> np.ndarray:
    """Breakpoints found from the score on ``grid`` alone: midpoints of the grid cells around
    which the second difference is not zero (relative 1e-7)."""
    s = model.score(grid)
    d2 = np.abs(np.diff(s, 2))
    scale = 1e-7 * max(1.0, float(np.abs(np.diff(s)).max()))
    return grid[1:-1][d2 > scale]


def _sweep_threshold(x, activation, lo, hi, iters) -> float:
    """Bisection on 'the solver's optimum is affine' between ``lo`` (not) and ``hi`` (is)."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if is_affine(x, mid, fit_score(x, mid, activation)):
            hi = mid
        else:
            lo = mid
    return hi


def _witness(x: np.ndarray, beta: float, ks: np.ndarray) -> np.ndarray:
    """SM objective of one balanced neuron ``-sqrt(K) relu(sqrt(K) (x - x_max + 1/K))`` (the
    brief's family: value -1 at x_max, derivative -K there) plus the best constant, evaluated by
    the torch network objective (independent of the convex program)."""
    import torch

    out = []
    for k in ks:
        r = np.sqrt(k)
        net = init_networks(1, 1, torch.Generator().manual_seed(0))
        net.alpha[:] = -r
        net.w[:] = r
        net.b[:] = -r * (x.max() - 1.0 / k)
        xt = torch.as_tensor(x)
        net.c[:] = -net.score(xt).mean()  # the best constant
        out.append(float(network_objective(net, torch.tensor([beta]), xt)[0]))
    return np.array(out)


def _program_one(x, activation, params, grid) -> dict:
    crit = critical_beta(x, activation)
    gthr = gaussian_threshold(x, activation)
    betas = np.geomspace(crit * params["crit_margin"], params["beta_max"], params["n_beta"])
    obj, aff, affine, nkinks, offdata, slope = [], [], [], [], [], []
    scores = []
    for beta in betas:
        m = fit_score(x, float(beta), activation)
        obj.append(m.objective)
        aff.append(affine_objective(x, float(beta))[0])
        affine.append(is_affine(x, float(beta), m))
        nkinks.append(m.kinks.size)
        found = numeric_kinks(m, grid)
        h = grid[1] - grid[0]
        offdata.append(
            int(np.sum(np.min(np.abs(found[:, None] - x[None, :]), axis=1) > 1.5 * h))
            if found.size
            else 0
        )
        slope.append(float(np.max(np.abs(np.diff(m.score(np.unique(x))) / np.diff(np.unique(x))))))
        scores.append(m.score(grid))
    below = [b for b, a in zip(betas, affine, strict=True) if not a]
    above = [b for b, a in zip(betas, affine, strict=True) if a]
    sweep = np.nan
    if below and above:
        sweep = _sweep_threshold(x, activation, max(below), min(above), params["bisect_iters"])
    return {
        "beta_crit": crit,
        "beta_crit_lp": recession_beta(x, activation),
        "status_below": sm_status(x, 0.5 * crit, activation),
        "status_above": sm_status(x, 1.5 * crit, activation),
        "gauss_threshold_cert": gthr,
        "gauss_threshold_sweep": sweep,
        "betas": betas,
        "objective": np.array(obj),
        "affine_objective": np.array(aff),
        "affine": np.array(affine),
        "predicted_affine": betas >= gthr,
        "n_kinks": np.array(nkinks),
        "off_data_kinks": np.array(offdata),
        "max_slope": np.array(slope),
        "scores": np.array(scores),
    }


def run_sm_program(params, ctx) -> dict:
    data = datasets(ctx.rng("data"))
    out: dict = {"datasets": np.array(list(data)), "witness_k": np.array(params["witness_k"])}
    out["activations"] = np.array(params["activations"])
    ks = np.array(params["witness_k"], dtype=float)
    for name in ctx.progress(list(data), "sm_program"):
        x = data[name]
        crit = critical_beta(x)
        out[f"{name}/witness_below"] = _witness(x, 0.5 * crit, ks)
        out[f"{name}/witness_above"] = _witness(x, 2.0 * crit, ks)
        grid = np.linspace(x.min() - 1.0, x.max() + 1.0, params["n_grid"])
        out[f"{name}/x"] = x
        out[f"{name}/grid"] = grid
        for act in params["activations"]:
            for key, val in _program_one(x, act, params, grid).items():
                out[f"{name}/{act}/{key}"] = val
    return out


def run_nonconvex(params, ctx) -> dict:
    data = datasets(ctx.rng("data"))
    out: dict = {"datasets": np.array(params["datasets"]), "widths": np.array(params["widths"])}
    lrs, seeds = np.array(params["lrs"]), params["seeds"]
    out["lrs"] = lrs
    for name in params["datasets"]:
        x = data[name]
        crit, gthr = critical_beta(x), gaussian_threshold(x)
        betas = np.array([crit * f for f in params["beta_over_crit"]] + [min(gthr * 1.2, 0.95)])
        betas.sort()
        out[f"{name}/betas"] = betas
        out[f"{name}/convex"] = np.array([fit_score(x, float(b)).objective for b in betas])
        out[f"{name}/affine"] = np.array([affine_objective(x, float(b))[0] for b in betas])
        # runs ordered (beta, lr, seed)
        bb = np.repeat(betas, lrs.size * seeds)
        ll = np.tile(np.repeat(lrs, seeds), betas.size)
        for width in params["widths"]:
            net = init_networks(bb.size, width, ctx.torch_generator("nonconvex", name, width))
            steps, trace = train_networks(net, bb, ll, x, steps=params["steps"])
            shape = (-1, betas.size, lrs.size, seeds)
            out[f"{name}/{width}/trace"] = trace.reshape(shape)
            out[f"{name}/{width}/final"] = trace[-1].reshape(shape[1:])
            out["trace_steps"] = steps
    return out


def _density_stats(model, grid):
    p = model.density(grid)
    mean = np.trapezoid(grid * p, grid)
    return p, mean, np.trapezoid((grid - mean) ** 2 * p, grid)


def _kl_hist(samples, grid, p, bins):
    """KL(histogram of samples || density) over ``bins`` equal bins on the samples' range."""
    edges = np.linspace(max(samples.min(), grid[0]), min(samples.max(), grid[-1]), bins + 1)
    h, _ = np.histogram(samples, edges)
    q = h / h.sum()
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(grid))])
    mass = np.diff(np.interp(edges, grid, cdf))
    keep = q > 0
    return float(np.sum(q[keep] * np.log(q[keep] / np.maximum(mass[keep], 1e-300))))


def run_langevin(params, ctx) -> dict:
    data = datasets(ctx.rng("data"))
    out: dict = {"cases": np.array([c["name"] for c in params["cases"]])}
    out["steps"] = np.array(params["steps"], dtype=float)
    for case in params["cases"]:
        x = data[case["data"]]
        model = fit_score(x, float(case["beta_over_crit"] * critical_beta(x)))
        if case.get("relu_only", False):
            model = model.without_linear_atom()
        lo, hi = x.min() - params["pad"], x.max() + params["pad"]
        grid = np.union1d(np.linspace(lo, hi, params["n_grid"]), np.unique(x))
        p, mean, var = _density_stats(model, grid)
        key = case["name"]
        out[f"{key}/grid"], out[f"{key}/density"], out[f"{key}/x"] = grid, p, x
        out[f"{key}/beta"], out[f"{key}/slopes"] = model.beta, np.array(model.slopes())
        out[f"{key}/density_mean"], out[f"{key}/density_var"] = mean, var
        affine = model.kinks.size == 0
        init = x.mean() + x.std() * ctx.rng("init", key).standard_normal(params["chains"])
        big = max(params["steps"])
        burn = langevin_sample(
            model.score, params["chains"], big, round(params["burn_in"] / big),
            ctx.derive(key, "burn"), init=init,
        )  # fmt: skip
        stats = []
        for i, step in enumerate(params["steps"]):
            n_steps = round(params["horizon"] / step)
            smp = langevin_sample(
                model.score, params["chains"], step, n_steps, ctx.derive(key, i), init=burn
            )
            exact = affine_stationary_variance(model.v, step) if affine else np.nan
            stats.append(
                [smp.mean(), smp.var(), _kl_hist(smp, grid, p, params["bins"]), exact, n_steps]
            )
            out[f"{key}/samples{i}"] = smp
        out[f"{key}/stats"] = np.array(stats)  # (steps, [mean, var, KL, exact var, n_steps])
    return out


def run_dsm(params, ctx) -> dict:
    rng = ctx.rng("data")
    mu, sd = params["mu"], params["sd"]
    x = np.sort(mu + sd * rng.standard_normal(params["n"]))
    betas, widths = np.array(params["betas"]), params["widths"]
    grid = np.linspace(x.min() - 1.5, x.max() + 1.5, params["n_grid"])
    out: dict = {"x": x, "betas": betas, "sigmas": np.array(params["sigmas"]), "grid": grid}
    out["widths"] = np.array(widths)
    for sigma in params["sigmas"]:
        eps = ctx.rng("noise", str(sigma)).standard_normal((x.size, params["K"]))
        A, y, _, _, xt = dsm_problem(x, "relu", sigma, eps)
        tag = f"{sigma:g}"
        out[f"{tag}/xt"] = xt
        cvx, scores, offknots, lasso_gap = [], [], [], []
        for beta in betas:
            m = fit_score(x, float(beta), method="dsm", noise=(sigma, eps))
            cvx.append(m.objective)
            scores.append(m.score(grid))
            off = np.setdiff1d(np.round(m.kinks, 12), np.round(xt, 12)).size
            offknots.append(off)
            gap = np.nan
            if beta >= params["lasso_min_beta"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", ConvergenceWarning)
                    path = lasso_path(A, y, lambdas=[beta], standardize=False, tol=1e-10)
                zz, c0 = path.coefs[0], path.intercepts[0]
                val = 0.5 * np.mean((y - A @ zz - c0) ** 2) + beta * np.abs(zz).sum()
                gap = (val - m.objective) / abs(m.objective)
            lasso_gap.append(gap)
        out[f"{tag}/convex"], out[f"{tag}/convex_scores"] = np.array(cvx), np.array(scores)
        out[f"{tag}/off_knot_kinks"], out[f"{tag}/lasso_rel_gap"] = offknots, lasso_gap
        bb = np.repeat(betas, params["seeds"])
        for width in widths:
            net = init_networks(bb.size, width, ctx.torch_generator("dsm", tag, width))
            lr = np.full(bb.size, params["lr"])
            _, trace = train_networks(net, bb, lr, xt, y, steps=params["steps"])
            out[f"{tag}/{width}/final"] = trace[-1].reshape(betas.size, params["seeds"])
            out[f"{tag}/{width}/scores"] = net.numpy_score(grid).reshape(
                betas.size, params["seeds"], -1
            )
    return out


def run_multivariate(params, ctx) -> dict:
    rng = ctx.rng("circle")
    theta = np.sort(rng.uniform(0, 2 * np.pi, params["n"]))
    X = np.c_[np.cos(theta), np.sin(theta)]
    gates = sample_gates(X, params["n_gates"], ctx.rng("gates"))
    betas, statuses, values = np.array(params["betas"]), [], []
    best = None
    for beta in betas:
        fit = fit_gated_sm(X, gates, float(beta), raise_unbounded=False)
        statuses.append(fit.status)
        values.append(fit.objective)
        if fit.status == "optimal" and best is None and beta >= params["sample_beta"]:
            best = fit
    out = {"X": X, "betas": betas, "status": np.array(statuses), "objective": np.array(values)}
    if best is not None:
        g = np.linspace(-1.6, 1.6, params["n_field"])
        gx, gy = np.meshgrid(g, g)
        pts = np.c_[gx.ravel(), gy.ravel()]
        out["field_grid"], out["field"] = pts, best.score(pts)
        out["sample_beta"] = best.beta
        init = rng.standard_normal((params["chains"], 2))
        out["samples"] = langevin_sample(
            best.score, params["chains"], params["step"], params["n_steps"], ctx.derive("mv"),
            init=init,
        )  # fmt: skip
        out["sample_radius"] = np.linalg.norm(out["samples"], axis=1)
    return out

"""Experiments S1-S7 of the brief (pure compute; seeds from the run context).

Every W2 curve is computed twice: from ``n_trials`` Monte-Carlo chains (a Gaussian fitted
over the trials at every iteration, as the released code does) and, on the Gaussian target,
exactly by the linear recursion (:func:`~papers.admm_sampling.exact.exact_law`). Curve axis
``c``: 0 = "ag" (agent 0), 1 = "avg" (network average). Curves of different lengths are
padded with NaN to the longest.
"""

from __future__ import annotations

import numpy as np

from papers.admm_sampling.exact import exact_law, stationary_law
from papers.admm_sampling.graphs import graph
from papers.admm_sampling.samplers import sample
from papers.admm_sampling.targets import linear_regression_data, logistic_regression_data
from papers.admm_sampling.wasserstein import gaussian_fit, w2, w2_curves

CURVES = ["ag", "avg"]


def _law_w2(law, mean, cov) -> np.ndarray:
    """(2, ...) W2 of agent 0 and of the network average under an exact law."""
    return np.stack(
        [
            w2(law.mean[..., 0, :], law.cov[..., 0, :, :], mean, cov),
            w2(law.mean_avg, law.cov_avg, mean, cov),
        ]
    )


def _curves(target, kind, method, n_iter, n_trials, rng, **kw):
    """Monte-Carlo and exact W2 curves, each (2, n_iter + 1), and the exact law."""
    a = graph(kind, target.n_agents)
    mu, sigma = target.posterior_mean, target.posterior_cov
    mc = np.stack(w2_curves(sample(target, a, method, n_iter, n_trials, seed=rng, **kw), mu, sigma))
    law = exact_law(target, a, method, n_iter, **kw)
    return mc, _law_w2(law, mu, sigma), law


def fit_w2_draws(target, mean, cov, n_trials: int, reps: int, rng) -> np.ndarray:
    """``reps`` draws of what a Monte-Carlo curve measures when its iterate has law
    ``N(mean, cov)``: the W2 between the posterior and a Gaussian fitted to ``n_trials``
    independent draws from that law."""
    draws = rng.multivariate_normal(mean, cov, size=(reps, n_trials))
    return w2(*gaussian_fit(draws, axis=1), target.posterior_mean, target.posterior_cov)


def mc_floor(target, n_trials: int, reps: int, rng) -> tuple[float, float]:
    """Mean and s.d. of the W2 between the posterior and a Gaussian fitted to ``n_trials``
    exact posterior draws (the Monte-Carlo floor of every curve), over ``reps`` draws."""
    d = fit_w2_draws(target, target.posterior_mean, target.posterior_cov, n_trials, reps, rng)
    return float(d.mean()), float(d.std(ddof=1))


def _pad(rows: list[np.ndarray], length: int) -> np.ndarray:
    out = np.full((len(rows), *rows[0].shape[:-1], length), np.nan)
    for i, r in enumerate(rows):
        out[i, ..., : r.shape[-1]] = r
    return out


def run_data_posterior(params, ctx):
    """S1: the released data generator's x_true, posterior mean and covariance per (N, n_i)."""
    rows = [
        linear_regression_data(int(n), int(m), seed=params["data_seed"])
        for n, m in params["settings"]
    ]
    return {
        "settings": np.array(params["settings"], dtype=np.int64),
        "x_true": np.stack([x for _, x in rows]),
        "posterior_mean": np.stack([t.posterior_mean for t, _ in rows]),
        "posterior_cov": np.stack([t.posterior_cov for t, _ in rows]),
        "sqrt_trace_cov": np.array([np.sqrt(np.trace(t.posterior_cov)) for t, _ in rows]),
    }


def run_linear_w2(params, ctx):
    """S2: W2 curves of the five methods on (complete, cycle, empty) per (N, n_i, n_iter)."""
    graphs, methods = list(params["graphs"]), list(params["methods"])
    k_max = max(int(k) for _, _, k in params["settings"]) + 1
    mc, ex, stat, stat_admm, floor, dirac = [], [], [], [], [], []
    for n, m, k in params["settings"]:
        target, _ = linear_regression_data(int(n), int(m), seed=params["data_seed"])
        rng = ctx.rng("linear_w2", int(n), int(m))
        runs = [
            [
                _curves(target, g, meth, int(k), params["n_trials"], rng, rho=params["rho"])[:2]
                for meth in methods
            ]
            for g in graphs
        ]
        mc.append(np.array([[r[0] for r in row] for row in runs]))
        ex.append(np.array([[r[1] for r in row] for row in runs]))
        for store, meth in ((stat, "d_admms"), (stat_admm, "admm")):
            laws = [stationary_law(target, graph(g, int(n)), meth, params["rho"]) for g in graphs]
            store.append(
                [_law_w2(law, target.posterior_mean, target.posterior_cov) for law in laws]
            )
        floor.append(mc_floor(target, params["n_trials"], params["floor_reps"], rng))
        mu, sigma = target.posterior_mean, target.posterior_cov
        tr = np.trace(sigma)
        dirac.append(
            [
                np.sqrt(np.sum((target.local_map[0] - mu) ** 2) + tr),
                np.sqrt(np.sum((target.local_map.mean(0) - mu) ** 2) + tr),
                np.sqrt(tr),
            ]
        )
    return {
        "settings": np.array(params["settings"], dtype=np.int64),
        "graphs": graphs,
        "methods": methods,
        "curves": CURVES,
        "mc_w2": _pad(mc, k_max),  # (setting, graph, method, curve, iteration)
        "exact_w2": _pad(ex, k_max),
        "stationary_w2_d_admms": np.array(stat),  # (setting, graph, curve)
        "stationary_w2_admm": np.array(stat_admm),
        "mc_floor": np.array(floor),  # (setting, [mean, sd])
        "dirac_w2": np.array(dirac),  # (setting, [empty ag, empty avg, ADMM plateau])
    }


def run_rho_sweep(params, ctx):
    """S3: exact stationary W2 of D-ADMMS vs rho, with the n_iter-iteration exact and
    Monte-Carlo values of the ablation, per graph and N (curve axis ag / avg)."""
    graphs, ns, rhos = list(params["graphs"]), list(params["n_agents"]), list(params["rhos"])
    stat = np.empty((len(graphs), len(ns), len(rhos), 2))
    ex_last, mc_last = np.empty_like(stat), np.empty_like(stat)
    var_ratio = np.empty(stat.shape[:-1])
    mean_error = np.empty(stat.shape[:-1])
    band = np.empty((*stat.shape, 2))
    floor, spread = np.empty((len(ns), 2)), np.empty(len(ns))
    for j, n in enumerate(ns):
        target, _ = linear_regression_data(int(n), params["n_samples"], seed=params["data_seed"])
        mu, sigma = target.posterior_mean, target.posterior_cov
        rng = ctx.rng("rho_sweep", int(n))
        floor[j] = mc_floor(target, params["n_trials"], params["floor_reps"], rng)
        spread[j] = np.sqrt(np.trace(sigma))
        for i, g in enumerate(graphs):
            for r, rho in enumerate(rhos):
                law = stationary_law(target, graph(g, int(n)), "d_admms", rho)
                stat[i, j, r] = _law_w2(law, mu, sigma)
                var_ratio[i, j, r] = np.trace(law.cov[0]) / np.trace(sigma)
                mean_error[i, j, r] = np.abs(law.mean - mu).max()
                mc, ex, end = _curves(
                    target, g, "d_admms", params["n_iter"], params["n_trials"], rng, rho=rho
                )
                mc_last[i, j, r], ex_last[i, j, r] = mc[:, -1], ex[:, -1]
                laws = ((end.mean[-1, 0], end.cov[-1, 0]), (end.mean_avg[-1], end.cov_avg[-1]))
                for c, (m, v) in enumerate(laws):
                    fits = fit_w2_draws(target, m, v, params["n_trials"], params["floor_reps"], rng)
                    band[i, j, r, c] = np.quantile(fits, [0.005, 0.995])
    return {
        "graphs": graphs,
        "n_agents": np.array(ns, dtype=np.int64),
        "rhos": np.array(rhos, dtype=np.float64),
        "stationary_w2": stat,  # (graph, N, rho, curve)
        "exact_w2_last": ex_last,
        "mc_w2_last": mc_last,
        "mc_band_last": band,  # central 99% of the Monte-Carlo value under the exact law
        "stationary_var_ratio": var_ratio,  # tr(agent-0 stationary cov) / tr(posterior cov)
        "stationary_mean_error": mean_error,  # max over agents and coordinates of |mean - mu|
        "mc_floor": floor,
        "sqrt_trace_cov": spread,
    }


def run_init_ablation(params, ctx):
    """S4: D-ADMMS from far starts N((-1, 2), A A^T), A = 10 U[0,1]^{2x2}, vs the standard
    N(0, I) start (row 0), cycle graph."""
    target, _ = linear_regression_data(
        params["n_agents"], params["n_samples"], seed=params["data_seed"]
    )
    rng = ctx.rng("init_ablation")
    starts = [(np.zeros(2), np.eye(2))]
    for _ in range(params["n_starts"]):
        a = 10 * rng.uniform(size=(2, 2))
        starts.append((np.array([-1.0, 2.0]), a @ a.T))
    mc, ex = [], []
    for mean, cov in starts:
        m, e, _ = _curves(
            target,
            params["graph"],
            "d_admms",
            params["n_iter"],
            params["n_trials"],
            rng,
            rho=params["rho"],
            init_mean=mean,
            init_cov=cov,
        )
        mc.append(m)
        ex.append(e)
    return {
        "init_means": np.array([s[0] for s in starts]),
        "init_covs": np.array([s[1] for s in starts]),
        "mc_w2": np.array(mc),  # (start, curve, iteration)
        "exact_w2": np.array(ex),
        "mc_floor": np.array(mc_floor(target, params["n_trials"], params["floor_reps"], rng)),
    }


def run_logistic(params, ctx):
    """S5 + S7: per-agent training accuracy and Gaussian-fit W2 to the quadrature posterior
    of the five methods, logistic regression, per N and graph."""
    graphs, methods, ns = list(params["graphs"]), list(params["methods"]), params["n_agents"]
    iters = [int(k) for k in params["n_iter"]]
    acc, acc_sd, dist = [], [], []
    for n, k in zip(ns, iters, strict=True):
        target, _ = logistic_regression_data(int(n), params["n_samples"], seed=params["data_seed"])
        mu, sigma = target.posterior_mean, target.posterior_cov
        rng = ctx.rng("logistic", int(n))
        a_n, s_n, d_n = [], [], []
        for g in graphs:
            for meth in methods:
                xs = sample(
                    target,
                    graph(g, int(n)),
                    meth,
                    k,
                    params["n_trials"],
                    seed=rng,
                    rho=params["rho"],
                )
                correct = target.accuracy(xs)  # (iteration, trial, agent)
                a_n.append([correct[:, :, 0].mean(axis=1), correct.mean(axis=(1, 2))])
                s_n.append(correct[:, :, 0].std(axis=1))
                d_n.append(np.stack(w2_curves(xs, mu, sigma)))
        shape = (len(graphs), len(methods))
        acc.append(np.array(a_n).reshape(*shape, 2, k + 1))
        acc_sd.append(np.array(s_n).reshape(*shape, k + 1))
        dist.append(np.array(d_n).reshape(*shape, 2, k + 1))
    k_max = max(iters) + 1
    return {
        "n_agents": np.array(ns, dtype=np.int64),
        "graphs": graphs,
        "methods": methods,
        "accuracy": _pad(acc, k_max),  # (N, graph, method, [agent 0, mean over agents], k)
        "accuracy_sd_agent0": _pad(acc_sd, k_max),  # s.d. over trials, agent 0
        "gaussian_w2": _pad(dist, k_max),  # (N, graph, method, curve, k)
    }


def run_neighbour_bug(params, ctx):
    """S6: S2 and S3 on the cycle in both neighbour modes (mode axis: correct, code_bug)."""
    target, _ = linear_regression_data(
        params["n_agents"], params["n_samples"], seed=params["data_seed"]
    )
    mu, sigma = target.posterior_mean, target.posterior_cov
    rng = ctx.rng("neighbour_bug")
    modes, methods = ["correct", "code_bug"], ["d_admms", "admm"]
    mc = np.empty((2, 2, 2, params["n_iter"] + 1))
    ex = np.empty_like(mc)
    stat = np.empty((2, len(params["rhos"]), 2))
    for i, mode in enumerate(modes):
        for j, meth in enumerate(methods):
            mc[i, j], ex[i, j], _ = _curves(
                target,
                params["graph"],
                meth,
                params["n_iter"],
                params["n_trials"],
                rng,
                rho=params["rho"],
                neighbours=mode,
            )
        for r, rho in enumerate(params["rhos"]):
            law = stationary_law(
                target, graph(params["graph"], params["n_agents"]), "d_admms", rho, neighbours=mode
            )
            stat[i, r] = _law_w2(law, mu, sigma)
    return {
        "modes": modes,
        "methods": methods,
        "rhos": np.array(params["rhos"], dtype=np.float64),
        "mc_w2": mc,  # (mode, method, curve, iteration)
        "exact_w2": ex,
        "stationary_w2": stat,  # (mode, rho, curve)
        "mc_floor": np.array(mc_floor(target, params["n_trials"], params["floor_reps"], rng)),
        "sqrt_trace_cov": float(np.sqrt(np.trace(sigma))),
    }

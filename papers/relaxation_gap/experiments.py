"""Experiments: parameters in, arrays out (pure compute; seeds from ``ctx``).

Data: :math:`X_{ij}\\sim\\mathcal N(0,1)` with ``d`` columns (no bias column), targets either
pure Gaussian noise or a planted 2-neuron ReLU network plus noise; ``beta = beta_frac *
max|X^T y|`` (paper scaling). Gate-count rules: ``ceil(c log n)`` for the constants in
``rules`` and ``"nd"`` = ``ceil((n/d) log n)``.

* ``ratio``: regime (i), fixed ``d``, exact p*; rho, rho_G, rho_dec (+ blow-up), rho_GD.
* ``a1``: assumption A1, ``n/d = c`` fixed: regime (ii) with exact p* (every size whose
  Cover count is at most ``max_patterns``) and regime (iii) at larger ``d`` with the proxy
  p~*(M) (``proxy_gates`` gates, an upper bound on p*: ratios are proxies, lower bounds on rho).
"""

from __future__ import annotations

import math
import time

import numpy as np

from common.arrangements import arrangement_count, sample_patterns
from common.convex_nn import network_objective, solve_convex, train_ensemble
from papers.relaxation_gap.gap import exact_optimum, proxy_optimum, relative_gap


def gate_count(rule: str, n: int, d: int) -> int:
    """Number of gates of a rule: ``"<c>log"`` -> ceil(c log n), ``"nd"`` -> ceil((n/d) log n)."""
    if rule == "nd":
        return math.ceil(n / d * math.log(n))
    if rule.endswith("log"):
        return math.ceil(float(rule[:-3] or 1) * math.log(n))
    raise ValueError(f"unknown gate-count rule {rule!r} (expected '<c>log' or 'nd')")


def make_data(
    rng: np.random.Generator, n: int, d: int, target: str, noise: float, bias: bool = False
):
    """Gaussian ``X`` and a target: ``"noise"`` (N(0,1)) or ``"planted"`` (2 ReLU neurons).

    ``bias``: the last of the ``d`` columns is all ones (regularised bias, convention B1; the
    planted neurons then have biases too)."""
    X = rng.standard_normal((n, d))
    if bias:
        X[:, -1] = 1.0
    if target == "noise":
        return X, rng.standard_normal(n)
    if target == "planted":
        W = rng.standard_normal((2, d))
        return X, np.maximum(X @ W.T, 0) @ np.array([1.0, -1.0]) + noise * rng.standard_normal(n)
    raise ValueError(f"target must be 'noise' or 'planted', got {target!r}")


def _gd(X, y, beta, width, p, seed):
    """Best final objective over the learning rates of full-batch GD (float64, penalty in loss)."""
    res = train_ensemble(
        X, y, width, beta, lrs=p["gd_lrs"], optimizer="gd", steps=p["gd_steps"], seed=seed,
        trace_steps=[0, p["gd_steps"]],
    )  # fmt: skip
    return float(np.min(res.objective))


def _relaxations(X, y, beta, opt, ms, gseed, gated_solver):
    """Per gate count m: rho, rho_G, rho_dec, blow-up, relaxed solve time, mapping error."""
    out = np.full((6, len(ms)), np.nan)
    for j, mj in enumerate(ms):
        r = relative_gap(X, y, beta, int(mj), gseed, "relu", optimum=opt)
        nc = network_objective(X, y, *r.network, beta)
        dec = relative_gap(X, y, beta, int(mj), gseed, "decomposed", optimum=opt,
                           solver=gated_solver)  # fmt: skip
        out[:, j] = (r.ratio, dec.relaxation.objective / opt.value, dec.ratio, dec.blow_up,
                     r.relaxation.wall_time, abs(nc - r.relaxed) / r.relaxed)  # fmt: skip
    return out


def run_ratio(params, ctx):
    """rho, rho_G, rho_dec and rho_GD against n for every target, beta and rule (regime i)."""
    return _regime_i(params, ctx, bias=False)


def run_bias(params, ctx):
    """Regime (i) with ``d - 1`` Gaussian features plus a bias column (B1), reported apart."""
    return _regime_i(params, ctx, bias=True)


def _regime_i(params, ctx, *, bias: bool):
    p = params
    d, ns, rules = p["d"], p["n_grid"], p["rules"]
    shape = (len(p["targets"]), len(p["beta_fracs"]), len(ns), p["seeds"])
    m = np.asarray([[gate_count(r, n, d) for r in rules] for n in ns], dtype=np.int64)
    rel = np.full((6, *shape, len(rules)), np.nan)  # rho, rho_G, rho_dec, blow-up, time, map
    rho_gd = np.full((*shape, 2), np.nan)
    p_star, gap, exact, n_pat = (np.zeros(shape), np.zeros(shape), np.zeros(shape, bool),
                                 np.zeros(shape, np.int64))  # fmt: skip
    for t, target in enumerate(p["targets"]):
        for b, frac in enumerate(p["beta_fracs"]):
            for i, n in ctx.progress(list(enumerate(ns)), f"ratio {target} beta={frac}"):
                for s in range(p["seeds"]):
                    X, y = make_data(ctx.rng("data", target, n, s), n, d, target, p["noise"],
                                     bias)  # fmt: skip
                    beta = frac * float(np.max(np.abs(X.T @ y)))
                    opt = exact_optimum(X, y, beta)
                    k = (t, b, i, s)
                    p_star[k], gap[k], exact[k], n_pat[k] = (opt.value, opt.gap, opt.exact,
                                                             opt.n_patterns)  # fmt: skip
                    gseed = ctx.derive("gates", target, n, s)
                    rel[(slice(None), *k)] = _relaxations(
                        X, y, beta, opt, m[i], gseed, p["gated_solver"]
                    )
                    mg = int(m[i][rules.index(p["gd_rule"])])
                    for w, width in enumerate((mg, 2 * mg)):
                        rho_gd[(*k, w)] = (
                            _gd(X, y, beta, width, p, ctx.derive("gd", *k)) / opt.value
                        )
    rho, rho_g, rho_dec, blow_up, relax_time, map_err = rel
    return {
        "n_grid": np.asarray(ns), "rules": np.asarray(rules), "m": m, "d": d, "bias": bias,
        "targets": np.asarray(p["targets"]), "beta_fracs": np.asarray(p["beta_fracs"]),
        "rho": rho, "rho_gated": rho_g, "rho_dec": rho_dec, "blow_up": blow_up,
        "rho_gd": rho_gd, "gd_rule": p["gd_rule"],
        "p_star": p_star, "p_star_gap": gap, "exact": exact, "n_patterns": n_pat,
        "relax_time": relax_time, "map_error": map_err,
    }  # fmt: skip


def a1_sizes(ratios, max_patterns: int, proxy_dims):
    """(c, d, n = c d, exact?) of the A1 runs: for each ratio c every d >= 2 whose Cover count
    of ``n x d`` Gaussian data is at most ``max_patterns`` (exact, regime ii), then ``proxy_dims``
    (proxy, regime iii)."""
    sizes = []
    for c in ratios:
        if not (isinstance(c, int) and c >= 1):
            raise ValueError(f"ratios must hold integers n/d >= 1, got {c!r}")
        d = 2
        while arrangement_count(c * d, d) <= max_patterns:
            sizes.append((c, d, c * d, True))
            d += 1
    sizes += [(c, d, c * d, False) for c in ratios for d in proxy_dims]
    return sizes


def run_a1(params, ctx):
    """rho against n under A1 (n/d = c fixed): exact p* (regime ii) and proxy p~*(M) (iii)."""
    p = params
    sizes = a1_sizes(p["ratios"], p["max_patterns"], p["proxy_dims"])
    rules = p["rules"]
    shape = (len(p["targets"]), len(sizes), max(p["seeds"], p["proxy_seeds"]))
    rho = np.full((*shape, len(rules)), np.nan)
    p_star, gap, certified = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, bool)
    m = np.asarray([[gate_count(r, n, d) for r in rules] for _, d, n, _ in sizes], np.int64)
    for t, target in enumerate(p["targets"]):
        for i, (c, d, n, exact) in ctx.progress(list(enumerate(sizes)), f"a1 {target}"):
            for s in range(p["seeds"] if exact else p["proxy_seeds"]):
                X, y = make_data(ctx.rng("a1", target, c, d, s), n, d, target, p["noise"])
                beta = p["beta_frac"] * float(np.max(np.abs(X.T @ y)))
                if exact:
                    opt = exact_optimum(X, y, beta, max_patterns=p["max_patterns"])
                else:
                    opt = proxy_optimum(X, y, beta, p["proxy_gates"], ctx.derive("proxy", t, i, s))
                p_star[t, i, s], gap[t, i, s], certified[t, i, s] = opt.value, opt.gap, opt.exact
                gseed = ctx.derive("gates", target, c, d, s)
                done = {}  # rules giving the same m (e.g. "nd" = "<c>log" under A1) solved once
                for j, mj in enumerate(m[i]):
                    if mj not in done:
                        done[mj] = relative_gap(X, y, beta, int(mj), gseed, optimum=opt).ratio
                    rho[t, i, s, j] = done[mj]
    return {
        "ratios": np.asarray([c for c, *_ in sizes]), "dims": np.asarray([d for _, d, *_ in sizes]),
        "n": np.asarray([n for *_, n, _ in sizes]),
        "enumerated": np.asarray([e for *_, e in sizes]),  # regime (ii); else proxy (iii)
        "exact": certified,  # per run: enumerated and certified (gap <= 1e-6)
        "rules": np.asarray(rules), "m": m, "targets": np.asarray(p["targets"]),
        "rho": rho, "p_star": p_star, "p_star_gap": gap, "proxy_gates": p["proxy_gates"],
    }  # fmt: skip


def run_timing(params, ctx):
    """Wall time of the relaxation (ReLU program) against d*m: ours ("fast") vs CLARABEL."""
    p = params
    sizes = [(d, m) for d in p["dims"] for m in p["gates"]]
    times = np.full((len(sizes), 2), np.nan)  # best of the repeats
    objs = np.full((len(sizes), 2), np.nan)
    for i, (d, m) in enumerate(ctx.progress(sizes, "timing")):
        X, y = make_data(ctx.rng("timing", d, m), p["n"], d, "noise", 0.0)
        beta = p["beta_frac"] * float(np.max(np.abs(X.T @ y)))
        D = sample_patterns(X, m, seed=ctx.derive("gates", d, m))
        for j, solver in enumerate(("fast", "clarabel")):
            if solver == "clarabel" and d * m > p["clarabel_max_dm"]:
                continue
            if i == 0:  # warm-up (imports, first-call set-up) outside the timings
                solve_convex(X, y, D, beta, solver=solver)
            for _ in range(p["repeats"]):
                t0 = time.perf_counter()
                res = solve_convex(X, y, D, beta, solver=solver)
                times[i, j] = np.fmin(times[i, j], time.perf_counter() - t0)
            objs[i, j] = res.objective
    return {
        "dm": np.asarray([d * m for d, m in sizes]), "dims": np.asarray([d for d, _ in sizes]),
        "solvers": np.asarray(["ours (working set)", "CVXPY+CLARABEL"]),
        "times": times, "objectives": objs, "n": p["n"],
    }  # fmt: skip

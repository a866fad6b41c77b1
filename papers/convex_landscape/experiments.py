"""Experiments (pure compute): exact equivalence, certificates, subsampling, stationary points,
hyperparameter (in)sensitivity on real data, and the CIFAR-10 experiment (full scale, GPU)."""

from __future__ import annotations

import tempfile
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from common import convex_nn as cnn
from common.arrangements import arrangement_count, enumerate_patterns, sample_patterns
from common.cli import RunContext
from common.convex_nn import ConvexResult
from common.datasets import planted_relu, sklearn_dataset, split_rows, standardize_columns
from papers.convex_landscape import cifar
from papers.convex_landscape import landscape as land

#: Blocks below this fraction of the largest block norm count as zero (solver round-off).
BLOCK_TOL = 1e-6


def _planted(p: Mapping[str, Any], ctx: RunContext) -> tuple[np.ndarray, np.ndarray, float]:
    """Planted ReLU data with a bias column (convention B1) and beta = frac * ||X^T y||_inf."""
    X, y = planted_relu(p["n"], p["d"], p["teacher_width"], ctx.rng("data"), noise=p["noise"])
    X = np.c_[X, np.ones(p["n"])]
    return X, y, float(p["beta_frac"] * np.max(np.abs(X.T @ y)))


def _network(res: ConvexResult) -> tuple[np.ndarray, np.ndarray]:
    """Square-root-scaled network of a convex solution, dropping round-off blocks."""
    top = max(float(np.linalg.norm(B, axis=1).max()) for B in (res.U, res.V))
    return cnn.to_network(res, tol=BLOCK_TOL * top)


def _one_blas_thread():
    """One BLAS thread: solver round-off then does not depend on the machine's core count."""
    return threadpool_limits(limits=1, user_api="blas")


def _train(X, y, beta, m, lrs, optimizer, steps, seed, batch_size=None, n_trace=2, **kw):
    """The paper's training protocol on the core trainer (one member per learning rate in
    ``lrs``): mini-batches for SGD only (GD and Adam use the full batch), the objective recorded
    at ``n_trace`` log-spaced steps."""
    return cnn.train_ensemble(
        X, y, int(m), beta, lrs=lrs, optimizer=optimizer, steps=steps, seed=seed,
        batch_size=batch_size if optimizer == "sgd" else None, progress=False,
        trace_steps=np.unique(np.geomspace(1, steps, n_trace).astype(int)), **kw,
    )  # fmt: skip


def _rank(X: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(X))


# ----------------------------------------------------------------------------- E1 + E2
def run_equivalence(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    with _one_blas_thread():
        return _equivalence(p, ctx)


def _equivalence(p, ctx):
    X, y, beta = _planted(p, ctx)
    n = X.shape[0]
    D_all = enumerate_patterns(X)
    D = D_all[D_all.any(axis=1)]
    t0 = time.perf_counter()
    direct = cnn.solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy")
    t_direct = time.perf_counter() - t0
    ex = land.exact_optimum(X, y, beta, patterns=D)
    p_star = ex.objective
    res = ex.result
    Dw = D[ex.working]
    W1, w2 = _network(res)
    mapped = cnn.network_objective(X, y, W1, w2, beta)
    m_star = int(W1.shape[0])
    # certificates at the optimum (E2) and at a feasible perturbation (negative control)
    r = y - cnn.predict_convex(X, Dw, res.U, res.V)
    dual_opt = land.dual_constraint_all(X, r, D)
    gap = cnn.duality_gap(X, y, D, beta, _pad(res.U, ex.working), _pad(res.V, ex.working))
    c1 = cnn.active_neuron_residual(X, y, Dw, beta, res.U, res.V, rtol=BLOCK_TOL)
    s = p["perturb_scale"]
    r_bad = y - s * cnn.predict_convex(X, Dw, res.U, res.V)
    dual_bad = land.dual_constraint_all(X, r_bad, D)
    gap_bad = cnn.duality_gap(X, y, Dw, beta, s * res.U, s * res.V)
    c1_bad = cnn.active_neuron_residual(X, y, Dw, beta, s * res.U, s * res.V, rtol=BLOCK_TOL)
    # independent cross-check of C2: dense sampling of unit gates (d is small)
    u = ctx.rng("sphere").standard_normal((p["sphere_samples"], X.shape[1]))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    sampled_max = float(np.max(np.abs(np.maximum(X @ u.T, 0.0).T @ r)))
    # non-convex training over optimizers x learning rates x widths x seeds
    widths = [m_star * k for k in p["width_multipliers"]] + list(p["extra_widths"])
    opts = list(p["lrs"])
    n_lr = len(p["lrs"][opts[0]])
    S = p["seeds"]
    finals = np.full((len(opts), n_lr, len(widths), S), np.inf)
    traces = None
    for a, opt in enumerate(ctx.progress(opts, "optimizers")):
        lrs = np.repeat(np.asarray(p["lrs"][opt], float), S)
        for b, m in enumerate(widths):
            run = _train(
                X, y, beta, m, lrs, opt, p["steps"], ctx.derive("train", opt, b),
                p["batch_size"], p["n_trace"],
            )  # fmt: skip
            finals[a, :, b, :] = run.objective.reshape(n_lr, S)
            if traces is None:
                traces = np.full((*finals.shape, run.trace_steps.size), np.inf)
                steps = run.trace_steps
            traces[a, :, b] = run.trace.reshape(n_lr, S, -1)
    return {
        "X": X,
        "y": y,
        "beta": beta,
        "p_star": p_star,
        "p_direct": direct.objective,
        "direct_certificate": direct.certificate,
        "direct_time_s": t_direct,
        "certificate": res.certificate,
        "cg_rounds": ex.rounds,
        "cg_working_set": int(ex.working.sum()),
        "n_patterns": len(D),
        "n_patterns_with_zero": len(D_all),
        "count_formula": arrangement_count(n, _rank(X)),
        "mapped_objective": mapped,
        "m_star": m_star,
        "n": n,
        "dual_values": dual_opt,
        "dual_max_over_beta": float(dual_opt.max() / beta),
        "dual_sampled_max_over_beta": sampled_max / beta,
        "duality_gap": gap.gap,
        "relative_duality_gap": gap.relative_gap,
        "c1_residual": c1,
        "perturb_scale": s,
        "dual_values_perturbed": dual_bad,
        "dual_max_over_beta_perturbed": float(dual_bad.max() / beta),
        "relative_duality_gap_perturbed": gap_bad.relative_gap,
        "c1_residual_perturbed": c1_bad,
        "optimizers": opts,
        "lrs": np.asarray([p["lrs"][o] for o in opts], float),
        "widths": np.asarray(widths),
        "finals": finals,
        "traces": traces,
        "trace_steps": steps,
        "nonconvex_min_ratio": float(np.min(finals) / p_star),
    }


def _pad(B: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Blocks on a working set -> blocks on the full pattern set (zeros elsewhere)."""
    out = np.zeros((mask.size, B.shape[1]))
    out[mask] = B
    return out


# ----------------------------------------------------------------------------- E7
def run_activations(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """E1 + E2 for other piecewise-linear activations (brief E7, core brief §3.4): the exact
    convex program over all patterns with masks M_i = a D_i + b (I - D_i), its certificate over
    all patterns, the network mapped from it, and GD/SGD/Adam on the same activation."""
    with _one_blas_thread():
        return _activations(p, ctx)


def _activation_patterns(D_all: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    """The program's pattern set: every cell (the all-zero pattern too: for b != 0 its feature
    b X u, X u <= 0, is not zero); for the absolute value one pattern of each complementary pair
    (D and I - D give the same features up to sign, core brief §3.4)."""
    if ab[1] == 0.0:  # ReLU type: the all-zero pattern's feature is zero
        return D_all[D_all.any(axis=1)]
    if ab[0] == -ab[1]:
        keys = {np.packbits(row).tobytes() for row in D_all}
        if not all(np.packbits(~row).tobytes() in keys for row in D_all):
            raise ValueError("the enumerated cells are not closed under complement")
        return D_all[D_all[:, 0]]
    return D_all


def _activations(p, ctx):
    X, y, beta = _planted(p, ctx)
    n = X.shape[0]
    D_all = enumerate_patterns(X)
    names = list(p["activations"])
    opts = list(p["lrs"])
    n_lr = len(p["lrs"][opts[0]])
    S = p["seeds"]
    s = p["perturb_scale"]
    u = ctx.rng("sphere").standard_normal((p["sphere_samples"], X.shape[1]))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    XU = X @ u.T  # (n, samples)
    rows: dict[str, list] = {}

    def put(key, value):
        rows.setdefault(key, []).append(value)

    finals = traces = steps = None
    for k, name in enumerate(ctx.progress(names, "activations")):
        ab = tuple(float(v) for v in p["activations"][name])
        D = _activation_patterns(D_all, ab)
        ex = land.exact_optimum(X, y, beta, patterns=D, activation=ab)  # column generation
        cv = cnn.solve_convex(X, y, D, beta, activation=ab, solver="cvxpy")  # all at once
        p_star = ex.objective
        W1, w2 = _network(ex.result)
        mapped = cnn.network_objective(X, y, W1, w2, beta, activation=ab)
        m_star = int(W1.shape[0])
        # certificates over *all* cells (complementary ones included), at the optimum and at a
        # scaled (feasible, non-optimal) solution
        Dw = D[ex.working]
        Up, Vp = _on_all(ex.result.U, Dw, D_all), _on_all(ex.result.V, Dw, D_all)
        r = y - cnn.predict_convex(X, D_all, Up, Vp, ab)
        dual = cnn.dual_constraint_values(X, r, D_all, activation=ab)
        gap = cnn.duality_gap(X, y, D_all, beta, Up, Vp, activation=ab)
        c1 = cnn.active_neuron_residual(X, y, D_all, beta, Up, Vp, activation=ab, rtol=BLOCK_TOL)
        r_bad = y - s * cnn.predict_convex(X, D_all, Up, Vp, ab)
        dual_bad = cnn.dual_constraint_values(X, r_bad, D_all, activation=ab)
        gap_bad = cnn.duality_gap(X, y, D_all, beta, s * Up, s * Vp, activation=ab)
        act_u = np.where(XU >= 0, ab[0] * XU, ab[1] * XU)  # sigma(X u) for sampled unit u
        put("activation", name)
        put("slopes", ab)
        put("p_star", p_star)
        put("p_cvxpy", cv.objective)
        put("n_program_patterns", len(D))
        put("cg_working_set", int(ex.working.sum()))
        put("mapped_objective", mapped)
        put("m_star", m_star)
        put("dual_values", dual)
        put("dual_values_perturbed", dual_bad)
        put("dual_max_over_beta", float(dual.max() / beta))
        put("dual_sampled_max_over_beta", float(np.max(np.abs(act_u.T @ r)) / beta))
        put("relative_duality_gap", gap.relative_gap)
        put("relative_duality_gap_perturbed", gap_bad.relative_gap)
        put("dual_max_over_beta_perturbed", float(dual_bad.max() / beta))
        put("c1_residual", c1)
        widths = [m_star * w for w in p["width_multipliers"]] + list(p["extra_widths"])
        put("widths", widths)
        for a, opt in enumerate(opts):
            lrs = np.repeat(np.asarray(p["lrs"][opt], float), S)
            for b, m in enumerate(widths):
                run = _train(
                    X, y, beta, m, lrs, opt, p["steps"], ctx.derive("train", name, opt, b),
                    p["batch_size"], p["n_trace"], activation=ab,
                )  # fmt: skip
                if finals is None:
                    shape = (len(names), len(opts), n_lr, len(widths), S)
                    finals = np.full(shape, np.inf)
                    traces = np.full((*shape, run.trace_steps.size), np.inf)
                    steps = run.trace_steps
                finals[k, a, :, b, :] = run.objective.reshape(n_lr, S)
                traces[k, a, :, b] = run.trace.reshape(n_lr, S, -1)
    out = {key: np.asarray(v) for key, v in rows.items()}
    ps = out["p_star"][:, None, None, None, None]
    fin = np.where(np.isfinite(finals), finals / ps, np.nan)
    tr = np.where(np.isfinite(traces), traces / ps[..., None], np.nan)
    early = steps <= p["compare_steps"]
    k_all = tuple(range(1, fin.ndim))
    return {
        **out,
        "X": X,
        "y": y,
        "beta": beta,
        "n": n,
        "n_cells": len(D_all),
        "count_formula": arrangement_count(n, _rank(X)),
        "perturb_scale": s,
        "optimizers": opts,
        "lrs": np.asarray([p["lrs"][o] for o in opts], float),
        "finals": finals,
        "traces": traces,
        "trace_steps": steps,
        "steps": int(p["steps"]),
        "compare_steps": int(steps[early][-1]),
        "min_ratio": np.nanmin(fin, axis=k_all),
        "best_gap": np.nanmin(fin, axis=k_all) - 1.0,
        "best_gap_at_compare_steps": np.nanmin(tr[..., early], axis=(*k_all, fin.ndim)) - 1.0,
        "n_runs": int(np.prod(finals.shape[1:])),
        "n_diverged": np.sum(~np.isfinite(finals), axis=k_all),
    }


def _on_all(B: np.ndarray, D: np.ndarray, D_all: np.ndarray) -> np.ndarray:
    """Blocks on the pattern set ``D`` -> blocks on every cell ``D_all`` (zeros elsewhere)."""
    index = {np.packbits(row).tobytes(): i for i, row in enumerate(D_all)}
    out = np.zeros((len(D_all), B.shape[1]))
    for row, blk in zip(D, B, strict=True):
        out[index[np.packbits(row).tobytes()]] = blk
    return out


# ----------------------------------------------------------------------------- E3
def run_subsampling(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    with _one_blas_thread():
        return _subsampling(p, ctx)


def _active_keys(ex) -> set[bytes]:
    """Patterns of the optimum's non-zero blocks (the patterns a subsample must contain)."""
    res = ex.result
    top = max(float(np.linalg.norm(B, axis=1).max()) for B in (res.U, res.V))
    on = (np.linalg.norm(res.U, axis=1) > BLOCK_TOL * top) | (
        np.linalg.norm(res.V, axis=1) > BLOCK_TOL * top
    )
    return {np.packbits(row).tobytes() for row in res.patterns[on]}


def _subsampling(p, ctx):
    X, y, beta = _planted(p, ctx)
    D = land.all_patterns(X)
    ex = land.exact_optimum(X, y, beta, patterns=D)
    p_star = ex.objective
    needed = _active_keys(ex)
    gated_all = cnn.solve_convex(X, y, D, beta, formulation="gated", solver="cvxpy").objective
    grid = np.asarray(p["m_grid"], dtype=int)
    S = p["seeds"]
    relu = np.zeros((S, grid.size))
    gated = np.zeros((S, grid.size))
    n_unique = np.zeros((S, grid.size), dtype=int)
    covered = np.zeros((S, grid.size), dtype=bool)
    for s in ctx.progress(range(S), "seeds"):
        seed = ctx.derive("gates", s)
        for j, k in enumerate(grid):
            # one gate stream per seed: the first k gates' patterns are nested in k (stable dedupe)
            Dk = sample_patterns(X, int(k), seed=seed)
            n_unique[s, j] = len(Dk)
            covered[s, j] = needed <= {np.packbits(row).tobytes() for row in Dk}
            for out, form in ((relu, "relu"), (gated, "gated")):
                res = cnn.solve_convex(X, y, Dk, beta, formulation=form, solver="cvxpy")
                out[s, j] = res.objective / p_star
    # low-rank scheme (patterns of X_k, program solved with X) against the recalled bound
    sv = np.linalg.svd(X, compute_uv=False)
    fracs = np.asarray(p["lowrank_beta_fracs"], float)
    ks = np.asarray(p["lowrank_ks"], dtype=int)
    lr_ratio = np.zeros((ks.size, fracs.size))
    lr_bound = np.zeros_like(lr_ratio)
    lr_sigma_over_beta = np.zeros_like(lr_ratio)
    base = np.max(np.abs(X.T @ y))
    for j, f in enumerate(fracs):
        b = float(f * base)
        exb = land.exact_optimum(X, y, b, patterns=D)
        m_star_b = _network(exb.result)[0].shape[0]
        for i, k in enumerate(ks):
            Dk = land.lowrank_patterns(X, int(k))
            pk = cnn.solve_convex(X, y, Dk, b, solver="cvxpy").objective
            lr_ratio[i, j] = pk / exb.objective
            lr_sigma_over_beta[i, j] = sv[k] / b
            lr_bound[i, j] = land.recalled_ratio_bound(sv[k], b, m_star_b)
    return {
        "beta": beta,
        "p_star": p_star,
        "gated_all_over_p_star": gated_all / p_star,
        "n_patterns": len(D),
        "m_grid": grid,
        "n_unique": n_unique,
        "n_active_patterns": len(needed),
        "covered": covered,
        "ratio_relu": relu,
        "ratio_gated": gated,
        "lowrank_ks": ks,
        "lowrank_ratio": lr_ratio,
        "lowrank_sigma_over_beta": lr_sigma_over_beta,
        "lowrank_bound_unverified": lr_bound,
    }


# ----------------------------------------------------------------------------- E4
def run_stationary(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """GD from random inits, then an active-set Newton polish of every endpoint to a (Clarke)
    stationary point in float64; at each point: the network's value, the optimum of the convex
    program on its own patterns, and the dual constraint C2 at the network's own residual."""
    with _one_blas_thread():
        return _stationary(p, ctx)


def _own_program(X, y, W1, w2, beta):
    """``(p_sub, p_nc)``: the optimum of the program on the network's own patterns and the
    network's objective. A network without a live neuron (the zero network, a stationary point)
    has no pattern: its program's optimum is the zero model's value, ``p_nc``."""
    if not np.any(np.abs(w2) * np.linalg.norm(W1, axis=1) > 1e-9):  # stationary_program's tol
        p_nc = cnn.network_objective(X, y, W1, w2, beta)
        return p_nc, p_nc
    res, p_nc = land.stationary_program(X, y, W1, w2, beta)
    return res.objective, p_nc


def _stationary(p, ctx):
    X, y, beta = _planted(p, ctx)
    D = land.all_patterns(X)
    p_star = land.exact_optimum(X, y, beta, patterns=D).objective
    keys = ("width", "p_gd", "p_sub_gd", "grad_gd", "p_nc", "p_sub", "grad", "stationary",
            "n_ties", "n_live", "c2")  # fmt: skip
    rows: dict[str, list] = {k: [] for k in keys}
    S = p["seeds"]
    for b, m in enumerate(ctx.progress(p["widths"], "widths")):
        run = _train(X, y, beta, m, np.full(S, p["lr"]), "gd", p["gd_steps"], ctx.derive("init", b))
        for s in range(S):
            p_sub_gd, p_gd = _own_program(X, y, run.W1[s], run.w2[s], beta)
            rows["p_gd"].append(p_gd)
            rows["p_sub_gd"].append(p_sub_gd)
            rows["grad_gd"].append(float(run.grad_norm[s]))
            pol = land.polish_stationary(
                X, y, run.W1[s], run.w2[s], beta, tol=p["polish_tol"], max_iter=p["polish_iter"]
            )
            p_sub, p_nc = _own_program(X, y, pol.W1, pol.w2, beta)
            rows["p_nc"].append(p_nc)
            rows["p_sub"].append(p_sub)
            rows["grad"].append(pol.grad_norm)
            rows["stationary"].append(pol.stationary and pol.grad_norm <= p["stationary_tol"])
            rows["n_ties"].append(pol.n_ties)
            rows["n_live"].append(int(np.count_nonzero(pol.w2)))
            # is the stationary point global? C2 over all patterns at the *network's* residual
            r = y - cnn.network_predict(X, pol.W1, pol.w2)
            rows["c2"].append(float(land.dual_constraint_all(X, r, D).max() / beta))
            rows["width"].append(int(m))
    out = {k: np.asarray(v) for k, v in rows.items()}
    gap = (out["p_nc"] - out["p_sub"]) / out["p_sub"]
    gap_gd = (out["p_gd"] - out["p_sub_gd"]) / out["p_sub_gd"]
    st = out["stationary"].astype(bool)
    above = out["p_nc"] > p_star * (1 + p["optimal_rtol"])
    c2_fails = out["c2"] > 1 + p["c2_rtol"]
    return {
        **out,
        "beta": beta,
        "p_star": p_star,
        "gap": gap,
        "gap_gd": gap_gd,
        "n_runs": int(gap.size),
        "stationary_tol": p["stationary_tol"],
        "n_stationary": int(st.sum()),
        "n_stationary_with_ties": int(np.sum(st & (out["n_ties"] > 0))),
        "max_abs_gap_stationary": float(np.abs(gap[st]).max()) if st.any() else float("nan"),
        "max_grad_stationary": float(out["grad"][st].max()) if st.any() else float("nan"),
        "median_gap_gd": float(np.median(gap_gd)),
        "max_grad_gd": float(out["grad_gd"].max()),
        "min_grad_gd": float(out["grad_gd"].min()),
        "above_optimum": above,
        "n_above_stationary": int(np.sum(above & st)),
        "widths_above_stationary": np.unique(out["width"][above & st]),
        "n_mismatch_above_c2": int(np.sum((above != c2_fails) & st)),
        "min_p_nc_over_p_star_stationary": float(out["p_nc"][st].min() / p_star)
        if st.any()
        else float("nan"),
    }


# ----------------------------------------------------------------------------- E5
def run_sensitivity(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    with _one_blas_thread():
        return _sensitivity(p, ctx)


def _sensitivity(p, ctx):
    X, y = sklearn_dataset(p["dataset"])
    y = 2.0 * (y == y.max()) - 1.0
    Xtr, Xte, ytr, yte = split_rows(X, y, p["test_fraction"], ctx.rng("split"))
    Xtr, Xte = standardize_columns(Xtr, Xte)
    if p["n_train"] is not None:
        Xtr, ytr = Xtr[: p["n_train"]], ytr[: p["n_train"]]
    _, _, Vt = np.linalg.svd(Xtr, full_matrices=False)
    proj = Vt[: p["n_components"]].T
    A = np.c_[Xtr @ proj, np.ones(len(Xtr))]
    Ate = np.c_[Xte @ proj, np.ones(len(Xte))]
    beta = float(p["beta_frac"] * np.max(np.abs(A.T @ ytr)))
    t0 = time.perf_counter()
    ex = land.exact_optimum(A, ytr, beta)
    t_cg = time.perf_counter() - t0
    p_star = ex.objective
    Dw = ex.patterns[ex.working]
    names, values, times, converged, targets = [], [], [], [], []
    # the gated program on the same patterns: its own optimum (CLARABEL) is the target
    p_gated = cnn.solve_convex(A, ytr, Dw, beta, formulation="gated", solver="clarabel").objective
    settings = [("relu", s, dict(p["solver_opts"].get(s, {})), None) for s in p["cvx_solvers"]]
    settings += [("relu", "al", {"delta": float(dl)}, p["al_max_iter"]) for dl in p["al_deltas"]]
    settings += [("gated", "fista", {"newton": nw}, p["fista_max_iter"]) for nw in (True, False)]
    for form, solver, opts, cap in settings:
        t0 = time.perf_counter()
        with warnings.catch_warnings():  # an unconverged first-order run is recorded, not hidden
            warnings.simplefilter("ignore", RuntimeWarning)
            res = cnn.solve_convex(
                A, ytr, Dw, beta, formulation=form, solver=solver, solver_opts=opts, max_iter=cap
            )
        times.append(time.perf_counter() - t0)
        tag = "".join(f" {k}={v:g}" for k, v in opts.items())
        names.append(f"{form}:{solver}{tag}" + (f" (max_iter {cap})" if cap else ""))
        values.append(res.objective)
        targets.append(p_star if form == "relu" else p_gated)
        converged.append(bool(res.converged))
    W1, w2 = _network(ex.result)
    cvx_acc = float(np.mean(np.sign(np.maximum(Ate @ W1.T, 0) @ w2) == yte))
    opts_nc = list(p["lrs"])
    n_lr = len(p["lrs"][opts_nc[0]])
    S = p["seeds"]
    finals = np.zeros((len(opts_nc), n_lr, S))
    accs = np.zeros_like(finals)
    traces = None
    for a, opt in enumerate(opts_nc):
        run = _train(
            A, ytr, beta, p["width"], np.repeat(np.asarray(p["lrs"][opt], float), S), opt,
            p["steps"], ctx.derive("train", opt), p["batch_size"], p["n_trace"],
        )  # fmt: skip
        finals[a] = run.objective.reshape(n_lr, S)
        pred = np.einsum("tsm,sm->st", np.maximum(np.einsum("td,smd->tsm", Ate, run.W1), 0), run.w2)
        acc = np.mean(np.sign(pred) == yte[None, :], axis=1)
        accs[a] = np.where(np.isfinite(run.objective), acc, np.nan).reshape(n_lr, S)
        if traces is None:
            traces = np.full((len(opts_nc), n_lr, S, run.trace_steps.size), np.inf)
            steps = run.trace_steps
        traces[a] = run.trace.reshape(n_lr, S, -1)
    vals = np.asarray(values)
    ok = np.asarray(converged)
    return {
        "dataset": p["dataset"],
        "n_train": len(ytr),
        "n_test": len(yte),
        "beta": beta,
        "p_star": p_star,
        "cg_time_s": t_cg,
        "cg_max_violation": ex.max_violation,
        "n_patterns": len(ex.patterns),
        "cg_working_set": int(ex.working.sum()),
        "convex_settings": names,
        "convex_objectives": vals,
        "convex_times": np.asarray(times),
        "convex_converged": ok,
        "convex_targets": np.asarray(targets),
        "convex_rel_dev": vals / np.asarray(targets) - 1.0,
        "p_gated": p_gated,
        "convex_max_rel_spread_all": float(np.max(np.abs(vals / np.asarray(targets) - 1.0))),
        "convex_test_acc": cvx_acc,
        "optimizers": opts_nc,
        "lrs": np.asarray([p["lrs"][o] for o in opts_nc], float),
        "finals": finals,
        "test_acc": accs,
        "traces": traces,
        "trace_steps": steps,
        "nonconvex_min_ratio": float(np.min(finals) / p_star),
    }


# ----------------------------------------------------------------------------- CIFAR-10
def run_cifar(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The authors' CIFAR-10 comparison (convex model with dense / patch gates vs SGD over
    learning rates; accuracy and objective per epoch against time), ``seeds`` times (init,
    gates and batch order; one data split). ``dataset``: ``"cifar10"`` (full scale, local
    ``data_dir``), ``"digits"`` (quick scale: scikit-learn's 8x8 digits, a real-data proxy) or
    ``"standin"`` (synthetic files in the CIFAR-10 format, tests only). On the CPU torch runs
    with one thread, so the accuracies do not depend on the core count."""
    threads = torch.get_num_threads()
    if ctx.device == "cpu":
        torch.set_num_threads(1)
    try:
        return _cifar(p, ctx)
    finally:
        torch.set_num_threads(threads)


def _cifar(p, ctx):
    shape = cifar.IMAGE_SHAPE
    if p["dataset"] == "digits":
        Xtr, ytr, Xte, yte = cifar.load_digits_images(ctx.rng("split"), p["test_fraction"])
        tr, te = slice(p["n_train"]), slice(p["n_test"])
        Xtr, ytr, Xte, yte = Xtr[tr], ytr[tr], Xte[te], yte[te]
        shape, source = cifar.DIGITS_SHAPE, "digits (scikit-learn 8x8; proxy for CIFAR-10)"
    elif p["dataset"] == "standin":
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = cifar.write_standin(
                tmp, ctx.rng("standin"), n_per_batch=p["standin_per_batch"],
                n_test=p["standin_test"],
            )  # fmt: skip
            Xtr, ytr, Xte, yte = cifar.load_cifar10(data_dir, p["n_train"], p["n_test"])
        source = "synthetic stand-in (CIFAR-10 binary format)"
    else:
        Xtr, ytr, Xte, yte = cifar.load_cifar10(p["data_dir"], p["n_train"], p["n_test"])
        source = "CIFAR-10"
    common = {"beta": p["beta"], "epochs": p["epochs"], "batch": p["batch"], "device": ctx.device}
    out: dict[str, Any] = {"source": source, "n_train": len(ytr), "n_test": len(yte)}
    labels, kinds, lrs = [], [], []
    settings = [("sgd", lr) for lr in p["sgd_lrs"]]
    settings += [(gate, lr) for gate in p["gates"] for lr in p["convex_lrs"]]
    for i, (kind, lr) in enumerate(settings):
        hist = []
        for s in range(p["seeds"]):
            if kind == "sgd":
                seed = ctx.derive("sgd", str(lr), s)
                h = cifar.train_nonconvex(
                    Xtr, ytr, Xte, yte, width=p["width"], lr=lr, seed=seed, **common
                )
            else:
                h = cifar.train_convex(
                    Xtr, ytr, Xte, yte, n_gates=p["n_gates"], gate=kind, lr=lr, rho=p["rho"],
                    seed=ctx.derive("convex", kind, str(lr), s), image_shape=shape, **common,
                )  # fmt: skip
            hist.append(h)
        for key in hist[0]:
            out[f"{key}_{i}"] = np.stack([h[key] for h in hist])  # (seeds, epochs)
        name = "SGD" if kind == "sgd" else f"Convex-{'Conv' if kind == 'patch' else 'Random'}"
        labels.append(f"{name} lr={lr:g}")
        kinds.append(kind)
        lrs.append(float(lr))
    out["labels"] = labels
    out["kinds"] = kinds
    out["setting_lrs"] = np.asarray(lrs)
    out["final_test_acc"] = np.stack([out[f"test_acc_{i}"][:, -1] for i in range(len(labels))])
    out["epochs"] = int(p["epochs"])
    out["seeds"] = int(p["seeds"])
    return out


# ----------------------------------------------------------------------------- E6
def run_rank(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Number of activation patterns of rank-r data X = Z A (Z: n x r, A: r x d) against n,
    by exact enumeration, for every rank r and ambient dimension d; Cover's count and the
    bound 2 r (e (n-1) / r)^r of the brief (T2)."""
    with _one_blas_thread():
        ranks, dims, ns = (np.asarray(p[k], dtype=int) for k in ("ranks", "dims", "n_grid"))
        counts = np.zeros((ranks.size, dims.size, ns.size), dtype=np.int64)
        seconds = np.zeros(counts.shape)
        for a, r in enumerate(ranks):
            for b, d in enumerate(dims):
                rng = ctx.rng("rank", int(r), int(d))
                A = rng.standard_normal((int(r), int(d)))
                Z = rng.standard_normal((int(ns.max()), int(r)))
                for c, n in enumerate(ns):
                    t0 = time.perf_counter()
                    counts[a, b, c] = len(enumerate_patterns(Z[: int(n)] @ A))
                    seconds[a, b, c] = time.perf_counter() - t0
    formula = np.array([[arrangement_count(int(n), int(r)) for n in ns] for r in ranks])
    bound = np.array([[2 * r * (np.e * (n - 1) / r) ** r for n in ns] for r in ranks], float)
    logn = np.log(ns.astype(float))
    slopes = np.diff(np.log(counts.astype(float)), axis=2) / np.diff(logn)  # (R, Dd, N-1)
    return {
        "ranks": ranks,
        "dims": dims,
        "n_grid": ns,
        "counts": counts,
        "enumeration_s": seconds,
        "formula": formula,
        "bound": bound,
        "slopes": slopes,
        "last_slope": slopes[:, :, -1],
        "max_count_mismatch": int(np.max(np.abs(counts - formula[:, None, :]))),
        "max_count_over_bound": float(np.max(counts / bound[:, None, :])),
    }

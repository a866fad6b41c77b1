"""Experiments (brief M1-M8): pure compute, parameters and a RunContext in, arrays out.

- ``dictionaries`` (M1): raw and deduplicated sizes, kinds of features, and the recursive
  builder against the functional (exact piecewise-linear) one;
- ``min_norm`` (M2, M7): the beta -> 0 LP on every data set and dictionary: minimum norm,
  interpolant, kinks and their kinds, uniqueness under tie-breaking perturbations, and
  whether reflection features are used by an optimum / needed for it;
- ``reflection_frequency`` (full scale of M2/M7): the same on random 1-D data;
- ``reflection_lasso`` (the brief's full scale): the depth-4 ReLU Lasso at moderate beta on
  random data with up to 40 points (the chunked dictionary and FISTA with a certified gap):
  how often the optimum uses reflection features, and whether removing them raises it;
- ``lasso_network`` (M3): the Lasso at moderate beta by CLARABEL and by coordinate descent,
  and the rebuilt network's objective evaluated from its weights;
- ``training`` (M4, M8): Adam on networks of every activation and depth against the Lasso
  optimum, from random and from Lasso-placed initialisations; the trained weights, and the
  kinks read from them against the Lasso optimum's kinks, the data and the reflections;
- ``paper_adam`` and ``paper_lasso`` (M5): the paper's Figs. 2, 3, 18, 19 as the authors
  drew them (their loss, their tiny beta) and corrected (exact optima);
- ``path`` (M6): the Lasso path over beta with active features and kinds of kinks.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

# train_networks through the package's lazy export table: torch is imported by the two
# training experiments only
import papers.lasso_mirrors as library
from common.cli import RunContext
from papers.lasso_mirrors.datasets import (
    DATASETS,
    FIG3_HARDCODED,
    LASSO_PANELS,
    PAPER_RUNS,
    PRINTED,
    ramp,
)
from papers.lasso_mirrors.features import (
    KINDS,
    check_activation_depth,
    dictionary,
    raw_count,
    recursive_columns,
    relu_dictionary,
)
from papers.lasso_mirrors.kinks import network_kinks
from papers.lasso_mirrors.lasso import (
    min_norm_interpolation,
    rebuild_network,
    solve_lasso,
)

KIND_CODES = {kind: i for i, kind in enumerate(KINDS)}
MAX_KINKS = 12


def _configs(names) -> list[tuple[str, int]]:
    out = []
    for name in names:
        act, _, depth = name.rpartition("_")
        if not depth.isdigit():
            raise ValueError(f"configuration {name!r} is not '<activation>_<depth>'")
        out.append(check_activation_depth(act, int(depth)))
    return out


def _grid(x: np.ndarray, n: int) -> np.ndarray:
    return np.linspace(x.min() - 1, x.max() + 1, n)


def _kink_arrays(net) -> tuple[np.ndarray, np.ndarray]:
    loc = np.full(MAX_KINKS, np.nan)
    kind = np.full(MAX_KINKS, -1)
    for i, k in enumerate(net.kinks[:MAX_KINKS]):
        loc[i], kind[i] = k.location, KIND_CODES[k.kind]
    return loc, kind


# -- M1 -----------------------------------------------------------------------------------
#: (activation, depth, what) of the example features drawn: a number of breakpoints (all at
#: data points) or the kind of one of them
EXAMPLES = (
    ("relu", 2, 1),
    ("relu", 3, 2),
    ("relu", 4, "reflection"),
    ("abs", 4, "reflection of reflection"),
    ("sign", 4, 4),
)


def _example_label(f, act: str, depth: int, want) -> str:
    points = ", ".join(f"{t:g}" for t in f.breakpoints)
    if not isinstance(want, str):
        return f"{act} depth {depth}: breakpoints {points} (data points)"
    special = ", ".join(f"{t:g}" for t, k in zip(f.breakpoints, f.kinds, strict=True) if k == want)
    return f"{act} depth {depth}: breakpoints {points}; {special}: {want}"


def _is_example(f, want) -> bool:
    if isinstance(want, str):
        return want in f.kinds
    return len(f.breakpoints) == want and f.kind == "data point"


def run_dictionaries(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    names = list(p["datasets"])
    shape = (len(names), len(configs))
    raw, formula, kept = (np.zeros(shape, int) for _ in range(3))
    kinds = np.zeros((*shape, len(KINDS)), int)
    diff_data, diff_grid = np.zeros(shape), np.zeros(shape)
    for a, name in enumerate(names):
        x, _ = DATASETS[name]
        grid = _grid(x, p["n_grid"])
        for c, (act, depth) in enumerate(configs):
            D = dictionary(x, act, depth)
            raw[a, c], formula[a, c], kept[a, c] = (
                D.raw_count,
                raw_count(x.size, act, depth),
                len(D.features),
            )
            counts = D.kind_counts()
            kinds[a, c] = [counts[k] for k in KINDS]
            # recursive builder (all raw columns) against the functional one (kept features)
            cols, tuples = recursive_columns(x, act, depth, at=grid)
            index = {t: i for i, t in enumerate(tuples)}
            rec = cols[:, [index[(f.signs, f.anchors, f.reflection_flag)] for f in D.features]]
            diff_grid[a, c] = float(np.max(np.abs(rec - D.evaluate(grid))))
            diff_data[a, c] = float(np.max(np.abs(D.matrix - D.evaluate(x))))
    # example features on the first data set: a ramp, a capped ramp, a reflection feature,
    # a reflection of a reflection (abs, depth 4) and a sign-tree pattern (depth 4)
    x, _ = DATASETS[names[0]]
    grid = _grid(x, p["n_grid"])
    examples, labels = [], []
    for act, depth, want in EXAMPLES:
        for f in dictionary(x, act, depth).features:
            if _is_example(f, want):
                examples.append(f(grid))
                labels.append(_example_label(f, act, depth, want))
                break
    return {
        "datasets": names,
        "configs": [f"{a}_{d}" for a, d in configs],
        "raw_count": raw,
        "formula_count": formula,
        "dedup_count": kept,
        "kind_counts": kinds,
        "kinds": list(KINDS),
        "max_diff_data": diff_data,
        "max_diff_grid": diff_grid,
        "example_grid": grid,
        "example_features": np.array(examples),
        "example_labels": labels,
        "example_x": x,
    }


# -- M2 / M7 ------------------------------------------------------------------------------
def _reflection_tests(D, y, norm: float, tol: float) -> tuple[float, float, np.ndarray]:
    """(norm without reflection features, reflection weight in a reflection-favouring
    optimum, that optimum's z)."""
    refl = np.array([f.kind != "data point" for f in D.features])
    if not refl.any():
        return norm, 0.0, None
    no_refl = min_norm_interpolation(D.matrix[:, ~refl], y).objective
    fav = min_norm_interpolation(D.matrix, y, perturbation=-1e-6 * refl)
    weight = float(np.abs(fav.z[refl]).sum()) if fav.objective <= norm * (1 + tol) else 0.0
    return no_refl, weight, fav


def run_min_norm(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    names = list(p["datasets"])
    shape = (len(names), len(configs))
    norms, no_refl, refl_weight, uniq = (np.zeros(shape) for _ in range(4))
    preds = np.zeros((*shape, p["n_grid"]))
    kink_loc = np.full((*shape, MAX_KINKS), np.nan)
    kink_kind = np.full((*shape, MAX_KINKS), -1)
    grids = np.zeros((len(names), p["n_grid"]))
    for a, name in enumerate(names):
        x, y = DATASETS[name]
        grids[a] = _grid(x, p["n_grid"])
        for c, (act, depth) in enumerate(configs):
            D = dictionary(x, act, depth)
            sol = min_norm_interpolation(D.matrix, y)
            net = rebuild_network(D, y, sol, 0.0)
            norms[a, c] = sol.objective
            preds[a, c] = net.predict(grids[a])
            kink_loc[a, c], kink_kind[a, c] = _kink_arrays(net)
            rng = ctx.rng("perturb", name, act, depth)
            for _ in range(p["n_perturb"]):
                d = p["perturb_scale"] * rng.uniform(-1, 1, len(D.features))
                alt = rebuild_network(D, y, min_norm_interpolation(D.matrix, y, d), 0.0)
                uniq[a, c] = max(
                    uniq[a, c], float(np.max(np.abs(alt.predict(grids[a]) - preds[a, c])))
                )
            no_refl[a, c], refl_weight[a, c], _ = _reflection_tests(D, y, sol.objective, p["tol"])
    return {
        "datasets": names,
        "configs": [f"{a}_{d}" for a, d in configs],
        "grid": grids,
        "min_norm": norms,
        "min_norm_no_reflection": no_refl,
        "reflection_weight_at_optimum": refl_weight,
        "uniqueness_max_diff": uniq,
        "predictions": preds,
        "kink_locations": kink_loc,
        "kink_kinds": kink_kind,
        "tol": p["tol"],
    }


def run_reflection_frequency(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    ns = list(p["n_points"])
    needed = np.zeros((len(ns), len(configs), p["draws"]), bool)
    used = np.zeros_like(needed)
    norms = np.zeros(needed.shape)
    for a, n in enumerate(ns):
        for r in range(p["draws"]):
            rng = ctx.rng("draw", n, r)
            x = np.sort(rng.uniform(0.0, 10.0, n))
            y = rng.standard_normal(n)
            for c, (act, depth) in enumerate(configs):
                D = dictionary(x, act, depth)
                norms[a, c, r] = norm = min_norm_interpolation(D.matrix, y).objective
                no_refl, weight, _ = _reflection_tests(D, y, norm, p["tol"])
                needed[a, c, r] = no_refl > norm * (1 + p["tol"])
                used[a, c, r] = weight > 0
    return {
        "n_points": np.array(ns),
        "configs": [f"{a}_{d}" for a, d in configs],
        "needed": needed,
        "used": used,
        "min_norm": norms,
        "draws": p["draws"],
        "tol": p["tol"],
    }


def _jax_device(device: str):
    """The JAX device for the run's ``device``: the GPU for ``"cuda"`` where JAX has one
    (else the CPU, with a warning), the CPU otherwise."""
    import jax

    if device == "cuda":
        try:
            return jax.devices("gpu")[0]
        except RuntimeError:
            warnings.warn(
                "device 'cuda' was asked for but JAX has no GPU backend (install jax[cuda]); "
                "FISTA runs on the CPU",
                RuntimeWarning,
                stacklevel=3,
            )
    return jax.devices("cpu")[0]


def _solve_timed(A, y, beta, p, device):
    """FISTA on ``A`` on the JAX ``device``, with its CPU and wall seconds."""
    import jax

    cpu, wall = time.process_time(), time.perf_counter()
    with jax.default_device(device):
        sol = library.fista_lasso(A, y, beta, tol=p["tol"], max_iter=p["max_iter"])  # JAX
    return sol, time.process_time() - cpu, time.perf_counter() - wall


def run_reflection_lasso(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Depth-4 ReLU Lasso on random data (x ~ U[0, 10] sorted, y ~ N(0, 1), as
    ``reflection_frequency``) at ``beta = frac * beta_max`` (``beta_max = ||A_c^T y_c||_inf``,
    the smallest beta with the zero solution; ``A_c``, ``y_c`` centred), solved by FISTA to
    relative gap ``tol`` on the deduplicated dictionary and on its columns without
    reflections, on the GPU where the run's device is ``"cuda"`` and JAX has one (the
    platform used is returned). A feature is active when ``|z_i| > threshold * max |z|``;
    reflections are "needed" when the restricted program's certified lower bound exceeds
    the full one's value."""
    ns, fracs, draws = list(p["n_points"]), np.array(p["beta_fracs"], float), p["draws"]
    shape = (len(ns), fracs.size, draws)
    out = {k: np.zeros(shape) for k in (
        "objective", "objective_no_reflection", "gap", "gap_no_reflection", "iterations",
        "iterations_no_reflection", "cpu_s", "wall_s", "cpu_s_no_reflection", "beta",
        "active_data", "active_reflection", "reflection_weight")}  # fmt: skip
    converged = np.zeros((*shape, 2), bool)
    features = np.zeros((len(ns), draws, 3))  # raw, deduplicated, reflection features
    build_cpu = np.zeros((len(ns), draws))
    max_raw = raw_count(max(ns), "relu", 4)
    device = _jax_device(ctx.device)
    platform = device.platform
    for a, n in enumerate(ns):
        for r in range(draws):
            rng = ctx.rng("draw", n, r)
            x = np.sort(rng.uniform(0.0, 10.0, n))
            y = rng.standard_normal(n)
            cpu = time.process_time()
            R = relu_dictionary(x, 4, max_raw_columns=max_raw)
            build_cpu[a, r] = time.process_time() - cpu
            features[a, r] = R.raw_count, R.matrix.shape[1], R.reflection.sum()
            A = R.matrix
            beta_max = float(np.max(np.abs((A - A.mean(0)).T @ (y - y.mean()))))
            for b, frac in enumerate(fracs):
                beta = frac * beta_max
                sol, c_s, w_s = _solve_timed(A, y, beta, p, device)
                nr, c_nr, _ = _solve_timed(A[:, ~R.reflection], y, beta, p, device)
                z = np.abs(sol.z)
                active = z > p["threshold"] * z.max()
                vals = {
                    "objective": sol.objective, "objective_no_reflection": nr.objective,
                    "gap": sol.gap, "gap_no_reflection": nr.gap, "iterations": sol.iterations,
                    "iterations_no_reflection": nr.iterations, "cpu_s": c_s, "wall_s": w_s,
                    "cpu_s_no_reflection": c_nr, "beta": beta,
                    "active_data": np.sum(active & ~R.reflection),
                    "active_reflection": np.sum(active & R.reflection),
                    "reflection_weight": z[R.reflection].sum() / z.sum(),
                }  # fmt: skip
                for k, v in vals.items():
                    out[k][a, b, r] = v
                converged[a, b, r] = sol.converged, nr.converged
    lower_nr = out["objective_no_reflection"] * (1.0 - out["gap_no_reflection"])
    return {
        "jax_platform": platform,
        **out,
        "n_points": np.array(ns),
        "beta_fracs": fracs,
        "used": out["active_reflection"] > 0,
        "needed": lower_nr > out["objective"],
        "converged": converged,
        "features": features,
        "build_cpu_s": build_cpu,
        "draws": draws,
        "tol": p["tol"],
        "threshold": p["threshold"],
    }


# -- M3 -----------------------------------------------------------------------------------
def run_lasso_network(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    names, betas = list(p["datasets"]), np.array(p["betas"], float)
    shape = (len(names), len(configs), betas.size)
    obj_clarabel, obj_cd, obj_net, pen_gap, pred_gap = (np.zeros(shape) for _ in range(5))
    for a, name in enumerate(names):
        x, y = DATASETS[name]
        for c, (act, depth) in enumerate(configs):
            D = dictionary(x, act, depth)
            for b, beta in enumerate(betas):
                net = rebuild_network(D, y, solve_lasso(D.matrix, y, beta), beta)
                obj_clarabel[a, c, b] = net.objective
                obj_cd[a, c, b] = solve_lasso(D.matrix, y, beta, solver="cd").objective
                obj_net[a, c, b] = net.training_objective(x, y)
                pen_gap[a, c, b] = abs(net.penalty() - beta * np.abs(net.coef).sum())
                pred_gap[a, c, b] = float(
                    np.max(np.abs(net.predict(x) - D.matrix @ net.coef - net.output_bias))
                )
    return {
        "datasets": names,
        "configs": [f"{a}_{d}" for a, d in configs],
        "betas": betas,
        "objective_clarabel": obj_clarabel,
        "objective_cd": obj_cd,
        "objective_network": obj_net,
        "penalty_gap": pen_gap,
        "prediction_gap": pred_gap,
    }


# -- M4 / M8 ------------------------------------------------------------------------------
def _padded(rows, shape: tuple[int, ...]) -> np.ndarray:
    """Ragged 1-D arrays as one array of ``shape + (longest,)``, padded with NaN."""
    out = np.full((len(rows), max([1, *(len(r) for r in rows)])), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out.reshape(*shape, -1)


def _nearest(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.min(np.abs(points[:, None] - targets[None, :]), axis=1, initial=np.inf)


def _near_fraction(dist: np.ndarray, weight: np.ndarray, radius: float) -> np.ndarray:
    """Weighted fraction of kinks within ``radius`` over the last axis (NaN: no kinks)."""
    w = np.nan_to_num(weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(w * (np.nan_to_num(dist, nan=np.inf) <= radius), -1) / np.sum(w, -1)


def run_training(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    x, y = DATASETS[p["dataset"]]
    beta, S, m = float(p["beta"]), int(p["seeds"]), int(p["width"])
    grid = _grid(x, p["n_grid"])
    # kinks on the data range, distances in units of the median spacing of the data
    lo, hi = float(x.min()), float(x.max())
    unit = float(np.median(np.diff(np.sort(x))))
    reflections = (2.0 * x[:, None] - x[None, :])[~np.eye(x.size, dtype=bool)]
    L_max = max(depth for _, depth in configs)
    C = len(configs)
    p_star = np.zeros(C)
    finals = np.zeros((C, 2, S))  # init: random, placed
    preds = np.zeros((C, 2, S, grid.size))
    lasso_pred = np.zeros((C, grid.size))
    hidden_w, hidden_b = (
        np.full((C, 2, S, m, L_max - 1), np.nan),
        np.full((C, 2, S, m, L_max - 1), np.nan),
    )
    out_w, out_b = np.zeros((C, 2, S, m)), np.zeros((C, 2, S))
    traces, lasso_kinks, kinks, weights, d_lasso, d_data, d_refl = ([] for _ in range(7))
    for c, (act, depth) in enumerate(configs):
        D = dictionary(x, act, depth)
        net = rebuild_network(D, y, solve_lasso(D.matrix, y, beta), beta)
        p_star[c] = net.objective
        lasso_pred[c] = net.predict(grid)
        # one batch: S random starts, then S starts placed at the Lasso optimum
        run = library.train_networks(
            x, y, beta, activation=act, depth=depth, width=m, n_seeds=2 * S,
            n_placed=S, steps=p["steps"], lr=p["lr"], decay=True, place=net, grid=grid,
            generator=ctx.torch_generator("init", act, depth),
        )  # fmt: skip
        finals[c] = run.objectives.reshape(2, S)
        preds[c] = run.predictions.reshape(2, S, -1)
        traces.append(run.trace.reshape(2, S, -1))
        w = run.weights
        hidden_w[c, ..., : depth - 1] = w["hidden_weights"].reshape(2, S, m, -1)
        hidden_b[c, ..., : depth - 1] = w["hidden_biases"].reshape(2, S, m, -1)
        out_w[c], out_b[c] = w["output_weights"].reshape(2, S, m), w["output_bias"].reshape(2, S)
        lasso_kinks.append(np.array([k.location for k in net.kinks]))
        for s in range(2 * S):
            loc, size = network_kinks(
                w["hidden_weights"][s], w["hidden_biases"][s], w["output_weights"][s], act, lo, hi
            )
            kinks.append(loc)
            weights.append(size)
            d_lasso.append(_nearest(loc, lasso_kinks[-1]) / unit)
            d_data.append(_nearest(loc, x) / unit)
            d_refl.append(_nearest(loc, reflections) / unit)
    shape, r = (C, 2, S), float(p["kink_radius"])
    kinks, weights, d_lasso, d_data, d_refl = (
        _padded(a, shape) for a in (kinks, weights, d_lasso, d_data, d_refl)
    )
    pooled = weights.reshape(C, 2, -1)
    return {
        "configs": [f"{a}_{d}" for a, d in configs],
        "dataset": p["dataset"],
        "beta": beta,
        "x": x,
        "y": y,
        "grid": grid,
        "p_star": p_star,
        "finals": finals,
        "predictions": preds,
        "lasso_predictions": lasso_pred,
        "traces": np.array(traces).reshape(C, 2, S, -1),
        "trace_steps": run.trace_steps,
        "width": m,
        "seeds": S,
        "hidden_weights": hidden_w,
        "hidden_biases": hidden_b,
        "output_weights": out_w,
        "output_bias": out_b,
        "data_spacing": unit,
        "kink_radius": r,
        "lasso_kinks": _padded(lasso_kinks, (C,)),
        "learned_kinks": kinks,
        "learned_kink_weights": weights,
        "kink_distance_lasso": d_lasso,
        "kink_distance_data": d_data,
        "kink_distance_reflection": d_refl,
        "near_lasso_fraction": _near_fraction(d_lasso, weights, r),
        "near_lasso_pooled": _near_fraction(d_lasso.reshape(C, 2, -1), pooled, r),
        "near_data_pooled": _near_fraction(d_data.reshape(C, 2, -1), pooled, r),
        "near_reflection_pooled": _near_fraction(d_refl.reshape(C, 2, -1), pooled, r),
    }


# -- M5 -----------------------------------------------------------------------------------


def _placed(x, y, depth, init):
    """The network placed at the start: the LP optimum (``"optimum"``), the LP optimum
    that favours reflection features (``"reflection"``), or none."""
    if init == "default":
        return None
    D = dictionary(x, "relu", depth)
    sol = min_norm_interpolation(D.matrix, y)
    if init == "reflection":
        _, _, fav = _reflection_tests(D, y, sol.objective, 1e-9)
        sol = fav if fav is not None else sol
    return rebuild_network(D, y, sol, 0.0)


def run_paper_adam(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    panels = list(PAPER_RUNS)
    G, S = p["n_grid"], p["seeds"]
    preds = np.zeros((len(panels), 2, S, G))
    grids = np.zeros((len(panels), G))
    pen_over_beta, max_resid = np.zeros((len(panels), 2, S)), np.zeros((len(panels), 2, S))
    lp_norm, lp_pred = np.zeros(len(panels)), np.zeros((len(panels), G))
    epochs = np.zeros(len(panels), int)
    for k, name in enumerate(panels):
        ds, depth, beta, width, ep, _, init = PAPER_RUNS[name]
        x, y = DATASETS[ds]
        grids[k] = _grid(x, G)
        D = dictionary(x, "relu", depth)
        sol = min_norm_interpolation(D.matrix, y)
        lp_norm[k] = sol.objective
        lp_pred[k] = rebuild_network(D, y, sol, 0.0).predict(grids[k])
        epochs[k] = min(ep, p["max_epochs"])
        place = _placed(x, y, depth, init)
        for m, mode in enumerate(("faithful", "corrected")):
            run = library.train_networks(
                x, y, beta, activation="relu", depth=depth, width=width, n_seeds=S,
                steps=int(epochs[k]), lr=5e-3, place=place, mode=mode, shared_chain=True,
                grid=grids[k], generator=ctx.torch_generator(name),
            )  # fmt: skip
            preds[k, m] = run.predictions
            sq = 0.5 * np.sum((run.fitted - y) ** 2, axis=1)
            max_resid[k, m] = np.max(np.abs(run.fitted - y), axis=1)
            pen_over_beta[k, m] = (run.objectives - sq) / beta
    return {
        "panels": panels,
        "grids": grids,
        "predictions": preds,
        "modes": ["faithful", "corrected"],
        "lp_min_norm": lp_norm,
        "lp_predictions": lp_pred,
        "penalty_over_beta": pen_over_beta,
        "max_residual": max_resid,
        "epochs": epochs,
        "seeds": S,
    }


def _in_dictionary(D, col: np.ndarray) -> bool:
    """Whether ``col`` equals a column of ``D`` modulo sign and an added constant."""
    c = col - col[0]
    M = D.matrix - D.matrix[:1]
    scale = np.max(np.abs(c))
    return bool(np.any(np.max(np.abs(M - c[:, None]), 0) <= 1e-9 * scale)
                or np.any(np.max(np.abs(M + c[:, None]), 0) <= 1e-9 * scale))  # fmt: skip


def run_paper_lasso(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The Lasso panels as drawn (Fig. 3: the hard-coded solutions; Figs. 18/19: the Lasso
    at the authors' beta = 1e-8, here by CLARABEL at its default tolerances, and the
    objective the notebooks printed) against the exact minimum-norm LP."""
    panels = list(LASSO_PANELS)
    G = p["n_grid"]
    grids, drawn, exact = (
        np.zeros((len(panels), G)),
        np.zeros((len(panels), G)),
        np.zeros((len(panels), G)),
    )
    authors_norm, tiny_norm, lp_norm = (np.full(len(panels), np.nan) for _ in range(3))
    drawn_interp_err, in_dict = np.zeros(len(panels)), np.ones(len(panels), bool)
    kink_loc = np.full((len(panels), MAX_KINKS), np.nan)
    kink_kind = np.full((len(panels), MAX_KINKS), -1)
    for k, name in enumerate(panels):
        fig, ds, depth = LASSO_PANELS[name]
        x, y = DATASETS[ds]
        grids[k] = _grid(x, G)
        D = dictionary(x, "relu", depth)
        sol = min_norm_interpolation(D.matrix, y)
        net = rebuild_network(D, y, sol, 0.0)
        lp_norm[k], exact[k] = sol.objective, net.predict(grids[k])
        kink_loc[k], kink_kind[k] = _kink_arrays(net)
        if fig == "3":
            parts = FIG3_HARDCODED[depth]
            authors_norm[k] = sum(abs(c) for *_, c in parts)
            drawn[k] = sum(c * ramp(a, b, grids[k]) for a, b, c in parts)
            fit = sum(c * ramp(a, b, x) for a, b, c in parts)
            in_dict[k] = all(_in_dictionary(D, ramp(a, b, x)) for a, b, _ in parts)
        else:
            printed, beta = PRINTED[(fig, ds, depth)]
            authors_norm[k] = printed / beta
            tiny = solve_lasso(D.matrix, y, beta, solver="clarabel_default")
            tiny_norm[k] = float(np.abs(tiny.z).sum())
            drawn[k] = rebuild_network(D, y, tiny, beta).predict(grids[k])
            fit = D.matrix @ tiny.z + tiny.xi
        drawn_interp_err[k] = float(np.max(np.abs(fit - y)))
    return {
        "panels": panels,
        "grids": grids,
        "drawn_predictions": drawn,
        "exact_predictions": exact,
        "authors_norm": authors_norm,
        "tiny_beta_norm": tiny_norm,
        "lp_min_norm": lp_norm,
        "drawn_max_residual": drawn_interp_err,
        "hardcoded_in_dictionary": in_dict,
        "kink_locations": kink_loc,
        "kink_kinds": kink_kind,
    }


# -- M6 -----------------------------------------------------------------------------------
def run_path(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    configs = _configs(p["configs"])
    x, y = DATASETS[p["dataset"]]
    betas = np.geomspace(p["beta_min"], p["beta_max"], p["n_beta"])
    shape = (len(configs), betas.size)
    active, obj, obj_cd = np.zeros(shape, int), np.zeros(shape), np.zeros(shape)
    kinks = np.zeros((*shape, len(KINDS)), int)
    for c, (act, depth) in enumerate(configs):
        D = dictionary(x, act, depth)
        for b, beta in enumerate(betas):
            obj[c, b] = solve_lasso(D.matrix, y, beta).objective
            # coordinate descent ends at a sparse (vertex-like) optimum; CLARABEL's interior
            # point at the centre of the optimal face, which mixes every optimal feature
            net = rebuild_network(D, y, solve_lasso(D.matrix, y, beta, solver="cd"), beta)
            active[c, b], obj_cd[c, b] = np.count_nonzero(net.coef), net.objective
            for k in net.kinks:
                kinks[c, b, KIND_CODES[k.kind]] += 1
    return {
        "configs": [f"{a}_{d}" for a, d in configs],
        "dataset": p["dataset"],
        "betas": betas,
        "active": active,
        "kink_counts": kinks,
        "kinds": list(KINDS),
        "objective_clarabel": obj,
        "objective_cd": obj_cd,
    }

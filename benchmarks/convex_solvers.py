"""Benchmark: time to 1e-6 relative suboptimality for the convex-network solvers.

Compares, on the same problems and in the same run, our JAX solvers (``solve_convex``,
``solver="fast"``; timed after a jit warm-up on the same shapes), CVXPY + CLARABEL (default
tolerances) and ``pyscnn`` if importable (``unitize_data=False``, float64, its gates set to ours,
objective converted to paper scaling ``F = n F_scnn``, ``beta = n lambda``). The reference value
is the lower of the CLARABEL objective and the best feasible objective seen; suboptimality is
``(F - F_ref) / F_ref``, a run "reaches 1e-6" when this is ``<= 1e-6`` (and, for the ReLU
program, its cone violation is small; it is reported). Also measures log-log slopes of our time
vs ``n`` and vs ``P`` and peak-memory growth (child-process max RSS) vs ``n d + P d``.

Usage: ``python -m benchmarks.convex_solvers --out DIR [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from common.arrangements import sample_patterns
from common.convex_nn import Formulation, Squared, convex_objective, fast, solve_convex
from common.convex_nn.problem import masks
from common.convex_nn.reference import cvxpy_program

BETA_SCALE = 0.1  # beta = BETA_SCALE * max_i ||X^T D_i y|| (a moderately sparse solution)


def make_problem(n, d, P, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    w = rng.standard_normal((3, d))
    y = np.maximum(X @ w.T, 0) @ np.array([1.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(n)
    D, G = sample_patterns(X, P, seed=seed + 1, return_gates=True)
    beta = BETA_SCALE * float(np.max(np.linalg.norm((D * y[None, :]) @ X, axis=1)))
    return X, y, D, G, beta


def run_ours(X, y, D, beta, formulation, repeats=3, solver_opts=None):
    """Median wall time of ``repeats`` solves after a warm-up (jit, numba) on the same shapes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solve_convex(X, y, D, beta, formulation=formulation, max_iter=5, solver_opts=solver_opts)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            res = solve_convex(X, y, D, beta, formulation=formulation, tol=1e-6,
                               solver_opts=solver_opts)  # fmt: skip
            times.append(time.perf_counter() - t0)
    return {
        "time": float(np.median(times)),
        "times": times,
        "solver": res.solver,
        "objective": res.objective,
        "converged": res.converged,
        "iterations": res.iterations,
        "certificate": res.certificate,
        "lower_bound": res.lower_bound,
        "violation": res.constraint_violation,
    }


def run_clarabel(X, y, D, beta, formulation, repeats=1):
    """Median wall time of ``repeats`` CVXPY+CLARABEL solves, each from a freshly built problem
    (CVXPY caches a problem's compilation: re-solving the same object would skip it)."""
    runs = [_clarabel_once(X, y, D, beta, formulation) for _ in range(repeats)]
    times = [r["time"] for r in runs]
    return {**runs[int(np.argsort(times)[len(times) // 2])], "time": float(np.median(times)),
            "times": times}  # fmt: skip


def _clarabel_once(X, y, D, beta, formulation):
    """One CLARABEL solve (its default tolerances) of the package's CVXPY program
    (:func:`common.convex_nn.reference.cvxpy_program`), timing ``solve`` only."""
    form = Formulation(formulation)
    prog = cvxpy_program(X, y, form.masks(D), form.signs(D), beta, relu=form.constrained)
    t0 = time.perf_counter()
    prog.problem.solve(solver="CLARABEL")
    t = time.perf_counter() - t0
    Vv = prog.V.value if form.constrained else None
    return {
        "time": t,
        "objective": convex_objective(X, y, D, prog.U.value, Vv, beta),
        "status": prog.problem.status,
    }


def run_pyscnn(X, y, G, D, beta, formulation):
    try:
        from scnn.metrics import Metrics
        from scnn.models import ConvexGatedReLU, ConvexReLU
        from scnn.optimize import optimize_model
        from scnn.regularizers import NeuronGL1
        from scnn.solvers import AL, RFISTA
    except Exception as exc:  # pragma: no cover - optional dependency
        return {"error": f"pyscnn not importable: {exc}"}
    n = X.shape[0]
    lam = beta / n
    if formulation == "gated":
        model = ConvexGatedReLU(G.T)
        solver = RFISTA(model, max_iters=10_000, tol=1e-8)
    else:
        model = ConvexReLU(G.T)
        solver = AL(model, tol=1e-8, constraint_tol=1e-8)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, _ = optimize_model(
            model,
            solver,
            Metrics(metric_freq=10_000),
            X,
            y,
            regularizer=NeuronGL1(lam),
            unitize_data=False,
            dtype="float64",
            verbose=False,
            return_convex=True,
        )
    t = time.perf_counter() - t0
    params = [np.asarray(p, dtype=float) for p in model.parameters]
    # scnn's patterns are 1[X G > 0]; Gaussian gates have no ties, so they equal ours
    Ds = (X @ np.asarray(model.G, dtype=float) > 0).T
    U = params[0][0]
    V = params[1][0] if formulation == "relu" else None
    obj = convex_objective(X, y, Ds, U, V, beta)
    viol = 0.0
    if V is not None:
        Sg = 2.0 * Ds.T - 1.0
        viol = float(max(np.max(-(X @ U.T) * Sg), np.max(-(X @ V.T) * Sg), 0.0))
    return {"time": t, "objective": obj, "violation": viol}


def time_grid(sizes, formulations, skip_clarabel_above, skip_pyscnn_relu_above=10**12,
              repeats=(3, 1)):  # fmt: skip
    """Time every solver on each problem; ``repeats`` = (our solves, CLARABEL solves), medians."""
    rows = []
    for n, d, P in sizes:
        X, y, D, G, beta = make_problem(n, d, P)
        for form in formulations:
            row = {
                "n": n,
                "d": d,
                "P_requested": P,
                "P": int(D.shape[0]),
                "formulation": form,
                "beta": beta,
            }
            row["ours"] = run_ours(X, y, D, beta, form, repeats=repeats[0])
            big = n * D.shape[0] > skip_clarabel_above
            row["clarabel"] = (
                {"skipped": True} if big else run_clarabel(X, y, D, beta, form, repeats[1])
            )
            slow = form == "relu" and n * D.shape[0] > skip_pyscnn_relu_above
            row["pyscnn"] = {"skipped": True} if slow else run_pyscnn(X, y, G, D, beta, form)
            cands = [row["ours"]["objective"]]
            if "objective" in row["clarabel"]:
                cands.append(row["clarabel"]["objective"])
            ref = min(cands) if "objective" not in row["clarabel"] else row["clarabel"]["objective"]
            row["reference"] = ref
            # without CLARABEL the reference is our solution, certified by its duality gap
            row["reference_kind"] = (
                "clarabel"
                if "objective" in row["clarabel"]
                else (f"ours (certified relative gap {row['ours']['certificate']:.1e})")
            )
            for k in ("ours", "clarabel", "pyscnn"):
                if "objective" in row[k]:
                    row[k]["rel_subopt"] = (row[k]["objective"] - ref) / abs(ref)
                    row[k]["reached_1e-6"] = bool(row[k]["rel_subopt"] <= 1e-6)
            for k in ("clarabel", "pyscnn"):
                if "time" in row[k]:
                    row[f"speedup_vs_{k}"] = row[k]["time"] / row["ours"]["time"]
            print(json.dumps(_short(row)), flush=True)
            rows.append(row)
    return rows


def _short(row):
    out = {k: row[k] for k in ("n", "d", "P", "formulation")}
    for k in ("ours", "clarabel", "pyscnn"):
        if "time" in row[k]:
            out[k] = (round(row[k]["time"], 4), f"{row[k].get('rel_subopt', float('nan')):.1e}")
    return out


def slope(xs, ts):
    xs, ts = np.log(np.asarray(xs, float)), np.log(np.asarray(ts, float))
    return float(np.polyfit(xs, ts, 1)[0]) if len(xs) >= 2 else float("nan")


def xla_peak_bytes(n, d, P, formulation="gated"):
    """Peak device memory of one compiled R-FISTA/AL kernel (XLA ``memory_analysis``):
    argument + output + temporary buffers, in bytes (deterministic; no RSS noise)."""
    import jax
    import jax.numpy as jnp

    X, y, D, _, beta = make_problem(n, d, P)
    M = masks(D)
    S = 2.0 * D.T - 1.0
    if formulation == "relu":
        M, S = np.concatenate([M, -M], 1), np.concatenate([S, S], 1)
    Xp, yp, Mp, Sp, _, _ = fast._pad(X, y[:, None], M, S)
    with jax.enable_x64(True):
        f64 = jnp.float64
        B, dd = Mp.shape[1], Xp.shape[1]
        gam = jnp.zeros((Xp.shape[0], 1, B) if formulation == "relu" else (1, 1, 1), f64)
        args = (
            jnp.zeros((1, B, dd), f64),
            jnp.asarray(Xp),
            jnp.asarray(yp),
            jnp.asarray(Mp),
            jnp.asarray(Sp),
            gam,
            jnp.asarray(1.0),
            jnp.asarray(beta),
            1.0,
            jnp.asarray(1e-6),
            100,
            jnp.asarray(1.0),
        )
        comp = fast._fista_jit.lower(
            *args,
            loss=Squared(),
            constrained=formulation == "relu",
            metric_kind="gap" if formulation == "gated" else "mns",
            check_every=10,
        ).compile()
        m = comp.memory_analysis()
    total = m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes
    return int(total - m.alias_size_in_bytes), int(D.shape[0])


def host_peak_bytes(n, d, P, formulation):
    """Peak Python-heap memory (tracemalloc; numpy arrays included, XLA buffers not) of the
    default solver: the working set (ReLU), or R-FISTA's host side plus the Newton phase's
    Gram matrix (gated)."""
    import tracemalloc

    X, y, D, _, beta = make_problem(n, d, P)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one-time allocations (imports, caches, jit of the same shapes)
        solve_convex(X[:50], y[:50], D[:5, :50], beta, formulation=formulation)
        solve_convex(X, y, D, beta, formulation=formulation, max_iter=2)
        tracemalloc.start()
        solve_convex(X, y, D, beta, formulation=formulation)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return int(peak)


def memory_grid(sizes):
    rows = []
    for n, d, P in sizes:
        for form in ("gated", "relu"):
            peak, Pe = xla_peak_bytes(n, d, P, form)
            rows.append(
                {
                    "n": n,
                    "d": d,
                    "P": Pe,
                    "formulation": form,
                    "nd_plus_Pd": n * d + Pe * d,
                    "nP": n * Pe,
                    "ndP": n * d * Pe,
                    "peak_MiB": peak / 2**20,
                    "ndP_float64_MiB": 8 * n * d * Pe / 2**20,
                }
            )
            rows[-1]["host_peak_MiB"] = host_peak_bytes(n, d, P, form) / 2**20
            print(json.dumps(rows[-1]), flush=True)
    return rows


def plot(result, out: Path):
    try:
        from common.plotting import figure, save_figure
    except Exception:  # pragma: no cover
        figure = save_figure = None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    if figure is not None:
        fig, axes = figure(1, 3)
        axes = np.ravel(axes)
    else:
        fig, axes = plt.subplots(1, 3, figsize=(10, 3))
    for ax, key, xlabel in ((axes[0], "n_series", "n"), (axes[1], "P_series", "P")):
        for form in ("gated", "relu"):
            rows = [r for r in result[key] if r["formulation"] == form]
            if not rows:
                continue
            xs = [r["n"] if xlabel == "n" else r["P"] for r in rows]
            for solver, ls in (("ours", "-"), ("clarabel", "--"), ("pyscnn", ":")):
                pts = [
                    (x, r[solver]["time"])
                    for x, r in zip(xs, rows, strict=True)
                    if "time" in r[solver]
                ]
                if pts:
                    ax.loglog(*zip(*pts, strict=True), ls, marker="o", label=f"{solver} {form}")
        ax.set_xlabel(xlabel)
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # no overlapping labels
        ax.set_ylabel("time to tol [s]")
        ax.legend(fontsize=6)
    mem = [r for r in result["memory"] if r["formulation"] == "gated"]
    axes[2].loglog(
        [r["ndP"] for r in mem], [r["peak_MiB"] for r in mem], "o", label="R-FISTA (XLA)"
    )
    for form, mk in (("gated", "s"), ("relu", "^")):
        pts = [(r["ndP"], r["host_peak_MiB"]) for r in result["memory"]
               if r["formulation"] == form and "host_peak_MiB" in r]  # fmt: skip
        if pts:
            axes[2].loglog(*zip(*pts, strict=True), mk, mfc="none", label=f"{form} solve (host)")
    axes[2].loglog(
        [r["ndP"] for r in mem], [r["ndP_float64_MiB"] for r in mem], "x", label="n d P doubles"
    )
    axes[2].set_xlabel("n d P")
    axes[2].xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[2].set_ylabel("peak memory [MiB]")
    axes[2].legend(fontsize=6)
    stem = out / "convex_solvers"
    if save_figure is not None:
        save_figure(fig, stem)
    else:
        fig.savefig(str(stem) + ".png", dpi=150)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="small grid (minutes on 2 cores)")
    ap.add_argument(
        "--memory-only",
        action="store_true",
        help="only redo the memory part, keeping timings already in --out",
    )
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.quick:
        # CLARABEL on the ReLU program at (2000, 20, 200) would take far more than the gated
        # program's ~4 minutes there, so that point compares ours with pyscnn only.
        targets = [
            (500, 20, 100, ("gated", "relu")),
            (2000, 20, 200, ("gated",)),
            (200, 10, 50, ("gated", "relu")),
        ]
        relu_big = [(2000, 20, 200)]  # ours and pyscnn; CLARABEL would take far longer
        n_series = [(n, 20, 100) for n in (250, 500, 1000, 2000, 4000)]
        P_series = [(500, 20, P) for P in (50, 100, 200, 400)]
        series_forms = ("gated", "relu")
        pyscnn_relu_max = 500 * 100  # pyscnn's AL takes minutes beyond this
        mem = [(1000, 20, 100), (4000, 20, 100), (16000, 20, 100)]  # n series
        mem += [(4000, 20, 50), (4000, 20, 400)]  # P series (with (4000, 20, 100))
        mem += [(4000, 10, 100), (4000, 40, 100), (4000, 80, 100)]  # d series
        skip = 1000 * 100
    else:
        targets = [
            (n, d, P, ("gated", "relu"))
            for n, d, P in ((500, 20, 100), (2000, 20, 200), (200, 10, 50), (5000, 50, 500))
        ]
        n_series = [(n, 20, 100) for n in (200, 500, 1000, 2000, 5000, 20000)]
        P_series = [(2000, 20, P) for P in (50, 100, 200, 500, 1000)]
        series_forms = ("gated", "relu")
        mem = [(n, 20, 100) for n in (1000, 4000, 16000, 64000)]
        mem += [(4000, 20, P) for P in (50, 200, 800)] + [(4000, d, 100) for d in (10, 40, 80)]
        skip = 2000 * 1000
        relu_big = []
        pyscnn_relu_max = 10**12
    t0 = time.time()
    path = args.out / "convex_solvers.json"
    result = json.loads(path.read_text()) if args.memory_only and path.exists() else {}
    result["env"] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
    }
    if not args.memory_only:
        # the target points get more repeats (medians of 7 of ours and, where CLARABEL takes
        # seconds, of 3 of CLARABEL): single timings on a shared 2-core machine vary up to 2x
        result["targets"] = [
            row
            for n, d, P, forms in targets
            for row in time_grid(
                [(n, d, P)],
                forms,
                skip_clarabel_above=10**9,
                repeats=(7, 3 if n * P <= 10**5 else 1),
            )
        ] + time_grid(relu_big, ("relu",), skip_clarabel_above=0)
        result["n_series"] = time_grid(n_series, series_forms, skip, pyscnn_relu_max)
        result["P_series"] = time_grid(P_series, series_forms, skip, pyscnn_relu_max)
    result["memory"] = memory_grid(mem)
    slopes = {}
    for form in ("gated", "relu"):
        for key, var in (("n_series", "n"), ("P_series", "P")):
            rows = [r for r in result.get(key, []) if r["formulation"] == form]
            for solver in ("ours", "clarabel", "pyscnn"):
                pts = [(r[var], r[solver]["time"]) for r in rows if "time" in r[solver]]
                if len(pts) >= 2:
                    slopes[f"{solver}_{form}_time_vs_{var}"] = slope(*zip(*pts, strict=True))
        m = [r for r in result["memory"] if r["formulation"] == form]
        for var, fixed in (("n", ("d", "P")), ("P", ("n", "d")), ("d", ("n", "P"))):
            ref = {"n": 4000, "d": 20, "P": 100}
            pts = [
                (r[var], r["peak_MiB"])
                for r in m
                if r[fixed[0]] == ref[fixed[0]]
                and abs(r[fixed[1]] - ref[fixed[1]]) <= 0.1 * ref[fixed[1]]
            ]
            if len(pts) >= 2:
                slopes[f"memory_{form}_vs_{var}"] = slope(*zip(*pts, strict=True))
            host = [
                (r[var], r["host_peak_MiB"])
                for r in m
                if "host_peak_MiB" in r
                and r[fixed[0]] == ref[fixed[0]]
                and abs(r[fixed[1]] - ref[fixed[1]]) <= 0.1 * ref[fixed[1]]
            ]
            if len(host) >= 2:
                slopes[f"host_memory_{form}_vs_{var}"] = slope(*zip(*host, strict=True))
    result["slopes"] = slopes
    result["speedups"] = [
        {
            k: r.get(k)
            for k in ("n", "d", "P", "formulation", "speedup_vs_clarabel", "speedup_vs_pyscnn")
        }
        for key in ("targets", "n_series", "P_series")
        for r in result.get(key, [])
    ]
    result["wall_time"] = time.time() - t0
    (args.out / "convex_solvers.json").write_text(json.dumps(result, indent=1, default=float))
    plot(result, args.out)
    print(json.dumps({"slopes": slopes}, indent=1))


if __name__ == "__main__":
    main()

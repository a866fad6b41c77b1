"""Benchmark (issue 16): speed at every beta, and the cost of a regularization path.

On the problems of :mod:`benchmarks.convex_solvers` (Gaussian X, planted ReLU plus noise, P
sampled patterns), with ``beta_max = max|X^T y|``:

* **grid**: ``beta = f * beta_max`` for ``f`` in {0.1, 0.05, 0.02, 0.01, 0.005}, several
  seeds: our ``solve_convex`` (``solver="fast"``, median of ``repeats`` after a warm-up),
  CVXPY+CLARABEL (one solve, from a fresh CVXPY problem) and pyscnn if importable (its
  objective converted to paper scaling, its cone violation reported), each in the same run;
  speed-up = CLARABEL time / our time, objectives relative to CLARABEL's;
* **growth**: the log-log slope of our time against the number of active blocks over the grid;
* **path**: a 20-point :func:`common.convex_nn.solve_path` from 0.5 to 0.005 beta_max, and
  its cost relative to the hardest single (cold) solve on it.

Usage: ``python -m benchmarks.convex_beta_grid --out DIR [--quick] [--device cpu|gpu]``
(``--quick``: n=120, d=6, P=30, one seed, under 2 minutes on 2 cores). ``--device gpu`` runs
the JAX phases on the GPU (``JAX_PLATFORMS=cuda``: R-FISTA, the augmented Lagrangian) and the
ReLU working set's interior-point factorisations with torch on ``cuda``
(``solver_opts={"device": "cuda"}``; see ``benchmarks/gpu_beta_grid.sh``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np

FRACTIONS = (0.1, 0.05, 0.02, 0.01, 0.005)
TARGET = {(500, 20, 100): 30.0, (2000, 20, 200): 50.0}  # ReLU; gated: 30x everywhere


def beta_max(X, y) -> float:
    return float(np.max(np.abs(X.T @ y)))


def grid_point(X, y, D, G, beta, form, repeats, pyscnn, opts=None, clarabel=True):
    from benchmarks.convex_solvers import run_clarabel, run_ours, run_pyscnn
    from common.convex_nn import solve_convex

    row = {"ours": run_ours(X, y, D, beta, form, repeats=repeats, solver_opts=opts)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_convex(X, y, D, beta, formulation=form, solver_opts=opts)
        row["ours"]["n_active"] = res.n_active
    row["clarabel"] = run_clarabel(X, y, D, beta, form, repeats=1) if clarabel else {}
    row["pyscnn"] = run_pyscnn(X, y, G, D, beta, form) if pyscnn else {"skipped": True}
    ref = row["clarabel"].get("objective", np.nan)
    for k in ("ours", "clarabel", "pyscnn"):
        if "objective" in row[k]:
            row[k]["rel_to_clarabel"] = (row[k]["objective"] - ref) / abs(ref)
    row["speedup"] = row["clarabel"].get("time", np.nan) / row["ours"]["time"]
    return row


def path_cost(X, y, D, form, points=20, hardest_of=3, opts=None):
    """Wall time of a ``points``-point path (0.5 to 0.005 beta_max) against the hardest single
    cold solve on it (timed at its ``hardest_of`` smallest betas), both in this process after
    a warm-up."""
    from common.convex_nn import solve_convex, solve_path

    betas = beta_max(X, y) * np.geomspace(0.5, 0.005, points)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solve_convex(X, y, D, betas[0], formulation=form, solver_opts=opts)  # warm-up (jit, numba)
        t0 = time.perf_counter()
        path = solve_path(X, y, D, betas, formulation=form, solver_opts=opts)
        t_path = time.perf_counter() - t0
        singles = []
        # the cold solves get harder as beta falls: the hardest is among the last ones (the
        # path's agreement with independent solves at every beta is tests/.../test_convex_path)
        for b, res in zip(betas[-hardest_of:], path[-hardest_of:], strict=True):
            t0 = time.perf_counter()
            ref = solve_convex(X, y, D, b, formulation=form, solver_opts=opts)
            singles.append(time.perf_counter() - t0)
            assert abs(res.objective - ref.objective) <= 1e-6 * abs(ref.objective), (b, form)
    return {
        "betas": betas.tolist(),
        "path_time": t_path,
        "single_times": singles,
        "hardest_single": max(singles),
        "ratio": t_path / max(singles),
        "certificates": [r.certificate for r in path],
        "converged": all(r.converged for r in path),
        "screened": path.screened.sum(axis=1).tolist(),
        "n_active": [r.n_active for r in path],
    }


def _line(row) -> str:
    o, c, s = row["ours"], row["clarabel"], row["pyscnn"]
    nan = float("nan")
    return (
        f"{row['n']:5d} {row['d']:3d} {row['P']:4d} s{row['seed']} {row['formulation']:5s} "
        f"{row['f']:6.3f}: ours {o['time']:7.3f}s (cert {o['certificate']:.1e}, active "
        f"{o['n_active']}, rel {o['rel_to_clarabel']:+.1e}) clarabel {c.get('time', nan):7.2f}s "
        f"speed-up {row['speedup']:6.1f}x pyscnn {s.get('time', nan):.2f}s "
        f"(rel {s.get('rel_to_clarabel', nan):+.1e}, violation {s.get('violation', nan):.1e})"
    )


def slope(x, t) -> float:
    x, t = np.asarray(x, float), np.asarray(t, float)
    ok = x > 0
    return float(np.polyfit(np.log(x[ok]), np.log(t[ok]), 1)[0]) if ok.sum() > 1 else np.nan


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--device", default="cpu", choices=["auto", "cpu", "gpu", "cuda"])
    ap.add_argument("--sizes", default=None, help="e.g. 500x20x100,2000x20x200")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--forms", default="relu,gated")
    ap.add_argument("--no-path", action="store_true")
    ap.add_argument("--no-pyscnn", action="store_true")
    ap.add_argument("--path-only", action="store_true")
    ap.add_argument("--no-clarabel", action="store_true", help="ours (and pyscnn) only")
    ap.add_argument("--repeats", type=int, default=None, help="our solves per point (median)")
    args = ap.parse_args(argv)
    if args.device == "auto":  # as the experiments' --device auto (workflows/config.yaml)
        import torch

        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    # the ReLU working set's interior point: its Woodbury factorisations on the GPU (torch)
    opts = {"relu": {"device": "cuda"} if args.device != "cpu" else None, "gated": None}
    if args.device != "cpu":
        os.environ["JAX_PLATFORMS"] = "cuda"
    from benchmarks.convex_solvers import make_problem

    try:
        import scnn.models  # noqa: F401

        pyscnn = not args.no_pyscnn
    except ImportError:
        pyscnn = False
    if args.sizes:
        sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    else:
        sizes = [(120, 6, 30)] if args.quick else [(500, 20, 100), (2000, 20, 200)]
    seeds = args.seeds or (1 if args.quick else 3)
    out = {"sizes": sizes, "fractions": FRACTIONS, "pyscnn": pyscnn, "grid": [], "path": []}
    for n, d, P in sizes:
        for seed in range(args.first_seed, args.first_seed + seeds):
            X, y, D, G, _ = make_problem(n, d, P, seed=seed)
            bmax = beta_max(X, y)
            for form in args.forms.split(","):
                for f in () if args.path_only else FRACTIONS:
                    reps = args.repeats or (1 if args.quick else 3)
                    row = grid_point(X, y, D, G, f * bmax, form, reps, pyscnn, opts[form],
                                     clarabel=not args.no_clarabel)  # fmt: skip
                    row.update(n=n, d=d, P=int(D.shape[0]), seed=seed, formulation=form, f=f)
                    out["grid"].append(row)
                    print(_line(row), flush=True)
            if not args.no_path and seed == args.first_seed:
                for form in args.forms.split(","):
                    pc = path_cost(X, y, D, form, opts=opts[form])
                    pc.update(n=n, d=d, P=int(D.shape[0]), formulation=form)
                    out["path"].append(pc)
                    print(f"path {form}: {pc['path_time']:.2f}s, hardest single "
                          f"{pc['hardest_single']:.2f}s, ratio {pc['ratio']:.2f}")  # fmt: skip
    for form in ("relu", "gated"):
        rows = [r for r in out["grid"] if r["formulation"] == form]
        out[f"slope_time_vs_active_{form}"] = slope(
            [r["ours"]["n_active"] for r in rows], [r["ours"]["time"] for r in rows]
        )
    Path(args.out).mkdir(parents=True, exist_ok=True)
    name = "convex_beta_grid_quick.json" if args.quick else "convex_beta_grid.json"
    if args.sizes or args.first_seed or args.forms != "relu,gated":
        name = f"convex_beta_grid_{'_'.join(map(str, sizes[0]))}_s{args.first_seed}.json"
    (Path(args.out) / name).write_text(json.dumps(out, indent=1, default=float))
    print(json.dumps({k: v for k, v in out.items() if k.startswith("slope")}))


if __name__ == "__main__":
    main()

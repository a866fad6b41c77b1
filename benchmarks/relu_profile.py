"""Profile (issue 16): where one ReLU working-set solve spends its time, phase by phase.

On the beta-grid problem (:mod:`benchmarks.convex_beta_grid`: ``make_problem(n, d, P, seed)``,
``beta = f max|X^T y|``), one ``solve_convex(..., formulation="relu")`` per ``f`` (default
solver, ``tol=1e-6``) after a warm-up, with the working set's phases wrapped by CPU-time
(``time.process_time``) counters: pricing, certificate, restricted-program data, and inside
the interior point its Newton-system factorisations (of which the Woodbury ones), its
directions (the triangular solves) and its scaling updates; plus, per restricted solve, the
working blocks, cone rows, interior-point iterations and CPU time. Run it with
``OMP_NUM_THREADS=1`` (the interior point is single-threaded anyway).

``--compare`` adds, per ``f``, CPU times that the machine's load affects less than the wall
times of :mod:`benchmarks.convex_beta_grid`: our solve (median of 3, uninstrumented), one
CVXPY+CLARABEL solve, and the working set started from the optimum's own blocks
(``W0``: what a perfect initial working set would cost, a bound, not a solver).

Usage: ``python -m benchmarks.relu_profile [--size 500x20x100] [--seed 1] [--f 0.005 0.01]
[--compare]``.
"""

from __future__ import annotations

import argparse
import contextlib
import time
import warnings

import numpy as np

from benchmarks.convex_beta_grid import beta_max
from benchmarks.convex_solvers import make_problem
from common.convex_nn import Formulation, convex_objective, solve_convex
from common.convex_nn import interior_point as ip
from common.convex_nn import working_set as ws
from common.convex_nn.reference import cvxpy_program

PHASES = [  # (owner, attribute, label)
    (ws, "price_blocks", "pricing"),
    (ws, "certified_lower_bound", "certificate"),
    (ws, "_restricted_data", "restricted data"),
    (ip._ConeQP, "factor", "IP Newton factorisations"),
    (ip._ConeQP, "_woodbury", "  of which Woodbury"),
    (ip._Newton, "direction", "IP directions"),
    (ip, "_update_scaling", "IP scaling updates"),
]


@contextlib.contextmanager
def instrumented():
    """Wrap the phases and ``working_set._restricted``; yields ``(totals, rounds)``."""
    totals, rounds, saved = {}, [], []

    def wrap(owner, name, label):
        f = getattr(owner, name)
        saved.append((owner, name, f))

        def g(*a, **k):
            t0 = time.process_time()
            try:
                return f(*a, **k)
            finally:
                sec, calls = totals.get(label, (0.0, 0))
                totals[label] = (sec + time.process_time() - t0, calls + 1)

        setattr(owner, name, g)

    for owner, name, label in PHASES:
        wrap(owner, name, label)
    restricted = ws._restricted
    saved.append((ws, "_restricted", restricted))

    def per_round(X, y, M, S, blocks, rows, *args):
        t0 = time.process_time()
        out = restricted(X, y, M, S, blocks, rows, *args)
        rounds.append((len(blocks), sum(r.size for r in rows), out[1], time.process_time() - t0))
        return out

    ws._restricted = per_round
    try:
        yield totals, rounds
    finally:
        for owner, name, f in reversed(saved):
            setattr(owner, name, f)


def _cpu(fn):
    c0 = time.process_time()
    out = fn()
    return time.process_time() - c0, out


def compare(X, y, D, beta):
    """CPU seconds: ours (median of 3), CLARABEL (one solve), ours from the optimum's blocks."""
    runs = [_cpu(lambda: solve_convex(X, y, D, beta, formulation="relu", tol=1e-6))
            for _ in range(3)]  # fmt: skip
    ours = float(np.median([t for t, _ in runs]))
    res = runs[0][1]
    form = Formulation("relu")
    M, S = form.masks(D), form.signs(D)
    prog = cvxpy_program(X, y, M, S, beta, relu=True)
    t_cl, _ = _cpu(lambda: prog.problem.solve(solver="CLARABEL"))
    obj_cl = convex_objective(X, y, D, prog.U.value, prog.V.value, beta)
    W0 = np.concatenate([res.U, res.V])[None]
    t_ideal, ideal = _cpu(lambda: ws.working_set(X, y[:, None], M, S, beta, W0=W0))
    rel = (res.objective - obj_cl) / abs(obj_cl)
    print(f"  CPU: ours {ours:.2f} s (median of 3), CLARABEL {t_cl:.1f} s, ratio "
          f"{t_cl / ours:.1f}x; objective relative to CLARABEL {rel:.1e}; from the "
          f"optimum's blocks {t_ideal:.2f} s ({ideal.rounds} rounds, {ideal.iterations} "
          f"iterations, certified {ideal.converged}), ratio {t_cl / t_ideal:.0f}x")  # fmt: skip


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="500x20x100")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--f", type=float, nargs="+", default=[0.005, 0.01])
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args(argv)
    n, d, P = (int(v) for v in args.size.split("x"))
    X, y, D, _, _ = make_problem(n, d, P, seed=args.seed)
    bmax = beta_max(X, y)
    warnings.simplefilter("ignore")
    solve_convex(X, y, D, 0.1 * bmax, formulation="relu", max_iter=5)  # warm-up (numba)
    for f in args.f:
        with instrumented() as (totals, rounds):
            c0 = time.process_time()
            res = solve_convex(X, y, D, f * bmax, formulation="relu", tol=1e-6)
            cpu = time.process_time() - c0
        its = sum(r[2] for r in rounds)
        print(f"f={f}: {cpu:.2f} CPU-s, objective {res.objective:.10g}, certificate "
              f"{res.certificate:.1e}, active blocks {res.n_active}, {len(rounds)} restricted "
              f"solves, {its} interior-point iterations")  # fmt: skip
        for label in (label for *_, label in PHASES if label in totals):
            sec, calls = totals[label]
            print(f"  {label:<26s} {sec:6.3f} s  ({calls} calls)")
        print(f"  {'restricted solves, total':<26s} {sum(r[3] for r in rounds):6.3f} s")
        for k, (B, nl, it, sec) in enumerate(rounds, 1):
            print(f"  solve {k:2d}: {B:4d} blocks, {nl:5d} rows, {it:3d} iterations, {sec:6.3f} s "
                  f"({1e3 * sec / max(it, 1):.1f} ms/iteration)")  # fmt: skip
        if args.compare:
            compare(X, y, D, f * bmax)


if __name__ == "__main__":
    main()

"""Benchmark: batched averaging of local inverses versus a per-machine Python loop.

``papers.shrinkage_newton.averaged_inverse`` forms all ``q`` local Grams, fixed points and
inverses as stacked arrays. The baseline is the straightforward loop over machines: per
machine, its Gram, (for the fixed-point method) its eigenvalues and a scalar ``brentq`` for
``s``, and one inverse, accumulated. Both are timed in the same run on the same blocks
(the two alternate, and each keeps its fastest of ``--repeats`` runs, the least disturbed by
other load) and checked to agree; the ratio loop / batched is reported.

Usage: ``python -m benchmarks.shrinkage_averaging --out DIR [--q 1000 --d 100 --m 250]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from papers.shrinkage_newton import averaged_inverse, effective_dimension


def loop_average(blocks: np.ndarray, lam: float, method: str, d_lam: float) -> np.ndarray:
    """The per-machine reference: one machine at a time, scalar root finding for ``s``."""
    q, m, d = blocks.shape
    total = np.zeros((d, d))
    for X in blocks:
        G = X.T @ X / m
        if method == "naive":
            scale, shift = 1.0, lam
        elif method == "shrinkage":
            scale = 1.0 - d_lam / m
            shift = scale * lam
        else:  # shrinkage_fixed_point: s = 1 - d_i(s lam) / m
            e = np.clip(np.linalg.eigvalsh(G), 0.0, None)
            scale = brentq(lambda s, e=e: s - 1.0 + np.sum(e / (e + s * lam)) / m, 1e-12, 1.0)
            shift = scale * lam
        total += scale * np.linalg.inv(G + shift * np.eye(d))
    return total / q


def _timed(fn) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--q", type=int, default=1000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--m", type=int, default=250)
    parser.add_argument("--lam", type=float, default=1e-2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    eigs = np.logspace(-2, 0, args.d)
    blocks = rng.standard_normal((args.q, args.m, args.d)) * np.sqrt(eigs)
    d_lam = effective_dimension(eigs, args.lam)
    rows = []
    for method in ("naive", "shrinkage", "shrinkage_fixed_point"):
        t_batch = t_loop = np.inf
        for _ in range(args.repeats):
            t, batched = _timed(lambda m=method: averaged_inverse(blocks, args.lam, m, d_lam))
            t_batch = min(t_batch, t)
            t, looped = _timed(lambda m=method: loop_average(blocks, args.lam, m, d_lam))
            t_loop = min(t_loop, t)
        diff = float(np.abs(batched - looped).max() / np.abs(looped).max())
        if diff > 1e-8:
            raise AssertionError(f"{method}: batched and loop averages differ ({diff:.3g})")
        rows.append(
            {
                "method": method,
                "batched_s": t_batch,
                "loop_s": t_loop,
                "ratio_loop_over_batched": t_loop / t_batch,
                "max_relative_difference": diff,
            }
        )
        print(
            f"{method:24s} batched {t_batch:.3f} s  loop {t_loop:.3f} s  "
            f"ratio {t_loop / t_batch:.2f}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "q": args.q,
        "d": args.d,
        "m": args.m,
        "lam": args.lam,
        "repeats": args.repeats,
        "machine": platform.platform(),
        "processor": platform.processor(),
        "rows": rows,
    }
    name = f"shrinkage_averaging_q{args.q}_d{args.d}_m{args.m}.json"
    (args.out / name).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

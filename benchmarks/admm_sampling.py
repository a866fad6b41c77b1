"""Benchmark: the vectorised D-ADMMS sampler against a per-agent loop with a CVXPY prox.

The released code (``sisl/Distributed_ADMM_Sampler``) runs one CVXPY solve per agent, trial
and iteration. This script times, in one run on the brief's setting (Bayesian linear
regression, N = 20 agents on a cycle, 50 samples per agent, rho = 5):

- ``loop``: that approach, written plainly here: for every trial and agent, a new CVXPY
  problem ``min f_i(x) + <p_i, x> + rho sum_{j in N_i} ||x - (x_i + x_j)/2 + w_i||^2``
  (default solver), then the dual update; timed on a few iterations and trials;
- ``vectorised``: :func:`papers.admm_sampling.sample` (closed-form prox on all trials and
  agents at once), 100 trials x 50 iterations.

Both are reported as seconds per local update (agent x trial x iteration), and the ratio
loop / vectorised. A correctness check runs one iteration of both from the same state and
noise and reports the largest difference.

Usage: ``python -m benchmarks.admm_sampling --out DIR [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import cvxpy as cp
import numpy as np

from papers.admm_sampling import graph, laplacian, linear_regression_data, sample

RHO = 5.0


def loop_step(target, adj, x, p, w):
    """One D-ADMMS iteration, agent by agent and trial by trial, with a CVXPY prox."""
    neighbours = [np.flatnonzero(row) for row in adj]
    x_new = np.empty_like(x)
    noise_var = target.noise_var
    lam_n = target.prior_var * target.n_agents
    for t in range(x.shape[0]):
        for i, nbrs in enumerate(neighbours):
            v = cp.Variable(target.d)
            X, y = target.X_parts[i], target.y_parts[i]
            f = cp.sum_squares(y - X @ v) / (2 * noise_var) + cp.sum_squares(v) / (2 * lam_n)
            penalty = sum(cp.sum_squares(v - (x[t, i] + x[t, j]) / 2 + w[t, i]) for j in nbrs)
            cp.Problem(cp.Minimize(f + p[t, i] @ v + RHO * penalty)).solve()
            x_new[t, i] = v.value
    p_new = p + RHO * np.einsum("ij,tjd->tid", laplacian(adj), x_new)
    return x_new, p_new


def vector_step(target, adj, x, p, w):
    """The same iteration in the closed form that :func:`sample` uses."""
    deg = adj.sum(axis=1)
    q = 2 * RHO * deg
    r = -p + RHO * (deg[:, None] * x + np.einsum("ij,tjd->tid", adj, x)) - q[:, None] * w
    x_new = target.solve_local(r, q)
    return x_new, p + RHO * np.einsum("ij,tjd->tid", laplacian(adj), x_new)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="fewer CVXPY solves (about a minute)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n_agents, n_iter, n_trials = 20, 50, 100
    loop_iters, loop_trials = (2, 2) if args.quick else (5, 10)
    target, _ = linear_regression_data(n_agents, 50)
    adj = graph("cycle", n_agents)
    rng = np.random.default_rng(0)

    # correctness: one iteration from the same state and noise
    x = rng.standard_normal((2, n_agents, 2))
    p = rng.standard_normal((2, n_agents, 2))
    p -= p.mean(axis=1, keepdims=True)
    w = rng.standard_normal(x.shape) / (np.sqrt(2) * RHO)
    max_diff = float(
        np.abs(loop_step(target, adj, x, p, w)[0] - vector_step(target, adj, x, p, w)[0]).max()
    )

    sample(target, adj, "d_admms", 2, 2, rho=RHO)  # warm-up
    t0 = time.perf_counter()
    reps = 5
    for seed in range(reps):
        sample(target, adj, "d_admms", n_iter, n_trials, rho=RHO, seed=seed)
    t_vec = (time.perf_counter() - t0) / reps
    per_vec = t_vec / (n_iter * n_trials * n_agents)

    x = rng.standard_normal((loop_trials, n_agents, 2))
    p = np.zeros_like(x)
    t0 = time.perf_counter()
    for _ in range(loop_iters):
        w = rng.standard_normal(x.shape) / (np.sqrt(2) * RHO)
        x, p = loop_step(target, adj, x, p, w)
    t_loop = time.perf_counter() - t0
    per_loop = t_loop / (loop_iters * loop_trials * n_agents)

    result = {
        "setting": {"graph": "cycle", "n_agents": n_agents, "samples_per_agent": 50, "rho": RHO},
        "vectorised": {
            "n_iter": n_iter,
            "n_trials": n_trials,
            "seconds_per_run": t_vec,
            "seconds_per_update": per_vec,
        },
        "loop_cvxpy": {
            "n_iter": loop_iters,
            "n_trials": loop_trials,
            "seconds": t_loop,
            "seconds_per_update": per_loop,
        },
        "ratio_loop_over_vectorised": per_loop / per_vec,
        "loop_time_for_full_run_s": per_loop * n_iter * n_trials * n_agents,
        "max_abs_difference_one_iteration": max_diff,
        "env": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "quick": args.quick,
        },
    }
    (args.out / "admm_sampling.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

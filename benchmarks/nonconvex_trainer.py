"""Benchmark: the two-layer ensemble trainer against its former autograd + ``torch.optim`` path.

``common.convex_nn.train_ensemble`` computes the closed-form gradient of the packed weights
and updates them with SGD / heavy ball / Adam written on whole tensors. Until this benchmark
it built the objective for autograd every step and stepped ``torch.optim.SGD`` / ``Adam``
(one parameter group per learning rate, per-member objectives copied to the host at every
trace step); :func:`autograd_baseline` keeps that path here, and only here, as the baseline.

Both train the same ensembles (same seed, initial weights and mini-batch order) on
convex_landscape's sizes: ``n = 20`` planted rows, ``d = 3`` (two features and a bias),
``S = 12`` members (3 learning rates x 4 seeds), widths ``m`` of its sweeps, GD, SGD
(batches of 5) and Adam, ReLU and leaky ReLU, the objective recorded at 60 log-spaced steps.
They alternate, each keeps its fastest of ``--repeats`` runs (the least disturbed by other
load), and are checked to agree (relative difference of the final objectives, which after
few steps is round-off: the closed form sums in another order than autograd). Reported: CPU
time per step of each (one thread) and the ratio baseline / new.

Usage: ``python -m benchmarks.nonconvex_trainer --out DIR [--steps 2000 --repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

from common.convex_nn import network_forward, train_ensemble
from common.datasets import planted_relu

LRS = {"gd": [1e-3, 3e-3, 1e-2], "sgd": [1e-3, 3e-3, 1e-2], "adam": [1e-3, 1e-2, 1e-1]}


def autograd_baseline(X, y, m, beta, *, lrs, optimizer, steps, batch_size, seed, activation,
                      trace_steps):  # fmt: skip
    """The trainer before the closed form (scalar output, ``l2`` penalty, squared loss):
    autograd through :func:`network_forward`, ``torch.optim`` with one parameter group per
    distinct learning rate, the full-data objective of every member copied to the host at the
    trace steps. Returns the final objectives ``(S,)``."""
    n, d = X.shape
    lr = np.asarray(lrs, float)
    S = lr.size
    gen = torch.Generator().manual_seed(int(seed))
    W1 = torch.randn(S, m, d, generator=gen, dtype=torch.float64) / np.sqrt(d)
    w2 = torch.randn(S, m, generator=gen, dtype=torch.float64) / np.sqrt(m)
    groups = [np.flatnonzero(lr == v) for v in dict.fromkeys(lr.tolist())]
    where = torch.as_tensor(np.argsort(np.concatenate(groups)))
    leaves = [(W1[g].requires_grad_(), w2[g].requires_grad_()) for g in groups]
    params = [
        {"params": list(p), "lr": float(lr[g[0]])} for p, g in zip(leaves, groups, strict=True)
    ]
    opt = torch.optim.Adam(params) if optimizer == "adam" else torch.optim.SGD(params)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)

    def weights():
        return (torch.cat([p[0] for p in leaves])[where], torch.cat([p[1] for p in leaves])[where])

    def objectives(A, B):
        pred = network_forward(Xt, A, B, activation)
        fit = torch.stack([0.5 * ((pred[s] - yt) ** 2).sum() for s in range(S)])
        return fit + 0.5 * beta * ((A**2).flatten(1).sum(1) + (B**2).sum(1))

    bs = n if batch_size is None else batch_size
    per_epoch, order, trace = -(-n // bs), None, []
    for t in range(1, steps + 1):
        j = (t - 1) % per_epoch
        if bs < n and j == 0:
            order = torch.argsort(torch.rand(S, n, generator=gen), dim=1)
        A, B = weights()
        opt.zero_grad()
        if bs < n:
            idx = order[:, j * bs : (j + 1) * bs]
            data = 0.5 * ((network_forward(Xt[idx], A, B, activation) - yt[idx]) ** 2).sum()
            data = data * (n / idx.shape[1])
        else:
            data = 0.5 * ((network_forward(Xt, A, B, activation) - yt) ** 2).sum()
        (data + 0.5 * beta * ((A**2).sum() + (B**2).sum())).backward()
        opt.step()
        if t in trace_steps:
            with torch.no_grad():
                trace.append(objectives(*weights()).numpy())
    with torch.no_grad():
        return objectives(*weights()).numpy()


def _timed(fn):
    """CPU time of ``fn()`` (one thread: on a shared machine steadier than wall time)."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--widths", type=int, nargs="+", default=[11, 50])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    X, y = planted_relu(20, 2, 3, np.random.default_rng(0), noise=0.1)
    X = np.c_[X, np.ones(len(X))]
    beta = 0.01 * float(np.max(np.abs(X.T @ y)))
    trace_steps = set(np.unique(np.geomspace(1, args.steps, 60).astype(int)).tolist())
    rows = []
    for activation in ((1.0, 0.0), (1.0, 0.1)):
        for optimizer, m in ((o, m) for o in LRS for m in args.widths):
            kw = {
                "lrs": np.repeat(LRS[optimizer], args.seeds), "optimizer": optimizer,
                "steps": args.steps, "batch_size": 5 if optimizer == "sgd" else None,
                "seed": 1, "activation": activation,
            }  # fmt: skip
            t_new = t_old = np.inf
            for _ in range(args.repeats):
                t, new = _timed(
                    lambda kw=kw, m=m: train_ensemble(
                        X, y, m, beta, trace_steps=sorted(trace_steps), progress=False, **kw
                    )
                )
                t_new = min(t_new, t)
                t, old = _timed(
                    lambda kw=kw, m=m: autograd_baseline(
                        X, y, m, beta, trace_steps=trace_steps, **kw
                    )
                )
                t_old = min(t_old, t)
            diff = float(np.nanmax(np.abs(new.objective - old) / np.abs(old)))
            r = {
                "activation": list(activation),
                "optimizer": optimizer,
                "m": m,
                "members": len(kw["lrs"]),
                "new_cpu_us_per_step": 1e6 * t_new / args.steps,
                "autograd_cpu_us_per_step": 1e6 * t_old / args.steps,
                "speedup": t_old / t_new,
                "max_rel_diff_objective": diff,
            }
            rows.append(r)
            print(
                f"{activation!s:11s} {optimizer:4s} m={m:3d}: new "
                f"{r['new_cpu_us_per_step']:7.1f} us/step, autograd+torch.optim "
                f"{r['autograd_cpu_us_per_step']:7.1f} us/step (CPU), x{r['speedup']:.1f}; "
                f"objectives differ by {diff:.1e} (relative)"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "nonconvex_trainer",
        "n": 20,
        "d": 3,
        "steps": args.steps,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "rows": rows,
    }
    (args.out / "nonconvex_trainer.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the convex-network estimators beside scikit-learn's on datasets it ships.

Regression on ``load_diabetes`` (test R^2) against ``RidgeCV`` and ``MLPRegressor``;
classification on ``load_breast_cancer`` (test accuracy) against ``LogisticRegressionCV`` and
``MLPClassifier``. Every model is ``make_pipeline(StandardScaler(), model)`` at its defaults
(the MLPs with ``max_iter=2000`` so that they converge), scored on ``--splits`` random 75/25
splits (``ShuffleSplit``, stratified for classification, ``random_state=0``). Fit times are
wall-clock seconds per fit after one warm-up fit of the same model on the first split (jit
and numba compilation excluded; the warm-up's time is reported as ``first fit``). Also times
the issue-16 configuration (``beta=1``, no intercept: the previous defaults) and the
ReLU-program classifier once each on the first split.

Usage: ``python -m benchmarks.estimators_sklearn [--splits 5] [--out FILE.md]``; prints a
Markdown table (the one in ``common/convex_nn/README.md``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from common.convex_nn import (
    ConvexReLUClassifier,
    ConvexReLUClassifierCV,
    ConvexReLURegressor,
    ConvexReLURegressorCV,
)


def models(kind: str) -> dict:
    if kind == "regression":
        return {
            "RidgeCV": RidgeCV(alphas=np.logspace(-3, 3, 13)),
            "MLPRegressor (100 ReLU, adam)": MLPRegressor(max_iter=2000, random_state=0),
            "ConvexReLURegressor (ReLU program)": ConvexReLURegressor(),
            "ConvexReLURegressor (gated program)": ConvexReLURegressor(formulation="gated"),
            "ConvexReLURegressorCV (ReLU program)": ConvexReLURegressorCV(),
            "ConvexReLURegressorCV (gated program)": ConvexReLURegressorCV(formulation="gated"),
        }
    return {
        "LogisticRegressionCV": LogisticRegressionCV(max_iter=5000),
        "MLPClassifier (100 ReLU, adam)": MLPClassifier(max_iter=2000, random_state=0),
        "ConvexReLUClassifier (gated program)": ConvexReLUClassifier(),
        "ConvexReLUClassifierCV (gated program)": ConvexReLUClassifierCV(),
    }


def _fit(pipe, X, y):
    t0 = time.perf_counter()
    with warnings.catch_warnings():  # MLP iteration limits; ours are counted as certified fits
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        pipe.fit(X, y)
    return time.perf_counter() - t0


def evaluate(name, model, X, y, splits):
    """Test scores and fit times of ``StandardScaler + model`` over the splits."""
    tr0, _ = splits[0]
    first = _fit(make_pipeline(StandardScaler(), clone(model)), X[tr0], y[tr0])  # warm-up
    scores, times, betas, certified = [], [], [], []
    for tr, te in splits:
        pipe = make_pipeline(StandardScaler(), clone(model))
        times.append(_fit(pipe, X[tr], y[tr]))
        scores.append(pipe.score(X[te], y[te]))
        est = pipe[-1]
        if hasattr(est, "beta_"):
            betas.append(est.beta_ / est.beta_max_)
            certified.append(est.result_.converged)
    row = {"model": name, "score": np.mean(scores), "sd": np.std(scores),
           "time": np.median(times), "first": first,
           "beta": f"{np.median(betas):.3g}" if betas else "-",
           "certified": f"{sum(certified)}/{len(certified)}" if betas else "-"}  # fmt: skip
    print(f"  {name}: {row['score']:.3f} +- {row['sd']:.3f}, {row['time']:.2f} s", flush=True)
    return row


def single_fit(name, model, X, y, splits):
    """One fit on split 0, for configurations too slow to repeat: the issue-16 regressor
    (beta=1 in paper scaling, no intercept: the previous defaults) and the ReLU-program
    classifier (its augmented Lagrangian stops at its iteration limit, see the README)."""
    tr, te = splits[0]
    pipe = make_pipeline(StandardScaler(), model)
    t = _fit(pipe, X[tr], y[tr])
    est = pipe[-1]
    return {"model": f"{name}, split 0 only, one fit",
            "score": pipe.score(X[te], y[te]), "sd": float("nan"), "time": t, "first": t,
            "beta": f"{est.beta_ / est.beta_max_:.1e}",
            "certified": f"{int(est.result_.converged)}/1"}  # fmt: skip


def table(rows, metric) -> str:
    lines = [
        f"| model | test {metric} (mean +- sd) | fit time (median) | first fit | beta / beta_max "
        "| certified fits |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        sd = "" if np.isnan(r["sd"]) else f" +- {r['sd']:.3f}"
        lines.append(f"| {r['model']} | {r['score']:.3f}{sd} | {r['time']:.2f} s | "
                     f"{r['first']:.2f} s | {r['beta']} | {r['certified']} |")  # fmt: skip
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splits", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="also write the tables here")
    ap.add_argument("--only", choices=["regression", "classification"], default=None)
    args = ap.parse_args(argv)
    out = []
    for kind, load, metric in [
        ("regression", load_diabetes, "R^2"),
        ("classification", load_breast_cancer, "accuracy"),
    ]:
        if args.only not in (None, kind):
            continue
        X, y = load(return_X_y=True)
        cls = ShuffleSplit if kind == "regression" else StratifiedShuffleSplit
        splits = list(cls(args.splits, test_size=0.25, random_state=0).split(X, y))
        print(f"{load.__name__}: n={len(y)}, d={X.shape[1]}", flush=True)
        rows = [evaluate(k, m, X, y, splits) for k, m in models(kind).items()]
        if kind == "regression":
            old = ConvexReLURegressor(beta=1.0, fit_intercept=False)
            rows.append(single_fit("ConvexReLURegressor(beta=1, fit_intercept=False)", old, X, y,
                                   splits))  # fmt: skip
        else:
            relu = ConvexReLUClassifier(formulation="relu")
            rows.append(single_fit("ConvexReLUClassifier (ReLU program)", relu, X, y, splits))
        out.append(f"**{load.__name__}** (n={len(y)}, d={X.shape[1]}, {args.splits} splits)\n\n"
                   + table(rows, metric))  # fmt: skip
    env = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
           f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")  # fmt: skip
    text = "\n\n".join(out) + f"\n\n({env})\n"
    print("\n" + text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()

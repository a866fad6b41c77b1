"""Benchmark: time of a whole lasso path, ours (``common.lasso``) against glum, same run.

For Gaussian and binomial problems, ``lasso_path`` (numba coordinate descent, glmnet's
100-value lambda sequence, standardised columns, tol 1e-7) is timed after a warm-up that
compiles its kernels; glum's ``GeneralizedLinearRegressor`` (``alpha_search=True`` on *our*
lambdas, ``l1_ratio=1``, ``scale_predictors=True``: the same problems, see
``tests/common/lasso/test_path.py``) is timed on the same data. Each time is the median of
``--repeats`` runs; the ratio glum / ours is reported per problem. Each solver's accuracy is
its largest coefficient error along the path against a tight reference (ours at ``tol``
1e-14, which agrees with glum at ``gradient_tol`` 1e-12 to 1e-6 in the tests): both run at
their default-like tolerances (ours 1e-7, glmnet's ``thresh``; glum ``gradient_tol`` 1e-7),
and ours again at ``tol`` 1e-11 (``*_tight``), whose coefficients are about as accurate as
glum's: that ratio is the accuracy-matched one. Times on a shared machine are noisy: compare
the ratios.

Usage: ``python -m benchmarks.lasso_path --out DIR [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np

from common.lasso import lasso_path

PROBLEMS = {  # name: (family, n, p)
    "gaussian_n1000_p100": ("gaussian", 1000, 100),
    "gaussian_n500_p1000": ("gaussian", 500, 1000),
    "binomial_n1000_p100": ("binomial", 1000, 100),
}


def make_problem(family: str, n: int, p: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.uniform(-1, 1, p)
    beta = np.zeros(p)
    beta[:10] = rng.standard_normal(10)
    eta = X @ beta
    if family == "gaussian":
        return X, eta + rng.standard_normal(n)
    return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(np.float64)


def _median_time(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def run_glum(X, y, family, lambdas):
    from glum import GeneralizedLinearRegressor

    model = GeneralizedLinearRegressor(
        family="normal" if family == "gaussian" else "binomial",
        alphas=lambdas,
        alpha_search=True,
        l1_ratio=1.0,
        scale_predictors=True,
        gradient_tol=1e-7,
        max_iter=10_000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return model.coef_path_


def benchmark(repeats: int) -> dict:
    rows = {}
    for name, (family, n, p) in PROBLEMS.items():
        X, y = make_problem(family, n, p)
        lasso_path(X[:50], y[:50], family=family, nlambda=3)  # warm-up: compile / load kernels
        ours_s, path = _median_time(lambda: lasso_path(X, y, family=family), repeats)  # noqa: B023
        glum_s, coefs = _median_time(
            lambda: run_glum(X, y, family, path.lambdas),  # noqa: B023
            repeats,
        )
        tight_s, tight = _median_time(
            lambda: lasso_path(X, y, family=family, lambdas=path.lambdas, tol=1e-11),  # noqa: B023
            repeats,
        )
        ref = lasso_path(X, y, family=family, lambdas=path.lambdas, tol=1e-14).coefs
        rows[name] = {
            "family": family,
            "n": n,
            "p": p,
            "nlambda": int(path.lambdas.size),
            "ours_s": ours_s,
            "glum_s": glum_s,
            "glum_over_ours": glum_s / ours_s,
            "ours_max_coef_error": float(np.max(np.abs(path.coefs - ref))),
            "ours_tight_s": tight_s,
            "glum_over_ours_tight": glum_s / tight_s,
            "ours_tight_max_coef_error": float(np.max(np.abs(tight.coefs - ref))),
            "glum_max_coef_error": float(np.max(np.abs(np.asarray(coefs) - ref))),
        }
        print(json.dumps({name: rows[name]}), flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")
    import glum

    result = {
        "platform": platform.platform(),
        "glum": glum.__version__,
        "repeats": args.repeats,
        "problems": benchmark(args.repeats),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lasso_path.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

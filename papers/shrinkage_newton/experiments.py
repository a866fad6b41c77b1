"""Experiments: pure compute, parameters and a RunContext in, arrays and scalars out.

- ``resolvent_bias`` (E1): relative operator-norm error of the averaged resolvent against
  the number of agents ``q``, per ``lam``, for naive averaging, shrinkage (oracle ``s`` and
  local fixed-point ``s``) and the lambda-only control, with the predicted naive plateau.
- ``aspect_ratio`` (E2): the naive plateau at large ``q`` against ``gamma = d/m``, with
  ``gamma / (1 - gamma)`` and the deterministic-equivalent curves.
- ``newton_logistic`` (E3): distributed Newton on synthetic logistic regression.
- ``newton_real`` (E4): the same on scikit-learn's breast_cancer and (binarised) digits.
- ``newton_least_squares`` (E5): least squares with ``d/m > 1/2``: suboptimality per round
  and the eigenvalues of each method's iteration matrix ``I - P H``.
- ``sketch_averaging`` (E6): averaged Gaussian-sketch Newton directions for ridge
  regression against ``q``, per ``d_lam / d``.

Seeds: every random draw comes from ``ctx.rng(<experiment>, <seed index>, ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.optimize import brentq

from common.cli import RunContext
from common.datasets import sklearn_dataset
from papers.shrinkage_newton.newton import (
    distributed_newton,
    iteration_eigenvalues,
    reference_optimum,
)
from papers.shrinkage_newton.resolvent import (
    effective_dimension,
    local_coefficients,
    local_directions,
    local_grams,
    local_inverses,
    naive_limit,
    predicted_naive_error,
    shrinkage_coeff,
)
from papers.shrinkage_newton.sketch import gaussian_sketch_blocks

RESOLVENT_METHODS = ("naive", "shrinkage", "shrinkage_fixed_point", "lambda_only")
NEWTON_CURVES = (
    "exact",
    "naive",
    "determinantal",
    "shrinkage",
    "shrinkage_dimension",
    "shrinkage_fixed_point",
)


def _covariance(d: int, log_range, rng: np.random.Generator):
    """Eigenvalues log-spaced on ``10**log_range`` and a random orthonormal basis."""
    eigs = np.logspace(log_range[0], log_range[1], d)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return eigs, basis


def _rows(n_blocks: int, m: int, eigs, basis, rng) -> np.ndarray:
    """``(n_blocks, m, d)`` Gaussian rows with covariance ``basis diag(eigs) basis^T``."""
    return rng.standard_normal((n_blocks, m, eigs.size)) @ (basis * np.sqrt(eigs)).T


def _segments(qs, chunk: int):
    """Consecutive agent ranges ``(start, stop)`` of at most ``chunk`` agents that end on
    every checkpoint in ``qs``."""
    stops = sorted({*qs, *range(chunk, max(qs), chunk)})
    return list(zip([0, *stops[:-1]], stops, strict=True))


def _relative_error(estimate: np.ndarray, target: np.ndarray) -> float:
    return float(np.linalg.norm(estimate - target, 2) / np.linalg.norm(target, 2))


def _sweep_errors(draw, m, qs, lams, methods, eigs, basis, chunk):
    """Errors ``(method, lam, q)`` of the running averages of local inverses at each ``q``.

    ``draw(k)`` returns ``k`` new agents' blocks; the same agents serve every method and
    ``lam`` (the ``q`` values are nested prefixes)."""
    sums = np.zeros((len(methods), len(lams), eigs.size, eigs.size))
    errors = np.zeros((len(methods), len(lams), len(qs)))
    s_fixed = np.zeros(len(lams))
    targets = [(basis / (eigs + lam)) @ basis.T for lam in lams]
    d_lams = [effective_dimension(eigs, lam) for lam in lams]
    for start, stop in _segments(qs, chunk):
        grams = local_grams(draw(stop - start))
        for li, lam in enumerate(lams):
            for mi, method in enumerate(methods):
                local, _ = local_inverses(grams, m, lam, method, d_lams[li])
                sums[mi, li] += local.sum(axis=0)
            if start == 0:
                s_local = local_coefficients(grams, m, lam, "shrinkage_fixed_point")[0]
                s_fixed[li] = float(np.mean(s_local))
        if stop in qs:
            k = qs.index(stop)
            for mi in range(len(methods)):
                for li in range(len(lams)):
                    errors[mi, li, k] = _relative_error(sums[mi, li] / stop, targets[li])
    return errors, s_fixed


def run_resolvent_bias(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    d, m, seeds = params["d"], params["m"], params["seeds"]
    qs, lams = list(params["qs"]), [float(x) for x in params["lams"]]
    errors = np.zeros((len(RESOLVENT_METHODS), len(lams), len(qs), seeds))
    s_fixed = np.zeros((len(lams), seeds))
    for seed in ctx.progress(range(seeds), "resolvent_bias seeds"):
        rng = ctx.rng("resolvent_bias", seed)
        eigs, basis = _covariance(d, params["log_eig_range"], rng)
        errors[..., seed], s_fixed[:, seed] = _sweep_errors(
            lambda k, rng=rng, eigs=eigs, basis=basis: _rows(k, m, eigs, basis, rng),
            m,
            qs,
            lams,
            RESOLVENT_METHODS,
            eigs,
            basis,
            params["chunk"],
        )
    eigs = np.logspace(*params["log_eig_range"], d)
    return {
        "methods": np.array(RESOLVENT_METHODS),
        "qs": np.array(qs),
        "lams": np.array(lams),
        "errors": errors,
        "predicted_plateau": np.array([predicted_naive_error(eigs, lam, m) for lam in lams]),
        "s_oracle": np.array([shrinkage_coeff(effective_dimension(eigs, lam), m) for lam in lams]),
        "s_fixed_point": s_fixed,
        "gamma": d / m,
    }


def run_aspect_ratio(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    d, q, seeds = params["d"], params["q"], params["seeds"]
    lams = [float(x) for x in params["lams"]]
    ms = [round(d / g) for g in params["gammas"]]
    methods = ("naive", "shrinkage")
    errors = np.zeros((len(methods), len(ms), len(lams), seeds))
    for seed in ctx.progress(range(seeds), "aspect_ratio seeds"):
        for gi, m in enumerate(ms):
            rng = ctx.rng("aspect_ratio", seed, m)
            eigs, basis = _covariance(d, params["log_eig_range"], rng)
            errors[:, gi, :, seed] = _sweep_errors(
                lambda k, m=m, rng=rng, eigs=eigs, basis=basis: _rows(k, m, eigs, basis, rng),
                m,
                [q],
                lams,
                methods,
                eigs,
                basis,
                params["chunk"],
            )[0][..., 0]
    eigs = np.logspace(*params["log_eig_range"], d)
    gammas = np.array([d / m for m in ms])
    return {
        "gammas": gammas,
        "ms": np.array(ms),
        "lams": np.array(lams),
        "naive_error": errors[0],
        "shrinkage_error": errors[1],
        "predicted": np.array([[predicted_naive_error(eigs, lam, m) for lam in lams] for m in ms]),
        "gamma_over_one_minus_gamma": gammas / (1 - gammas),
        # exact finite-m value at lam = 0 for Gaussian rows: E inv(G) = m / (m - d - 1) inv(Sigma)
        "inverse_wishart": np.array([(d + 1) / (m - d - 1) for m in ms]),
        "q": q,
    }


def _newton_curves(loss, blocks, targets, lam, n_rounds, methods=NEWTON_CURVES, line_search=False):
    """``F(x_t) - F*`` for each method, the certified ``F*`` and its gradient norm."""
    ref = reference_optimum(loss, blocks, targets, lam)
    gaps = np.array(
        [
            distributed_newton(
                loss, blocks, targets, lam, mt, n_rounds, reference=ref, line_search=line_search
            ).gaps
            for mt in methods
        ]
    )
    return gaps, ref[1], ref[2]


def run_newton_logistic(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    q, m, d, seeds = params["q"], params["m"], params["d"], params["seeds"]
    lams, n_rounds = [float(x) for x in params["lams"]], params["n_rounds"]
    gaps = np.zeros((len(lams), len(NEWTON_CURVES), n_rounds + 1, seeds))
    f_star = np.zeros((len(lams), seeds))
    grad_star = np.zeros((len(lams), seeds))
    for seed in ctx.progress(range(seeds), "newton_logistic seeds"):
        rng = ctx.rng("newton_logistic", seed)
        eigs, basis = _covariance(d, params["log_eig_range"], rng)
        A = _rows(q, m, eigs, basis, rng)
        x_true = basis @ (rng.standard_normal(d) / np.sqrt(d * eigs)) * params["signal"]
        b = (rng.random((q, m)) < 1.0 / (1.0 + np.exp(-(A @ x_true)))).astype(np.float64)
        for li, lam in enumerate(lams):
            gaps[li, ..., seed], f_star[li, seed], grad_star[li, seed] = _newton_curves(
                "logistic", A, b, lam, n_rounds
            )
    return {
        "methods": np.array(NEWTON_CURVES),
        "lams": np.array(lams),
        "gaps": gaps,
        "f_star": f_star,
        "star_grad_norm": grad_star,
        "gamma": d / m,
    }


def _real_design(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features plus an intercept column, and 0/1 labels."""
    X, y = sklearn_dataset(name)
    if name == "digits":
        y = (y >= 5).astype(np.float64)  # binarised: digit >= 5
    X = X[:, X.std(axis=0) > 0]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.hstack([X, np.ones((X.shape[0], 1))]), np.asarray(y, dtype=np.float64)


def run_newton_real(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    datasets, parts = list(params["datasets"]), params["partitions"]
    lams, n_rounds = [float(x) for x in params["lams"]], params["n_rounds"]
    gaps = np.zeros((len(datasets), len(lams), len(NEWTON_CURVES), n_rounds + 1, parts))
    shapes = np.zeros((len(datasets), 3), dtype=np.int64)
    for di, name in enumerate(datasets):
        X, y = _real_design(name)
        n, d = X.shape
        m = round(params["rows_per_dimension"] * d)
        q = n // m
        shapes[di] = (q, m, d)
        for p in ctx.progress(range(parts), f"newton_real {name} partitions"):
            rows = ctx.rng("newton_real", name, p).permutation(n)[: q * m]
            A, b = X[rows].reshape(q, m, d), y[rows].reshape(q, m)
            for li, lam in enumerate(lams):
                gaps[di, li, ..., p] = _newton_curves(
                    "logistic", A, b, lam, n_rounds, line_search=params["line_search"]
                )[0]
    return {
        "datasets": np.array(datasets),
        "methods": np.array(NEWTON_CURVES),
        "lams": np.array(lams),
        "gaps": gaps,
        "shapes": shapes,
    }


LS_METHODS = (*NEWTON_CURVES, "lambda_only")


def run_newton_least_squares(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    q, m, d, seeds = params["q"], params["m"], params["d"], params["seeds"]
    lam, n_rounds = float(params["lam"]), params["n_rounds"]
    gaps = np.zeros((len(LS_METHODS), n_rounds + 1, seeds))
    eigenvalues = np.zeros((len(LS_METHODS), d, seeds))
    f_star = np.zeros(seeds)
    for seed in ctx.progress(range(seeds), "newton_least_squares seeds"):
        rng = ctx.rng("newton_least_squares", seed)
        eigs, basis = _covariance(d, params["log_eig_range"], rng)
        A = _rows(q, m, eigs, basis, rng)
        b = A @ rng.standard_normal(d) + params["noise"] * rng.standard_normal((q, m))
        gaps[..., seed], f_star[seed], _ = _newton_curves(
            "least_squares", A, b, lam, n_rounds, LS_METHODS
        )
        for mi, method in enumerate(LS_METHODS):
            eigenvalues[mi, :, seed] = iteration_eigenvalues(A, lam, method)
    gamma = d / m
    return {
        "methods": np.array(LS_METHODS),
        "gaps": gaps,
        "f_star": f_star,
        "eigenvalues": eigenvalues,
        "spectral_radius": np.abs(eigenvalues).max(axis=1),
        "gamma": gamma,
        "predicted_naive_eigenvalue": -gamma / (1 - gamma),
    }


def _decaying_matrix(n: int, d: int, decay: float, rng) -> np.ndarray:
    """``n x d`` matrix with singular values log-spaced from 1 to ``10**-decay`` (times sqrt n)."""
    left, _ = np.linalg.qr(rng.standard_normal((n, d)))
    right, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return np.sqrt(n) * (left * np.logspace(0, -decay, d)) @ right.T


def _lam_for(eigs: np.ndarray, fraction: float) -> float:
    """The ``lam`` with ``d_lam = fraction * d`` (``fraction = 1``: ``lam = 0``)."""
    if fraction >= 1:
        return 0.0
    target = fraction * eigs.size
    return float(brentq(lambda t: effective_dimension(eigs, t) - target, 1e-14, 1e6 * eigs.max()))


def run_sketch_averaging(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    n, d, m, seeds = params["n"], params["d"], params["m"], params["seeds"]
    qs, fractions = list(params["qs"]), [float(f) for f in params["dlam_fractions"]]
    errors = np.zeros((len(RESOLVENT_METHODS), len(fractions), len(qs), seeds))
    predicted = np.zeros((len(fractions), seeds))
    lam_values = np.zeros((len(fractions), seeds))
    for seed in ctx.progress(range(seeds), "sketch_averaging seeds"):
        rng = ctx.rng("sketch_averaging", seed)
        A = _decaying_matrix(n, d, params["decay"], rng)
        B = A / np.sqrt(n)
        y = A @ rng.standard_normal(d) + rng.standard_normal(n)
        g = -(A.T @ y) / n  # the ridge gradient at x = 0
        eigs, basis = np.linalg.eigh(B.T @ B)
        blocks = gaussian_sketch_blocks(B, m, max(qs), rng, form=params["sketch_form"])
        grams = local_grams(blocks)
        for fi, frac in enumerate(fractions):
            lam = lam_values[fi, seed] = _lam_for(eigs, frac)
            exact = basis @ ((basis.T @ g) / (eigs + lam))
            limit = basis @ (naive_limit(eigs, lam, m) * (basis.T @ g))
            predicted[fi, seed] = np.linalg.norm(limit - exact) / np.linalg.norm(exact)
            for mi, method in enumerate(RESOLVENT_METHODS):
                local, _ = local_directions(
                    grams, m, lam, method, g, effective_dimension(eigs, lam)
                )
                running = np.cumsum(local, axis=0)[np.array(qs) - 1] / np.array(qs)[:, None]
                errors[mi, fi, :, seed] = np.linalg.norm(running - exact, axis=1) / np.linalg.norm(
                    exact
                )
    return {
        "methods": np.array(RESOLVENT_METHODS),
        "qs": np.array(qs),
        "dlam_fractions": np.array(fractions),
        "lams": lam_values,
        "errors": errors,
        "predicted_plateau": predicted,
        "gamma": d / m,
    }

"""Distributed Newton, the reference optimum and the least-squares iteration matrix."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from papers.shrinkage_newton import (
    distributed_newton,
    gaussian_sketch_blocks,
    iteration_eigenvalues,
    local_grams,
    objective,
    reference_optimum,
)


def _logistic(q=8, m=40, d=6, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((q, m, d))
    b = (rng.random((q, m)) < 1 / (1 + np.exp(-A @ rng.standard_normal(d)))).astype(float)
    return A, b


def test_reference_optimum_matches_scipy_and_is_certified():
    A, b = _logistic()
    lam = 1e-2
    x, f, gnorm = reference_optimum("logistic", A, b, lam)
    res = minimize(
        lambda z: objective("logistic", A, b, lam, z),
        np.zeros(6),
        method="BFGS",
        options={"gtol": 1e-10},
    )
    assert f <= res.fun + 1e-12
    np.testing.assert_allclose(x, res.x, atol=1e-5)
    assert gnorm < 1e-10


def test_uncertified_reference_names_the_blocks_scale():
    # blocks * 1e100: "reference optimum not certified" without naming the cause
    A, b = _logistic()
    with pytest.raises(RuntimeError, match=r"blocks' entries up to .*e\+100.*rescale blocks"):
        reference_optimum("logistic", A * 1e100, b, 1e-2)


def test_naive_with_one_agent_is_exact_newton():
    """q = 1 and m = n: naive averaging is exact Newton (same iterates)."""
    A, b = _logistic(q=1, m=200)
    for lam in (1e-3, 1e-1):
        naive = distributed_newton("logistic", A, b, lam, "naive", 6)
        exact = distributed_newton("logistic", A, b, lam, "exact", 6)
        np.testing.assert_allclose(naive.gaps, exact.gaps, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(naive.x, exact.x, rtol=1e-9)


def test_least_squares_exact_newton_one_step_and_gap_certificate():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 30, 5))
    b = rng.standard_normal((4, 30))
    lam = 1e-3
    trace = distributed_newton("least_squares", A, b, lam, "exact", 2)
    assert trace.gaps[1] <= 1e-14 * max(1.0, trace.f_star)
    X, y = A.reshape(-1, 5), b.ravel()
    x_star = np.linalg.solve(X.T @ X / y.size + lam * np.eye(5), X.T @ y / y.size)
    assert trace.f_star == pytest.approx(objective("least_squares", A, b, lam, x_star), abs=1e-14)
    assert trace.star_gap_bound == pytest.approx(trace.star_grad_norm**2 / (2 * lam))


def test_least_squares_gap_follows_iteration_matrix():
    """Naive averaging with d/m > 1/2 diverges at the rate of its spectral radius."""
    rng = np.random.default_rng(2)
    q, m, d = 60, 40, 24  # gamma = 0.6
    A = rng.standard_normal((q, m, d))
    b = A @ rng.standard_normal(d) + rng.standard_normal((q, m))
    ev = iteration_eigenvalues(A, 1e-8, "naive")
    rho = np.abs(ev).max()
    assert rho > 1
    trace = distributed_newton("least_squares", A, b, 1e-8, "naive", 40)
    growth = (trace.gaps[40] / trace.gaps[30]) ** (1 / 10)
    assert growth == pytest.approx(rho**2, rel=0.1)  # F - F* is quadratic in the error
    assert np.abs(iteration_eigenvalues(A, 1e-8, "shrinkage")).max() < 1
    np.testing.assert_array_equal(iteration_eigenvalues(A, 1e-8, "exact"), 0.0)


def test_shrinkage_newton_converges_where_naive_is_slow():
    rng = np.random.default_rng(3)
    q, m, d = 50, 60, 20
    A = rng.standard_normal((q, m, d))
    b = (rng.random((q, m)) < 1 / (1 + np.exp(-A @ rng.standard_normal(d) / 2))).astype(float)
    shr = distributed_newton("logistic", A, b, 1e-3, "shrinkage", 12)
    naive = distributed_newton("logistic", A, b, 1e-3, "naive", 12)
    assert shr.gaps[-1] <= 1e-12
    assert naive.gaps[-1] > 1e3 * max(shr.gaps[-1], 1e-16)


def test_gaussian_sketch_forms_agree_in_law():
    rng = np.random.default_rng(4)
    B = rng.standard_normal((300, 4)) * np.array([1.0, 0.5, 0.2, 0.1]) / np.sqrt(300)
    target = B.T @ B
    for form in ("explicit", "rotation"):
        grams = local_grams(gaussian_sketch_blocks(B, 10, 4000, rng, form=form))
        np.testing.assert_allclose(grams.mean(axis=0), target, atol=0.05 * np.abs(target).max())
        # second moment of one entry: E[(X^T X/m)_{11}^2] = sigma_11^2 (1 + 2/m)
        assert np.mean(grams[:, 0, 0] ** 2) == pytest.approx(target[0, 0] ** 2 * 1.2, rel=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loss": "hinge"}, "unknown loss"),
        ({"method": "average"}, "unknown method"),
        ({"n_rounds": -1}, "n_rounds"),
        ({"lam": 0.0}, "lam"),
        ({"targets": np.full((8, 40), 2.0)}, "0 or 1"),
        ({"targets": np.zeros((8, 39))}, "targets"),
        ({"blocks": np.full((8, 40, 6), np.inf)}, "finite"),
    ],
)
def test_newton_bad_input(kwargs, match):
    A, b = _logistic()
    args = {
        "loss": "logistic",
        "blocks": A,
        "targets": b,
        "lam": 1e-2,
        "method": "naive",
        "n_rounds": 2,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match):
        distributed_newton(**args)


def test_sketch_bad_input():
    rng = np.random.default_rng(5)
    with pytest.raises(ValueError, match="form"):
        gaussian_sketch_blocks(np.ones((5, 2)), 3, 2, rng, form="srht")
    with pytest.raises(ValueError, match="B"):
        gaussian_sketch_blocks(np.ones(5), 3, 2, rng)
    with pytest.raises(ValueError, match="m"):
        gaussian_sketch_blocks(np.ones((5, 2)), 0, 2, rng)
    with pytest.raises(TypeError, match="rng"):
        gaussian_sketch_blocks(np.ones((5, 2)), 3, 2, 0)

"""The fast ReLU solver (coarse AL + certified working-set polish) reaches the CVXPY optimum."""

import numpy as np
import pytest

from common.arrangements import enumerate_patterns, sample_patterns
from common.convex_nn import solve_convex


def _check(X, y, D, beta):
    ref = solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy")
    res = solve_convex(X, y, D, beta, formulation="relu", solver="fast")
    rel = (res.objective - ref.objective) / abs(ref.objective)
    assert res.converged
    assert abs(rel) <= 1e-6, rel
    assert res.constraint_violation <= 1e-6 * np.max(np.abs(y))
    assert res.certificate <= 1e-6


def test_relu_degenerate_enumerated_patterns():
    """n=20, d=3 (bias), all patterns: the plain AL stalls here (see the AL docstring)."""
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((20, 2)), np.ones((20, 1))])
    y = rng.standard_normal(20)
    D = enumerate_patterns(X)
    _check(X, y, D, 0.01 * np.abs(X.T @ y).max())


@pytest.mark.parametrize(
    ("n", "d", "P", "seed"),
    [(50, 3, 20, 1), (120, 8, 60, 2), pytest.param(250, 5, 100, 3, marks=pytest.mark.slow)],
)
def test_relu_random_problems(n, d, P, seed):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((n, d - 1)), np.ones((n, 1))])
    w = rng.standard_normal((3, d))
    y = np.maximum(X @ w.T, 0) @ np.array([1.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(n)
    D = sample_patterns(X, P, seed=seed + 10)
    beta = 0.05 * float(np.max(np.linalg.norm((D * y[None, :]) @ X, axis=1)))
    _check(X, y, D, beta)

"""Targets: pooled posteriors, local problems against CVXPY, the quadrature posterior."""

import cvxpy as cp
import numpy as np
import pytest
from scipy.special import expit

from papers.admm_sampling import (
    LinearGaussianTarget,
    LogisticTarget,
    linear_regression_data,
    logistic_regression_data,
)


def test_linear_posterior_from_stacked_data():
    target, x_true = linear_regression_data(4, 30)
    X, y = np.vstack(target.X_parts), np.concatenate(target.y_parts)
    precision = np.eye(2) / 10.0 + X.T @ X / 16.0
    np.testing.assert_allclose(target.posterior_cov, np.linalg.inv(precision), rtol=1e-12)
    np.testing.assert_allclose(target.posterior_mean, np.linalg.solve(precision, X.T @ y / 16.0))
    # the released generator: legacy seed 10, x_true ~ N(0, 10 I) drawn first
    rs = np.random.RandomState(10)
    np.testing.assert_array_equal(x_true, rs.multivariate_normal(np.zeros(2), 10 * np.eye(2)))


def test_linear_gradient_and_local_solve_match_cvxpy():
    rng = np.random.default_rng(0)
    target = LinearGaussianTarget(
        [rng.standard_normal((7, 3)) for _ in range(3)],
        [rng.standard_normal(7) for _ in range(3)],
        noise_var=2.0,
        prior_var=5.0,
    )
    r, q = rng.standard_normal((3, 3)), np.array([0.0, 1.5, 4.0])
    x = target.solve_local(r, q)
    for i in range(3):
        v = cp.Variable(3)
        X, y = target.X_parts[i], target.y_parts[i]
        f = cp.sum_squares(y - X @ v) / 4.0 + cp.sum_squares(v) / 30.0
        cp.Problem(cp.Minimize(f + q[i] / 2 * cp.sum_squares(v) - r[i] @ v)).solve()
        np.testing.assert_allclose(x[i], v.value, atol=1e-6)
    # gradient by finite differences of the quadratic form
    z = rng.standard_normal((2, 3, 3))
    g = target.grad(z)
    eps = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        fd = [(target_f(target, z + e) - target_f(target, z - e)) / (2 * eps)]
        np.testing.assert_allclose(g[..., k], fd[0], rtol=1e-5, atol=1e-6)


def target_f(target, x):
    quad = 0.5 * np.einsum("...ni,nij,...nj->...n", x, target.A, x)
    return quad - np.einsum("...ni,ni->...n", x, target.b)


def test_logistic_local_solve_matches_cvxpy():
    target, _ = logistic_regression_data(3, 20)
    rng = np.random.default_rng(1)
    r, q = 3 * rng.standard_normal((3, 3)), np.array([0.0, 10.0, 40.0])
    x = target.solve_local(r, q, start=np.zeros((3, 3)))
    for i in range(3):
        v = cp.Variable(3)
        X, y = target.X_parts[i], target.y_parts[i]
        loss = cp.sum(cp.logistic(X @ v)) - y @ (X @ v)
        prior = cp.sum_squares(v) / (2 * 10.0 * 3)
        cp.Problem(cp.Minimize(loss + prior + q[i] / 2 * cp.sum_squares(v) - r[i] @ v)).solve()
        np.testing.assert_allclose(x[i], v.value, atol=1e-4)


def test_logistic_gradient_and_hessian_by_finite_differences():
    target, _ = logistic_regression_data(2, 15)
    x = np.random.default_rng(2).standard_normal((4, 2, 3)) * 0.3
    eps = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        fd = (target.objective(x + e) - target.objective(x - e)) / (2 * eps)
        np.testing.assert_allclose(target.grad(x)[..., k], fd, rtol=1e-5, atol=1e-5)
        fd_g = (target.grad(x + e) - target.grad(x - e)) / (2 * eps)
        np.testing.assert_allclose(target.hess(x)[..., k], fd_g, rtol=1e-5, atol=1e-4)


def test_logistic_posterior_moments_by_importance_sampling():
    target, _ = logistic_regression_data(2, 20)  # few data: a skewed posterior
    rng = np.random.default_rng(3)
    mode, cov = target.posterior_mode, target.posterior_cov
    draws = rng.multivariate_normal(mode, 2 * cov, size=200_000)  # wide proposal
    cen = draws - mode
    log_q = -0.5 * np.einsum("si,ij,sj->s", cen, np.linalg.inv(2 * cov), cen)
    logw = target.log_posterior(draws) - log_q
    w = np.exp(logw - logw.max())
    w /= w.sum()
    mean = w @ draws
    sd = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(target.posterior_mean, mean, atol=0.02 * sd.max())
    c = draws - mean
    np.testing.assert_allclose(target.posterior_cov, (w[:, None] * c).T @ c, rtol=0.05, atol=1e-3)


def test_logistic_accuracy_and_labels():
    target, x_true = logistic_regression_data(2, 40)
    acc = target.accuracy(np.stack([x_true, -x_true]))
    assert acc[0] > 0.8 and acc[1] < 0.2
    expected = np.mean((expit(target.X @ x_true) >= 0.5) == (target.y == 1))
    assert acc[0] == pytest.approx(expected)


def test_bad_target_input():
    X, y = [np.ones((3, 2))], [np.ones(3)]
    with pytest.raises(ValueError, match="noise_var"):
        LinearGaussianTarget(X, y, noise_var=0.0, prior_var=1.0)
    with pytest.raises(ValueError, match="prior_var"):
        LinearGaussianTarget(X, y, noise_var=1.0, prior_var=np.nan)
    with pytest.raises(ValueError, match="X_parts"):
        LinearGaussianTarget([np.ones((3, 2)), np.ones((3, 3))], y * 2, 1.0, 1.0)
    with pytest.raises(ValueError, match="y_parts"):
        LinearGaussianTarget(X, [np.ones(4)], 1.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        LinearGaussianTarget([np.full((3, 2), np.inf)], y, 1.0, 1.0)
    with pytest.raises(ValueError, match="equal length"):
        LinearGaussianTarget(X, [], 1.0, 1.0)
    with pytest.raises(ValueError, match="labels"):
        LogisticTarget(X, [np.array([0.0, 2.0, 1.0])], prior_var=1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        LinearGaussianTarget(X, y, 1.0, 1.0).grad(np.ones((2, 2)))
    wide = LogisticTarget([np.ones((3, 5))], [np.ones(3)], prior_var=1.0)
    with pytest.raises(ValueError, match="x must end in"):
        LogisticTarget(X, y, prior_var=1.0).accuracy(np.ones(3))
    with pytest.raises(ValueError, match="d <= 4"):
        _ = wide.posterior_mean

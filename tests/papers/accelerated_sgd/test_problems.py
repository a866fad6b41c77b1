"""Least-squares problems: exact constants against brute force and Monte Carlo."""

import re

import numpy as np
import pytest

from papers.accelerated_sgd import least_squares, population_least_squares, spectral_design


def _problem(n=60, d=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.2, 2.0, size=d)
    return least_squares(X, X @ rng.standard_normal(d)), X


def _row_ratio(X, e):
    """E_i ||grad f_i||^2 / ||grad f||^2 at w - w* = e, enumerating every row."""
    r = X @ e
    grads = X * r[:, None]
    full = grads.mean(axis=0)
    return np.mean(np.sum(grads**2, axis=1)) / np.sum(full**2)


def test_constants_match_eigenvalues():
    p, X = _problem()
    lam = np.linalg.eigvalsh(X.T @ X / X.shape[0])
    assert p.mu == pytest.approx(lam[0]) and p.L == pytest.approx(lam[-1])
    assert p.L_max == pytest.approx(np.max(np.sum(X**2, axis=1)))
    assert p.rho1 <= p.L_max / p.mu


def test_rho_is_the_supremum_of_the_growth_ratio():
    p, X = _problem()
    rng = np.random.default_rng(1)
    ratios = [_row_ratio(X, e) for e in rng.standard_normal((2000, X.shape[1]))]
    assert max(ratios) <= p.rho1 * (1 + 1e-12)
    # the maximiser: e = S^-1 u with u the top eigenvector of S^-1 M S^-1
    S = X.T @ X / X.shape[0]
    M = (X * np.sum(X**2, axis=1)[:, None]).T @ X / X.shape[0]
    Si = np.linalg.inv(S)
    u = np.linalg.eigh(Si @ M @ Si)[1][:, -1]
    assert _row_ratio(X, Si @ u) == pytest.approx(p.rho1, rel=1e-10)
    # not the generalised eigenvalue of (M, S), a weak-growth constant
    assert np.max(np.linalg.eigvals(Si @ M).real) != pytest.approx(p.rho1, rel=1e-3)


def test_rank_deficient_rho_on_the_row_space():
    rng = np.random.default_rng(2)
    X, y = spectral_design(6, np.logspace(-2, 0, 6), rng, d=15)
    p = least_squares(X, y)
    assert p.mu == 0.0 and p.kappa == np.inf
    ratios = [_row_ratio(X, e) for e in rng.standard_normal((3000, 15))]
    assert max(ratios) <= p.rho1 * (1 + 1e-10)
    S = X.T @ X / 6
    M = (X * np.sum(X**2, axis=1)[:, None]).T @ X / 6
    Sp = np.linalg.pinv(S, rcond=1e-10, hermitian=True)
    u = np.linalg.eigh(Sp @ M @ Sp)[1][:, -1]
    assert _row_ratio(X, Sp @ u) == pytest.approx(p.rho1, rel=1e-8)


def test_minibatch_rho_by_monte_carlo():
    p, X = _problem(n=40, d=5)
    rng = np.random.default_rng(3)
    e = rng.standard_normal(5)
    W = (p.w_star + e)[None]
    b, draws = 4, 40000
    idx = rng.integers(0, 40, size=(draws, b))
    g = np.stack([p.stochastic_grad(W, i[None])[0] for i in idx[:20000]])
    full = p.grad(W)[0]
    mc = np.mean(np.sum(g**2, axis=1)) / np.sum(full**2)
    exact = 1 + (_row_ratio(X, e) - 1) / b  # with-replacement variance formula
    assert mc == pytest.approx(exact, rel=0.05)
    assert exact <= p.rho(b) + 1e-12
    assert p.rho(None) == 1.0 and p.rho(1) == pytest.approx(p.rho1)


def test_population_rho_is_d_plus_2():
    d = 10
    p = population_least_squares(d, seed=4)
    assert p.rho1 == d + 2 and p.mu == p.L == 1.0
    rng = np.random.default_rng(5)
    e = rng.standard_normal(d)
    x = rng.standard_normal((200000, d))
    mc = np.mean(np.sum(x**2, axis=1) * (x @ e) ** 2) / np.sum(e**2)
    assert mc == pytest.approx(d + 2, rel=0.03)
    W = (p.w_star + e)[None]
    assert p.gap(W)[0] == pytest.approx(0.5 * e @ e)


def test_gap_and_gradient_of_finite_sum():
    p, X = _problem()
    y = X @ p.w_star
    w = np.random.default_rng(6).standard_normal(X.shape[1])
    assert p.gap(w[None])[0] == pytest.approx(np.sum((X @ w - y) ** 2) / (2 * len(y)))
    assert np.allclose(p.grad(w[None])[0], X.T @ (X @ w - y) / len(y))


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones((3, 2)), np.ones(4), "y must have shape"),
        (np.ones(3), np.ones(3), "X must be a 2-D"),
        (np.array([[1.0, np.nan]]), np.ones(1), "X contains NaN"),
        (np.eye(2), np.array([1.0, np.inf]), "y contains NaN"),
        (np.zeros((3, 2)), np.zeros(3), "X must not be all zeros"),
        (np.ones((3, 1)), np.array([1.0, 2.0, 3.0]), "not consistent"),
    ],
)
def test_least_squares_rejects_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        least_squares(X, y)


def test_least_squares_refuses_a_scale_whose_fourth_moments_leave_float64():
    """X * 1e200 raised numpy's LinAlgError from eigh; X * 1e-100 returned rho1 83% low."""
    p, X = _problem()
    y = X @ p.w_star
    for a, shown in [(1e200, "6.48e+200"), (1e77, "6.48e+77"), (1e-100, "6.48e-100")]:
        with pytest.raises(
            ValueError, match=re.escape(f"X: max |X| = {shown} is outside [1e-70, ")
        ):
            least_squares(X * a, y * a)
    q = least_squares(X * 1e60, y * 1e60)  # inside the band: exact scaling
    assert q.L == pytest.approx(p.L * 1e120, rel=1e-12)
    assert q.rho1 == pytest.approx(p.rho1, rel=1e-12)


def test_population_and_design_reject_bad_input():
    with pytest.raises(ValueError, match="d must be >= 1"):
        population_least_squares(0)
    with pytest.raises(TypeError, match="d must be an integer"):
        population_least_squares(3.0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        population_least_squares(3, seed=-1)
    with pytest.raises(ValueError, match="spectrum must be positive"):
        spectral_design(5, [1.0, 0.0], np.random.default_rng(0))
    with pytest.raises(ValueError, match="n must be >= 2"):
        spectral_design(1, [1.0, 0.5], np.random.default_rng(0))
    p, _ = _problem()
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        p.rho(0)

"""Bures-Wasserstein distance against scipy's sqrtm formula and closed forms."""

import numpy as np
import pytest
from scipy.linalg import sqrtm

from papers.admm_sampling import gaussian_fit, w2, w2_curves


def _scipy_w2(m1, s1, m2, s2):
    root = sqrtm(s2)
    cross = np.real(sqrtm(root @ s1 @ root))
    return np.sqrt(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * cross))


def test_w2_matches_scipy_and_broadcasts():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3, 3)), rng.standard_normal((3, 3))
    covs, ref = a @ np.swapaxes(a, 1, 2), b @ b.T
    means = rng.standard_normal((5, 3))
    got = w2(means, covs, np.zeros(3), ref)
    want = [_scipy_w2(m, s, np.zeros(3), ref) for m, s in zip(means, covs, strict=True)]
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_w2_closed_forms():
    sigma = np.diag([2.0, 0.5])
    mu = np.array([1.0, -1.0])
    assert w2(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-7)
    dirac = w2(np.zeros(2), np.zeros((2, 2)), mu, sigma)  # Dirac at 0
    assert dirac == pytest.approx(np.sqrt(2.0 + 2.5))
    # one dimension: |m1 - m2|^2 + (s1 - s2)^2
    assert w2([0.0], [[4.0]], [3.0], [[1.0]]) == pytest.approx(np.sqrt(9 + 1))


def test_gaussian_fit_uses_one_over_n_and_curves():
    x = np.array([[0.0, 0.0], [2.0, 2.0]])
    mean, cov = gaussian_fit(x)
    np.testing.assert_allclose(mean, [1.0, 1.0])
    np.testing.assert_allclose(cov, np.ones((2, 2)))
    it = np.zeros((3, 4, 2, 1))
    it[..., 0, 0] = 1.0
    ag, avg = w2_curves(it, np.zeros(1), np.eye(1))
    np.testing.assert_allclose(ag, np.sqrt(2.0))  # Dirac at 1 vs N(0, 1)
    np.testing.assert_allclose(avg, np.sqrt(0.25 + 1.0))


def test_bad_w2_input():
    with pytest.raises(ValueError, match="covariances"):
        w2(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="cov1"):
        w2(np.zeros(2), np.full((2, 2), np.nan), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="iterates"):
        w2_curves(np.zeros((3, 2)), np.zeros(2), np.eye(2))

"""Predictions of a path and of a cross-validated fit: link, response and class."""

import warnings

import numpy as np
import pytest

from common.lasso import cv_lasso, lasso_path
from tests.common.lasso.problems import problem


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_path_and_cv_predictions(family):
    X, y, offset, pf = problem(seed=8, n=90, p=12, family=family)
    foldid = np.arange(len(y)) % 4
    fit = cv_lasso(X, y, family=family, foldid=foldid, offset=offset, penalty_factor=pf)
    eta = fit.path.intercepts + X @ fit.path.coefs.T + offset[:, None]
    np.testing.assert_allclose(fit.path.predict(X, offset, kind="link"), eta, rtol=1e-13)
    for s, k in (("lambda.min", fit.index_min), ("lambda.1se", fit.index_1se)):
        np.testing.assert_allclose(fit.predict(X, offset, s, kind="link"), eta[:, k], rtol=1e-13)
    prob = fit.predict(X, offset)  # kind="response" by default
    if family == "gaussian":
        np.testing.assert_array_equal(prob, fit.link(X, offset))
        return
    np.testing.assert_allclose(prob, 1 / (1 + np.exp(-eta[:, fit.index_min])), rtol=1e-13)
    classes = fit.predict(X, offset, kind="class")
    assert classes.dtype == np.int64
    np.testing.assert_array_equal(classes, (eta[:, fit.index_min] > 0).astype(np.int64))


def test_multinomial_predictions():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((90, 5))
    y = np.argmax(X[:, :3] + 0.5 * rng.standard_normal((90, 3)), axis=1).astype(float)
    fit = cv_lasso(X, y, family="multinomial", foldid=np.arange(90) % 3, nlambda=10)
    L = fit.lambdas.size
    assert fit.path.predict(X).shape == (90, 3, L)
    prob = fit.predict(X)
    assert prob.shape == (90, 3)
    np.testing.assert_allclose(prob.sum(axis=1), 1)
    np.testing.assert_array_equal(fit.predict(X, kind="class"), fit.link(X).argmax(axis=1))
    assert np.mean(fit.predict(X, kind="class") == y) > 0.6  # chance is 1/3


def test_extreme_links_give_probabilities_without_warnings():
    X, y, _, _ = problem(seed=9, n=60, p=6, family="binomial")
    path = lasso_path(X, y, family="binomial", nlambda=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prob = path.predict(X, np.full(len(y), -1e4))
        assert np.all(prob == 0)
        assert np.all(path.predict(X, np.full(len(y), 1e4)) == 1)

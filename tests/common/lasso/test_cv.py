"""cv.glmnet: the CV curve, lambda.min / lambda.1se, prevalidation, folds and ties."""

import warnings

import numpy as np
import pytest

from common.lasso import (
    ConvergenceWarning,
    cv_curve,
    cv_lasso,
    first_minimum,
    lasso_path,
    pointwise_loss,
    random_folds,
)
from tests.common.lasso.problems import problem


def test_cv_rules_and_prevalidation():
    X, y, offset, _ = problem(seed=5)
    foldid = random_folds(len(y), 5, np.random.default_rng(0))
    cv = cv_lasso(X, y, foldid=foldid, offset=offset)
    assert cv.index_min == np.flatnonzero(cv.cvm == cv.cvm.min())[0]
    assert cv.index_1se <= cv.index_min
    assert cv.cvm[cv.index_1se] <= cv.cvm[cv.index_min] + cv.cvsd[cv.index_min]
    assert cv.lambda_1se >= cv.lambda_min
    fold = foldid == 2  # prevalidated predictions = the fold fit at the full-data lambdas
    fit = lasso_path(X[~fold], y[~fold], offset=offset[~fold], lambdas=cv.lambdas)
    np.testing.assert_allclose(cv.preval[fold], fit.link(X[fold], offset[fold]), atol=1e-12)
    np.testing.assert_allclose(cv.cvm, ((y[:, None] - cv.preval) ** 2).mean(axis=0))


def test_random_folds():
    assert np.bincount(random_folds(23, 4, np.random.default_rng(1))).tolist() == [6, 6, 6, 5]
    with pytest.raises(ValueError, match="nfolds"):
        random_folds(23, 2, np.random.default_rng(1))
    with pytest.raises(ValueError, match="nfolds"):
        random_folds(3, 4, np.random.default_rng(1))
    # fractional fold counts gave fractional labels, a NaN count all-NaN labels
    for bad in (3.5, np.nan, True):
        with pytest.raises(TypeError, match="nfolds must be an integer"):
            random_folds(10, bad, np.random.default_rng(1))
    with pytest.raises(TypeError, match="n must be an integer"):
        random_folds(10.5, 3, np.random.default_rng(1))
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        random_folds(10, 3, 0)


def test_first_minimum_ignores_rounding_but_not_real_differences():
    v = np.array([2.0, 1.0 + 1e-15, 1.0, 1.0 + 1e-12, 3.0])
    assert first_minimum(v) == 1  # ties to 1e-9 relative: the first
    assert first_minimum(v[::-1]) == 1
    assert first_minimum(np.array([1.0 + 1e-6, 1.0])) == 1  # a real difference counts
    for bad in ([], [1.0, np.nan], [[1.0]]):  # an IndexError from inside before
        with pytest.raises(ValueError, match="values must be a non-empty 1-D array of finite"):
            first_minimum(bad)
    with pytest.raises(ValueError, match="rtol must lie in"):
        first_minimum([1.0, 2.0], rtol=-1.0)


def test_pointwise_loss_and_cv_curve_check_their_input():
    # a (n, 1) y against (n,) predictions broadcast to (n, n); out-of-range class codes were
    # scored silently (-1 as the last class, 1.7 truncated); an unknown family a KeyError
    eta = np.linspace(-1, 1, 6)
    with pytest.raises(ValueError, match=r"y must be 1-D of length 6"):
        pointwise_loss(np.zeros((6, 1)), eta, "gaussian", "mse")
    with pytest.raises(ValueError, match=r"class codes 0\.\.1"):
        pointwise_loss(np.array([0, 1, 2, 0, 1, 0.0]), eta, "binomial", "deviance")
    eta3 = np.zeros((6, 3))
    for y in ([0, 1, 2, 0, 1, -1], [0, 1, 2, 0, 1, 1.7], [0, 1, 2, 0, 1, 3]):
        with pytest.raises(ValueError, match=r"class codes 0\.\.2"):
            pointwise_loss(np.array(y, float), eta3, "multinomial", "class")
    with pytest.raises(ValueError, match="family must be one of"):
        pointwise_loss(np.zeros(6), eta, "foo", "mse")
    ok = pointwise_loss(np.array([0, 1, 2, 0, 1, 2.0]), eta3, "multinomial", "deviance")
    assert ok == pytest.approx(np.full(6, 2 * np.log(3)))
    foldid = np.arange(9) % 3
    with pytest.raises(ValueError, match="loss contains NaN or infinite"):
        cv_curve(np.full((9, 2), np.inf), foldid)
    with pytest.raises(ValueError, match="at least 3 folds"):
        cv_curve(np.ones((9, 2)), np.arange(9) % 2)
    with pytest.raises(ValueError, match="foldid must be an integer vector of length 9"):
        cv_curve(np.ones((9, 2)), foldid[:-1])
    # huge y: the squared errors overflow; an IndexError from inside the CV rules before
    X, y, _, _ = problem(seed=6)
    with warnings.catch_warnings(), pytest.raises(ValueError, match="loss contains NaN or inf"):
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow itself
        cv_lasso(X, y * 1e160, foldid=np.arange(len(y)) % 3, nlambda=5)


def test_bad_folds_and_classes():
    X, y, _, _ = problem(seed=6)
    with pytest.raises(ValueError, match="at least 3 folds"):
        cv_lasso(X, y, foldid=np.arange(len(y)) % 2)
    yb = np.zeros(len(y))
    yb[:2] = 1
    with pytest.raises(ValueError, match="one class only"):
        cv_lasso(X, yb, family="binomial", foldid=np.arange(len(y)) % 3 * (np.arange(len(y)) > 1))


def test_unconverged_fold_fits_warn_naming_the_fit():
    X, y, _, _ = problem(seed=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv_lasso(X, y, foldid=np.arange(len(y)) % 3, max_iter=1)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert any(m.startswith("full-data path: the gaussian lasso path") for m in messages)
    assert any(m.startswith("fold 1 of cross-validation: the gaussian") for m in messages)

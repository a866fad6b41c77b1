"""cv.glmnet: the CV curve, lambda.min / lambda.1se, prevalidation, folds and ties."""

import warnings

import numpy as np
import pytest

from common.lasso import ConvergenceWarning, cv_lasso, first_minimum, lasso_path, random_folds
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


def test_first_minimum_ignores_rounding_but_not_real_differences():
    v = np.array([2.0, 1.0 + 1e-15, 1.0, 1.0 + 1e-12, 3.0])
    assert first_minimum(v) == 1  # ties to 1e-9 relative: the first
    assert first_minimum(v[::-1]) == 1
    assert first_minimum(np.array([1.0 + 1e-6, 1.0])) == 1  # a real difference counts


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

"""The glmnet-faithful path and cv.glmnet: agreement with glum, KKT, glmnet conventions."""

import warnings

import numpy as np
import pytest

from papers.pretrained_lasso.glmnet import (
    balanced_folds,
    cv_lasso,
    lasso_path,
    penalty_weights,
    random_folds,
)


def _problem(seed=0, n=120, p=30, family="gaussian"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.uniform(-1, 1, p)
    beta = np.zeros(p)
    beta[:5] = [1.0, -0.8, 0.6, 0.5, -0.4]
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.7 * eta))).astype(float)
    offset = 0.3 * rng.standard_normal(n)
    pf = rng.uniform(0.5, 2.0, p)
    pf[:2] = 0.0
    return X, y, offset, pf


def _objective(path, k, X, y, offset, pf, family):
    """glmnet's objective on the original scale (penalty on standardised coefficients)."""
    eta = offset + path.intercepts[k] + X @ path.coefs[k]
    if family == "gaussian":
        loss = 0.5 * np.mean((y - eta) ** 2)
    else:
        loss = np.mean(np.logaddexp(0, eta) - y * eta)
    pf_r = pf * X.shape[1] / pf.sum()
    return loss + path.lambdas[k] * np.sum(pf_r * np.abs(path.coefs[k] * X.std(axis=0)))


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_agrees_with_glum(family):
    """Same problem (offset, penalty factors with zeros, standardisation) as glum: 1e-6."""
    from glum import GeneralizedLinearRegressor

    X, y, offset, pf = _problem(family=family)
    path = lasso_path(X, y, family=family, offset=offset, penalty_factor=pf, tol=1e-14)
    idx = [1, 5, 15, 30]
    model = GeneralizedLinearRegressor(
        family="normal" if family == "gaussian" else "binomial",
        alphas=path.lambdas[idx],
        alpha_search=True,
        l1_ratio=1.0,
        scale_predictors=True,
        P1=pf * X.shape[1] / pf.sum(),  # glmnet rescales penalty factors to sum to p
        gradient_tol=1e-12,
        max_iter=10_000,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, offset=offset)
    np.testing.assert_allclose(path.coefs[idx], model.coef_path_, atol=1e-6)
    np.testing.assert_allclose(path.intercepts[idx], model.intercept_path_, atol=1e-6)
    for t, k in enumerate(idx):
        glum_obj = _objective(
            type(path)(
                family,
                path.lambdas[[k]],
                model.intercept_path_[[t]],
                model.coef_path_[[t]],
                path.converged[[k]],
            ),
            0,
            X,
            y,
            offset,
            pf,
            family,
        )
        assert _objective(path, k, X, y, offset, pf, family) <= glum_obj + 1e-12


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_kkt_conditions(family):
    X, y, offset, pf = _problem(seed=1, family=family)
    path = lasso_path(X, y, family=family, offset=offset, penalty_factor=pf, tol=1e-14)
    sd = X.std(axis=0)
    pf_r = pf * X.shape[1] / pf.sum()
    for k in range(0, path.lambdas.size, 7):
        eta = offset + path.intercepts[k] + X @ path.coefs[k]
        mu = eta if family == "gaussian" else 1 / (1 + np.exp(-eta))
        grad = ((X - X.mean(0)) / sd).T @ (y - mu) / len(y)  # standardised scale
        bound = path.lambdas[k] * pf_r
        active = path.coefs[k] != 0
        assert abs(np.mean(y - mu)) < 1e-6  # the intercept's score equation
        np.testing.assert_allclose(
            grad[active], bound[active] * np.sign(path.coefs[k][active]), atol=1e-6
        )
        assert np.all(np.abs(grad[~active]) <= bound[~active] + 1e-6)


def test_lambda_max_and_sequence():
    X, y, offset, pf = _problem(seed=2)
    path = lasso_path(X, y, offset=offset, penalty_factor=pf)
    penalised = pf > 0
    assert np.all(np.abs(path.coefs[0][penalised]) < 1e-12)
    assert np.any(path.coefs[1][penalised] != 0)
    assert np.all(path.coefs[0][~penalised] != 0)  # unpenalised columns are in the null model
    ratios = path.lambdas[1:] / path.lambdas[:-1]
    np.testing.assert_allclose(ratios, (1e-4) ** (1 / 99), rtol=1e-12)  # n > p: 1e-4
    wide = lasso_path(X[:20], y[:20], nlambda=10)
    np.testing.assert_allclose(wide.lambdas[-1] / wide.lambdas[0], 1e-2, rtol=1e-12)


def test_penalty_factors_are_rescaled_to_sum_to_p():
    X, y, offset, pf = _problem(seed=3)
    a = lasso_path(X, y, offset=offset, penalty_factor=pf)
    b = lasso_path(X, y, offset=offset, penalty_factor=7.5 * pf)
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-14)
    np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-12)
    scaled, use = penalty_weights(np.array([1.0, 2.0, np.inf, 0.0]), 4)
    np.testing.assert_allclose(scaled, np.array([1.0, 2.0, 1.0, 0.0]) * 4 / 4.0)
    assert use.tolist() == [True, True, False, True]


def test_infinite_penalty_excludes_and_gaussian_offset_is_a_shift():
    X, y, offset, pf = _problem(seed=4)
    pf[10] = np.inf
    path = lasso_path(X, y, offset=offset, penalty_factor=pf)
    assert np.all(path.coefs[:, 10] == 0)
    shifted = lasso_path(X, y - offset, penalty_factor=pf)
    np.testing.assert_allclose(path.coefs, shifted.coefs, atol=1e-12)
    np.testing.assert_allclose(path.intercepts, shifted.intercepts, atol=1e-12)


def test_cv_rules_and_prevalidation():
    X, y, offset, _ = _problem(seed=5)
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


def test_folds():
    groups = np.repeat([0, 1, 2], [13, 7, 22])
    foldid = balanced_folds(groups, 5, np.random.default_rng(0))
    sizes = np.bincount(foldid)
    assert sizes.max() - sizes.min() <= 1
    for g in range(3):
        per = np.bincount(foldid[groups == g], minlength=5)
        assert per.max() - per.min() <= 1
    assert np.bincount(random_folds(23, 4, np.random.default_rng(1))).tolist() == [6, 6, 6, 5]


def test_bad_inputs():
    X, y, _, pf = _problem(seed=6)
    with pytest.raises(ValueError, match="length"):
        lasso_path(X, y[:-1])
    with pytest.raises(ValueError, match="coded 0/1"):
        lasso_path(X, y, family="binomial")
    with pytest.raises(ValueError, match="family"):
        lasso_path(X, y, family="poisson")
    with pytest.raises(ValueError, match="NaN"):
        lasso_path(np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError, match="penalty_factor"):
        lasso_path(X, y, penalty_factor=-pf)
    with pytest.raises(ValueError, match="decreasing"):
        lasso_path(X, y, lambdas=[0.1, 0.2])
    with pytest.raises(ValueError, match="at least 3 folds"):
        cv_lasso(X, y, foldid=np.arange(len(y)) % 2)
    yb = np.zeros(len(y))
    yb[:2] = 1
    with pytest.raises(ValueError, match="one class only"):
        cv_lasso(X, yb, family="binomial", foldid=np.arange(len(y)) % 3 * (np.arange(len(y)) > 1))

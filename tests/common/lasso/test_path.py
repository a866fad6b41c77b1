"""The glmnet-faithful lasso path: agreement with glum, KKT conditions, glmnet's conventions."""

import warnings

import numpy as np
import pytest

from common.lasso import ConvergenceWarning, lasso_path
from common.lasso.path import penalty_weights
from tests.common.lasso.problems import problem


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

    X, y, offset, pf = problem(family=family)
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
    X, y, offset, pf = problem(seed=1, family=family)
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
    X, y, offset, pf = problem(seed=2)
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
    X, y, offset, pf = problem(seed=3)
    a = lasso_path(X, y, offset=offset, penalty_factor=pf)
    b = lasso_path(X, y, offset=offset, penalty_factor=7.5 * pf)
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-14)
    np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-12)
    scaled, use = penalty_weights(np.array([1.0, 2.0, np.inf, 0.0]), 4)
    np.testing.assert_allclose(scaled, np.array([1.0, 2.0, 1.0, 0.0]) * 4 / 4.0)
    assert use.tolist() == [True, True, False, True]


def test_infinite_penalty_excludes_and_gaussian_offset_is_a_shift():
    X, y, offset, pf = problem(seed=4)
    pf[10] = np.inf
    path = lasso_path(X, y, offset=offset, penalty_factor=pf)
    assert np.all(path.coefs[:, 10] == 0)
    shifted = lasso_path(X, y - offset, penalty_factor=pf)
    np.testing.assert_allclose(path.coefs, shifted.coefs, atol=1e-12)
    np.testing.assert_allclose(path.intercepts, shifted.intercepts, atol=1e-12)


def test_bad_inputs():
    X, y, _, pf = problem(seed=6)
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


def test_lasso_path_validation():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    for kwargs, error, pattern in [
        ({"tol": -1}, ValueError, "tol"),
        ({"tol": np.nan}, ValueError, "tol"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"max_iter": True}, TypeError, "max_iter"),
        ({"nlambda": 2.5}, TypeError, "nlambda"),
        ({"lambdas": [0.5, np.nan]}, ValueError, "lambdas"),
        ({"lambdas": [np.inf, 0.5]}, ValueError, "lambdas"),
        ({"lambda_min_ratio": np.nan}, ValueError, "lambda_min_ratio"),
        ({"intercept": "no"}, TypeError, "intercept"),
    ]:
        with pytest.raises(error, match=pattern):
            lasso_path(X, y, **kwargs)
    assert lasso_path(X, y, nlambda=np.int64(5), max_iter=np.int32(1000)).lambdas.size <= 5


def test_link_offsets_float64_cannot_resolve_are_refused():
    # a common multinomial offset of 1e16 returned wrong coefficients without a warning, and
    # 1e19 never returned; binomial the same way
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    ym = np.arange(40) % 3.0
    for family, y, shape in (("multinomial", ym, (40, 3)), ("binomial", ym % 2, (40,))):
        with pytest.raises(ValueError, match=r"offset reaches 1e\+16 on the link scale"):
            lasso_path(X, y, family=family, offset=np.full(shape, 1e16), nlambda=3)
        assert lasso_path(X, y, family=family, offset=np.full(shape, 30.0), nlambda=3).coefs.size


def test_constant_columns_are_still_left_out():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 3))
    y = X[:, 0] + 0.1 * rng.standard_normal(30)
    for const in (0.0, 3.7, -1e-12, 0.1 + 0.2):  # 0.1 + 0.2: the mean is not exact
        Xc = np.hstack([X, np.full((30, 1), const)])
        path = lasso_path(Xc, y, lambdas=[0.1, 0.01])
        assert np.all(path.coefs[:, -1] == 0)
        np.testing.assert_allclose(path.coefs[:, :3], lasso_path(X, y, lambdas=[0.1, 0.01]).coefs)


def test_power_of_two_scales_are_exact_even_where_numpy_s_moments_underflow():
    """Standardisation is scale-equivariant bit for bit: X * 2**k gives coefs / 2**k.

    At 2**-600 the squares of the entries underflow, so ``X.std(axis=0)`` would be 0 (the
    columns would count as constant); the path's column moments are taken on rescaled
    columns and are exact.
    """
    rng = np.random.default_rng(2)
    X = rng.standard_normal((57, 5)) * [1, 1e-3, 1e3, 7, 0.01] + [0, 0, 0, 100, 0]
    y = X[:, 0] - 0.01 * X[:, 2] + rng.standard_normal(57)
    ref = lasso_path(X, y, nlambda=20)
    for s in (2.0**-600, 2.0**-40, 2.0**600):
        path = lasso_path(X * s, y, nlambda=20)
        np.testing.assert_array_equal(path.lambdas, ref.lambdas)
        np.testing.assert_array_equal(path.coefs, ref.coefs / s)
        np.testing.assert_array_equal(path.intercepts, ref.intercepts)


def test_gaussian_path_is_exact_at_any_scale_of_y():
    # y near 1e-100 fell under an absolute floor of lambda_max (1e-12): an all-zero path, off
    # by 2.0; near 1e300 its squares overflowed (off by 0.88); an offset 1e150 times y's
    # scale rounded y away (off by 2.0), all without a warning
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 5))
    y = X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(50)
    ref = lasso_path(X, y, nlambda=8)
    for s in (2.0**-900, 2.0**-300, 2.0**900):
        path = lasso_path(X, y * s, nlambda=8)
        np.testing.assert_array_equal(path.lambdas, ref.lambdas * s)
        np.testing.assert_array_equal(path.coefs, ref.coefs * s)
        np.testing.assert_array_equal(path.intercepts, ref.intercepts * s)
    for s in (1e-100, 1e300):
        path = lasso_path(X, y * s, nlambda=8)
        np.testing.assert_allclose(path.coefs / s, ref.coefs, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match=r"offset reaches 1e\+150, more than 1e\+08 times"):
        lasso_path(X, y, offset=np.full(50, 1e150))


def test_unconverged_paths_warn():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    y = X[:, 0] + rng.standard_normal(40)
    with pytest.warns(ConvergenceWarning, match=r"did not converge within max_iter=1 .*lambda\["):
        path = lasso_path(X, y, max_iter=1)
    assert not path.converged.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert lasso_path(X, y).converged.all()  # a converged path is silent

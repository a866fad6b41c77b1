"""scikit-learn estimators: intercept, parameter validation, CV variants, Pipeline, GridSearchCV
and the estimator checks."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from common.convex_nn import (
    ConvexReLUClassifier,
    ConvexReLUClassifierCV,
    ConvexReLURegressor,
    ConvexReLURegressorCV,
)


def _regression(n=40, seed=0, shift=5.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    y = np.maximum(X @ np.array([1.0, -1.0, 0.5]), 0) + 0.05 * rng.standard_normal(n) + shift
    return X, y


def _circle(n=60, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    return X, np.where(X[:, 0] ** 2 + X[:, 1] ** 2 > 1.0, "out", "in")


def test_regressor_pipeline_and_grid():
    X, y = _regression()
    relu = ConvexReLURegressor(beta=0.1, n_patterns=10, tol=1e-4, max_iter=3000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # may stop at max_iter; fine here
        relu.fit(X, y)
    assert relu.score(X, y) > 0.9
    gs = GridSearchCV(
        make_pipeline(StandardScaler(), ConvexReLURegressor(n_patterns=10, formulation="gated")),
        {"convexreluregressor__beta": [0.1, 10.0]},
        cv=2,
    )
    gs.fit(X, y)
    assert gs.best_params_["convexreluregressor__beta"] == 0.1
    assert gs.score(X, y) > 0.9
    est = ConvexReLURegressor(beta=2.0)
    assert est.set_params(beta=3.0).get_params()["beta"] == 3.0


@pytest.mark.parametrize("formulation", ["relu", "gated"])
def test_regressor_intercept_predicts_the_mean_at_large_beta(formulation):
    # issue #16: without an intercept the regressor predicted exactly 0 at large beta
    X, y = _regression(shift=5.0)
    est = ConvexReLURegressor(n_patterns=10, formulation=formulation, tol=1e-6).fit(X, y)
    big = ConvexReLURegressor(beta=2 * est.beta_max_, n_patterns=10, formulation=formulation)
    big.fit(X, y)
    np.testing.assert_allclose(big.predict(X), y.mean(), rtol=0, atol=1e-10)
    assert big.intercept_ == pytest.approx(y.mean())
    assert big.result_.n_active == 0
    # just below beta_max the network is not zero: beta_max is the threshold
    below = ConvexReLURegressor(beta=0.9 * est.beta_max_, n_patterns=10, formulation=formulation)
    assert below.fit(X, y).result_.n_active > 0
    off = ConvexReLURegressor(beta=1e6, n_patterns=10, fit_intercept=False)
    np.testing.assert_array_equal(off.fit(X, y).predict(X), 0.0)
    # the default (beta="auto") fits the shifted target as well as the centred one
    assert est.beta_ == pytest.approx(0.1 * est.beta_max_)
    assert est.score(X, y) > 0.75
    centred = ConvexReLURegressor(n_patterns=10, formulation=formulation, tol=1e-6)
    np.testing.assert_allclose(
        centred.fit(X, y - y.mean()).predict(X) + y.mean(), est.predict(X), atol=1e-6
    )


def test_regressor_multi_output_intercept():
    X, y = _regression()
    Y = np.column_stack([y, -3.0 * y + 2.0])
    est = ConvexReLURegressor(beta=1e6, n_patterns=10).fit(X, Y)
    np.testing.assert_allclose(est.predict(X), np.broadcast_to(Y.mean(0), Y.shape), atol=1e-10)


def test_classifier_binary_and_multiclass():
    X, y = _circle()
    clf = ConvexReLUClassifier(beta=0.1, n_patterns=30, tol=1e-4).fit(X, y)
    assert clf.score(X, y) > 0.85
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P.sum(1), 1.0)
    np.testing.assert_array_equal(clf.classes_[np.argmax(P, 1)], clf.predict(X))
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    clf3 = ConvexReLUClassifier(beta=0.1, n_patterns=30, tol=1e-4).fit(X, y3)
    assert set(clf3.predict(X)) <= {0, 1, 2}
    assert clf3.decision_function(X).shape == (60, 3)
    P3 = clf3.predict_proba(X)
    assert P3.shape == (60, 3)
    np.testing.assert_allclose(P3.sum(1), 1.0)
    np.testing.assert_array_equal(np.argmax(P3, 1), clf3.predict(X))


def test_classifier_intercept_gives_the_prior_at_large_beta():
    # the same data as above, so the same offset and compiled kernels (the ReLU program's
    # offset is checked against CLARABEL in test_losses.py)
    X, y = _circle()
    p_out = np.mean(y == "out")
    assert abs(p_out - 0.5) > 0.05  # an unbalanced problem, so the prior is not 1/2
    clf = ConvexReLUClassifier(beta=1e6, n_patterns=30, tol=1e-4).fit(X, y)
    assert clf.result_.n_active == 0
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P[:, list(clf.classes_).index("out")], p_out, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, np.log(p_out / (1 - p_out)))


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"n_patterns": 1.5}, TypeError, "n_patterns must be an int"),
        ({"n_patterns": 10.0}, TypeError, "n_patterns must be an int"),
        ({"n_patterns": True}, TypeError, "n_patterns must be an int"),
        ({"n_patterns": 0}, ValueError, "n_patterns must be an integer >= 1"),
        ({"beta": -1.0}, ValueError, r"beta must lie in \(0, inf\)"),
        ({"beta": np.inf}, ValueError, r"beta must lie in \(0, inf\)"),
        ({"beta": "big"}, ValueError, "beta must be a positive number or 'auto'"),
        ({"beta": [1.0]}, TypeError, "beta must be a real number"),
        ({"formulation": "linear"}, ValueError, "formulation must be 'relu' or 'gated'"),
        ({"solver": "ecos2"}, ValueError, "solver must be"),
        ({"solver": "fista"}, ValueError, "solver='fista' does not support formulation='relu'"),
        ({"activation": "tanh"}, ValueError, "activation"),
        ({"bias": "yes"}, TypeError, "bias must be True or False"),
        ({"fit_intercept": 1}, TypeError, "fit_intercept must be True or False"),
        ({"seed": 1.5}, TypeError, "seed must be None, a non-negative int"),
        ({"seed": -1}, ValueError, "seed must be a non-negative int"),
        ({"seed": np.random.RandomState(0)}, TypeError, "seed must be None"),
        ({"tol": 0.0}, ValueError, r"tol must lie in \(0, inf\)"),
        ({"tol": "1e-3"}, TypeError, "tol must be a real number"),
        ({"max_iter": 0}, ValueError, "max_iter must be an integer >= 1"),
        ({"max_iter": 100.0}, TypeError, "max_iter must be an int"),
    ],
)
def test_parameters_are_validated_in_fit(params, exc, match):
    X, y = _regression(n=20)
    with pytest.raises(exc, match=match):
        ConvexReLURegressor(**params).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_betas": 0}, "n_betas must be an integer >= 1"),
        ({"n_betas": 2.0}, "n_betas must be an int"),
        ({"eps": 0.0}, r"eps must lie in \(0, 1\)"),
        ({"eps": 1.0}, r"eps must lie in \(0, 1\)"),
        ({"cv": 1}, "cv must be an integer >= 2"),
        ({"cv": "five"}, "cv must be an int >= 2, a CV splitter"),
        ({"betas": [1.0, -1.0]}, "betas must be None or a non-empty 1-D"),
        ({"betas": []}, "betas must be None or a non-empty 1-D"),
        ({"betas": "auto"}, "betas must be None or a non-empty 1-D"),
        ({"n_patterns": 0}, "n_patterns must be an integer >= 1"),
    ],
)
def test_cv_parameters_are_validated(params, match):
    X, y = _regression(n=20)
    with pytest.raises((ValueError, TypeError), match=match):
        ConvexReLURegressorCV(**params).fit(X, y)


def test_seed_accepts_none_int_and_generator():
    X, y = _regression()
    kw = {"beta": 1.0, "n_patterns": 10, "formulation": "gated"}
    a = ConvexReLURegressor(seed=3, **kw).fit(X, y)
    b = ConvexReLURegressor(seed=np.int64(3), **kw).fit(X, y)
    np.testing.assert_array_equal(a.gates_, b.gates_)
    rng = np.random.default_rng(0)
    c = ConvexReLURegressor(seed=rng, **kw).fit(X, y)
    c_gates = c.gates_.copy()
    c.fit(X, y)  # a Generator is advanced by each fit
    assert not np.array_equal(c.gates_, c_gates)
    d1 = ConvexReLURegressor(seed=np.random.default_rng(0), **kw).fit(X, y)
    np.testing.assert_array_equal(d1.gates_, c_gates)  # ... and reproducible from its seed
    assert ConvexReLURegressor(seed=None, **kw).fit(X, y).score(X, y) > 0.5


def test_degenerate_and_overflowing_data():
    # X near 1e300 was refused as "betas must be positive and finite ... got [inf]" (betas the
    # user never passed); a constant X gave beta_max = 3e-16 (round-off), so beta="auto" sat at
    # round-off level and the solve did not converge; a constant y crashed the CV variant
    X, y = _regression()
    cv = ConvexReLURegressorCV(n_patterns=10, n_betas=3, cv=2)
    for est, Xb, yb in ((ConvexReLURegressor(n_patterns=10), X * 1e300, y), (cv, X, y * 1e300)):
        with pytest.raises(ValueError, match="X or y is too large for float64"):
            est.fit(Xb, yb)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no non-convergence warning
        m = ConvexReLURegressor(n_patterns=10).fit(np.ones((40, 3)), y)
    assert m.beta_max_ == 0.0
    np.testing.assert_allclose(m.predict(np.ones((2, 3))), y.mean(), rtol=1e-12)
    cv = ConvexReLURegressorCV(n_patterns=10, n_betas=3, cv=2).fit(X, np.full(40, 2.0))
    np.testing.assert_allclose(cv.predict(X[:3]), 2.0, rtol=1e-12)
    for est in (ConvexReLURegressor(n_patterns=10), cv):  # a TypeError inside numpy before
        with pytest.raises(ValueError, match="y must be numeric for a regressor, got dtype <U"):
            est.fit(X, np.array(["a", "b"] * 20))


def test_regressor_cv_chooses_beta_on_the_path_and_refits():
    X, y = _regression(n=60, seed=2)
    cv = KFold(3, shuffle=True, random_state=0)
    est = ConvexReLURegressorCV(n_betas=6, eps=1e-3, cv=cv, n_patterns=10, formulation="gated")
    est.fit(X, y)
    assert est.betas_.shape == (6,)
    assert np.all(np.diff(est.betas_) < 0)
    assert est.betas_[0] == pytest.approx(est.beta_max_)
    assert est.mse_path_.shape == (6, 3)
    best = int(np.argmin(est.mse_path_.mean(1)))
    assert est.beta_ == est.betas_[best]
    assert best > 0  # beta_max (the constant model) is not the best on this signal
    # the fold MSEs are those of the plain estimator fit on each fold
    tr, va = next(cv.split(X))
    one = ConvexReLURegressor(beta=est.betas_[2], n_patterns=10, formulation="gated")
    mse = np.mean((one.fit(X[tr], y[tr]).predict(X[va]) - y[va]) ** 2)
    assert est.mse_path_[2, 0] == pytest.approx(mse, rel=1e-6)
    # refit on all the data at the chosen beta
    ref = ConvexReLURegressor(beta=est.beta_, n_patterns=10, formulation="gated").fit(X, y)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), atol=1e-8)
    # explicit betas are used as given (sorted decreasing)
    given = ConvexReLURegressorCV(betas=[0.5, 5.0], cv=cv, n_patterns=10, formulation="gated")
    np.testing.assert_array_equal(given.fit(X, y).betas_, [5.0, 0.5])


def test_classifier_cv_and_predict_proba():
    X, y = _circle()
    est = ConvexReLUClassifierCV(n_betas=5, cv=3, n_patterns=30, tol=1e-4).fit(X, y)
    assert est.cv_scores_.shape == (5, 3)
    assert est.beta_ == est.betas_[int(np.argmax(est.cv_scores_.mean(1)))]
    assert est.score(X, y) > 0.85
    np.testing.assert_allclose(est.predict_proba(X).sum(1), 1.0)


def test_diabetes_pipeline_is_fast_and_fits():
    # issue #16: make_pipeline(StandardScaler(), ConvexReLURegressor()) took 116 s with test
    # R^2 = -0.79 (beta=1 in paper scaling is ~1e-4 beta_max there, and no intercept)
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    pipe = make_pipeline(StandardScaler(), ConvexReLURegressor()).fit(Xtr, ytr)
    assert pipe[-1].result_.converged
    assert pipe.score(Xte, yte) > 0.3


_CHECK_KW = {"n_patterns": 30, "tol": 1e-4}


def _expected_failed_checks(est):
    # Every applicable check passes (scikit-learn 1.9); no sample_weight support, fits are
    # deterministic for a fixed ``seed``.
    return {}


@pytest.mark.slow
@parametrize_with_checks(
    [
        ConvexReLURegressor(**_CHECK_KW),
        ConvexReLUClassifier(**_CHECK_KW),
        ConvexReLURegressorCV(n_betas=3, cv=3, **_CHECK_KW),
        ConvexReLUClassifierCV(n_betas=3, cv=3, **_CHECK_KW),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)

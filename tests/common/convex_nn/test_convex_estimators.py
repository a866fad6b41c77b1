"""scikit-learn estimators: API, Pipeline, GridSearchCV and the estimator checks."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from common.convex_nn import ConvexReLUClassifier, ConvexReLURegressor


def test_regressor_pipeline_and_grid():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = np.maximum(X @ np.array([1.0, -1.0, 0.5]), 0) + 0.05 * rng.standard_normal(40)
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


def test_classifier_binary_and_multiclass():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 2))
    y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 > 1.0, "out", "in")
    clf = ConvexReLUClassifier(beta=0.1, n_patterns=30, tol=1e-4).fit(X, y)
    assert clf.score(X, y) > 0.85
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    clf3 = ConvexReLUClassifier(beta=0.1, n_patterns=30, tol=1e-4).fit(X, y3)
    assert set(clf3.predict(X)) <= {0, 1, 2}
    assert clf3.decision_function(X).shape == (60, 3)


def _expected_failed_checks(est):
    # Every applicable check passes (scikit-learn 1.9: 100 passed, 2 skipped by scikit-learn
    # itself). No sample_weight support; fits are deterministic for a fixed ``seed``.
    return {}


@pytest.mark.slow
@parametrize_with_checks(
    [ConvexReLURegressor(n_patterns=8, tol=1e-4), ConvexReLUClassifier(n_patterns=8, tol=1e-4)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)

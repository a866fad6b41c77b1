"""Multi-response and target-grouped pretraining (papers.pretrained_lasso.multi)."""

import numpy as np
import pytest

from papers.pretrained_lasso.multi import (
    PretrainedMultiResponse,
    PretrainedTargetGrouped,
    cv_mgaussian,
)
from papers.pretrained_lasso.simulate import multiresponse_data, target_grouped_data


@pytest.fixture(scope="module")
def multiresponse():
    rng = np.random.default_rng(0)
    X, Y = multiresponse_data(rng, 150, 40, sigma=1.0)
    m = PretrainedMultiResponse(alpha_grid=[0.0, 0.5, 1.0], nfolds=3, random_state=1)
    return X, Y, m.fit(X, Y)


def test_mgaussian_solution_satisfies_the_group_lasso_kkt_conditions(multiresponse):
    """Stage 1 at lambda.min: zero rows have ||x_j'R||/n <= lambda, nonzero rows
    x_j'R/n = lambda b_j/||b_j|| (standardised scale), to 1e-5 relative."""
    X, Y, m = multiresponse
    fit = m.overall_
    k = fit.index_min
    lam = fit.lambdas[k]
    xs = X.std(axis=0)
    Xs = (X - X.mean(axis=0)) / xs
    B = fit.coefs[k] * xs[:, None]  # standardised-scale coefficients
    R = Y - fit.link(X, "lambda.min")
    grad = Xs.T @ R / X.shape[0]
    norms = np.linalg.norm(B, axis=1)
    zero = norms == 0
    assert np.all(np.linalg.norm(grad[zero], axis=1) <= lam * (1 + 1e-5))
    expected = lam * B[~zero] / norms[~zero, None]
    np.testing.assert_allclose(grad[~zero], expected, atol=1e-5 * lam)


def test_multiresponse_limits(multiresponse):
    X, Y, m = multiresponse
    np.testing.assert_array_equal(m.predict(X, alpha=1.0), m.predict(X, model="individual"))
    off = np.setdiff1d(np.arange(X.shape[1]), m.support_)
    for fit in m.pretrained_[0.0]:
        assert np.all(fit.path.coefs[:, off] == 0)
    assert m.predict(X).shape == Y.shape
    assert m.alpha_ in (0.0, 0.5, 1.0)
    assert m.cv_error_.shape == (3,)


def test_multiresponse_refuses_one_response():
    X = np.random.default_rng(0).standard_normal((30, 5))
    with pytest.raises(ValueError, match="R >= 2"):
        cv_mgaussian(X, X[:, :1], foldid=np.arange(30) % 3)


def test_target_grouped_fits_and_predicts_labels():
    rng = np.random.default_rng(1)
    X, y = target_grouped_data(
        rng, 30, 30, n_classes=3, n_common=5, n_individual=3, shift_common=1.0, shift_individual=1.0
    )
    labels = np.array(["a", "b", "c"])[y]
    m = PretrainedTargetGrouped(alpha_grid=[0.0, 1.0], nfolds=3, random_state=0).fit(X, labels)
    pred = m.predict(X)
    assert set(pred) <= {"a", "b", "c"}
    assert np.mean(pred == labels) > 0.6  # strong shifts: well above chance (1/3)
    off = np.setdiff1d(np.arange(X.shape[1]), m.support_)
    for fit in m.pretrained_[0.0]:
        assert np.all(fit.path.coefs[:, off] == 0)
    with pytest.raises(ValueError, match="at least 3 classes"):
        m.fit(X[labels != "c"], labels[labels != "c"])

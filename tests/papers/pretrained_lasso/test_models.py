"""PretrainedLasso and PretrainedRLearner: ptLasso's identities, alpha choice, bad input."""

import numpy as np
import pytest

from common.lasso import cv_lasso
from papers.pretrained_lasso import PretrainedLasso, PretrainedRLearner
from papers.pretrained_lasso.ptlasso import balanced_folds, pretraining_penalty
from papers.pretrained_lasso.simulate import (
    binomial_example_beta,
    cate_data,
    draw_groups,
    shared_support_beta,
)

GRID = [0.0, 0.5, 1.0]


@pytest.fixture(scope="module")
def gaussian_data():
    rng = np.random.default_rng(0)
    beta = shared_support_beta(3, 30, n_common=4, n_individual=2, common=1.0, individual=1.0)
    X, y, g = draw_groups(rng, beta, 40, sigma=1.0)
    Xt, yt, gt = draw_groups(rng, beta, 40, sigma=1.0)
    return X, y, g, Xt, yt, gt


@pytest.fixture(scope="module")
def fitted(gaussian_data):
    X, y, g, *_ = gaussian_data
    return PretrainedLasso(alpha_grid=GRID, nfolds=4, random_state=1).fit(X, y, g)


def test_alpha_one_is_exactly_the_individual_models(fitted, gaussian_data):
    X, y, g, Xt, _, gt = gaussian_data
    np.testing.assert_array_equal(
        fitted.predict(Xt, gt, alpha=1.0), fitted.predict(Xt, gt, model="individual")
    )
    # ... and an explicit stage-2 fit at alpha = 1 (pf = 1, offset 0) is the same problem
    k = fitted.groups_[0]
    rows = g == k
    fit = fitted.individual_[k]
    again = cv_lasso(
        X[rows],
        y[rows],
        foldid=fit.foldid,
        offset=0.0 * y[rows],
        penalty_factor=pretraining_penalty(fitted.support_, X.shape[1], 1.0),
    )
    np.testing.assert_allclose(again.path.coefs, fit.path.coefs, atol=1e-12)


def test_alpha_zero_fine_tunes_only_on_the_support(fitted, gaussian_data):
    X, y, g, *_ = gaussian_data
    off = np.setdiff1d(np.arange(X.shape[1]), fitted.support_)
    for k in fitted.groups_:
        fit = fitted.group_fit(k, alpha=0.0)
        assert np.all(fit.path.coefs[:, off] == 0)
        # the offset is the full prevalidated overall predictor: at lambda_max the
        # Gaussian null model's intercept is mean(y - offset)
        rows = g == k
        eta = fitted.overall_.preval[rows, fitted.overall_.index("lambda.1se")]
        assert np.all(fit.path.coefs[0] == 0)
        np.testing.assert_allclose(fit.path.intercepts[0], np.mean(y[rows] - eta), atol=1e-10)
    assert set(fitted.support_) <= set(fitted.supports("pretrained", alpha=0.5)["union"])


def test_prediction_formula(fitted, gaussian_data):
    *_, Xt, _, gt = gaussian_data
    a = 0.5
    offset = fitted.overall_link(Xt, gt)
    manual = np.empty(len(gt))
    for k in fitted.groups_:
        r = gt == k
        a0, beta = fitted.pretrained_[a][k].coef("lambda.min")
        manual[r] = (1 - a) * offset[r] + a0 + Xt[r] @ beta
    np.testing.assert_allclose(fitted.predict(Xt, gt, alpha=a), manual, atol=1e-12)


def test_alpha_choice_is_the_argmin_of_the_cv_curve(fitted, gaussian_data):
    X, y, g, *_ = gaussian_data
    path = fitted.cv_path_
    assert fitted.alpha_ == path.alphas[np.argmin(path.error)]
    eta = np.empty(len(y))
    a = fitted.alpha_
    for k in fitted.groups_:
        fit = fitted.pretrained_[a][k]
        eta[g == k] = fit.preval[:, fit.index_min]
    np.testing.assert_allclose(path.error.min(), np.mean((y - eta) ** 2))
    varying = PretrainedLasso(alpha_grid=GRID, alpha_type="varying", nfolds=4, random_state=1)
    varying.fit(X, y, g)
    expected = path.alphas[path.error_by_group.argmin(axis=1)]
    assert [varying.alpha_by_group_[k] for k in varying.groups_] == expected.tolist()


def test_fixed_alphas_labels_and_pretraining_helps(gaussian_data):
    X, y, g, Xt, yt, gt = gaussian_data
    names = np.array(["a", "b", "c"])
    m = PretrainedLasso(alpha={"a": 0.0, "b": 0.5, "c": 1.0}, nfolds=4, random_state=1)
    m.fit(X, y, names[g])
    assert m.alpha_ is None and m.cv_path_ is None
    assert sorted(m.pretrained_) == [0.0, 0.5, 1.0]
    pred = m.predict(Xt, names[gt])
    assert pred.shape == yt.shape
    pooled = PretrainedLasso(alpha_grid=GRID, nfolds=4, random_state=1).fit(X, y, g)
    mse = {
        mod: np.mean((yt - pooled.predict(Xt, gt, model=mod)) ** 2)
        for mod in ("overall", "individual", "pretrained")
    }
    assert mse["pretrained"] < mse["individual"]  # groups share most of their support


def test_user_penalty_factors(gaussian_data):
    X, y, g, *_ = gaussian_data
    pf = np.ones(X.shape[1])
    pf[-1] = 0.0  # an unpenalised feature, off the support: kept even at alpha = 0
    m = PretrainedLasso(alpha=0.0, penalty_factor=pf, nfolds=4, random_state=1).fit(X, y, g)
    for k in m.groups_:
        assert np.all(m.group_fit(k).path.coefs[:, -1] != 0)
    with pytest.raises(ValueError, match="penalty_factor"):
        PretrainedLasso(penalty_factor=-pf, nfolds=4).fit(X, y, g)


def test_binomial(gaussian_data):
    rng = np.random.default_rng(3)
    X, y, g = draw_groups(rng, 2 * binomial_example_beta(20), 60, family="binomial")
    m = PretrainedLasso(family="binomial", alpha_grid=GRID, nfolds=4, random_state=0)
    m.fit(X, y, g)
    prob = m.predict(X, g, kind="response")
    assert np.all((prob > 0) & (prob < 1))
    assert set(np.unique(m.predict(X, g, kind="class"))) <= {0, 1}
    np.testing.assert_array_equal(m.predict(X, g, alpha=1.0), m.predict(X, g, model="individual"))


def test_bad_inputs(gaussian_data, fitted):
    X, y, g, Xt, _, gt = gaussian_data
    model = PretrainedLasso(alpha_grid=GRID, nfolds=4, random_state=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1], g)
    with pytest.raises(ValueError, match="one label per row"):
        model.fit(X, y, g[:-1])
    with pytest.raises(ValueError, match="fewer than nfolds"):
        PretrainedLasso(nfolds=50).fit(X, y, g)
    with pytest.raises(ValueError, match="coded 0/1"):
        PretrainedLasso(family="binomial", nfolds=4).fit(X, np.round(y), g)
    with pytest.raises(ValueError, match="family"):
        PretrainedLasso(family="poisson").fit(X, y, g)  # validated in fit (scikit-learn)
    with pytest.raises(ValueError, match=r"^alpha must lie in \[0, 1\], got 1.5$"):
        PretrainedLasso(alpha=1.5, nfolds=4).fit(X, y, g)
    with pytest.raises(ValueError, match="not fitted yet"):
        model.predict(Xt, gt)
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.predict(Xt, gt + 7)
    with pytest.raises(ValueError, match="X has 29 features, but PretrainedLasso is expecting 30"):
        fitted.predict(Xt[:, :-1], gt)
    with pytest.raises(ValueError, match="was not fitted"):
        fitted.predict(Xt, gt, alpha=0.3)
    with pytest.raises(ValueError, match="kind"):
        fitted.predict(Xt, gt, kind="response")
    with pytest.raises(ValueError, match="nfolds"):
        PretrainedLasso(nfolds=2).fit(X, y, g)


def test_rlearner():
    rng = np.random.default_rng(5)
    X, y, w, tau = cate_data(rng, 400, shared=True, noise=2.0)
    fit = PretrainedRLearner(alpha_grid=GRID, nfolds=4, random_state=0).fit(X, y, w)
    assert fit.alpha_ in GRID and fit.cv_error_.shape == (3,)
    assert np.all(fit.fits_[0.0].path.intercepts == 0)  # intercept=FALSE
    off = np.setdiff1d(np.arange(X.shape[1]), fit.support_) + 1
    assert np.all(fit.fits_[0.0].path.coefs[:, off] == 0)
    assert np.corrcoef(fit.predict(X), tau)[0, 1] > 0.9
    with pytest.raises(ValueError, match="coded 0/1"):
        fit.fit(X, y, w + 1)
    with pytest.raises(ValueError, match="was not fitted"):
        fit.predict(X, alpha=0.25)


def test_balanced_folds_spread_every_group_evenly():
    groups = np.repeat([0, 1, 2], [13, 7, 22])
    foldid = balanced_folds(groups, 5, np.random.default_rng(0))
    sizes = np.bincount(foldid)
    assert sizes.max() - sizes.min() <= 1
    for g in range(3):
        per = np.bincount(foldid[groups == g], minlength=5)
        assert per.max() - per.min() <= 1

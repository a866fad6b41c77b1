"""PretrainedLasso with family="multinomial" (the path itself: tests/common/lasso)."""

import numpy as np
import pytest

from papers.pretrained_lasso import PretrainedLasso


def _grouped(seed=1, ng=60, p=10, K=3):
    rng = np.random.default_rng(seed)
    groups = np.repeat(["a", "b", "c"], ng)
    X = rng.standard_normal((3 * ng, p))
    W = np.zeros((K, p))
    W[:, :3] = 1.5 * rng.standard_normal((K, 3))  # shared by the groups
    eta = X @ W.T
    for i, g in enumerate("abc"):  # one own feature per group
        eta[groups == g, 0] += 0.8 * X[groups == g, 3 + i]
    prob = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    codes = np.array([rng.choice(K, p=q) for q in prob])
    return X, codes, groups


def test_pretrained_lasso_multinomial_fits_and_predicts():
    X, codes, groups = _grouped()
    labels = np.array(["cat", "dog", "eel"])[codes]
    kw = dict(family="multinomial", nfolds=3, nlambda=20, random_state=0)
    m = PretrainedLasso(alpha_grid=[0.0, 0.5, 1.0], **kw).fit(X, labels, groups)
    assert list(m.classes_) == ["cat", "dog", "eel"]
    assert m.alpha_ in (0.0, 0.5, 1.0) and m.cv_path_.error.shape == (3,)
    assert m.support_.size > 0
    link = m.predict(X, groups)
    prob = m.predict(X, groups, kind="response")
    assert link.shape == prob.shape == (len(codes), 3)
    np.testing.assert_allclose(prob.sum(1), 1)
    pred = m.predict(X, groups, kind="class")
    assert set(pred) <= set(m.classes_)
    np.testing.assert_array_equal(pred, m.classes_[link.argmax(1)])
    assert np.mean(pred == labels) > 0.5  # chance is 1/3
    assert m.predict(X, groups, model="overall", kind="class").shape == (len(codes),)
    # integer labels 0..K-1 give the same fit as the strings they encode
    m_int = PretrainedLasso(alpha_grid=[0.0, 0.5, 1.0], **kw).fit(X, codes, groups)
    np.testing.assert_allclose(m_int.predict(X, groups), link)
    np.testing.assert_array_equal(m.classes_[m_int.predict(X, groups, kind="class")], pred)
    # alpha = 1: exactly the individual models; alpha = 0: nothing off S in any class
    np.testing.assert_array_equal(
        m.predict(X, groups, alpha=1.0), m.predict(X, groups, model="individual")
    )
    assert m.pretrained_[1.0] is m.individual_
    off_s = np.setdiff1d(np.arange(X.shape[1]), m.support_)
    for g in m.groups_:
        for s in ("lambda.min", "lambda.1se"):
            assert np.all(m.pretrained_[0.0][g].coef(s)[1][:, off_s] == 0)
    # the stage-2 offset is (1 - alpha) times the out-of-fold overall links (n, K)
    k1 = m.overall_.index(m.overall_lambda)
    g = m.groups_[0]
    rows = np.flatnonzero(groups == g)
    fit = m.pretrained_[0.5][g]
    eta_full = fit.path.link(X[rows], 0.5 * m.overall_.preval[rows, :, k1])
    np.testing.assert_allclose(
        fit.link(X[rows], 0.5 * m.overall_.preval[rows, :, k1]), eta_full[..., fit.index_min]
    )


def test_pretrained_lasso_multinomial_bad_input():
    X, codes, groups = _grouped(ng=30)
    kw = dict(family="multinomial", nfolds=3, nlambda=5, alpha=0.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        PretrainedLasso(**kw).fit(X, np.full(len(codes), "a"), groups)
    y = codes.copy()
    y[(groups == "b") & (y == 2)] = 1
    with pytest.raises(ValueError, match=r"group 'b' has no rows of class\(es\) \[2\]"):
        PretrainedLasso(**kw).fit(X, y, groups)
    with pytest.raises(ValueError, match="integer or string"):
        PretrainedLasso(**kw).fit(X, codes + 0.5, groups)
    with pytest.raises(ValueError, match="kind"):
        PretrainedLasso(**kw).fit(X, codes, groups).predict(X, groups, kind="prob")

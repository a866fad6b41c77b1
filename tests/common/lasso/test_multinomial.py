"""The multinomial (glmnet's ungrouped) lasso path and cv.glmnet."""

import warnings

import numpy as np
import pytest

from common.lasso import cv_lasso, lasso_path, random_folds


def _problem(seed=0, n=150, p=6, K=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.uniform(-1, 1, p)
    W = np.zeros((K, p))
    W[:, :3] = rng.standard_normal((K, 3))
    eta = ((X - X.mean(0)) / X.std(0)) @ W.T
    prob = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(K, p=q) for q in prob]).astype(float)
    return X, y


def _softmax(eta):
    e = np.exp(eta - eta.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _objective(a0, B, Xs, y, lam, offset=0.0, pf=None):
    """(1/n) sum -log softmax(eta)_y + lam sum_jk pf_j |B_kj| on the scale of ``Xs``."""
    eta = offset + Xs @ B.T + a0
    nll = np.mean(np.log(np.exp(eta - eta.max(1, keepdims=True)).sum(1)) + eta.max(1))
    nll -= np.mean(eta[np.arange(len(y)), y.astype(int)])
    pf = np.ones(B.shape[1]) if pf is None else pf
    return nll + lam * np.sum(np.abs(B) * pf)


def test_multinomial_agrees_with_sklearn_saga():
    """Same problem as sklearn's multinomial L1 logistic regression, C = 1 / (n lambda).

    glmnet standardises internally; sklearn gets the standardised design and our
    coefficients are mapped to that scale. K = 3 (odd) makes the L1 solution identified
    (per feature, the class coefficients' median-shift is pinned at 0), so coefficients
    are compared as well as objectives.
    """
    from sklearn.linear_model import LogisticRegression

    X, y = _problem()
    n = len(y)
    xm, sd = X.mean(0), X.std(0)
    Xs = (X - xm) / sd
    path = lasso_path(X, y, family="multinomial", tol=1e-14)
    assert path.converged.all()
    for k in (3, 10, 20, 35):
        lam = path.lambdas[k]
        B = path.coefs[k] * sd  # standardised scale
        a0 = path.intercepts[k] + path.coefs[k] @ xm
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = LogisticRegression(
                l1_ratio=1.0, solver="saga", C=1 / (n * lam), tol=1e-12, max_iter=100_000
            ).fit(Xs, y)
        ours = _objective(a0, B, Xs, y, lam)
        theirs = _objective(ref.intercept_, ref.coef_, Xs, y, lam)
        assert abs(ours - theirs) < 1e-6
        assert ours <= theirs + 1e-12
        np.testing.assert_allclose(B, ref.coef_, atol=1e-6)
        np.testing.assert_allclose(
            a0 - a0.mean(), ref.intercept_ - ref.intercept_.mean(), atol=1e-6
        )
        assert abs(a0.sum()) < 1e-10  # glmnet centres the (standardised-scale) intercepts


def test_multinomial_kkt_with_offset_and_penalty_factors():
    X, y = _problem(seed=1, n=120, p=8, K=4)
    n, p = X.shape
    rng = np.random.default_rng(5)
    offset = 0.3 * rng.standard_normal((n, 4))
    pf = rng.uniform(0.5, 2.0, p)
    pf[0] = 0.0  # unpenalised
    pf[7] = np.inf  # excluded
    path = lasso_path(X, y, family="multinomial", offset=offset, penalty_factor=pf, tol=1e-14)
    assert path.converged.all()
    pf_r = np.where(np.isinf(pf), 1.0, pf)
    pf_r = pf_r * p / pf_r.sum()  # glmnet's rescaling to sum to p, per feature
    Xs = (X - X.mean(0)) / X.std(0)
    Y = np.eye(4)[y.astype(int)]
    # lambda_max: every penalised coefficient is 0 at the first lambda, not at the next
    np.testing.assert_allclose(path.coefs[0][:, 1:], 0, atol=1e-8)
    assert np.any(path.coefs[1][:, 1:] != 0)
    for k in range(0, path.lambdas.size, 9):
        resid = Y - _softmax(offset + X @ path.coefs[k].T + path.intercepts[k])
        grad = Xs.T @ resid / n  # (p, K), standardised scale
        np.testing.assert_allclose(resid.mean(0), 0, atol=1e-6)  # intercept score equations
        assert np.all(path.coefs[k][:, 7] == 0)
        for c in range(4):
            active = path.coefs[k][c] != 0
            bound = path.lambdas[k] * pf_r
            use = ~np.isinf(pf)
            np.testing.assert_allclose(
                grad[active, c], bound[active] * np.sign(path.coefs[k][c][active]), atol=1e-6
            )
            assert np.all(np.abs(grad[~active & use, c]) <= bound[~active & use] + 1e-6)
    # rescaling pf reparametrises nothing: a multiple gives the same path
    again = lasso_path(X, y, family="multinomial", offset=offset, penalty_factor=3 * pf, tol=1e-14)
    np.testing.assert_allclose(again.coefs, path.coefs, atol=1e-9)


def test_multinomial_cv_and_bad_input():
    X, y = _problem(seed=2, n=90)
    foldid = random_folds(len(y), 3, np.random.default_rng(0))
    fit = cv_lasso(X, y, family="multinomial", foldid=foldid, nlambda=15)
    L = fit.lambdas.size
    assert fit.preval.shape == (90, 3, L)
    assert fit.index_1se <= fit.index_min
    a0, B = fit.coef()
    assert a0.shape == (3,) and B.shape == (3, 6)
    assert fit.link(X).shape == (90, 3)
    cls = cv_lasso(X, y, family="multinomial", foldid=foldid, nlambda=15, type_measure="class")
    assert np.all((cls.cvm >= 0) & (cls.cvm <= 1))
    with pytest.raises(ValueError, match=r"coded 0\.\.K-1"):
        lasso_path(X, y + 1, family="multinomial")
    with pytest.raises(ValueError, match="at least 2 classes"):
        lasso_path(X, np.zeros(90), family="multinomial")
    with pytest.raises(ValueError, match=r"shape \(n, K\)"):
        lasso_path(X, y, family="multinomial", offset=np.zeros(90))
    y_rare = np.zeros(90)
    y_rare[:45] = 1
    y_rare[0] = 2  # class 2 only in fold foldid[0]: that fold's training rows miss it
    with pytest.raises(ValueError, match=r"miss class\(es\) \[2\]"):
        cv_lasso(X, y_rare, family="multinomial", foldid=foldid, nlambda=5)

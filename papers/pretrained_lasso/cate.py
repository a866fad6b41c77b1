"""Pretrained R-learner for the conditional average treatment effect (ptLasso's CATE use).

Data :math:`(x_i, w_i, y_i)` with a binary treatment :math:`w_i`. With folds shared by
every fit:

1. Nuisances, prevalidated at ``lambda.1se``: the propensity
   :math:`\\hat e(x) = \\sigma(\\text{binomial lasso of } w \\text{ on } x)` and the mean
   :math:`\\hat m(x)` (Gaussian lasso of y on x); :math:`S = \\operatorname{supp}\\hat m`.
2. R-learner for :math:`\\tau(x) = \\theta_0 + x^\\top\\theta`: a lasso of
   :math:`\\tilde y = y - \\hat m` on :math:`\\tilde x = (w - \\hat e)\\,[1, x]` without
   intercept or standardisation, penalty factor 0 on the first column and the
   pretraining factors (1 on S, :math:`1/\\alpha` off it) on the others. There is no
   offset; :math:`\\alpha = 1` is the usual R-learner (Nie and Wager).
3. :math:`\\hat\\alpha` minimises the R-loss CV error at ``lambda.min`` over the grid (the
   first of the alphas whose errors tie to 1e-9 relative, see
   :func:`~common.lasso.first_minimum`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from common.checks import as_generator, as_matrix, check_int, check_real
from common.lasso import cv_lasso, first_minimum, random_folds
from common.lasso.path import check_response, convergence_label, link_to
from papers.pretrained_lasso.ptlasso import check_alpha_grid, pretraining_penalty

__all__ = ["PretrainedRLearner"]


class PretrainedRLearner:
    """CATE by the R-learner with pretraining from the outcome model's support.

    Parameters
    ----------
    alpha : None (choose by CV over ``alpha_grid``) or a fixed value in [0, 1].
    alpha_grid : default ``0, 0.1, ..., 1``.
    nfolds : folds shared by the nuisance and the effect models (>= 3).
    nuisance_lambda : ``"lambda.1se"`` (ptLasso's choice) or ``"lambda.min"``.
    nlambda, tol, max_iter : passed to every path fit (an unconverged path raises a
        :class:`sklearn.exceptions.ConvergenceWarning` naming the model, fold and lambda).
    random_state : seed or numpy Generator for the folds.

    Not a scikit-learn estimator (``fit`` needs the treatment ``w``); bad arguments raise
    ``ValueError``/``TypeError`` naming them, in the constructor.

    Attributes (after ``fit``)
    --------------------------
    alpha_, support_ (S), cv_error_ (R-loss CV error per alpha, at lambda.min),
    alpha_grid_, fits_ (``{alpha: CVLassoFit}`` of the effect model), e_hat_, m_hat_.
    """

    def __init__(
        self,
        alpha: float | None = None,
        *,
        alpha_grid: Sequence[float] | None = None,
        nfolds: int = 10,
        nuisance_lambda: str = "lambda.1se",
        nlambda: int = 100,
        tol: float = 1e-7,
        max_iter: int = 100_000,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        if alpha is not None:
            check_real(alpha, "alpha", 0.0, 1.0, closed="both")
        self.alpha = alpha
        self.alpha_grid = check_alpha_grid(alpha_grid)
        self.nfolds = check_int(nfolds, "nfolds", 3)
        if nuisance_lambda not in ("lambda.min", "lambda.1se"):
            raise ValueError(
                f"nuisance_lambda must be 'lambda.min' or 'lambda.1se', got {nuisance_lambda!r}"
            )
        self.nuisance_lambda = nuisance_lambda
        self.path_kwargs = {
            "nlambda": check_int(nlambda, "nlambda", 1),
            "tol": check_real(tol, "tol", 0.0, 1.0),
            "max_iter": check_int(max_iter, "max_iter", 1),
        }
        self.random_state = random_state

    def fit(self, X, y, w) -> PretrainedRLearner:
        """Fit the nuisances and the effect model(s); choose alpha when ``alpha=None``."""
        X = as_matrix(X)
        n, p = X.shape
        y = check_response(y, n, "gaussian")
        w = check_response(w, n, "binomial", name="w")
        rng = as_generator(self.random_state)
        foldid = random_folds(n, self.nfolds, rng)
        kw = {"foldid": foldid, **self.path_kwargs}
        with convergence_label("PretrainedRLearner propensity model"):
            e_fit = cv_lasso(X, w, family="binomial", **kw)
        with convergence_label("PretrainedRLearner outcome model"):
            m_fit = cv_lasso(X, y, family="gaussian", **kw)
        ke, km = e_fit.index(self.nuisance_lambda), m_fit.index(self.nuisance_lambda)
        self.e_hat_ = link_to(e_fit.preval[:, ke], "binomial", "response")
        self.m_hat_ = m_fit.preval[:, km]
        self.support_ = np.flatnonzero(m_fit.path.coefs[km])
        y_tilde = y - self.m_hat_
        x_tilde = (w - self.e_hat_)[:, None] * np.hstack([np.ones((n, 1)), X])
        alphas = self.alpha_grid if self.alpha is None else np.array([float(self.alpha)])
        self.fits_ = {}
        for a in alphas:
            pf = np.concatenate([[0.0], pretraining_penalty(self.support_, p, float(a))])
            with convergence_label(f"PretrainedRLearner effect model (alpha={float(a):g})"):
                self.fits_[float(a)] = cv_lasso(
                    x_tilde,
                    y_tilde,
                    family="gaussian",
                    penalty_factor=pf,
                    intercept=False,
                    standardize=False,
                    **kw,
                )
        self.alpha_grid_ = alphas
        self.cv_error_ = np.array(
            [self.fits_[float(a)].cvm[self.fits_[float(a)].index_min] for a in alphas]
        )
        self.alpha_ = float(alphas[first_minimum(self.cv_error_)])  # ties: the first
        self.n_features_ = p
        return self

    def predict(self, X, *, alpha: float | None = None, s: str = "lambda.min") -> np.ndarray:
        """The estimated treatment effect :math:`\\hat\\tau(x)` (at ``alpha_`` by default)."""
        if not hasattr(self, "fits_"):
            raise ValueError("this PretrainedRLearner is not fitted yet; call fit(X, y, w)")
        X = as_matrix(X)
        if X.shape[1] != self.n_features_:
            raise ValueError(f"X has {X.shape[1]} columns, the model was fit on {self.n_features_}")
        a = self.alpha_ if alpha is None else float(alpha)
        if a not in self.fits_:
            raise ValueError(f"alpha={alpha} was not fitted; fitted: {sorted(self.fits_)}")
        _, theta = self.fits_[a].coef(s)
        return theta[0] + X @ theta[1:]

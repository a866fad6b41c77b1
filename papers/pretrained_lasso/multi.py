"""Pretraining across responses and across classes (ptLasso's ``multiresponse`` and
``targetGroups`` use cases; Craig et al., arXiv:2401.12911).

Both follow one pattern. Stage 1 fits one model for all R outputs and gives a support
:math:`S` shared by them and, per output r, a *prevalidated* (out-of-fold) linear
predictor :math:`\\hat\\eta_r` at ``lambda.1se``. Stage 2 fits, for each output r and each
alpha of a grid, a lasso with offset :math:`(1-\\alpha)\\hat\\eta_r` and penalty factors 1
on S and :math:`1/\\alpha` off it (:func:`~papers.pretrained_lasso.ptlasso.pretraining_penalty`),
every fit on one shared ``foldid``. Alpha is chosen by the CV error of the concatenated
prevalidated stage-2 predictions, each at its ``lambda.min`` (ties to 1e-9 relative: the
first alpha). ``alpha = 1`` gives the individual models (no offset, factor 1 everywhere),
which are fitted once and reused, as ptLasso does.

- :class:`PretrainedMultiResponse`: R Gaussian responses. Stage 1 is glmnet's
  ``family="mgaussian"``, the lasso with a group penalty on each feature's row of R
  coefficients,
  :math:`\\frac1{2n}\\|Y - 1\\mu^\\top - XB\\|_F^2 + \\lambda\\sum_j\\|B_{j\\cdot}\\|_2`
  on standardised X, solved by scikit-learn's multi-task coordinate descent
  (``sklearn.linear_model.lasso_path`` with a matrix response; our glmnet port has no
  mgaussian kernel). Stage 2 is a Gaussian lasso per response.
- :class:`PretrainedTargetGrouped`: a multinomial response with K classes. Stage 1 is
  the multinomial lasso (ours, glmnet's *ungrouped* ``type.multinomial``: R's ptLasso uses
  ``"grouped"``, which our solver lacks; S is then the union over classes of the nonzero
  features); stage 2 is a one-versus-rest binomial lasso per class with offset
  :math:`(1-\\alpha)` times that class's prevalidated multinomial link. The class
  prediction is the argmax of the K stage-2 links; the CV error is the multinomial
  deviance of their softmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import lasso_path as sk_lasso_path

from common.checks import as_generator, as_matrix, check_int, check_real
from common.lasso import cv_curve, cv_lasso, first_minimum, pointwise_loss, random_folds
from common.lasso.path import convergence_label
from papers.pretrained_lasso.ptlasso import balanced_folds, check_alpha_grid, pretraining_penalty

__all__ = ["MGaussianCV", "PretrainedMultiResponse", "PretrainedTargetGrouped", "cv_mgaussian"]

_RULES = ("lambda.min", "lambda.1se")


@dataclass(frozen=True)
class MGaussianCV:
    """``cv.glmnet(family="mgaussian", keep=TRUE)``: path, CV curve and prevalidation.

    ``coefs`` ``(nlambda, p, R)`` and ``intercepts`` ``(nlambda, R)`` on the original
    scale; ``preval`` ``(n, R, nlambda)``; ``cvm`` is the mean over rows of the squared
    error summed over responses (glmnet's mgaussian ``mse``).
    """

    lambdas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    cvm: np.ndarray
    cvsd: np.ndarray
    index_min: int
    index_1se: int
    preval: np.ndarray

    def index(self, s: str) -> int:
        if s not in _RULES:
            raise ValueError(f"s must be one of {_RULES}, got {s!r}")
        return self.index_min if s == "lambda.min" else self.index_1se

    def link(self, X: np.ndarray, s: str = "lambda.min") -> np.ndarray:
        k = self.index(s)
        return X @ self.coefs[k] + self.intercepts[k]

    def support(self, s: str = "lambda.1se") -> np.ndarray:
        """Features whose row of coefficients is nonzero at ``s``."""
        return np.flatnonzero(np.any(self.coefs[self.index(s)] != 0, axis=1))


def _mgaussian_path(X, Y, lambdas, tol, max_iter) -> tuple[np.ndarray, np.ndarray]:
    """The mgaussian path on the original scale (X standardised with the 1/n sd inside)."""
    xm, xs = X.mean(axis=0), X.std(axis=0)
    xs = np.where(xs > 0, xs, 1.0)
    ym = Y.mean(axis=0)
    Xs, Yc = (X - xm) / xs, Y - ym
    # sklearn's multi-task objective is (1/2n)||Y - XW||_F^2 + alpha sum_j ||W_j||_2, glmnet's
    _, coefs, _ = sk_lasso_path(Xs, Yc, alphas=lambdas, tol=tol, max_iter=max_iter)
    coefs = np.moveaxis(coefs, -1, 0).transpose(0, 2, 1) / xs[None, :, None]  # (L, p, R)
    intercepts = ym[None, :] - np.einsum("j,ljr->lr", xm, coefs)
    return coefs, intercepts


def cv_mgaussian(
    X,
    Y,
    *,
    foldid,
    nlambda: int = 100,
    lambda_min_ratio: float = 1e-2,
    tol: float = 1e-7,
    max_iter: int = 100_000,
) -> MGaussianCV:
    """Cross-validated multi-response Gaussian group lasso (glmnet's ``mgaussian``).

    lambda_max is the largest :math:`\\|x_j^\\top (Y - \\bar Y)\\|_2 / n` over standardised
    columns; ``nlambda`` log-spaced values down to ``lambda_min_ratio`` times it (default
    1e-2, glmnet's value for n < p; glmnet takes 1e-4 when n > p, whose tail costs much
    and is never chosen by CV in our designs). Folds are fitted on the full-data lambdas;
    ``lambda.min`` / ``lambda.1se`` as in ``cv.glmnet``.
    """
    X = as_matrix(X)
    Y = np.asarray(Y, dtype=np.float64)
    n = X.shape[0]
    if Y.ndim != 2 or Y.shape[0] != n or Y.shape[1] < 2:
        raise ValueError(f"Y must be (n, R) with n = {n} rows and R >= 2, got {Y.shape}")
    if not np.all(np.isfinite(Y)):
        raise ValueError("Y contains NaN or infinite values")
    xs = X.std(axis=0)
    Xs = (X - X.mean(axis=0)) / np.where(xs > 0, xs, 1.0)
    lam_max = np.sqrt(((Xs.T @ (Y - Y.mean(axis=0)) / n) ** 2).sum(axis=1)).max()
    lambdas = lam_max * np.logspace(0, np.log10(lambda_min_ratio), nlambda)
    coefs, intercepts = _mgaussian_path(X, Y, lambdas, tol, max_iter)
    preval = np.empty((n, Y.shape[1], nlambda))
    folds = np.unique(foldid)
    for f in folds:
        test = foldid == f
        c, a0 = _mgaussian_path(X[~test], Y[~test], lambdas, tol, max_iter)
        preval[test] = np.einsum("ij,ljr->irl", X[test], c) + a0.T[None]
    loss = ((Y[:, :, None] - preval) ** 2).sum(axis=1)  # (n, nlambda)
    cvm, cvsd, i_min, i_1se = cv_curve(loss, foldid)
    return MGaussianCV(lambdas, coefs, intercepts, cvm, cvsd, i_min, i_1se, preval)


class _PretrainedColumns:
    """Shared stage 2: one lasso per output column, offset and penalty from stage 1."""

    _family = "gaussian"

    def __init__(
        self,
        alpha: float | None = None,
        *,
        alpha_grid: Sequence[float] | None = None,
        nfolds: int = 10,
        overall_lambda: str = "lambda.1se",
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
        if overall_lambda not in _RULES:
            raise ValueError(f"overall_lambda must be one of {_RULES}, got {overall_lambda!r}")
        self.overall_lambda = overall_lambda
        self.path_kwargs = {
            "nlambda": check_int(nlambda, "nlambda", 1),
            "tol": check_real(tol, "tol", 0.0, 1.0),
            "max_iter": check_int(max_iter, "max_iter", 1),
        }
        self.random_state = random_state

    def _stage2(self, X, targets, offset, foldid, score) -> None:
        """Fit the individual and pretrained models per column; choose alpha by ``score``."""
        p, n_out = X.shape[1], targets.shape[1]
        kw = {"foldid": foldid, "family": self._family, **self.path_kwargs}
        self.individual_ = []
        for r in range(n_out):
            with convergence_label(f"{type(self).__name__} individual model {r}"):
                self.individual_.append(cv_lasso(X, targets[:, r], **kw))
        alphas = self.alpha_grid if self.alpha is None else np.array([float(self.alpha)])
        self.pretrained_ = {}
        for a in map(float, alphas):
            if a == 1.0:
                self.pretrained_[a] = self.individual_
                continue
            pf = pretraining_penalty(self.support_, p, a)
            self.pretrained_[a] = []
            for r in range(n_out):
                with convergence_label(f"{type(self).__name__} pretrained (alpha={a:g}) {r}"):
                    self.pretrained_[a].append(
                        cv_lasso(
                            X, targets[:, r], offset=(1 - a) * offset[:, r], penalty_factor=pf, **kw
                        )
                    )
        self.alpha_grid_ = alphas
        self.cv_error_ = np.array([score(self._preval(self.pretrained_[float(a)])) for a in alphas])
        self.cv_error_individual_ = float(score(self._preval(self.individual_)))
        self.alpha_ = float(alphas[first_minimum(self.cv_error_)])

    @staticmethod
    def _preval(fits) -> np.ndarray:
        return np.stack([f.preval[:, f.index_min] for f in fits], axis=1)

    def _links(self, X, model: str, alpha: float | None, s: str) -> np.ndarray:
        if not hasattr(self, "pretrained_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit first")
        X = as_matrix(X)
        if X.shape[1] != self.n_features_:
            raise ValueError(f"X has {X.shape[1]} columns, the model was fit on {self.n_features_}")
        if model == "overall":
            return self._overall_link(X, s)
        if model == "individual":
            return np.stack([f.link(X, s=s) for f in self.individual_], axis=1)
        if model != "pretrained":
            raise ValueError(
                f"model must be 'pretrained', 'individual' or 'overall', got {model!r}"
            )
        a = self.alpha_ if alpha is None else float(alpha)
        if a not in self.pretrained_:
            raise ValueError(f"alpha={alpha} was not fitted; fitted: {sorted(self.pretrained_)}")
        offset = self._overall_link(X, self.overall_lambda)
        return np.stack(
            [f.link(X, (1 - a) * offset[:, r], s=s) for r, f in enumerate(self.pretrained_[a])],
            axis=1,
        )

    def supports(self, model: str = "pretrained", alpha: float | None = None) -> list:
        """Selected features per output (pretrained with alpha < 1: S joined to each)."""
        a = self.alpha_ if alpha is None else float(alpha)
        fits = self.individual_ if model == "individual" else self.pretrained_[a]
        sel = [np.flatnonzero(f.coef("lambda.min")[1]) for f in fits]
        if model == "pretrained" and a < 1.0:
            sel = [np.union1d(s, self.support_) for s in sel]
        return sel


class PretrainedMultiResponse(_PretrainedColumns):
    """Pretraining across R Gaussian responses (ptLasso ``use.case="multiresponse"``).

    ``fit(X, Y)`` with ``Y`` of shape ``(n, R)``; ``predict(X, model=, alpha=, s=)``
    returns ``(n, R)``. Attributes: ``overall_`` (:class:`MGaussianCV`), ``support_`` (S),
    ``individual_`` and ``pretrained_[alpha]`` (one ``CVLassoFit`` per response),
    ``cv_error_`` (mean CV MSE per response at each alpha), ``alpha_``.
    Parameters as :class:`~papers.pretrained_lasso.cate.PretrainedRLearner`, plus
    ``overall_lambda`` (stage-1 rule, ``lambda.1se`` by default) and
    ``lambda_min_ratio`` of the stage-1 path (see :func:`cv_mgaussian`).
    """

    _family = "gaussian"

    def __init__(self, alpha=None, *, lambda_min_ratio: float = 1e-2, **kwargs) -> None:
        super().__init__(alpha, **kwargs)
        self.lambda_min_ratio = check_real(lambda_min_ratio, "lambda_min_ratio", 0.0, 1.0)

    def fit(self, X, Y) -> PretrainedMultiResponse:
        X = as_matrix(X)
        Y = np.asarray(Y, dtype=np.float64)
        n = X.shape[0]
        foldid = random_folds(n, self.nfolds, as_generator(self.random_state))
        self.n_features_ = X.shape[1]
        self.overall_ = cv_mgaussian(
            X,
            Y,
            foldid=foldid,
            nlambda=self.path_kwargs["nlambda"],
            lambda_min_ratio=self.lambda_min_ratio,
            tol=self.path_kwargs["tol"],
            max_iter=self.path_kwargs["max_iter"],
        )
        k1 = self.overall_.index(self.overall_lambda)
        self.support_ = self.overall_.support(self.overall_lambda)
        offset = self.overall_.preval[:, :, k1]
        self._stage2(X, Y, offset, foldid, lambda eta: float(((Y - eta) ** 2).mean()))
        return self

    def _overall_link(self, X, s):
        return self.overall_.link(X, s)

    def predict(self, X, *, model="pretrained", alpha=None, s="lambda.min") -> np.ndarray:
        """Predictions ``(n, R)``; the offset uses the overall model at ``overall_lambda``."""
        return self._links(X, model, alpha, s)


class PretrainedTargetGrouped(_PretrainedColumns):
    """Pretraining across the classes of a multinomial target (ptLasso
    ``use.case="targetGroups"``): one-versus-rest binomial lassos fine-tuned from a
    multinomial lasso.

    ``fit(X, y)`` with class labels ``y`` (int or str, K >= 3 classes, sorted into
    ``classes_``); ``predict(X, model=, alpha=, kind="class" | "link")``. Folds are
    balanced over classes (ptLasso's ``balanced.folds`` on y).
    """

    _family = "binomial"

    def fit(self, X, y) -> PretrainedTargetGrouped:
        X = as_matrix(X)
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        if self.classes_.size < 3:
            raise ValueError(f"y needs at least 3 classes, got {self.classes_.tolist()}")
        codes = codes.astype(np.float64)
        rng = as_generator(self.random_state)
        foldid = balanced_folds(codes.astype(np.int64), self.nfolds, rng)
        self.n_features_ = X.shape[1]
        with convergence_label("PretrainedTargetGrouped overall multinomial model"):
            self.overall_ = cv_lasso(
                X, codes, family="multinomial", foldid=foldid, **self.path_kwargs
            )
        k1 = self.overall_.index(self.overall_lambda)
        self.support_ = np.flatnonzero(np.any(self.overall_.path.coefs[k1] != 0, axis=0))
        offset = self.overall_.preval[..., k1]  # (n, K)
        onehot = (codes[:, None] == np.arange(self.classes_.size)[None]).astype(np.float64)
        self._stage2(
            X,
            onehot,
            offset,
            foldid,
            lambda eta: float(pointwise_loss(codes, eta, "multinomial", "deviance").mean()),
        )
        return self

    def _overall_link(self, X, s):
        return self.overall_.link(X, s=s)

    def predict(self, X, *, model="pretrained", alpha=None, s="lambda.min", kind="class"):
        """Class labels (``kind="class"``) or the ``(n, K)`` links (``"link"``)."""
        if kind not in ("class", "link"):
            raise ValueError(f"kind must be 'class' or 'link', got {kind!r}")
        eta = self._links(X, model, alpha, s)
        return eta if kind == "link" else self.classes_[eta.argmax(axis=1)]

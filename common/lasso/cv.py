"""Cross-validation of the lasso path, as ``cv.glmnet``: :func:`cv_lasso`, :class:`CVLassoFit`.

``cv.glmnet`` with a fixed ``foldid``: the fold fits use the full-data lambda sequence;
``cvm`` is the mean loss over all observations, ``cvsd`` the standard error of the
per-fold means (weighted by fold size); ``lambda.min`` is the largest lambda attaining
the minimum of ``cvm`` and ``lambda.1se`` the largest with ``cvm <= cvm_min + cvsd_min``;
the prevalidated predictions (``keep=TRUE``, ``fit.preval``) are on the link scale and
include the offset.

The fold fits warn as :func:`~common.lasso.lasso_path` does, labelled with the fold.
Folds: :func:`random_folds` draws ``cv.glmnet``'s; any integer vector with at least 3
labels may be given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.checks import as_matrix, as_vector, check_int, check_real
from common.lasso.path import (
    LassoPath,
    check_design,
    check_family,
    check_offset,
    check_response,
    convergence_label,
    lasso_path,
    link_to,
    n_classes,
)

__all__ = [
    "MEASURES",
    "TIE_RTOL",
    "CVLassoFit",
    "check_folds",
    "check_measure",
    "cv_curve",
    "cv_lasso",
    "first_minimum",
    "pointwise_loss",
    "random_folds",
]

#: Cross-validation losses per family; the first is glmnet's default.
MEASURES = {
    "gaussian": ("mse", "mae"),
    "binomial": ("deviance", "class", "mse", "mae"),
    "multinomial": ("deviance", "class"),
}
_PROB_CLIP = 1e-5  # cv.glmnet clips probabilities to [1e-5, 1 - 1e-5] for the deviance


def check_measure(type_measure, family: str) -> str:
    """``type_measure`` if it is one of ``MEASURES[family]``, else a ValueError naming it."""
    if not isinstance(type_measure, str) or type_measure not in MEASURES[family]:
        raise ValueError(
            f"type_measure for family={family!r} must be one of {MEASURES[family]}, "
            f"got {type_measure!r}"
        )
    return type_measure


def pointwise_loss(y: np.ndarray, eta: np.ndarray, family: str, type_measure: str) -> np.ndarray:
    """cv.glmnet's per-observation loss of link predictions ``eta`` (any trailing shape).

    Gaussian: ``mse`` = (y - eta)^2, ``mae`` = |y - eta|. Binomial (probabilities
    clipped to [1e-5, 1 - 1e-5]): ``deviance`` = -2 [y log p + (1-y) log(1-p)],
    ``class`` = 1{(p > 1/2) != y}, ``mse`` = (y - p)^2 (glmnet counts both classes, so
    its value is twice this), ``mae`` = |y - p|. Multinomial (``eta`` of shape
    ``(n, K, ...)``, y coded 0..K-1, probabilities clipped likewise): ``deviance`` =
    -2 log p_y, ``class`` = 1{argmax_k eta_k != y}; the result drops the class axis.
    """
    family = check_family(family)
    check_measure(type_measure, family)
    try:
        eta = np.asarray(eta, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("eta must be a numeric array") from exc
    if eta.ndim < (2 if family == "multinomial" else 1):
        raise ValueError(f"eta must have shape (n, K, ...) for family='multinomial', got "
                         f"{eta.shape}" if family == "multinomial" else "eta must be an array "
                         "with one row per observation")  # fmt: skip
    y = as_vector(y, eta.shape[0], "y")  # one label per row of eta, finite
    if family != "gaussian":
        K = eta.shape[1] if family == "multinomial" else 2
        if not np.all((y == np.round(y)) & (y >= 0) & (y < K)):
            raise ValueError(f"y for family={family!r} must be class codes 0..{K - 1}, got "
                             f"labels {np.unique(y)[:10].tolist()}")  # fmt: skip
    if family == "multinomial":
        codes = y.astype(np.int64)
        if type_measure == "class":
            hit = codes.reshape(codes.shape + (1,) * (eta.ndim - 2))
            return (eta.argmax(axis=1) != hit).astype(np.float64)
        prob = np.clip(link_to(eta, family, "response"), _PROB_CLIP, 1 - _PROB_CLIP)
        idx = codes.reshape((-1, 1) + (1,) * (eta.ndim - 2))
        return -2 * np.log(np.take_along_axis(prob, idx, axis=1)[:, 0])
    y = y.reshape(y.shape + (1,) * (eta.ndim - y.ndim))
    if family == "gaussian":
        return (y - eta) ** 2 if type_measure == "mse" else np.abs(y - eta)
    prob = np.clip(link_to(eta, family, "response"), _PROB_CLIP, 1 - _PROB_CLIP)
    if type_measure == "deviance":
        return -2 * (y * np.log(prob) + (1 - y) * np.log(1 - prob))
    if type_measure == "class":
        return ((prob > 0.5) != (y > 0.5)).astype(np.float64)
    return (y - prob) ** 2 if type_measure == "mse" else np.abs(y - prob)


def check_folds(foldid, n: int, name: str = "foldid") -> np.ndarray:
    foldid = np.asarray(foldid)
    if foldid.shape != (n,) or not np.issubdtype(foldid.dtype, np.integer):
        raise ValueError(f"{name} must be an integer vector of length {n}, got {foldid.shape}")
    if np.unique(foldid).size < 3:
        raise ValueError(f"{name} must define at least 3 folds (as cv.glmnet requires)")
    return foldid


#: Relative tolerance under which two CV errors count as tied (see :func:`first_minimum`).
TIE_RTOL = 1e-9


def first_minimum(values, rtol: float = TIE_RTOL) -> int:
    """Index of the first value within ``rtol`` (relative) of the minimum of ``values``.

    R's ``which.min`` takes the first exact minimum. Errors that are equal in exact
    arithmetic (e.g. the CV errors of several alphas whose fits all stay on S, or of a
    lambda plateau) differ here in their last bits, and those bits depend on the order of
    floating-point sums (BLAS kernels, memory alignment): an exact ``argmin`` then picks a
    different index from one build to the next. Values within ``rtol * |min|`` (1e-9:
    far below any difference the data can make, far above rounding) are treated as tied
    and the first is taken.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError(f"values must be a non-empty 1-D array of finite numbers, got {v!r}")
    rtol = check_real(rtol, "rtol", 0.0, np.inf, closed="left")
    best = v.min()
    return int(np.flatnonzero(v <= best + rtol * abs(best))[0])


def random_folds(n: int, nfolds: int, rng: np.random.Generator) -> np.ndarray:
    """cv.glmnet's folds: ``sample(rep(1:nfolds, length = n))`` (labels 0..nfolds-1)."""
    n, nfolds = check_int(n, "n", 1), check_int(nfolds, "nfolds", 3)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {rng!r}")
    if n < nfolds:
        raise ValueError(f"{n} observations cannot fill {nfolds} folds; use nfolds <= {n}")
    return rng.permutation(np.arange(n) % nfolds)


@dataclass(frozen=True)
class CVLassoFit:
    """``cv.glmnet`` output: the full-data path, CV curve, chosen lambdas, prevalidation."""

    path: LassoPath
    cvm: np.ndarray
    cvsd: np.ndarray
    index_min: int
    index_1se: int
    preval: np.ndarray
    foldid: np.ndarray
    type_measure: str

    @property
    def lambdas(self) -> np.ndarray:
        return self.path.lambdas

    @property
    def lambda_min(self) -> float:
        return float(self.path.lambdas[self.index_min])

    @property
    def lambda_1se(self) -> float:
        return float(self.path.lambdas[self.index_1se])

    def index(self, s: str) -> int:
        """Path index of ``s`` = ``"lambda.min"`` or ``"lambda.1se"``."""
        if s == "lambda.min":
            return self.index_min
        if s == "lambda.1se":
            return self.index_1se
        raise ValueError(f"s must be 'lambda.min' or 'lambda.1se', got {s!r}")

    def coef(self, s: str = "lambda.min") -> tuple:
        """``(intercept, coefficients)`` at ``s`` (multinomial: ``(K,)`` and ``(K, p)``)."""
        k = self.index(s)
        a0 = self.path.intercepts[k]
        return (a0 if self.path.family == "multinomial" else float(a0)), self.path.coefs[k]

    def link(self, X, offset=None, s: str = "lambda.min") -> np.ndarray:
        """Link-scale predictions at ``s`` (including ``offset``); ``(n, K)`` for multinomial."""
        a0, beta = self.coef(s)
        X = check_design(X, beta.shape[-1])
        eta = X @ beta.T + a0
        if offset is None:
            return eta
        K = beta.shape[0] if self.path.family == "multinomial" else None
        return eta + check_offset(offset, X.shape[0], K)

    def predict(self, X, offset=None, s: str = "lambda.min", *, kind: str = "response"):
        """Predictions at ``s`` of ``kind`` ``"link"``, ``"response"`` or ``"class"`` (see
        :func:`~common.lasso.path.link_to`): ``(n,)``, multinomial response ``(n, K)``."""
        return link_to(self.link(X, offset, s), self.path.family, kind)


def cv_lasso(
    X,
    y,
    *,
    foldid,
    family: str = "gaussian",
    offset=None,
    penalty_factor=None,
    type_measure: str | None = None,
    **path_kwargs,
) -> CVLassoFit:
    """``cv.glmnet(X, y, foldid=foldid, offset=, penalty.factor=, keep=TRUE)``.

    ``path_kwargs`` go to :func:`lasso_path` (``nlambda``, ``standardize``, ``intercept``,
    ...). Raises ValueError when a training fold of a binomial or multinomial problem
    misses a class (glmnet would fit it with an intercept running off to -inf).
    """
    family = check_family(family)
    X = as_matrix(X)
    n = X.shape[0]
    y = check_response(y, n, family)
    foldid = check_folds(foldid, n)
    offset = check_offset(offset, n, n_classes(y, family))
    type_measure = check_measure(type_measure or MEASURES[family][0], family)
    with convergence_label("full-data path"):
        full = lasso_path(
            X, y, family=family, offset=offset, penalty_factor=penalty_factor, **path_kwargs
        )
    path_kwargs = {k: v for k, v in path_kwargs.items() if k not in ("lambdas", "nlambda")}
    folds = np.unique(foldid)
    preval = np.empty((*offset.shape, full.lambdas.size))
    n_class = 1 if family == "gaussian" else int(y.max()) + 1
    for f in folds:
        test = foldid == f
        if family != "gaussian" and np.unique(y[~test]).size < n_class:
            missing = np.setdiff1d(np.arange(n_class), y[~test]).astype(np.int64)
            what = "hold one class only" if family == "binomial" else "miss class(es)"
            raise ValueError(
                f"fold {f}: the training rows {what} {missing.tolist()}; "
                "use fewer folds or more data"
            )
        with convergence_label(f"fold {f} of cross-validation"):
            fit = lasso_path(
                X[~test],
                y[~test],
                family=family,
                offset=offset[~test],
                penalty_factor=penalty_factor,
                lambdas=full.lambdas,
                **path_kwargs,
            )
        preval[test] = fit.link(X[test], offset[test])
    cvm, cvsd, index_min, index_1se = cv_curve(
        pointwise_loss(y, preval, family, type_measure), foldid
    )
    return CVLassoFit(full, cvm, cvsd, index_min, index_1se, preval, foldid, type_measure)


def cv_curve(loss: np.ndarray, foldid: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``cv.glmnet``'s curve from out-of-fold losses ``(n, nlambda)``: ``(cvm, cvsd,
    index_min, index_1se)``.

    ``cvm`` is the mean loss over all rows, ``cvsd`` the standard error of the per-fold means
    weighted by fold size; ``index_min`` the first (largest-lambda) minimiser of ``cvm`` (ties
    to :data:`TIE_RTOL`) and ``index_1se`` the first index with ``cvm <= cvm_min + cvsd_min``.
    """
    loss = np.asarray(loss, dtype=np.float64)
    if loss.ndim != 2 or loss.size == 0:
        raise ValueError(f"loss must be a non-empty (n, nlambda) array, got shape {loss.shape}")
    foldid = check_folds(foldid, loss.shape[0])
    if not np.all(np.isfinite(loss)):
        raise ValueError("loss contains NaN or infinite values (e.g. squared errors overflowing "
                         "float64: rescale y)")  # fmt: skip
    folds = np.unique(foldid)
    sizes = np.array([np.sum(foldid == f) for f in folds], dtype=np.float64)
    fold_means = np.stack([loss[foldid == f].mean(axis=0) for f in folds])
    cvm = sizes @ fold_means / sizes.sum()
    cvsd = np.sqrt(sizes @ (fold_means - cvm) ** 2 / sizes.sum() / (folds.size - 1))
    index_min = first_minimum(cvm)
    index_1se = int(np.flatnonzero(cvm <= cvm[index_min] + cvsd[index_min])[0])
    return cvm, cvsd, index_min, index_1se

"""The glmnet-faithful lasso path: :func:`lasso_path` and its result :class:`LassoPath`.

What is matched (R ``glmnet`` 4.x, ``cv.glmnet``), family ``"gaussian"``, ``"binomial"`` or
``"multinomial"`` (``type.multinomial="ungrouped"``):

- objective :math:`\\frac{1}{n}\\sum_i \\ell(y_i, \\eta_i)
  + \\lambda\\sum_j \\mathrm{pf}_j|\\beta_j|` with
  :math:`\\eta = \\text{offset} + \\beta_0 + X\\beta`, :math:`\\ell` half the squared
  error (Gaussian) or the negative Bernoulli log-likelihood (binomial); the intercept is
  unpenalised;
- multinomial: y coded 0..K-1, one intercept and one coefficient vector per class,
  :math:`P(k|x) \\propto e^{\\eta_k}` with :math:`\\eta_k = \\text{offset}_k + \\beta_{0k} +
  X\\beta_k` (offset ``(n, K)``), loss the negative log-likelihood and penalty
  :math:`\\lambda\\sum_k\\sum_j \\mathrm{pf}_j|\\beta_{jk}|` (the same factor for a feature in
  every class). This parametrisation is not identified (adding a vector to every
  class's coefficients leaves the likelihood unchanged); the penalty pins the
  coefficients down only up to ties, so compare fits by objective. As glmnet, the
  intercepts are centred to sum to zero, each outer iteration takes a partial Newton
  step per class with the other classes fixed, and :math:`\\lambda_{\\max}` is the largest
  ``|score| / pf`` over features and classes;
- ``standardize=True``: the penalty applies to coefficients of columns scaled by their
  :math:`1/n` standard deviation (columns are centred only when there is an intercept,
  but the scale is the centred standard deviation either way, as in glmnet's
  ``standard``); coefficients are returned on the original scale; constant columns are
  left out (coefficient 0). A column counts as constant when its standard deviation is
  at most 1e-10 times the absolute value of its mean (an all-zero column included): the
  test is relative, so rescaling a column (``X * 1e-10``) changes neither which columns
  are used nor the predictions (glmnet's ``chkvars`` tests exact equality; a relative
  test also catches columns whose only variation is rounding);
- penalty factors: ``pf_j = inf`` excludes column j (its pf is then set to 1), ``pf_j = 0``
  leaves it unpenalised, and the factors are **rescaled to sum to p** (glmnet does this
  inside its Fortran; it reparametrises lambda only);
- the lambda path: ``nlambda`` values log-spaced from :math:`\\lambda_{\\max}` down to
  ``lambda_min_ratio`` times it (1e-4 if n > p, else 1e-2); :math:`\\lambda_{\\max}` is the
  smallest lambda with all penalised coefficients zero, computed from the gradient at
  the null model that contains the offset, the intercept and the unpenalised columns;
- glmnet's early end of its own lambda sequence (after at least 5 values, once the
  fraction of deviance explained exceeds 0.999 or stops growing, see ``_cd``); fold fits
  in :func:`~common.lasso.cv_lasso` get the full-data sequence and are never cut short;
- convergence threshold ``tol`` = glmnet's ``thresh`` (default 1e-7). A path that hits
  ``max_iter`` at some lambda is still returned (``converged`` flags it) but
  :func:`lasso_path` and :func:`~common.lasso.cv_lasso` warn with
  :class:`sklearn.exceptions.ConvergenceWarning`, naming the fit and the lambda.

Not matched: observation weights, box constraints, elastic-net mixing other than the
lasso, and glmnet's strong-rule screening (a speed device that does not change the
solution). IRLS weights are floored at 1e-5 where glmnet drops observations whose
fitted probability is within 1e-5 of 0 or 1.

The path is solved by coordinate descent (numba kernels in :mod:`common.lasso._cd`).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from common.checks import as_matrix, as_vector, check_bool, check_int, check_real
from common.lasso import _cd

__all__ = [
    "FAMILIES",
    "PREDICT_KINDS",
    "ConvergenceWarning",
    "LassoPath",
    "as_factors",
    "check_family",
    "check_offset",
    "check_response",
    "convergence_label",
    "lasso_path",
    "link_to",
    "penalty_weights",
]

FAMILIES = ("gaussian", "binomial", "multinomial")
_BIG_LAMBDA = 1e300  # "infinite" lambda for the null fit (1e300 * 0 == 0, unlike inf * 0)
_NULL_TOL = 1e-14  # the null model (offset, intercept, unpenalised columns) is solved tightly
_CONSTANT_RTOL = 1e-10  # a column with sd <= this * |mean| is constant (left out)
# Link-scale offsets (binomial, multinomial) beyond this leave the coefficients below float64's
# resolution beside them (spacing 1.5e-8 at 1e8) and the probabilities saturated at 0 / 1:
# measured, a common multinomial offset of 1e16-1e18 gave wrong coefficients with no warning
# and 1e19 never returned (the updates vanished into the offset, maxit^2 sweeps).
_OFFSET_MAX = 1e8


_COMPILED: set[str] = set()


def _compile_once(family: str) -> None:
    """Compile the numba kernels (or load them from numba's on-disk cache) under a file lock.

    Snakemake starts the experiments as parallel processes; without the lock each one
    would compile the same kernels (tens of CPU seconds); with it the first compiles and
    writes the cache, the others wait and then load it. Only ``family``'s kernel is
    warmed, so runs that never fit a multinomial model never compile its kernel.
    """
    if family in _COMPILED:
        return
    _COMPILED.add(family)
    cache = Path(_cd.__file__).parent / "__pycache__"  # numba caches the kernels here
    lock_dir = cache if os.access(cache.parent, os.W_OK) else Path(tempfile.gettempdir())
    lock_dir.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    y = (X[:, 0] > 0).astype(np.float64)
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): every process compiles for itself
        fcntl = None
    with open(lock_dir / "lasso_cd.lock", "w") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        lasso_path(X, y, family=family, nlambda=3)


def check_family(family: str) -> str:
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    return family


def check_response(y, n: int, family: str, name: str = "y") -> np.ndarray:
    """The response as float64; binomial labels must be 0/1 with both classes present,
    multinomial labels integer codes 0..K-1 (K >= 2) with every class present."""
    y = as_vector(y, n, name)
    if family == "multinomial":
        labels = np.unique(y)
        if labels.size < 2:
            raise ValueError(
                f"family='multinomial' needs at least 2 classes in {name}, got only {labels}"
            )
        if not np.array_equal(labels, np.arange(labels.size)):
            raise ValueError(
                f"family='multinomial' needs {name} coded 0..K-1 with every class present, "
                f"got labels {labels[:10].tolist()}"
            )
    if family == "binomial":
        labels = np.unique(y)
        if not np.all(np.isin(labels, (0.0, 1.0))):
            raise ValueError(
                f"family='binomial' needs {name} coded 0/1, got labels {labels[:10].tolist()}"
            )
        if labels.size < 2:
            raise ValueError(f"family='binomial' needs both classes in {name}, got only {labels}")
    return y


def as_factors(penalty_factor, p: int, name: str = "penalty_factor") -> np.ndarray:
    """User penalty factors as ``(p,)`` floats ``>= 0`` (``inf`` allowed, NaN not)."""
    try:
        pf = np.asarray(penalty_factor, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be {p} numbers >= 0 (inf excludes)") from exc
    if pf.shape != (p,):
        raise ValueError(f"{name} must have length {p} (columns of X), got shape {pf.shape}")
    if np.any(np.isnan(pf)) or np.any(pf < 0):
        raise ValueError(f"{name} must be >= 0 (inf excludes a column), got NaN or a negative")
    return pf


def penalty_weights(penalty_factor, p: int) -> tuple[np.ndarray, np.ndarray]:
    """glmnet's penalty factors: ``(pf rescaled to sum to p, usable mask)``.

    ``inf`` marks an excluded column; its factor counts as 1 in the rescaling, as in
    ``glmnet.R`` (``penalty.factor[exclude] = 1``) followed by the Fortran's
    ``vp = vp * p / sum(vp)``.
    """
    if penalty_factor is None:
        return np.ones(p), np.ones(p, dtype=bool)
    pf = as_factors(penalty_factor, p)
    use = np.isfinite(pf)
    pf = np.where(use, pf, 1.0)
    if not np.any(pf[use] > 0):
        raise ValueError("penalty_factor leaves no penalised column: the lambda path is undefined")
    return pf * p / pf.sum(), use


def n_classes(y: np.ndarray, family: str) -> int | None:
    """The number of classes K of a checked multinomial response; None for other families."""
    return int(y.max()) + 1 if family == "multinomial" else None


def _resolvable(offset: np.ndarray, family: str, y: np.ndarray) -> np.ndarray:
    """``offset``, refused by name if float64 cannot resolve the fit beside it: a link-scale
    entry beyond ``_OFFSET_MAX`` (binomial, multinomial), or (gaussian) an offset more than
    ``_OFFSET_MAX`` times ``max|y|``, which ``y - offset`` would round away (measured: an
    offset of 1e150 against y ~ 1 gave coefficients off by 2.0, without a warning)."""
    top = float(np.max(np.abs(offset)))
    if family != "gaussian" and top > _OFFSET_MAX:
        raise ValueError(
            f"offset reaches {top:.3g} on the link scale; beyond {_OFFSET_MAX:g} the "
            "probabilities are saturated and float64 cannot resolve the coefficients beside "
            "it: clip or rescale the offset"
        )
    if family == "gaussian" and top > _OFFSET_MAX * float(np.max(np.abs(y))) and np.any(y):
        raise ValueError(
            f"offset reaches {top:.3g}, more than {_OFFSET_MAX:g} times max|y| = "
            f"{np.max(np.abs(y)):.3g}: y - offset would lose y to float64 rounding; pass "
            "y - offset with no offset if that is what is meant, or rescale"
        )
    return offset


def check_offset(offset, n: int, K: int | None) -> np.ndarray:
    """The offset as ``(n,)`` floats, or ``(n, K)`` when ``K`` is given (zeros if None)."""
    if K is None:
        return np.zeros(n) if offset is None else as_vector(offset, n, "offset")
    if offset is None:
        return np.zeros((n, K))
    try:
        offset = np.asarray(offset, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("offset must be a numeric array") from exc
    if offset.shape != (n, K):
        raise ValueError(
            f"offset for family='multinomial' must have shape (n, K) = ({n}, {K}), "
            f"got {offset.shape}"
        )
    if not np.all(np.isfinite(offset)):
        raise ValueError("offset contains NaN or infinite values")
    return np.ascontiguousarray(offset)


PREDICT_KINDS = ("link", "response", "class")


def link_to(eta: np.ndarray, family: str, kind: str) -> np.ndarray:
    """Predictions of ``kind`` from link values ``eta`` (multinomial: classes on axis 1).

    ``"link"``: ``eta`` itself; ``"response"``: the mean (Gaussian: ``eta``; binomial:
    P(y = 1); multinomial: the class probabilities); ``"class"``: the most probable label
    (binomial 0/1, multinomial the code 0..K-1, as int64; refused for Gaussian).
    """
    if kind not in PREDICT_KINDS or (kind == "class" and family == "gaussian"):
        allowed = PREDICT_KINDS if family != "gaussian" else PREDICT_KINDS[:2]
        raise ValueError(f"kind for family={family!r} must be one of {allowed}, got {kind!r}")
    if kind == "link" or family == "gaussian":
        return eta
    if family == "multinomial":
        prob = np.exp(eta - eta.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        return prob if kind == "response" else prob.argmax(axis=1)
    with np.errstate(over="ignore"):  # exp(-eta) = inf for eta < -709: the probability is 0
        prob = 1 / (1 + np.exp(-eta))
    return prob if kind == "response" else (prob > 0.5).astype(np.int64)


@dataclass(frozen=True)
class LassoPath:
    """A fitted path: ``intercepts[k] + X @ coefs[k]`` (+ offset) is the link at ``lambdas[k]``.

    Multinomial: ``intercepts`` is ``(nlambda, K)`` and ``coefs`` ``(nlambda, K, p)``.
    ``converged[k]`` is False where the solver hit ``max_iter`` at ``lambdas[k]``.
    """

    family: str
    lambdas: np.ndarray
    intercepts: np.ndarray
    coefs: np.ndarray
    converged: np.ndarray

    def link(self, X, offset=None) -> np.ndarray:
        """Link-scale predictions ``(n, nlambda)`` (multinomial: ``(n, K, nlambda)``, as
        glmnet's ``predict``), including ``offset`` (``(n,)``, multinomial ``(n, K)``)."""
        X = check_design(X, self.coefs.shape[-1])
        if self.family == "multinomial":
            eta = np.einsum("ij,lkj->ikl", X, self.coefs) + self.intercepts.T[None]
        else:
            eta = X @ self.coefs.T + self.intercepts
        if offset is None:
            return eta
        K = self.coefs.shape[1] if self.family == "multinomial" else None
        return eta + check_offset(offset, X.shape[0], K)[..., None]

    def predict(self, X, offset=None, *, kind: str = "response") -> np.ndarray:
        """Predictions at every lambda: ``kind`` is ``"link"``, ``"response"`` or ``"class"``
        (see :func:`link_to`); the lambda axis is last, as in :meth:`link`."""
        return link_to(self.link(X, offset), self.family, kind)


def check_design(X, p: int) -> np.ndarray:
    """``X`` of a prediction: a finite float matrix with the ``p`` columns of the fit."""
    X = as_matrix(X)
    if X.shape[1] != p:
        raise ValueError(f"X must have {p} columns (as in the fit), got {X.shape[1]}")
    return X


def lasso_path(
    X,
    y,
    *,
    family: str = "gaussian",
    offset=None,
    penalty_factor=None,
    lambdas=None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    standardize: bool = True,
    intercept: bool = True,
    tol: float = 1e-7,
    max_iter: int = 100_000,
) -> LassoPath:
    """Fit the glmnet lasso path (see the module docstring for the exact conventions).

    Parameters
    ----------
    X, y : arrays ``(n, p)`` and ``(n,)``; for ``family="binomial"`` y is coded 0/1, for
        ``"multinomial"`` 0..K-1 with every class present.
    offset : optional ``(n,)`` link-scale offset, part of every prediction; ``(n, K)`` for
        multinomial.
    penalty_factor : optional ``(p,)`` factors ``>= 0``; ``inf`` excludes a column.
    lambdas : optional decreasing sequence; by default glmnet's ``nlambda`` log-spaced values.
    tol : convergence threshold on ``max_j v_j (Delta b_j)^2`` relative to the null deviance.

    Returns
    -------
    LassoPath with coefficients on the original scale of ``X``. ``converged[k]`` is False
    where the solver hit ``max_iter`` at ``lambdas[k]``.
    """
    family = check_family(family)
    X = as_matrix(X)
    n, p = X.shape
    y = check_response(y, n, family)
    offset = _resolvable(check_offset(offset, n, n_classes(y, family)), family, y)
    pf, use = penalty_weights(penalty_factor, p)
    nlambda = check_int(nlambda, "nlambda", 1)
    if lambda_min_ratio is not None:
        lambda_min_ratio = check_real(lambda_min_ratio, "lambda_min_ratio", 0.0, 1.0)
    standardize = check_bool(standardize, "standardize")
    intercept = check_bool(intercept, "intercept")
    tol = check_real(tol, "tol", 0.0, 1.0)
    max_iter = check_int(max_iter, "max_iter", 1)
    if lambdas is not None:
        try:
            lambdas = np.asarray(lambdas, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError("lambdas must be a 1-D array of numbers") from exc
        if lambdas.ndim != 1 or lambdas.size == 0 or not np.all(np.isfinite(lambdas)):
            raise ValueError("lambdas must be a non-empty 1-D array of finite values >= 0")
        if np.any(lambdas < 0):
            raise ValueError("lambdas must be a non-empty 1-D array of finite values >= 0")
        if np.any(np.diff(lambdas) > 0):
            raise ValueError("lambdas must be in decreasing order (warm starts follow the path)")
    _compile_once(family)
    unit = _gaussian_unit(y, offset) if family == "gaussian" else 1.0
    y, offset = y / unit, offset / unit  # exact: a power of two
    lambdas = None if lambdas is None else lambdas / unit

    xmean, sd = _column_moments(X)
    constant = sd <= _CONSTANT_RTOL * np.abs(xmean)  # glmnet's chkvars: left out
    use = use & ~constant
    xm = xmean if intercept else np.zeros(p)
    xs = np.where(constant, 1.0, sd) if standardize else np.ones(p)
    Xs = np.asfortranarray((X - xm) / xs)
    big = np.array([_BIG_LAMBDA])
    if family == "gaussian":
        ybar = (y - offset).mean() if intercept else 0.0
        r0 = y - offset - ybar
        G, c, rss0 = Xs.T @ Xs / n, Xs.T @ r0 / n, r0 @ r0 / n
        G[np.diag_indices(p)] = np.where(use, np.diag(G), 1.0)
        b_null, null_ok, _ = _cd.gaussian_path(
            G, c, rss0, pf, big, use, np.zeros(p), _NULL_TOL, max_iter, False
        )
        b_null = b_null[0]
        grad = c - G @ b_null
    elif family == "multinomial":
        X1 = np.asfortranarray(np.hstack([np.ones((n, 1)), Xs]))
        pf1, use1 = np.concatenate([[0.0], pf]), np.concatenate([[intercept], use])
        Y = np.asfortranarray(np.eye(int(y.max()) + 1)[y.astype(np.int64)])
        B_start = np.zeros((Y.shape[1], p + 1))
        if intercept:
            log_freq = np.log(Y.mean(axis=0))
            B_start[:, 0] = log_freq - log_freq.mean()
        B_null, null_ok, _ = _cd.multinomial_path(
            X1, Y, offset, pf1, big, use1, B_start, _NULL_TOL, max_iter, False
        )
        B_null = B_null[0]
        eta0 = offset + X1 @ B_null.T
        prob0 = np.exp(eta0 - eta0.max(axis=1, keepdims=True))
        prob0 /= prob0.sum(axis=1, keepdims=True)
        grad = np.abs(Xs.T @ (Y - prob0) / n).max(axis=1)  # the largest score over classes
    else:
        X1 = np.asfortranarray(np.hstack([np.ones((n, 1)), Xs]))
        pf1, use1 = np.concatenate([[0.0], pf]), np.concatenate([[intercept], use])
        ybar = y.mean()
        b_start = np.zeros(p + 1)
        b_start[0] = np.log(ybar / (1 - ybar)) if intercept else 0.0
        b_null, null_ok, _ = _cd.binomial_path(
            X1, y, offset, pf1, big, use1, b_start, _NULL_TOL, max_iter, False
        )
        b_null = b_null[0]
        grad = Xs.T @ (y - 1 / (1 + np.exp(-(offset + X1 @ b_null)))) / n
    stop_early = lambdas is None
    if lambdas is None:
        penalised = use & (pf > 0)
        lam_max = np.max(np.abs(grad[penalised]) / pf[penalised]) if penalised.any() else 0.0
        lam_max = max(lam_max, 1e-12)
        ratio = lambda_min_ratio if lambda_min_ratio is not None else (1e-4 if n > p else 1e-2)
        lambdas = lam_max * np.logspace(0, np.log10(ratio), nlambda)
    if family == "gaussian":
        b, ok, nfit = _cd.gaussian_path(
            G, c, rss0, pf, lambdas, use, b_null, tol, max_iter, stop_early
        )
        coefs = b[:nfit] / xs
        a0 = ybar - coefs @ xm
    elif family == "multinomial":
        B, ok, nfit = _cd.multinomial_path(
            X1, Y, offset, pf1, lambdas, use1, B_null, tol, max_iter, stop_early
        )
        coefs = B[:nfit, :, 1:] / xs
        a0 = B[:nfit, :, 0] - coefs @ xm
    else:
        b, ok, nfit = _cd.binomial_path(
            X1, y, offset, pf1, lambdas, use1, b_null, tol, max_iter, stop_early
        )
        coefs = b[:nfit, 1:] / xs
        a0 = b[:nfit, 0] - coefs @ xm
    lambdas, ok = lambdas[:nfit], ok[:nfit]
    if not (ok.all() and null_ok[0]):
        bad = np.flatnonzero(~ok)
        what = [] if null_ok[0] else ["the null model (lambda_max may be off)"]
        if bad.size:
            what.append(
                f"{bad.size} of {nfit} lambda values (the first at lambda[{bad[0]}] = "
                f"{lambdas[bad[0]]:.6g})"
            )
        warnings.warn(
            f"the {family} lasso path did not converge within max_iter={max_iter} "
            f"(tol={tol:g}) at {' and '.join(what)}; its solution there is approximate. "
            "Increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return LassoPath(family, lambdas * unit, a0 * unit, coefs * unit, ok)


def _gaussian_unit(y: np.ndarray, offset: np.ndarray) -> float:
    """The power of two ``u`` bringing ``max(|y|, |offset|)`` into [0.5, 1).

    The gaussian path is equivariant: ``(y, offset, lambdas) -> u (y, offset, lambdas)``
    scales the coefficients and intercepts by ``u``, so it is solved in units of ``u``, exactly
    (y near 1e-100 fell under the absolute floor of lambda_max and gave an all-zero path;
    near 1e300 its squares overflowed).
    """
    top = max(float(np.max(np.abs(y))), float(np.max(np.abs(offset))))
    return float(np.ldexp(1.0, np.frexp(top)[1])) if top > 0 else 1.0


def _column_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and ``1/n`` standard deviations, safe from under- and overflow.

    Each column is divided by the power of two nearest its largest absolute value
    before the moments are taken and multiplied back after: scaling by a power of two
    is exact, so the result equals ``X.mean(0)``, ``X.std(0)`` bit for bit wherever those
    do not under- or overflow (columns around 1e-160 or 1e160 and beyond).
    """
    top = np.max(np.abs(X), axis=0)
    scale = np.where(top > 0, np.ldexp(1.0, np.frexp(top)[1]), 1.0)
    Xu = X / scale
    return Xu.mean(axis=0) * scale, Xu.std(axis=0) * scale


@contextmanager
def convergence_label(label: str) -> Iterator[None]:
    """Re-issue the :class:`ConvergenceWarning` raised inside with ``label`` prefixed.

    Other warnings pass through unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            warnings.warn(f"{label}: {w.message}", ConvergenceWarning, stacklevel=3)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)

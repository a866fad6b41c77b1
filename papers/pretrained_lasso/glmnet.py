"""A glmnet-faithful lasso path with offsets, penalty factors and cross-validation.

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
- ``cv.glmnet`` with a fixed ``foldid``: the fold fits use the full-data lambda sequence;
  ``cvm`` is the mean loss over all observations, ``cvsd`` the standard error of the
  per-fold means (weighted by fold size); ``lambda.min`` is the largest lambda attaining
  the minimum of ``cvm`` and ``lambda.1se`` the largest with ``cvm <= cvm_min + cvsd_min``;
  the prevalidated predictions (``keep=TRUE``, ``fit.preval``) are on the link scale and
  include the offset.

- glmnet's early end of its own lambda sequence (after at least 5 values, once the
  fraction of deviance explained exceeds 0.999 or stops growing, see ``_cd``); fold fits
  in ``cv.glmnet`` get the full-data sequence and are never cut short;
- convergence threshold ``tol`` = glmnet's ``thresh`` (default 1e-7). A path that hits
  ``max_iter`` at some lambda is still returned (``converged`` flags it) but
  :func:`lasso_path` and :func:`cv_lasso` warn with
  :class:`sklearn.exceptions.ConvergenceWarning`, naming the fit and the lambda.

Not matched: observation weights, box constraints, elastic-net mixing other than the
lasso, and glmnet's strong-rule screening (a speed device that does not change the
solution). IRLS weights are floored at 1e-5 where glmnet drops observations whose
fitted probability is within 1e-5 of 0 or 1.

The path is solved by coordinate descent (see :mod:`papers.pretrained_lasso._cd`).
"""

from __future__ import annotations

import numbers
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from papers.pretrained_lasso import _cd

__all__ = [
    "FAMILIES",
    "MEASURES",
    "CVLassoFit",
    "ConvergenceWarning",
    "LassoPath",
    "balanced_folds",
    "cv_lasso",
    "first_minimum",
    "lasso_path",
    "pointwise_loss",
    "random_folds",
]

FAMILIES = ("gaussian", "binomial", "multinomial")
#: Cross-validation losses per family; the first is glmnet's default.
MEASURES = {
    "gaussian": ("mse", "mae"),
    "binomial": ("deviance", "class", "mse", "mae"),
    "multinomial": ("deviance", "class"),
}
_PROB_CLIP = 1e-5  # cv.glmnet clips probabilities to [1e-5, 1 - 1e-5] for the deviance
_BIG_LAMBDA = 1e300  # "infinite" lambda for the null fit (1e300 * 0 == 0, unlike inf * 0)
_NULL_TOL = 1e-14  # the null model (offset, intercept, unpenalised columns) is solved tightly
_CONSTANT_RTOL = 1e-10  # a column with sd <= this * |mean| is constant (left out)


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
    cache = Path(__file__).parent / "__pycache__"  # numba caches the kernels of _cd.py here
    lock_dir = cache if os.access(cache.parent, os.W_OK) else Path(tempfile.gettempdir())
    lock_dir.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    y = (X[:, 0] > 0).astype(np.float64)
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): every process compiles for itself
        fcntl = None
    with open(lock_dir / "pretrained_lasso_cd.lock", "w") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        lasso_path(X, y, family=family, nlambda=3)


def as_matrix(X, name: str = "X") -> np.ndarray:
    """``X`` as a finite 2-D float64 array, or a ValueError/TypeError naming ``name``."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric 2-D array") from exc
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def as_vector(v, n: int, name: str) -> np.ndarray:
    """``v`` as a finite float64 vector of length ``n``."""
    try:
        v = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric 1-D array") from exc
    if v.ndim != 1 or v.shape[0] != n:
        raise ValueError(f"{name} must be 1-D of length {n} (rows of X), got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return v


def check_int(value, name: str, minimum: int) -> int:
    """``value`` as an int ``>= minimum``; any integer type (numpy's too), not bool or float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str, low: float, high: float, *, closed: str = "neither") -> float:
    """``value`` as a float in the interval from ``low`` to ``high``.

    ``closed``: which ends belong to it, ``"neither"``, ``"left"``, ``"right"`` or ``"both"``.
    NaN and non-numbers (bool included) are refused with an error naming ``name``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    v = float(value)
    lo_ok = v >= low if closed in ("left", "both") else v > low
    hi_ok = v <= high if closed in ("right", "both") else v < high
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        raise ValueError(f"{name} must lie in {left}{low:g}, {high:g}{right}, got {value!r}")
    return v


def check_bool(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_alpha_grid(alpha_grid) -> np.ndarray:
    """The sorted distinct values (rounded to 12 digits) of a grid of alphas in [0, 1]."""
    if alpha_grid is None:
        grid = np.linspace(0.0, 1.0, 11)
    else:
        try:
            grid = np.asarray(alpha_grid, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            msg = f"alpha_grid must be a 1-D list of numbers, got {alpha_grid!r}"
            raise TypeError(msg) from exc
    if grid.ndim != 1 or grid.size == 0 or not np.all((grid >= 0) & (grid <= 1)):
        raise ValueError(
            f"alpha_grid must be a non-empty 1-D list of values in [0, 1] (no NaN), got {grid}"
        )
    return np.unique(np.round(grid, 12))


def as_generator(random_state) -> np.random.Generator:
    """``random_state`` (None, an int seed >= 0 or a Generator, used as given) as a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None and (
        isinstance(random_state, bool | np.bool_)
        or not isinstance(random_state, numbers.Integral)
        or random_state < 0
    ):
        raise TypeError(
            f"random_state must be None, an int >= 0 or a numpy Generator, got {random_state!r}"
        )
    return np.random.default_rng(random_state)


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


@dataclass(frozen=True)
class LassoPath:
    """A fitted path: ``intercepts[k] + X @ coefs[k]`` (+ offset) is the link at ``lambdas[k]``.

    Multinomial: ``intercepts`` is ``(nlambda, K)`` and ``coefs`` ``(nlambda, K, p)``.
    """

    family: str
    lambdas: np.ndarray
    intercepts: np.ndarray
    coefs: np.ndarray
    converged: np.ndarray

    def link(self, X: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
        """Link-scale predictions ``(n, nlambda)`` (multinomial: ``(n, K, nlambda)``, as
        glmnet's ``predict``), including ``offset`` (``(n,)``, multinomial ``(n, K)``)."""
        if self.family == "multinomial":
            eta = np.einsum("ij,lkj->ikl", X, self.coefs) + self.intercepts.T[None]
        else:
            eta = X @ self.coefs.T + self.intercepts
        return eta if offset is None else eta + offset[..., None]


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
    offset = _check_offset(offset, y, family)
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
    return LassoPath(family, lambdas, a0, coefs, ok)


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


def _check_offset(offset, y: np.ndarray, family: str) -> np.ndarray:
    """The offset as ``(n,)`` floats, or ``(n, K)`` for multinomial (zeros if None)."""
    n = y.shape[0]
    if family != "multinomial":
        return np.zeros(n) if offset is None else as_vector(offset, n, "offset")
    K = int(y.max()) + 1
    if offset is None:
        return np.zeros((n, K))
    offset = np.asarray(offset, dtype=np.float64)
    if offset.shape != (n, K):
        raise ValueError(
            f"offset for family='multinomial' must have shape (n, K) = ({n}, {K}), "
            f"got {offset.shape}"
        )
    if not np.all(np.isfinite(offset)):
        raise ValueError("offset contains NaN or infinite values")
    return np.ascontiguousarray(offset)


def pointwise_loss(y: np.ndarray, eta: np.ndarray, family: str, type_measure: str) -> np.ndarray:
    """cv.glmnet's per-observation loss of link predictions ``eta`` (any trailing shape).

    Gaussian: ``mse`` = (y - eta)^2, ``mae`` = |y - eta|. Binomial (probabilities
    clipped to [1e-5, 1 - 1e-5]): ``deviance`` = -2 [y log p + (1-y) log(1-p)],
    ``class`` = 1{(p > 1/2) != y}, ``mse`` = (y - p)^2 (glmnet counts both classes, so
    its value is twice this), ``mae`` = |y - p|. Multinomial (``eta`` of shape
    ``(n, K, ...)``, y coded 0..K-1, probabilities clipped likewise): ``deviance`` =
    -2 log p_y, ``class`` = 1{argmax_k eta_k != y}; the result drops the class axis.
    """
    if type_measure not in MEASURES[family]:
        raise ValueError(
            f"type_measure for family={family!r} must be one of {MEASURES[family]}, "
            f"got {type_measure!r}"
        )
    if family == "multinomial":
        codes = y.astype(np.int64)
        if type_measure == "class":
            hit = codes.reshape(codes.shape + (1,) * (eta.ndim - 2))
            return (eta.argmax(axis=1) != hit).astype(np.float64)
        shifted = eta - eta.max(axis=1, keepdims=True)
        prob = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        prob = np.clip(prob, _PROB_CLIP, 1 - _PROB_CLIP)
        idx = codes.reshape((-1, 1) + (1,) * (eta.ndim - 2))
        return -2 * np.log(np.take_along_axis(prob, idx, axis=1)[:, 0])
    y = y.reshape(y.shape + (1,) * (eta.ndim - y.ndim))
    if family == "gaussian":
        return (y - eta) ** 2 if type_measure == "mse" else np.abs(y - eta)
    prob = np.clip(1 / (1 + np.exp(-eta)), _PROB_CLIP, 1 - _PROB_CLIP)
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
    best = v.min()
    return int(np.flatnonzero(v <= best + rtol * abs(best))[0])


def random_folds(n: int, nfolds: int, rng: np.random.Generator) -> np.ndarray:
    """cv.glmnet's folds: ``sample(rep(1:nfolds, length = n))`` (labels 0..nfolds-1)."""
    if nfolds < 3:
        raise ValueError(f"nfolds must be >= 3, got {nfolds}")
    if n < nfolds:
        raise ValueError(f"{n} observations cannot fill {nfolds} folds; use nfolds <= {n}")
    return rng.permutation(np.arange(n) % nfolds)


def balanced_folds(groups: np.ndarray, nfolds: int, rng: np.random.Generator) -> np.ndarray:
    """Folds with every group spread evenly across them (ptLasso's ``balanced.folds``).

    Each group's rows are shuffled and dealt round-robin, continuing where the previous
    group stopped, so fold sizes differ by at most one and each group's share of every
    fold is as equal as possible.
    """
    if nfolds < 3:
        raise ValueError(f"nfolds must be >= 3, got {nfolds}")
    foldid = np.empty(len(groups), dtype=np.int64)
    start = 0
    for g in np.unique(groups):
        idx = rng.permutation(np.flatnonzero(groups == g))
        foldid[idx] = (start + np.arange(idx.size)) % nfolds
        start += idx.size
    return foldid


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

    def link(self, X: np.ndarray, offset: np.ndarray | None = None, s: str = "lambda.min"):
        """Link-scale predictions at ``s`` (including ``offset``); ``(n, K)`` for multinomial."""
        a0, beta = self.coef(s)
        eta = X @ beta.T + a0
        return eta if offset is None else eta + offset


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
    offset = _check_offset(offset, y, family)
    type_measure = type_measure or MEASURES[family][0]
    if type_measure not in MEASURES[family]:
        raise ValueError(
            f"type_measure for family={family!r} must be one of {MEASURES[family]}, "
            f"got {type_measure!r}"
        )
    with convergence_label("full-data path"):
        full = lasso_path(
            X, y, family=family, offset=offset, penalty_factor=penalty_factor, **path_kwargs
        )
    path_kwargs = {k: v for k, v in path_kwargs.items() if k not in ("lambdas", "nlambda")}
    folds = np.unique(foldid)
    preval = np.empty((*offset.shape, full.lambdas.size))
    n_classes = 1 if family == "gaussian" else int(y.max()) + 1
    for f in folds:
        test = foldid == f
        if family != "gaussian" and np.unique(y[~test]).size < n_classes:
            missing = np.setdiff1d(np.arange(n_classes), y[~test]).astype(np.int64)
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
    loss = pointwise_loss(y, preval, family, type_measure)
    sizes = np.array([np.sum(foldid == f) for f in folds], dtype=np.float64)
    fold_means = np.stack([loss[foldid == f].mean(axis=0) for f in folds])
    cvm = sizes @ fold_means / sizes.sum()
    cvsd = np.sqrt(sizes @ (fold_means - cvm) ** 2 / sizes.sum() / (folds.size - 1))
    index_min = first_minimum(cvm)
    index_1se = int(np.flatnonzero(cvm <= cvm[index_min] + cvsd[index_min])[0])
    return CVLassoFit(full, cvm, cvsd, index_min, index_1se, preval, foldid, type_measure)

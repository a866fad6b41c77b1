"""scikit-learn estimators for convex two-layer networks.

``ConvexReLURegressor`` (squared loss) and ``ConvexReLUClassifier`` (logistic loss, one-vs-all
for more than two classes, decoupled outputs) sample ``n_patterns`` Gaussian gates, solve the
convex program with :func:`common.convex_nn.solve_convex` and predict with the mapped network
(ReLU program) or the gated network (gated program). ``beta`` is in paper scaling (sum, not
mean, of the losses); ``beta="auto"`` (default) is ``0.1 * beta_max`` (regressor) or
``0.01 * beta_max`` (classifier; chosen by cross-validation on diabetes / breast_cancer),
``beta_max`` the smallest beta at which the network is zero on the training data.
``bias=True`` appends a ones column to the hidden layer's input (regularised neuron bias,
convention B1).

``fit_intercept=True`` (default) adds an unpenalised output intercept ``b`` fixed at the
optimum of the intercept-only model, an *offset* the program is solved around:
``0.5 ||f(X) + b - y||^2`` with ``b = mean(y)`` (centring y) and
``sum log(1 + exp(-y (f(X) + b)))`` with ``b = log(n_+ / n_-)`` (per class for one-vs-all).
The program stays one the certified solvers take (their squared-loss fast paths are built on
``0.5 ||A u - y||^2``; an intercept optimised jointly would change the design to the centred
``(I - 11^T/n) D_i X``), and at large beta the network is zero and the estimator predicts the
mean / the class prior.

``ConvexReLURegressorCV`` / ``ConvexReLUClassifierCV`` choose beta by K-fold cross-validation on
a path (as ``LassoCV``): ``n_betas`` values from ``beta_max`` down to ``eps * beta_max``, solved
per fold by :func:`common.convex_nn.solve_path`, then refit at the best one.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from common.arrangements import sample_patterns
from common.checks import check_bool, check_int, check_real

from .certificates import dual_constraint_values
from .formulations import as_formulation
from .losses import Logistic, Squared
from .maps import network_predict, to_network
from .path import solve_path
from .problem import activation_coefficients
from .solvers import get_solver

__all__ = [
    "ConvexReLUClassifier",
    "ConvexReLUClassifierCV",
    "ConvexReLURegressor",
    "ConvexReLURegressorCV",
]


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)


def _regression_data(est, X, y):
    """``validate_data`` for a regressor, with string targets refused by name (scikit-learn
    converts only object arrays; a unicode array failed inside numpy's mean)."""
    if np.asarray(y).dtype.kind in "US":
        raise ValueError(f"y must be numeric for a regressor, got dtype {np.asarray(y).dtype}")
    return validate_data(est, X, y, y_numeric=True, multi_output=True, dtype=np.float64)


def _gate_seed(seed) -> int:
    """An int seed for the gates: ``seed`` itself, one drawn from a Generator (advancing it, so
    refits differ), or fresh entropy for None; TypeError naming ``seed`` otherwise."""
    if _is_int(seed):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative int, None or a Generator, got {seed}")
        return int(seed)
    if seed is None or isinstance(seed, np.random.Generator):
        return int(np.random.default_rng(seed).integers(2**63 - 1))
    raise TypeError(
        f"seed must be None, a non-negative int or a numpy.random.Generator, got {seed!r}"
    )


class _ConvexBase(BaseEstimator):
    _AUTO_RATIO = 0.1  # beta="auto" is this fraction of beta_max

    def __init__(
        self,
        beta="auto",
        n_patterns=100,
        formulation="relu",
        solver="fast",
        activation="relu",
        bias=True,
        fit_intercept=True,
        seed=0,
        tol=1e-5,
        max_iter=None,
    ):
        self.beta = beta
        self.n_patterns = n_patterns
        self.formulation = formulation
        self.solver = solver
        self.activation = activation
        self.bias = bias
        self.fit_intercept = fit_intercept
        self.seed = seed
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------------ parameters
    def _check_params(self) -> int:
        """Validate the parameters (errors name the parameter); return the gates' int seed."""
        beta = self.get_params(deep=False).get("beta", "auto")  # the CV variants have betas
        if not (isinstance(beta, str) and beta == "auto"):
            if isinstance(beta, str):
                raise ValueError(f"beta must be a positive number or 'auto', got {beta!r}")
            check_real(beta, "beta", 0.0, np.inf)
        check_int(self.n_patterns, "n_patterns", 1)
        if not isinstance(self.formulation, str) or self.formulation not in ("relu", "gated"):
            raise ValueError(f"formulation must be 'relu' or 'gated', got {self.formulation!r}")
        form = as_formulation(self.formulation, self.activation)  # names activation if bad
        get_solver(self.solver).check(self._targets(np.zeros(1), 0.0)[1], form, "float64")
        check_bool(self.bias, "bias")
        check_bool(self.fit_intercept, "fit_intercept")
        check_real(self.tol, "tol", 0.0, np.inf)
        if self.max_iter is not None:
            check_int(self.max_iter, "max_iter", 1)
        return _gate_seed(self.seed)

    # ------------------------------------------------------------------ fitting
    def _design(self, X):
        X = np.asarray(X, dtype=np.float64)
        return np.hstack([X, np.ones((X.shape[0], 1))]) if self.bias else X

    def _offset(self, Y):
        """The intercept-only optimum (zeros without ``fit_intercept``), one per output."""
        raise NotImplementedError

    def _targets(self, Y, offset):
        """``(targets, loss)`` of the program around the offset."""
        raise NotImplementedError

    def _program(self, X, Y, seed, offset):
        """Design, patterns, gates, targets and loss of the program on ``(X, Y)``."""
        Xd = self._design(X)
        D, G = sample_patterns(Xd, int(self.n_patterns), seed=seed, return_gates=True)
        if D.shape[0] == 0:  # e.g. constant data: fall back to the all-ones pattern
            D, G = np.ones((1, Xd.shape[0]), bool), np.ones((1, Xd.shape[1]))
        return (Xd, D, G, *self._targets(Y, offset))

    def _beta_max(self, Xd, D, Yp, loss) -> float:
        """Smallest beta with the zero network optimal: the largest dual-constraint value at
        the residual ``-grad f`` of the zero network (C2 / C3)."""
        r = -loss.gradient(np.zeros_like(Yp), Yp)
        vals = dual_constraint_values(Xd, r, D, formulation=self.formulation,
                                      activation=self.activation)  # fmt: skip
        with np.errstate(over="ignore"):
            bound = float(np.linalg.norm(Xd) * np.linalg.norm(r))
        beta_max = float(np.max(vals))
        if not (np.isfinite(bound) and np.isfinite(beta_max)):
            raise ValueError(
                f"X or y is too large for float64: the norms behind beta_max overflow "
                f"(max|X| = {np.max(np.abs(Xd)):.3g}, max|y| = {np.max(np.abs(Yp)):.3g}); "
                "rescale them (e.g. StandardScaler)"
            )
        # |x_j^T M_i r| <= ||X|| ||r||: a value at round-off against that bound is 0 (e.g. a
        # constant X with y centred); a beta at round-off level would never converge
        return beta_max if beta_max > 1e-12 * bound else 0.0

    def _solve(self, Xd, Yp, D, betas, loss):
        return solve_path(
            Xd, Yp, D, np.asarray(betas, dtype=np.float64), formulation=self.formulation,
            loss=loss, activation=self.activation, solver=self.solver, tol=self.tol,
            max_iter=self.max_iter,
        )  # fmt: skip

    def _store(self, res, G, offset, beta_max):
        self.result_ = res
        self.gates_ = G
        self.n_iter_ = res.iterations
        self.beta_max_ = beta_max
        self.beta_ = float(res.beta)
        self.intercept_ = offset
        if self.formulation == "relu":
            self.W1_, self.w2_ = to_network(res)
        return self

    def _fit(self, X, Y):
        seed = self._check_params()
        offset = self._offset(Y)
        Xd, D, G, Yp, loss = self._program(X, Y, seed, offset)
        beta_max = self._beta_max(Xd, D, Yp, loss)
        if self.beta == "auto":
            beta = self._AUTO_RATIO * beta_max if beta_max > 0 else 1.0  # any beta: zero network
        else:
            beta = float(self.beta)
        (res,) = self._solve(Xd, Yp, D, [beta], loss)
        return self._store(res, G, offset, beta_max)

    # ------------------------------------------------------------------ prediction
    def _network(self, Xd, res, G, W1=None, w2=None):
        """Network output (without the intercept) of a solution on the design ``Xd``."""
        if self.formulation == "relu":
            if W1 is None:
                W1, w2 = to_network(res)
            if W1.shape[0] == 0:
                return np.zeros((Xd.shape[0], *w2.shape[1:]))
            return network_predict(Xd, W1, w2, activation=self.activation)
        a, b = activation_coefficients(self.activation)
        Dn = (Xd @ G.T) >= 0  # (n, P)
        Mn = a * Dn + b * (~Dn)
        U3 = res.U[..., None] if res.U.ndim == 2 else res.U
        out = np.einsum("np,npc->nc", Mn, np.einsum("nd,pdc->npc", Xd, U3))
        return out[:, 0] if res.U.ndim == 2 else out

    def _raw(self, X):
        check_is_fitted(self, "result_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        W = (self.W1_, self.w2_) if self.formulation == "relu" else (None, None)
        return self._network(self._design(X), self.result_, self.gates_, *W) + self.intercept_


_BETA_DOC = """
    beta : float > 0 or "auto", default "auto"
        Weight decay in paper scaling (losses summed over samples). "auto": ``0.1 * beta_max``
        (regressor) or ``0.01 * beta_max`` (classifier), ``beta_max`` (``beta_max_``) the
        smallest beta at which the network is zero on the training data."""

_CV_DOC = """
    betas : array-like of positive floats or None, default None
        Candidate betas (paper scaling); None: ``n_betas`` values geometrically spaced from
        ``beta_max`` down to ``eps * beta_max``.
    n_betas : int >= 1, default 10
    eps : float in (0, 1), default 1e-2 (regressor) or 1e-3 (classifier)
    cv : int >= 2, CV splitter or iterable, default 5
        As in scikit-learn (``KFold`` for the regressor, ``StratifiedKFold`` for the
        classifier)."""

_PARAMS_DOC = """
    n_patterns : int >= 1, default 100
        Gaussian gates drawn (patterns after deduplication ``<= n_patterns``).
    formulation : {"relu", "gated"}
    solver : str
        See :func:`common.convex_nn.solve_convex`.
    activation : "relu", "abs", "leaky_relu", ("leaky", kappa) or (a, b)
    bias : bool, default True
        Append a ones column to the hidden layer's input (regularised neuron bias).
    fit_intercept : bool, default True
        Unpenalised output intercept, fixed at the intercept-only optimum (see the module).
    seed : None, int >= 0 or numpy.random.Generator, default 0
        Seeds the gates (a Generator is advanced by each fit).
    tol : float > 0, default 1e-5
        Certificate tolerance of the solver.
    max_iter : int >= 1 or None
        As in :func:`common.convex_nn.solve_convex`.
"""

_ATTRS_DOC = """
    Attributes
    ----------
    beta_ : float
        The beta fitted. ``beta_max_`` : float, the zero-network threshold on the data.
    intercept_ : float or array (outputs,)
    result_ : ConvexResult
        The certified solution (``result_.certificate``, ``result_.converged``).
    gates_ : array (P, d + bias)
        Gates of the patterns; ``W1_``, ``w2_``: the network (ReLU program).
"""


class ConvexReLURegressor(RegressorMixin, _ConvexBase):
    __doc__ = (
        "Two-layer ReLU regression trained by the convex program (squared loss).\n\n"
        "    Parameters\n    ----------" + _BETA_DOC + _PARAMS_DOC + _ATTRS_DOC
    )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # decoupled outputs (brief §1.4)
        return tags

    def _offset(self, Y):
        return Y.mean(axis=0) if self.fit_intercept else np.zeros(Y.shape[1:])

    def _targets(self, Y, offset):
        return Y - offset, Squared()

    def fit(self, X, y):
        return self._fit(*_regression_data(self, X, y))

    def predict(self, X):
        return self._raw(X)


class ConvexReLUClassifier(ClassifierMixin, _ConvexBase):
    __doc__ = (
        "Two-layer ReLU classifier trained by the convex program (logistic loss, "
        "one-vs-all).\n\n    Defaults to the gated program, whose logistic version is solved "
        "by R-FISTA; the ReLU\n    program uses the augmented Lagrangian.\n\n"
        "    Parameters\n    ----------" + _BETA_DOC + _PARAMS_DOC + _ATTRS_DOC
    )
    _AUTO_RATIO = 0.01

    def __init__(
        self,
        beta="auto",
        n_patterns=100,
        formulation="gated",
        solver="fast",
        activation="relu",
        bias=True,
        fit_intercept=True,
        seed=0,
        tol=1e-5,
        max_iter=None,
    ):
        super().__init__(
            beta=beta, n_patterns=n_patterns, formulation=formulation, solver=solver,
            activation=activation, bias=bias, fit_intercept=fit_intercept, seed=seed, tol=tol,
            max_iter=max_iter,
        )  # fmt: skip

    def _labels(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        le = LabelEncoder().fit(y)
        self.classes_ = le.classes_
        if len(self.classes_) == 1:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes in y; got 1 class")
        k = le.transform(y)
        if len(self.classes_) == 2:
            return X, np.where(k == 1, 1.0, -1.0)
        return X, np.where(k[:, None] == np.arange(len(self.classes_))[None, :], 1.0, -1.0)

    def _offset(self, Y):
        if not self.fit_intercept:
            return np.zeros(Y.shape[1:])
        p = np.mean(Y > 0, axis=0)
        return np.log(p / (1.0 - p))

    def _targets(self, Y, offset):
        return Y, Logistic(offset=tuple(np.atleast_1d(offset)) if np.ndim(offset) else offset)

    def fit(self, X, y):
        X, Y = self._labels(X, y)
        return self._fit(X, Y)

    def decision_function(self, X):
        return self._raw(X)

    def predict(self, X):
        s = self.decision_function(X)
        if s.ndim == 1:
            return self.classes_[(s > 0).astype(int)]
        return self.classes_[np.argmax(s, axis=1)]

    def predict_proba(self, X):
        """Binary: ``sigmoid(decision)``; more classes: one-vs-all sigmoids normalised to
        sum to one (as scikit-learn's one-vs-rest logistic regression)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        if p.ndim == 1:
            return np.column_stack([1.0 - p, p])
        return p / np.sum(p, axis=1, keepdims=True)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))


# ---------------------------------------------------------------------------- cross-validation
class _CVMixin:
    """beta chosen by K-fold cross-validation on a path of ``n_betas`` values from
    ``beta_max`` down to ``eps * beta_max`` (or the given ``betas``), then a refit on all the
    data. Each fold is fit as :meth:`fit` would on its training rows (its own offset, patterns
    from the same gates), except the classifier's offset, which is the whole data's prior
    logit so that every fold shares one compiled solver kernel (the loss is a static argument
    of the JAX solvers; with stratified folds the priors agree to rounding)."""

    def _set_params_from(self, init_locals):
        # __init__ spells out every parameter (scikit-learn reads the signature); store them
        for name, value in init_locals.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    def _check_cv_params(self):
        if self.betas is not None:
            try:
                b = np.asarray(self.betas, dtype=np.float64)
            except (TypeError, ValueError):
                b = np.zeros(0)
            if b.ndim != 1 or b.size == 0 or not np.all(np.isfinite(b) & (b > 0)):
                raise ValueError(
                    f"betas must be None or a non-empty 1-D array of positive numbers, got "
                    f"{self.betas!r}"
                )
        check_int(self.n_betas, "n_betas", 1)
        check_real(self.eps, "eps", 0.0, 1.0)
        if _is_int(self.cv):
            check_int(self.cv, "cv", 2)
        elif self.cv is None or isinstance(self.cv, str | float | bool):
            raise ValueError(
                f"cv must be an int >= 2, a CV splitter or an iterable, got {self.cv!r}"
            )

    def _fit_cv(self, X, Y, y_split):
        seed = self._check_params()
        self._check_cv_params()
        offset = self._offset(Y)
        Xd, D, G, Yp, loss = self._program(X, Y, seed, offset)
        beta_max = self._beta_max(Xd, D, Yp, loss)
        if self.betas is None:
            top = beta_max if beta_max > 0 else 1.0
            betas = top * np.geomspace(1.0, self.eps, int(self.n_betas))
        else:
            betas = np.sort(np.asarray(self.betas, dtype=np.float64))[::-1]
        folds = list(check_cv(self.cv, y_split, classifier=is_classifier(self)).split(X, y_split))
        scores = np.empty((len(betas), len(folds)))
        for j, (tr, va) in enumerate(folds):
            off = offset if is_classifier(self) else self._offset(Y[tr])
            Xt, Dt, Gt, Yt, lt = self._program(X[tr], Y[tr], seed, off)
            Xv = self._design(X[va])
            for i, res in enumerate(self._solve(Xt, Yt, Dt, betas, lt)):
                scores[i, j] = self._fold_score(self._network(Xv, res, Gt) + off, Y[va])
        self.betas_ = betas
        best = self._best(scores.mean(axis=1))
        self._record(scores)
        (res,) = self._solve(Xd, Yp, D, [betas[best]], loss)
        return self._store(res, G, offset, beta_max)


class ConvexReLURegressorCV(_CVMixin, ConvexReLURegressor):
    __doc__ = (
        "ConvexReLURegressor with beta chosen by K-fold cross-validation (mean squared "
        "error), as LassoCV.\n\n    Parameters\n    ----------"
        + _CV_DOC
        + _PARAMS_DOC
        + _ATTRS_DOC
        + "    betas_ : array (n_betas,), decreasing\n    mse_path_ : array (n_betas, n_folds)\n"
    )

    def __init__(
        self,
        betas=None,
        n_betas=10,
        eps=1e-2,
        cv=5,
        n_patterns=100,
        formulation="relu",
        solver="fast",
        activation="relu",
        bias=True,
        fit_intercept=True,
        seed=0,
        tol=1e-5,
        max_iter=None,
    ):
        self._set_params_from(locals())

    @staticmethod
    def _fold_score(pred, Y):
        return float(np.mean((pred - Y) ** 2))

    @staticmethod
    def _best(mean_mse):
        return int(np.argmin(mean_mse))  # ties: the larger beta (betas_ decrease)

    def _record(self, scores):
        self.mse_path_ = scores

    def fit(self, X, y):
        X, y = _regression_data(self, X, y)
        return self._fit_cv(X, y, y)


class ConvexReLUClassifierCV(_CVMixin, ConvexReLUClassifier):
    __doc__ = (
        "ConvexReLUClassifier with beta chosen by K-fold cross-validation (accuracy), as "
        "LogisticRegressionCV.\n\n    Parameters\n    ----------"
        + _CV_DOC
        + _PARAMS_DOC
        + _ATTRS_DOC
        + "    betas_ : array (n_betas,), decreasing\n    cv_scores_ : array (n_betas, n_folds)\n"
    )

    def __init__(
        self,
        betas=None,
        n_betas=10,
        eps=1e-3,
        cv=5,
        n_patterns=100,
        formulation="gated",
        solver="fast",
        activation="relu",
        bias=True,
        fit_intercept=True,
        seed=0,
        tol=1e-5,
        max_iter=None,
    ):
        self._set_params_from(locals())

    @staticmethod
    def _fold_score(score, Y):
        if score.ndim == 1:
            return float(np.mean((score > 0) == (Y > 0)))
        return float(np.mean(np.argmax(score, axis=1) == np.argmax(Y, axis=1)))

    @staticmethod
    def _best(mean_acc):
        return int(np.argmax(mean_acc))  # ties: the larger beta (betas_ decrease)

    def _record(self, scores):
        self.cv_scores_ = scores

    def fit(self, X, y):
        X, Y = self._labels(X, y)
        return self._fit_cv(X, Y, y)

"""scikit-learn estimators for convex two-layer networks.

``ConvexReLURegressor`` (squared loss) and ``ConvexReLUClassifier`` (logistic loss, one-vs-all
for more than two classes, decoupled outputs) sample ``n_patterns`` Gaussian gates with a
derived seed, solve the convex program with :func:`common.convex_nn.solve_convex` and predict
with the mapped network (ReLU program) or the gated network (gated program). ``beta`` is in
paper scaling (sum, not mean, of the losses); ``bias=True`` appends a ones column
(regularised bias, convention B1).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from common.arrangements import sample_patterns

from .maps import network_predict, to_network
from .problem import activation_coefficients
from .solve import solve_convex

__all__ = ["ConvexReLUClassifier", "ConvexReLURegressor"]


class _ConvexBase(BaseEstimator):
    def __init__(
        self,
        beta=1.0,
        n_patterns=100,
        formulation="relu",
        solver="fast",
        activation="relu",
        bias=True,
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
        self.seed = seed
        self.tol = tol
        self.max_iter = max_iter

    def _design(self, X):
        X = np.asarray(X, dtype=np.float64)
        return np.hstack([X, np.ones((X.shape[0], 1))]) if self.bias else X

    def _fit_targets(self, X, Y, loss):
        Xd = self._design(X)
        D, G = sample_patterns(Xd, int(self.n_patterns), seed=self.seed, return_gates=True)
        if D.shape[0] == 0:  # e.g. constant data: fall back to the all-ones pattern
            D, G = np.ones((1, Xd.shape[0]), bool), np.ones((1, Xd.shape[1]))
        res = solve_convex(
            Xd, Y, D, self.beta, formulation=self.formulation, solver=self.solver,
            activation=self.activation, loss=loss, tol=self.tol, max_iter=self.max_iter,
        )  # fmt: skip
        self.result_ = res
        self.gates_ = G
        self.n_iter_ = res.iterations
        if self.formulation == "relu":
            self.W1_, self.w2_ = to_network(res)
        return self

    def _decision(self, X):
        Xd = self._design(X)
        if self.formulation == "relu":
            if self.W1_.shape[0] == 0:
                shape = (Xd.shape[0], *self.w2_.shape[1:])
                return np.zeros(shape)
            return network_predict(Xd, self.W1_, self.w2_, activation=self.activation)
        a, b = activation_coefficients(self.activation)
        Dn = (Xd @ self.gates_.T) >= 0  # (n, P)
        Mn = a * Dn + b * (~Dn)
        U = self.result_.U
        U3 = U[..., None] if U.ndim == 2 else U
        out = np.einsum("np,npc->nc", Mn, np.einsum("nd,pdc->npc", Xd, U3))
        return out[:, 0] if U.ndim == 2 else out


class ConvexReLURegressor(RegressorMixin, _ConvexBase):
    """Two-layer ReLU regression trained by the convex program (squared loss).

    Parameters
    ----------
    beta : float
        Weight decay in paper scaling.
    n_patterns : int
        Gaussian gates drawn (patterns after deduplication ``<= n_patterns``).
    formulation : {"relu", "gated"}
    solver : str
        See :func:`common.convex_nn.solve_convex`.
    activation, bias, seed, tol, max_iter
        As in :func:`common.convex_nn.solve_convex`; ``seed`` seeds the gates.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # decoupled outputs (brief §1.4)
        return tags

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True, multi_output=True, dtype=np.float64)
        self._y_1d = y.ndim == 1
        return self._fit_targets(X, y, "squared")

    def predict(self, X):
        check_is_fitted(self, "result_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self._decision(X)


class ConvexReLUClassifier(ClassifierMixin, _ConvexBase):
    """Two-layer ReLU classifier trained by the convex program (logistic loss, one-vs-all).

    Defaults to the gated program, whose logistic version is solved by R-FISTA; the ReLU
    program uses the augmented Lagrangian.
    """

    def __init__(
        self,
        beta=1.0,
        n_patterns=100,
        formulation="gated",
        solver="fast",
        activation="relu",
        bias=True,
        seed=0,
        tol=1e-5,
        max_iter=None,
    ):
        super().__init__(
            beta=beta, n_patterns=n_patterns, formulation=formulation, solver=solver,
            activation=activation, bias=bias, seed=seed, tol=tol, max_iter=max_iter,
        )  # fmt: skip

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self._le = LabelEncoder().fit(y)
        self.classes_ = self._le.classes_
        k = self._le.transform(y)
        if len(self.classes_) == 1:
            raise ValueError("ConvexReLUClassifier needs at least 2 classes in y; got 1 class")
        if len(self.classes_) == 2:
            Y = np.where(k == 1, 1.0, -1.0)
        else:
            Y = np.where(k[:, None] == np.arange(len(self.classes_))[None, :], 1.0, -1.0)
        return self._fit_targets(X, Y, "logistic")

    def decision_function(self, X):
        check_is_fitted(self, "result_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self._decision(X)

    def predict(self, X):
        s = self.decision_function(X)
        if s.ndim == 1:
            return self.classes_[(s > 0).astype(int)]
        return self.classes_[np.argmax(s, axis=1)]

"""The pretrained lasso for input groups (Craig et al., arXiv:2401.12911; R ``ptLasso``).

Given data :math:`(x_i, y_i)` in groups :math:`g_i \\in \\{1..K\\}`:

1. **Overall model.** ``cv.glmnet`` on :math:`Z = [\\text{onehot}(g)_{:,2:K}, X]` with
   penalty factor 0 on the group dummies (``group_intercepts=True``); at
   :math:`\\hat\\lambda_1` (``lambda.1se`` by default) take the support
   :math:`S = \\{j: \\hat\\beta_{0j} \\ne 0\\}` over the features and the *prevalidated*
   (out-of-fold) linear predictor :math:`\\hat\\eta_i`.
2. **Individual models.** ``cv.glmnet`` per group with its own random folds.
3. **Pretrained models.** For each group k and :math:`\\alpha \\in [0, 1)`,

   .. math::

       \\min_{\\mu_k, \\beta_k} \\frac{1}{n_k}\\sum_{i \\in k}
       \\ell\\big(y_i, (1-\\alpha)\\hat\\eta_i + \\mu_k + x_i^\\top\\beta_k\\big)
       + \\lambda \\sum_j \\mathrm{pf}_j |\\beta_{kj}|, \\qquad
       \\mathrm{pf}_j = 1 \\ (j \\in S), \\ 1/\\alpha \\ (j \\notin S),

   with lambda chosen by CV in the group (glmnet rescales ``pf`` to sum to p, see
   :mod:`~common.lasso.path`). At :math:`\\alpha = 0` the columns off S are
   excluded (pf = inf); if S is empty every pf is 1e9, as in ptLasso (after glmnet's
   rescaling that is an ordinary lasso, which we reproduce as is). At
   :math:`\\alpha = 1` the pretrained models *are* the individual models.
4. **Prediction** for group k: :math:`(1-\\alpha)\\hat\\eta(x, k; \\hat\\lambda_1) + \\hat\\mu_k +
   x^\\top\\hat\\beta_k`, the offset from the full-data overall model, the rest at ``s``
   (``lambda.min`` by default).
5. **Choosing alpha** (``cv.ptLasso``): for each alpha of the grid, concatenate every
   group's prevalidated stage-2 predictions at its ``lambda.min`` (they include the
   prevalidated offset) and score them all together; :math:`\\hat\\alpha` is the first
   minimiser (errors within 1e-9 relative count as tied: ``common.lasso.first_minimum``). With
   ``alpha_type="varying"`` each group takes its own minimiser.

Deviation from R (stated in the README): the per-group folds are drawn once per fit and
kept for every alpha, where R re-draws them on every ``ptLasso`` call.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.validation import check_is_fitted, validate_data

from common.checks import (
    as_generator,
    as_matrix,
    check_bool,
    check_int,
    check_real,
)
from common.lasso import MEASURES, cv_lasso, first_minimum, pointwise_loss, random_folds
from common.lasso.path import as_factors, check_family, check_response, convergence_label, link_to

__all__ = [
    "AlphaPath",
    "PretrainedLasso",
    "balanced_folds",
    "check_alpha_grid",
    "pretraining_penalty",
]

_LAMBDA_RULES = ("lambda.min", "lambda.1se")
_MODELS = ("pretrained", "individual", "overall")


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


def pretraining_penalty(support: np.ndarray, p: int, alpha: float) -> np.ndarray:
    """ptLasso's stage-2 penalty factors: 1 on ``support``, ``1/alpha`` off it.

    ``alpha = 0`` gives ``inf`` (glmnet excludes those columns); with an empty support
    and ``alpha = 0`` every factor is 1e9, ptLasso's fallback.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    if alpha == 0.0 and len(support) == 0:
        return np.full(p, 1e9)
    pf = np.full(p, np.inf if alpha == 0.0 else 1.0 / alpha)
    pf[np.asarray(support, dtype=np.int64)] = 1.0
    return pf


def _label(g) -> object:
    """A group label as a plain Python value (``'a'``, not ``np.str_('a')``) for messages."""
    return g.item() if isinstance(g, np.generic) else g


def _check_groups(groups, n: int) -> np.ndarray:
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n:
        raise ValueError(
            f"groups must be 1-D with one label per row of X ({n}), got shape {groups.shape}"
        )
    if groups.dtype == object or (groups.dtype.kind == "f" and not np.all(np.isfinite(groups))):
        raise TypeError("groups must hold integer or string labels (no NaN, no mixed types)")
    if groups.dtype.kind not in "biufUS":
        raise TypeError(f"groups must hold integer or string labels, got dtype {groups.dtype}")
    return groups


def _check_alpha(alpha) -> None:
    """``alpha``: None, a number in [0, 1] or a mapping of such numbers (checked per key)."""
    if alpha is None:
        return
    if isinstance(alpha, Mapping):
        for g, a in alpha.items():
            check_real(a, f"alpha[{_label(g)!r}]", 0.0, 1.0, closed="both")
        return
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool | np.bool_):
        raise TypeError(f"alpha must be None, a number in [0, 1] or a mapping, got {alpha!r}")
    check_real(alpha, "alpha", 0.0, 1.0, closed="both")


@dataclass(frozen=True)
class AlphaPath:
    """The CV error of the pretrained models at each alpha of the grid."""

    alphas: np.ndarray
    error: np.ndarray  # (n_alpha,) all groups together (ptLasso's "overall")
    error_by_group: np.ndarray  # (n_groups, n_alpha)
    error_overall_model: float  # the overall model's CV error at lambda.min
    error_individual: float  # the individual models' CV error, all groups together


class PretrainedLasso(RegressorMixin, BaseEstimator):
    """Pretrained lasso for data in groups, with R ``ptLasso``'s semantics.

    A scikit-learn estimator: the constructor only stores its arguments, ``fit``
    validates them (``ValueError``/``TypeError`` naming the argument), ``get_params``,
    ``set_params`` and ``clone`` work, and ``check_estimator`` passes (see
    ``tests/papers/pretrained_lasso/test_estimator.py``). ``groups`` is an argument of
    ``fit``/``predict``/``score``; ``groups=None`` puts every row in one group (then
    stage 1 is one lasso on X, the individual model another with its own folds, and the
    pretrained model fine-tunes the first's prevalidated predictor).

    Parameters
    ----------
    alpha : None, float in [0, 1], or a mapping ``{group: alpha}``
        ``None`` (default) chooses alpha by cross-validation over ``alpha_grid``; a float
        fixes one alpha for every group; a mapping fixes one per group.
    family : ``"gaussian"``, ``"binomial"`` (labels 0/1) or ``"multinomial"`` (any int or
        str labels, at least 2 classes, every class present in every group; glmnet's
        ungrouped multinomial lasso, the offsets are ``(n, K)`` link matrices and S is the
        union over classes of the overall model's nonzero features).
    alpha_grid : the grid for ``alpha=None``; default ``0, 0.1, ..., 1``.
    alpha_type : ``"shared"`` (one alpha for all groups) or ``"varying"`` (each group's
        own CV minimiser); only used when ``alpha=None``.
    nfolds : folds for every ``cv.glmnet`` (an integer >= 3; every group needs that many
        rows).
    overall_lambda : rule for the overall model's lambda, ``"lambda.1se"`` (R default) or
        ``"lambda.min"``; it fixes the offset and the support S.
    type_measure : CV loss, default ``"mse"`` (Gaussian) or ``"deviance"`` (binomial,
        multinomial; ``"class"`` is the misclassification rate).
    group_intercepts : give the overall model one unpenalised intercept per group.
    penalty_factor : optional user factors (length p) multiplying the pretraining ones.
    nlambda, lambda_min_ratio, standardize, tol, max_iter : passed to every path fit. A
        path that does not converge within ``max_iter`` raises a
        :class:`sklearn.exceptions.ConvergenceWarning` naming the stage, group, fold and
        lambda.
    random_state : None, an int seed or a numpy ``Generator`` for the folds (a
        Generator is used as given, so it advances with every fit).

    Attributes (after ``fit``)
    --------------------------
    groups_ : the sorted group labels; ``classes_`` : the sorted class labels
    (multinomial only); ``alpha_`` : the chosen (or fixed) shared alpha, or
    ``None`` for per-group alphas; ``alpha_by_group_`` : ``{group: alpha}``;
    ``cv_path_`` : :class:`AlphaPath` (the CV curve; only with ``alpha=None``);
    ``overall_`` : the overall ``cv.glmnet`` fit on ``[dummies, X]``; ``support_`` : S;
    ``individual_`` and ``pretrained_[alpha]`` : ``{group: CVLassoFit}``;
    ``alpha_grid_`` : the grid used; ``type_measure_`` : the CV loss used;
    ``n_features_in_`` (= ``n_features_``).
    """

    def __init__(
        self,
        alpha: float | Mapping | None = None,
        family: str = "gaussian",
        *,
        alpha_grid: Sequence[float] | None = None,
        alpha_type: str = "shared",
        nfolds: int = 10,
        overall_lambda: str = "lambda.1se",
        type_measure: str | None = None,
        group_intercepts: bool = True,
        penalty_factor: Sequence[float] | None = None,
        nlambda: int = 100,
        lambda_min_ratio: float | None = None,
        standardize: bool = True,
        tol: float = 1e-7,
        max_iter: int = 100_000,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.alpha = alpha
        self.family = family
        self.alpha_grid = alpha_grid
        self.alpha_type = alpha_type
        self.nfolds = nfolds
        self.overall_lambda = overall_lambda
        self.type_measure = type_measure
        self.group_intercepts = group_intercepts
        self.penalty_factor = penalty_factor
        self.nlambda = nlambda
        self.lambda_min_ratio = lambda_min_ratio
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------
    def _check_params(self) -> tuple[int, dict]:
        """Validate the constructor arguments; ``(nfolds, keyword arguments of cv_lasso)``."""
        family = check_family(self.family)
        nfolds = check_int(self.nfolds, "nfolds", 3)
        _check_alpha(self.alpha)
        self.alpha_grid_ = check_alpha_grid(self.alpha_grid)
        if self.alpha_type not in ("shared", "varying"):
            raise ValueError(f"alpha_type must be 'shared' or 'varying', got {self.alpha_type!r}")
        if self.overall_lambda not in _LAMBDA_RULES:
            raise ValueError(
                f"overall_lambda must be one of {_LAMBDA_RULES}, got {self.overall_lambda!r}"
            )
        measure = self.type_measure or MEASURES[family][0]
        if measure not in MEASURES[family]:
            raise ValueError(
                f"type_measure for family={family!r} must be one of {MEASURES[family]}, "
                f"got {self.type_measure!r}"
            )
        self.type_measure_ = measure
        check_bool(self.group_intercepts, "group_intercepts")
        # lasso_path validates these again with the same messages; checking them here
        # refuses bad values before any work
        kw = {
            "nlambda": check_int(self.nlambda, "nlambda", 1),
            "lambda_min_ratio": self.lambda_min_ratio,
            "standardize": check_bool(self.standardize, "standardize"),
            "tol": check_real(self.tol, "tol", 0.0, 1.0),
            "max_iter": check_int(self.max_iter, "max_iter", 1),
        }
        if self.lambda_min_ratio is not None:
            check_real(self.lambda_min_ratio, "lambda_min_ratio", 0.0, 1.0)
        return nfolds, {"family": family, "type_measure": measure, **kw}

    def _fixed_alphas(self) -> dict | None:
        if self.alpha is None:
            return None
        if isinstance(self.alpha, Mapping):
            missing = [_label(g) for g in self.groups_ if g not in self.alpha]
            if missing:
                raise ValueError(f"alpha mapping has no value for group(s) {missing}")
            return {g: float(self.alpha[g]) for g in self.groups_}
        return {g: float(self.alpha) for g in self.groups_}

    def _design(self, X: np.ndarray, groups: np.ndarray) -> np.ndarray:
        if not self.group_intercepts:
            return X
        dummies = (groups[:, None] == self.groups_[None, 1:]).astype(np.float64)
        return np.hstack([dummies, X])

    def fit(self, X, y, groups=None) -> PretrainedLasso:
        """Fit the overall, individual and pretrained models (and choose alpha).

        ``groups``: one int or str label per row; None puts every row in one group.
        """
        nfolds, kw = self._check_params()
        family = kw["family"]
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=family != "multinomial")
        X = as_matrix(X)
        n, p = X.shape
        if n < nfolds:
            raise ValueError(
                f"X has {n} sample(s), fewer than nfolds={nfolds}: cross-validation needs "
                "at least one row per fold"
            )
        if family == "multinomial":
            y = self._encode_classes(y, n)
        y = check_response(y, n, family)
        groups = np.zeros(n, dtype=np.int64) if groups is None else _check_groups(groups, n)
        self.groups_ = np.unique(groups)
        self.n_features_ = p
        for g in self.groups_:
            n_g = int(np.sum(groups == g))
            if n_g < nfolds:
                raise ValueError(
                    f"group {_label(g)!r} has {n_g} rows, fewer than nfolds={nfolds}: "
                    "every group needs at least one row per cross-validation fold"
                )
            if family == "binomial" and np.unique(y[groups == g]).size < 2:
                raise ValueError(f"group {_label(g)!r} has one class only; binomial needs both")
            if family == "multinomial":
                missing = np.setdiff1d(np.arange(self.classes_.size), y[groups == g])
                if missing.size:
                    raise ValueError(
                        f"group {_label(g)!r} has no rows of class(es) "
                        f"{self.classes_[missing.astype(np.int64)].tolist()}; the individual "
                        "and pretrained multinomial models need every class in every group"
                    )
        fixed = self._fixed_alphas()
        pf_user = np.ones(p) if self.penalty_factor is None else as_factors(self.penalty_factor, p)
        rng = as_generator(self.random_state)

        # Stage 1: the overall model with unpenalised group intercepts.
        foldid = balanced_folds(groups, nfolds, rng)
        n_dummies = self.groups_.size - 1 if self.group_intercepts else 0
        pf_overall = np.concatenate([np.zeros(n_dummies), pf_user])
        with convergence_label("PretrainedLasso stage 'overall'"):
            self.overall_ = cv_lasso(
                self._design(X, groups), y, foldid=foldid, penalty_factor=pf_overall, **kw
            )
        k1 = self.overall_.index(self.overall_lambda)
        # multinomial: the union over classes of the features with a nonzero coefficient
        coefs1 = np.atleast_2d(self.overall_.path.coefs[k1])[:, n_dummies:]
        self.support_ = np.flatnonzero(np.any(coefs1 != 0, axis=0))
        offset = self.overall_.preval[..., k1]  # (n,), multinomial (n, K)

        rows = {g: np.flatnonzero(groups == g) for g in self.groups_}
        folds2 = {g: random_folds(rows[g].size, nfolds, rng) for g in self.groups_}
        self.individual_ = {}
        for g in self.groups_:
            with convergence_label(f"PretrainedLasso stage 'individual', group {_label(g)!r}"):
                self.individual_[g] = cv_lasso(
                    X[rows[g]], y[rows[g]], foldid=folds2[g], penalty_factor=pf_user, **kw
                )
        alphas = self.alpha_grid_ if fixed is None else np.unique(list(fixed.values()))
        self.pretrained_: dict[float, dict] = {}
        for a in alphas:
            a = float(a)
            if a == 1.0:
                self.pretrained_[a] = self.individual_
                continue
            # a user factor of 0 (unpenalised) stays 0, also where 1/alpha is inf
            pf = np.where(pf_user == 0, 0.0, pf_user * pretraining_penalty(self.support_, p, a))
            self.pretrained_[a] = {}
            for g in self.groups_:
                where = f"PretrainedLasso stage 'pretrained' (alpha={a:g}), group {_label(g)!r}"
                with convergence_label(where):
                    self.pretrained_[a][g] = cv_lasso(
                        X[rows[g]],
                        y[rows[g]],
                        foldid=folds2[g],
                        offset=(1 - a) * offset[rows[g]],
                        penalty_factor=pf,
                        **kw,
                    )
        if fixed is None:
            self.cv_path_ = self._alpha_path(y, rows)
            best = self.cv_path_.alphas[first_minimum(self.cv_path_.error)]
            if self.alpha_type == "shared":
                self.alpha_by_group_ = {g: float(best) for g in self.groups_}
            else:
                by_group = [first_minimum(e) for e in self.cv_path_.error_by_group]
                self.alpha_by_group_ = {
                    g: float(self.cv_path_.alphas[i])
                    for g, i in zip(self.groups_, by_group, strict=True)
                }
        else:
            self.cv_path_ = None
            self.alpha_by_group_ = fixed
        values = set(self.alpha_by_group_.values())
        self.alpha_ = values.pop() if len(values) == 1 else None
        return self

    def _alpha_path(self, y: np.ndarray, rows: dict) -> AlphaPath:
        """cv.ptLasso's error table: prevalidated stage-2 predictions at lambda.min."""
        n_alpha = self.alpha_grid_.size
        err = np.empty(n_alpha)
        err_g = np.empty((self.groups_.size, n_alpha))

        def preval(fits: dict) -> np.ndarray:
            eta = np.empty(self.overall_.preval.shape[:-1])
            for g in self.groups_:
                eta[rows[g]] = fits[g].preval[..., fits[g].index_min]
            return eta

        for i, a in enumerate(self.alpha_grid_):
            loss = pointwise_loss(
                y, preval(self.pretrained_[float(a)]), self.family, self.type_measure_
            )
            err[i] = loss.mean()
            err_g[:, i] = [loss[rows[g]].mean() for g in self.groups_]
        individual = pointwise_loss(y, preval(self.individual_), self.family, self.type_measure_)
        overall = float(self.overall_.cvm[self.overall_.index_min])
        return AlphaPath(self.alpha_grid_.copy(), err, err_g, overall, float(individual.mean()))

    # -- prediction ------------------------------------------------------------------
    def _check_fitted(self) -> None:
        check_is_fitted(
            self,
            "overall_",
            msg="This %(name)s is not fitted yet; call fit(X, y, groups) first.",
        )

    def _check_predict_input(self, X, groups) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        X = as_matrix(validate_data(self, X, reset=False, dtype=np.float64))
        if groups is None:
            if self.groups_.size > 1:
                raise ValueError(
                    f"groups is None but the model was fit on {self.groups_.size} groups "
                    f"{self.groups_.tolist()}: pass one group label per row of X"
                )
            groups = np.full(X.shape[0], self.groups_[0])
        groups = _check_groups(groups, X.shape[0])
        unknown = np.setdiff1d(np.unique(groups), self.groups_)
        if unknown.size:
            raise ValueError(
                f"groups {unknown.tolist()} were not seen in fit; known groups: "
                f"{self.groups_.tolist()}"
            )
        return X, groups

    def overall_link(self, X, groups=None, s: str | None = None) -> np.ndarray:
        """The full-data overall model's linear predictor (at ``overall_lambda`` by default)."""
        X, groups = self._check_predict_input(X, groups)
        return self.overall_.link(self._design(X, groups), s=s or self.overall_lambda)

    def predict(
        self,
        X,
        groups=None,
        *,
        model: str = "pretrained",
        s: str = "lambda.min",
        alpha: float | None = None,
        kind: str = "link",
    ) -> np.ndarray:
        """Predictions for rows ``X`` in ``groups`` (None: the model must have one group).

        Parameters
        ----------
        model : ``"pretrained"`` (default), ``"individual"`` or ``"overall"``.
        s : ``"lambda.min"`` or ``"lambda.1se"`` for the stage-2 / individual / overall fit;
            the pretraining offset always uses the overall model at ``overall_lambda``.
        alpha : evaluate the pretrained model at this fitted alpha instead of the chosen one.
        kind : ``"link"``; for binomial also ``"response"`` (probability) or ``"class"``
            (0/1); for multinomial ``"link"`` and ``"response"`` are ``(n, K)`` (columns in
            the order of ``classes_``) and ``"class"`` the most probable label.
        """
        if model not in _MODELS:
            raise ValueError(f"model must be one of {_MODELS}, got {model!r}")
        if s not in _LAMBDA_RULES:
            raise ValueError(f"s must be one of {_LAMBDA_RULES}, got {s!r}")
        kinds = ("link",) if self.family == "gaussian" else ("link", "response", "class")
        if kind not in kinds:
            raise ValueError(f"kind for family={self.family!r} must be one of {kinds}")
        X, groups = self._check_predict_input(X, groups)
        if alpha is not None and float(alpha) not in self.pretrained_:
            raise ValueError(f"alpha={alpha} was not fitted; fitted: {sorted(self.pretrained_)}")
        if model == "overall":
            eta = self.overall_.link(self._design(X, groups), s=s)
        else:
            offset = self.overall_.link(self._design(X, groups), s=self.overall_lambda)
            eta = np.empty(offset.shape)
            for g in np.unique(groups):
                r = groups == g
                if model == "individual":
                    eta[r] = self.individual_[g].link(X[r], s=s)
                    continue
                a = float(alpha) if alpha is not None else self.alpha_by_group_[g]
                eta[r] = self.pretrained_[a][g].link(X[r], (1 - a) * offset[r], s=s)
        out = link_to(eta, self.family, kind)
        return self.classes_[out] if self.family == "multinomial" and kind == "class" else out

    def score(self, X, y, groups=None, sample_weight=None) -> float:
        """R^2 of the (default) predictions for Gaussian; accuracy of ``kind="class"``
        for binomial and multinomial. ``groups`` as in :meth:`predict`."""
        if self.family == "gaussian":
            return float(r2_score(y, self.predict(X, groups), sample_weight=sample_weight))
        return float(
            accuracy_score(y, self.predict(X, groups, kind="class"), sample_weight=sample_weight)
        )

    def _encode_classes(self, y, n: int) -> np.ndarray:
        """Multinomial labels (int or str) as codes 0..K-1 of the sorted ``classes_``."""
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"y must be 1-D of length {n} (rows of X), got shape {y.shape}")
        integral_floats = (
            y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y))
        )
        if y.dtype.kind not in "iuUS" and not integral_floats:
            raise ValueError(
                "family='multinomial' needs y as integer or string class labels, got dtype "
                f"{y.dtype}"
            )
        self.classes_, codes = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"family='multinomial' needs at least 2 classes in y, got only {self.classes_}"
            )
        return codes.astype(np.float64)

    # -- supports --------------------------------------------------------------------
    def group_fit(self, group, model: str = "pretrained", alpha: float | None = None):
        """The ``CVLassoFit`` of one group's pretrained (at its alpha) or individual model."""
        self._check_fitted()
        if group not in self.groups_:
            raise ValueError(
                f"unknown group {_label(group)!r}; known groups: {self.groups_.tolist()}"
            )
        if model == "individual":
            return self.individual_[group]
        if model != "pretrained":
            raise ValueError(f"model must be 'pretrained' or 'individual', got {model!r}")
        a = self.alpha_by_group_[group] if alpha is None else float(alpha)
        return self.pretrained_[a][group]

    def supports(
        self, model: str = "pretrained", s: str = "lambda.min", alpha: float | None = None
    ) -> dict:
        """Selected features: per group, their union and the "common" set.

        For the individual models "common" is the set selected by more than half of the
        groups (ptLasso's ``commonOnly``); for the pretrained models with alpha < 1 it is
        the overall model's support S, and the union includes S (the offset uses it).
        """
        per_group = {  # multinomial: the union over classes
            g: np.flatnonzero(np.any(np.atleast_2d(self.group_fit(g, model, alpha).coef(s)[1]), 0))
            for g in self.groups_
        }
        counts = np.zeros(self.n_features_, dtype=np.int64)
        for sel in per_group.values():
            counts[sel] += 1
        majority = np.flatnonzero(counts > self.groups_.size / 2)
        union = np.flatnonzero(counts > 0)
        alphas = [self.alpha_by_group_[g] if alpha is None else alpha for g in self.groups_]
        if model == "pretrained" and min(alphas) < 1.0:
            return {
                "per_group": per_group,
                "union": np.union1d(union, self.support_),
                "common": self.support_.copy(),
            }
        return {"per_group": per_group, "union": union, "common": majority}

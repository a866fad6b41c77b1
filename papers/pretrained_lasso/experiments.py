"""Experiments: pure compute, parameters and a RunContext in, arrays and scalars out.

- ``stratified_gaussian``: the Gaussian quick-start design (K = 5 groups sharing 10
  features with group-specific coefficients 3k, 10 own features each) over noise levels:
  test MSE of the overall, individual and pretrained models at every alpha and at the
  CV-chosen alpha, per group, with support sizes and the alpha-limit identities.
- ``stage1_lambda``: the ablation of the overall model's lambda rule (1se versus min).
- ``support_recovery``: exact recovery of the common support by the pooled stage-1
  lasso (ptLasso's S) versus the individual lassos' majority vote, against n per group.
- ``alpha_choice``: the CV-chosen alpha when the groups share a support versus when
  their supports are disjoint.
- ``binomial``: the binomial quick-start design (K = 3, p = 40).
- ``cate``: the pretrained R-learner versus the plain R-learner, shared and disjoint
  supports of the outcome and the effect.
- ``diabetes``: scikit-learn's diabetes data grouped by sex, repeated random splits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from common.cli import RunContext
from common.datasets import sklearn_dataset
from papers.pretrained_lasso.cate import PretrainedRLearner
from papers.pretrained_lasso.glmnet import pointwise_loss
from papers.pretrained_lasso.ptlasso import PretrainedLasso
from papers.pretrained_lasso.simulate import (
    binomial_example_beta,
    cate_data,
    draw_groups,
    gaussian_example_beta,
    shared_support_beta,
)

MODELS = ("overall", "individual", "pretrained")


def _grid(n_alpha: int) -> np.ndarray:
    return np.round(np.linspace(0.0, 1.0, n_alpha), 12)


def _loss(fit: PretrainedLasso, X, y, groups, **kw) -> np.ndarray:
    """Per-observation test loss (squared error or binomial deviance) of one model."""
    measure = "mse" if fit.family == "gaussian" else "deviance"
    return pointwise_loss(y, fit.predict(X, groups, **kw), fit.family, measure)


def _by_group(loss: np.ndarray, groups: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.array([loss[groups == g].mean() for g in labels])


def run_stratified_gaussian(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    sigmas, reps, k = list(params["sigmas"]), params["reps"], params["n_groups"]
    grid = _grid(params["n_alpha"])
    beta = gaussian_example_beta(k, params["p"])
    shape = (len(sigmas), reps)
    out = {
        "test_mse": np.zeros((*shape, len(MODELS))),
        "test_mse_by_group": np.zeros((*shape, len(MODELS), k)),
        "test_mse_by_alpha": np.zeros((*shape, grid.size)),
        "cv_error_by_alpha": np.zeros((*shape, grid.size)),
        "cv_error_baselines": np.zeros((*shape, 2)),
        "alpha_hat": np.zeros(shape),
        "alpha_hat_by_group": np.zeros((*shape, k)),
        "support_size": np.zeros((*shape, 4)),
        "limit_alpha1_max_diff": np.zeros(shape),
        "limit_alpha0_max_coef_off_support": np.zeros(shape),
    }
    jobs = [(i, r) for i in range(len(sigmas)) for r in range(reps)]
    for i, r in ctx.progress(jobs, desc="stratified_gaussian"):
        rng = ctx.rng("sigma", i, "rep", r)
        X, y, g = draw_groups(rng, beta, params["n_per_group"], sigma=sigmas[i])
        Xt, yt, gt = draw_groups(rng, beta, params["n_per_group"], sigma=sigmas[i])
        m = PretrainedLasso(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        m.fit(X, y, g)
        for j, model in enumerate(MODELS):
            loss = _loss(m, Xt, yt, gt, model=model)
            out["test_mse"][i, r, j] = loss.mean()
            out["test_mse_by_group"][i, r, j] = _by_group(loss, gt, m.groups_)
        out["test_mse_by_alpha"][i, r] = [_loss(m, Xt, yt, gt, alpha=a).mean() for a in grid]
        out["cv_error_by_alpha"][i, r] = m.cv_path_.error
        out["cv_error_baselines"][i, r] = [
            m.cv_path_.error_overall_model,
            m.cv_path_.error_individual,
        ]
        out["alpha_hat"][i, r] = m.alpha_
        out["alpha_hat_by_group"][i, r] = m.cv_path_.alphas[m.cv_path_.error_by_group.argmin(1)]
        pre, ind = m.supports("pretrained"), m.supports("individual")
        out["support_size"][i, r] = [
            m.support_.size,
            pre["union"].size,
            ind["union"].size,
            np.setdiff1d(m.support_, pre["union"]).size,  # S must lie in the union: 0
        ]
        diff = m.predict(Xt, gt, alpha=1.0) - m.predict(Xt, gt, model="individual")
        out["limit_alpha1_max_diff"][i, r] = np.abs(diff).max()
        off = np.setdiff1d(np.arange(X.shape[1]), m.support_)
        out["limit_alpha0_max_coef_off_support"][i, r] = max(
            np.abs(m.group_fit(gg, alpha=0.0).path.coefs[:, off]).max() for gg in m.groups_
        )
    out["sigmas"] = np.asarray(sigmas, dtype=np.float64)
    out["alpha_grid"] = grid
    out["models"] = np.array(MODELS)
    return out


def run_stage1_lambda(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The overall model's lambda rule (ptLasso's lambda.1se default versus lambda.min)."""
    reps, rules = params["reps"], ("lambda.1se", "lambda.min")
    grid = _grid(params["n_alpha"])
    beta = gaussian_example_beta(params["n_groups"], params["p"])
    test = np.zeros((len(rules), reps))
    alpha_hat = np.zeros((len(rules), reps))
    support = np.zeros((len(rules), reps))
    for r in ctx.progress(range(reps), desc="stage1_lambda"):
        rng = ctx.rng("rep", r)
        X, y, g = draw_groups(rng, beta, params["n_per_group"], sigma=params["sigma"])
        Xt, yt, gt = draw_groups(rng, beta, params["n_per_group"], sigma=params["sigma"])
        seed = ctx.derive("folds", r)  # the same folds for both rules
        for i, rule in enumerate(rules):
            m = PretrainedLasso(
                alpha_grid=grid, nfolds=params["nfolds"], overall_lambda=rule, random_state=seed
            ).fit(X, y, g)
            test[i, r] = _loss(m, Xt, yt, gt).mean()
            alpha_hat[i, r] = m.alpha_
            support[i, r] = m.support_.size
    return {
        "rules": np.array(rules),
        "test_mse": test,
        "alpha_hat": alpha_hat,
        "support_size": support,
    }


def run_support_recovery(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    sizes, reps, k = list(params["n_per_group"]), params["reps"], params["n_groups"]
    n_common = params["n_common"]
    beta = shared_support_beta(
        k,
        params["p"],
        n_common=n_common,
        n_individual=params["n_individual"],
        common=params["common"],
        individual=params["individual"],
    )
    truth = np.arange(n_common)
    shape = (len(sizes), reps)
    exact = np.zeros((*shape, 2))
    tpr = np.zeros((*shape, 2))
    false_common = np.zeros((*shape, 2))
    jobs = [(i, r) for i in range(len(sizes)) for r in range(reps)]
    for i, r in ctx.progress(jobs, desc="support_recovery"):
        rng = ctx.rng("n", i, "rep", r)
        X, y, g = draw_groups(rng, beta, sizes[i], sigma=params["sigma"])
        m = PretrainedLasso(alpha=0.5, nfolds=params["nfolds"], random_state=rng).fit(X, y, g)
        estimates = (m.supports("pretrained")["common"], m.supports("individual")["common"])
        for j, est in enumerate(estimates):
            exact[i, r, j] = np.array_equal(np.sort(est), truth)
            tpr[i, r, j] = np.isin(truth, est).mean()
            false_common[i, r, j] = np.setdiff1d(est, truth).size
    return {
        "n_per_group": np.asarray(sizes, dtype=np.int64),
        "exact_recovery": exact,
        "true_positive_rate": tpr,
        "false_common": false_common,
        "estimators": np.array(["pretrained (pooled S)", "individual (majority)"]),
    }


def run_alpha_choice(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    k, p, reps = params["n_groups"], params["p"], params["reps"]
    grid = _grid(params["n_alpha"])
    size = params["support_size"]
    settings = {
        "shared": shared_support_beta(
            k,
            p,
            n_common=size - params["n_own_shared"],
            n_individual=params["n_own_shared"],
            common=1.0,
            individual=1.0,
        ),
        "disjoint": shared_support_beta(
            k, p, n_common=0, n_individual=size, common=0.0, individual=1.0
        ),
    }
    alpha_hat = np.zeros((2, reps))
    cv = np.zeros((2, reps, grid.size))
    test = np.zeros((2, reps, len(MODELS)))
    jobs = [(i, r) for i in range(2) for r in range(reps)]
    for i, r in ctx.progress(jobs, desc="alpha_choice"):
        rng = ctx.rng(list(settings)[i], r)
        beta = list(settings.values())[i]
        X, y, g = draw_groups(rng, beta, params["n_per_group"], sigma=params["sigma"])
        Xt, yt, gt = draw_groups(rng, beta, params["n_per_group"], sigma=params["sigma"])
        m = PretrainedLasso(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        m.fit(X, y, g)
        alpha_hat[i, r] = m.alpha_
        cv[i, r] = m.cv_path_.error
        test[i, r] = [_loss(m, Xt, yt, gt, model=model).mean() for model in MODELS]
    return {
        "settings": np.array(list(settings)),
        "alpha_grid": grid,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
        "test_mse": test,
        "models": np.array(MODELS),
    }


def run_binomial(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:

    reps = params["reps"]
    grid = _grid(params["n_alpha"])
    beta = binomial_example_beta(params["p"])
    deviance = np.zeros((reps, len(MODELS)))
    auc = np.zeros((reps, len(MODELS)))
    error = np.zeros((reps, len(MODELS)))
    alpha_hat = np.zeros(reps)
    cv = np.zeros((reps, grid.size))
    for r in ctx.progress(range(reps), desc="binomial"):
        rng = ctx.rng("rep", r)
        X, y, g = draw_groups(rng, beta, params["n_per_group"], family="binomial")
        Xt, yt, gt = draw_groups(rng, beta, params["n_per_group"], family="binomial")
        m = PretrainedLasso(
            family="binomial", alpha_grid=grid, nfolds=params["nfolds"], random_state=rng
        ).fit(X, y, g)
        for j, model in enumerate(MODELS):
            deviance[r, j] = _loss(m, Xt, yt, gt, model=model).mean()
            prob = m.predict(Xt, gt, model=model, kind="response")
            auc[r, j] = roc_auc_score(yt, prob)
            error[r, j] = np.mean((prob > 0.5) != (yt > 0.5))
        alpha_hat[r] = m.alpha_
        cv[r] = m.cv_path_.error
    return {
        "models": np.array(MODELS),
        "alpha_grid": grid,
        "test_deviance": deviance,
        "test_auc": auc,
        "test_misclassification": error,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
    }


def run_cate(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    reps, n = params["reps"], params["n_train"]
    grid = _grid(params["n_alpha"])
    settings = ("shared", "disjoint")
    mse = np.zeros((2, reps, 2))  # (setting, rep, [pretrained at alpha-hat, R-learner])
    alpha_hat = np.zeros((2, reps))
    jobs = [(i, r) for i in range(2) for r in range(reps)]
    for i, r in ctx.progress(jobs, desc="cate"):
        rng = ctx.rng(settings[i], r)
        X, y, w, tau = cate_data(rng, 2 * n, params["p"], shared=i == 0, noise=params["noise"])
        fit = PretrainedRLearner(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        fit.fit(X[:n], y[:n], w[:n])
        tau_test = tau[n:]
        mse[i, r] = [
            np.mean((fit.predict(X[n:]) - tau_test) ** 2),
            np.mean((fit.predict(X[n:], alpha=1.0) - tau_test) ** 2),
        ]
        alpha_hat[i, r] = fit.alpha_
    return {
        "settings": np.array(settings),
        "tau_mse": mse,
        "alpha_hat": alpha_hat,
        "alpha_grid": grid,
        "methods": np.array(["pretrained R-learner", "R-learner"]),
    }


def run_diabetes(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    X, y = sklearn_dataset("diabetes")
    sex = (X[:, 1] > 0).astype(np.int64)  # the two coded values of the "sex" column
    X = np.delete(X, 1, axis=1)
    if params["interactions"]:
        i, j = np.triu_indices(X.shape[1], 1)  # pairwise products; squares make X ill-posed
        X = np.hstack([X, X[:, i] * X[:, j]])
    splits, grid = params["splits"], _grid(params["n_alpha"])
    test = np.zeros((splits, len(MODELS)))
    alpha_hat = np.zeros(splits)
    cv = np.zeros((splits, grid.size))
    test_by_alpha = np.zeros((splits, grid.size))
    for s in ctx.progress(range(splits), desc="diabetes"):
        rng = ctx.rng("split", s)
        train = np.zeros(y.size, dtype=bool)
        for group in (0, 1):  # stratified by sex
            rows = np.flatnonzero(sex == group)
            train[rng.choice(rows, round(params["train_fraction"] * rows.size), False)] = True
        m = PretrainedLasso(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        m.fit(X[train], y[train], sex[train])
        Xt, yt, gt = X[~train], y[~train], sex[~train]
        test[s] = [_loss(m, Xt, yt, gt, model=model).mean() for model in MODELS]
        test_by_alpha[s] = [_loss(m, Xt, yt, gt, alpha=a).mean() for a in grid]
        alpha_hat[s] = m.alpha_
        cv[s] = m.cv_path_.error
    return {
        "models": np.array(MODELS),
        "alpha_grid": grid,
        "test_mse": test,
        "test_mse_by_alpha": test_by_alpha,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
        "n_features": X.shape[1],
        "group_sizes": [int(np.sum(sex == 0)), int(np.sum(sex == 1))],
    }

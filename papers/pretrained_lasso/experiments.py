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
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import roc_auc_score

from common.cli import RunContext
from common.datasets import sklearn_dataset
from common.lasso import cv_lasso, first_minimum, pointwise_loss
from papers.pretrained_lasso.cate import PretrainedRLearner
from papers.pretrained_lasso.multi import PretrainedMultiResponse, PretrainedTargetGrouped
from papers.pretrained_lasso.ptlasso import PretrainedLasso, pretraining_penalty
from papers.pretrained_lasso.simulate import (
    binomial_example_beta,
    boosting_data,
    cate_data,
    draw_groups,
    gaussian_example_beta,
    multiresponse_data,
    shared_support_beta,
    target_grouped_data,
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


def _effective_supports(m: PretrainedLasso) -> dict:
    """Per group, the features the pretrained predictor depends on at its alpha.

    The predictor of group k is ``(1 - alpha) x'beta_0 + mu_k + x'beta_k`` (beta_0: the
    full-data overall model at its lambda, beta_k: stage 2 at lambda.min), so its
    effective coefficients are ``(1 - alpha) beta_0 + beta_k``; their support is what
    "the pretrained support contains S" is about (ptLasso's ``get.pretrain.support``
    adds S to the union by definition, which cannot fail).
    """
    n_dummies = m.groups_.size - 1 if m.group_intercepts else 0
    beta0 = m.overall_.path.coefs[m.overall_.index(m.overall_lambda)][n_dummies:]
    out = {}
    for g in m.groups_:
        a = m.alpha_by_group_[g]
        coef = (1 - a) * beta0 + m.group_fit(g, alpha=a).coef("lambda.min")[1]
        out[g] = np.flatnonzero(coef != 0)
    return out


def _alpha_one_gap(m: PretrainedLasso, X, y, g, Xt, gt) -> float:
    """The alpha = 1 limit, checked by solving stage 2 at alpha = 1 separately.

    ``PretrainedLasso`` (like R) reuses the individual fits at alpha = 1. Here the stage-2
    problem is solved by its own ``cv_lasso`` call with the pretraining ingredients at
    alpha = 1 (offset ``(1 - 1) * eta-hat``, factors ``pretraining_penalty(S, p, 1)``) on
    each group's rows and folds; the result is the largest test-prediction difference
    from the individual models, relative to the test response's standard deviation.
    """
    k1 = m.overall_.index(m.overall_lambda)
    offset = m.overall_.preval[:, k1]
    pf = pretraining_penalty(m.support_, X.shape[1], 1.0)
    individual = m.predict(Xt, gt, model="individual")
    gap = 0.0
    for gg in m.groups_:
        rows, test = g == gg, gt == gg
        fit = cv_lasso(
            X[rows],
            y[rows],
            foldid=m.individual_[gg].foldid,
            offset=(1.0 - 1.0) * offset[rows],
            penalty_factor=pf,
            type_measure=m.type_measure_,
        )
        diff = fit.link(Xt[test], np.zeros(int(test.sum()))) - individual[test]
        gap = max(gap, float(np.abs(diff).max()))
    return gap / float(np.std(y))


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
        out["alpha_hat_by_group"][i, r] = [
            m.cv_path_.alphas[first_minimum(e)] for e in m.cv_path_.error_by_group
        ]
        effective = _effective_supports(m)
        ind = m.supports("individual")
        s_missing = sum(np.setdiff1d(m.support_, eff).size for eff in effective.values())
        out["support_size"][i, r] = [
            m.support_.size,
            np.unique(np.concatenate(list(effective.values()))).size,
            ind["union"].size,
            s_missing if m.alpha_ < 1.0 else -1,  # -1: alpha-hat = 1, S plays no part
        ]
        out["limit_alpha1_max_diff"][i, r] = _alpha_one_gap(m, X, y, g, Xt, gt)
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


def run_multiresponse(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Two Gaussian responses sharing part of their support (ptLasso ``multiresponse``)."""
    reps, n = params["reps"], params["n_train"]
    grid = _grid(params["n_alpha"])
    mse = np.zeros((reps, len(MODELS), 2))  # (rep, model, response)
    alpha_hat = np.zeros(reps)
    cv = np.zeros((reps, grid.size))
    support = np.zeros((reps, len(MODELS)))
    for r in ctx.progress(range(reps), desc="multiresponse"):
        rng = ctx.rng("rep", r)
        X, Y = multiresponse_data(rng, n + params["n_test"], params["p"], sigma=params["sigma"])
        m = PretrainedMultiResponse(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        m.fit(X[:n], Y[:n])
        for j, model in enumerate(MODELS):
            mse[r, j] = ((m.predict(X[n:], model=model) - Y[n:]) ** 2).mean(axis=0)
        alpha_hat[r] = m.alpha_
        cv[r] = m.cv_error_
        ind = np.unique(np.concatenate(m.supports("individual")))
        pre = np.unique(np.concatenate(m.supports("pretrained")))
        support[r] = [m.overall_.support("lambda.min").size, ind.size, pre.size]
    return {
        "models": np.array(MODELS),
        "alpha_grid": grid,
        "test_mse": mse,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
        "support_size": support,
    }


def run_multinomial_target(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Target-grouped (multinomial) pretraining: one-vs-rest lassos from a multinomial one.

    ``nlambda`` (50 at quick scale, glmnet's 100 at full): with 100 values our multinomial
    path spends most of its time in the weakly penalised tail (about 20 CPU s per fit
    against 1 s with 50), far below the lambda that CV chooses in this low-signal design.
    """
    reps = params["reps"]
    grid = _grid(params["n_alpha"])
    error = np.zeros((reps, len(MODELS)))
    deviance = np.zeros((reps, len(MODELS)))
    alpha_hat = np.zeros(reps)
    cv = np.zeros((reps, grid.size))
    kw = {"n_per_class": params["n_per_class"], "p": params["p"], "n_classes": params["n_classes"]}
    for r in ctx.progress(range(reps), desc="multinomial_target"):
        rng = ctx.rng("rep", r)
        X, y = target_grouped_data(rng, **kw)
        Xt, yt = target_grouped_data(rng, **kw)
        m = PretrainedTargetGrouped(
            alpha_grid=grid, nfolds=params["nfolds"], nlambda=params["nlambda"], random_state=rng
        )
        m.fit(X, y)
        for j, model in enumerate(MODELS):
            eta = m.predict(Xt, model=model, kind="link")
            error[r, j] = np.mean(m.classes_[eta.argmax(axis=1)] != yt)
            deviance[r, j] = pointwise_loss(yt, eta, "multinomial", "deviance").mean()
        alpha_hat[r] = m.alpha_
        cv[r] = m.cv_error_
    return {
        "models": np.array(MODELS),
        "alpha_grid": grid,
        "test_misclassification": error,
        "test_deviance": deviance,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
    }


def run_boosting(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """ptLasso on a gradient-boosting basis: the leaves of depth-1 boosted trees as features.

    scikit-learn's ``GradientBoostingRegressor`` (``n_trees`` rounds, depth 1, learning
    rate 0.3 as xgboost's default eta, fit on the training rows without the groups)
    stands in for xgboost; each tree's leaf indicators (``apply``, one column per tree:
    the right leaf) are the features of the overall, individual and pretrained lassos.
    """
    reps, k = params["reps"], params["n_groups"]
    grid = _grid(params["n_alpha"])
    mse = np.zeros((reps, len(MODELS)))
    alpha_hat = np.zeros(reps)
    cv = np.zeros((reps, grid.size))
    kw = {
        "n_groups": k,
        "n_common": params["n_common"],
        "n_individual": params["n_individual"],
        "sigma": params["sigma"],
    }
    for r in ctx.progress(range(reps), desc="boosting"):
        rng = ctx.rng("rep", r)
        X, y, g = boosting_data(rng, params["n_per_group"], params["p"], **kw)
        Xt, yt, gt = boosting_data(rng, params["n_per_group"], params["p"], **kw)
        trees = GradientBoostingRegressor(
            n_estimators=params["n_trees"],
            max_depth=1,
            learning_rate=0.3,
            random_state=ctx.derive("trees", r) % 2**31,
        ).fit(X, y)
        # a stump's nodes are 0 (root), 1 (left leaf), 2 (right leaf)
        Z, Zt = ((trees.apply(A) == 2).astype(np.float64) for A in (X, Xt))
        m = PretrainedLasso(alpha_grid=grid, nfolds=params["nfolds"], random_state=rng)
        m.fit(Z, y, g)
        mse[r] = [_loss(m, Zt, yt, gt, model=model).mean() for model in MODELS]
        alpha_hat[r] = m.alpha_
        cv[r] = m.cv_path_.error
    return {
        "models": np.array(MODELS),
        "alpha_grid": grid,
        "test_mse": mse,
        "alpha_hat": alpha_hat,
        "cv_error_by_alpha": cv,
    }

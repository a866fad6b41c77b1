"""Figures: results in, matplotlib Figure out (pure plotting).

House rules (issue #15): at most two panels per row (the gallery shows figures about
800 px wide), every panel titled, legends outside the data (below the panels), bar charts
from 0, and comparisons shown as paired differences with their standard errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure, legend_below
from common.results import Results

MODEL_COLORS = {"overall": COLORS[1], "individual": COLORS[2], "pretrained": COLORS[0]}


def _mean_se(a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[axis]
    se = a.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(a.mean(axis=axis))
    return a.mean(axis=axis), se


def _bars(ax, labels, values, title: str, ylabel: str) -> None:
    """Mean +- s.e. bars over repetitions (axis 0 of each value array), from 0."""
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        m, se = _mean_se(v)
        ax.bar(i, m, yerr=se, color=MODEL_COLORS.get(label, COLORS[i % len(COLORS)]), capsize=3)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, None)
    ax.set_title(title)
    ax.set_ylabel(ylabel)


def _differences(ax, labels, values: np.ndarray, title: str, xlabel: str) -> None:
    """Paired differences ``model - pretrained`` (mean +- s.e. over runs), one row per
    baseline; > 0 means the pretrained model is better. ``values``: (runs, model)."""
    ref = labels.index("pretrained")
    rows = [j for j in range(len(labels)) if j != ref]
    for k, j in enumerate(rows):
        m, se = _mean_se(values[:, j] - values[:, ref])
        ax.errorbar(m, k, xerr=2 * se, fmt="o", color=MODEL_COLORS[labels[j]], capsize=4)
    ax.axvline(0.0, color="k", lw=1)
    ax.set_yticks(range(len(rows)), [f"{labels[j]}\n- pretrained" for j in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_title(title)
    ax.set_xlabel(xlabel)


def _alpha_curve(ax, grid, test_by_alpha, baselines: dict, title: str, ylabel: str) -> None:
    m, se = _mean_se(test_by_alpha)
    ax.errorbar(
        grid,
        m,
        yerr=se,
        color=MODEL_COLORS["pretrained"],
        marker="o",
        ms=3,
        label="pretrained (fixed alpha)",
    )
    for name, values in baselines.items():
        ax.axhline(np.mean(values), color=MODEL_COLORS[name], ls="--", label=name)
    ax.set_xlabel("alpha")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def _alpha_histogram(ax, alpha_hat: np.ndarray, labels: list[str]) -> None:
    """Histograms of the CV-chosen alpha, one per row of ``alpha_hat``, side by side."""
    bins = np.linspace(-0.05, 1.05, 12)
    width = 0.1 / max(len(labels), 1)
    centers = (bins[:-1] + bins[1:]) / 2
    for i, label in enumerate(labels):
        counts, _ = np.histogram(np.ravel(alpha_hat[i]), bins=bins)
        offset = (i - (len(labels) - 1) / 2) * width
        ax.bar(centers + offset, counts, width, color=COLORS[i], label=label)
    ax.set_xlabel("CV-chosen alpha")
    ax.set_ylabel("runs")
    ax.set_title("chosen alpha")


def plot_gaussian_error_vs_alpha(results: Mapping[str, Results]):
    r = results["stratified_gaussian"]
    sigmas, grid = r["sigmas"], r["alpha_grid"]
    n = sigmas.size + 1
    fig, axes = figure((n + 1) // 2, 2)
    flat = axes.ravel()
    for i, sigma in enumerate(sigmas):
        ax = flat[i]
        tm = r["test_mse"][i]
        _alpha_curve(
            ax,
            grid,
            r["test_mse_by_alpha"][i],
            {"overall": tm[:, 0], "individual": tm[:, 1]},
            f"test MSE, sigma = {sigma:g}",
            "test MSE",
        )
        ax.axhline(tm[:, 2].mean(), color=COLORS[7], ls=":", label="pretrained (CV alpha)")
    _alpha_histogram(flat[sigmas.size], r["alpha_hat"], [f"sigma {s:g}" for s in sigmas])
    for ax in flat[n:]:
        ax.remove()
    legend_below(fig, flat[:n], ncols=3)
    return fig


def plot_gaussian_per_group(results: Mapping[str, Results]):
    r = results["stratified_gaussian"]
    sigmas = r["sigmas"]
    i = int(np.argmin(np.abs(sigmas - 20.0)))  # the quick-start noise level
    by_group = r["test_mse_by_group"][i]  # (reps, model, group)
    models = [str(m) for m in r["models"]]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    k = by_group.shape[2]
    width = 0.8 / len(models)
    for j, model in enumerate(models):
        m, se = _mean_se(by_group[:, j, :])
        ax.bar(
            np.arange(k) + (j - 1) * width,
            m,
            width,
            yerr=se,
            capsize=2,
            color=MODEL_COLORS[model],
            label=model,
        )
    ax.set_xticks(range(k), [str(g + 1) for g in range(k)])
    ax.set_xlabel("group k (common coefficient 3k)")
    ax.set_ylabel("test MSE")
    ax.set_title(f"per-group test MSE, sigma = {sigmas[i]:g}")
    ax = axes[0, 1]
    sizes = r["support_size"][i]
    labels = ["overall\nS", "pretrained\n(effective)", "individual\n(union)"]
    for j in range(3):
        m, se = _mean_se(sizes[:, j])
        ax.bar(j, m, yerr=se, capsize=3, color=[COLORS[1], COLORS[0], COLORS[2]][j])
    ax.axhline(60, color="k", ls=":", lw=1, label="truly active features (60)")
    ax.set_xticks(range(3), labels)
    ax.set_ylabel("features selected")
    ax.set_title(f"support sizes, sigma = {sigmas[i]:g}")
    legend_below(fig, axes[0])
    return fig


def plot_stage1_lambda(results: Mapping[str, Results]):
    r = results["stage1_lambda"]
    rules = [str(s) for s in r["rules"]]
    fig, axes = figure(2, 2)
    for ax, key, title in zip(
        axes.ravel(),
        ("test_mse", "support_size", "alpha_hat"),
        ("pretrained test MSE", "size of S", "CV-chosen alpha"),
        strict=False,
    ):
        for i in range(len(rules)):
            m, se = _mean_se(r[key][i])
            ax.bar(i, m, yerr=se, capsize=3, color=COLORS[i])
        ax.set_xticks(range(len(rules)), rules)
        ax.set_xlabel("overall model's lambda")
        ax.set_title(title)
    diff = r["test_mse"][1] - r["test_mse"][0]
    m, se = _mean_se(diff)
    ax = axes[1, 1]
    ax.errorbar(m, 0, xerr=2 * se, fmt="o", color=COLORS[0], capsize=4)
    ax.axvline(0.0, color="k", lw=1)
    ax.set_yticks([0], ["min - 1se"])
    ax.set_xlabel("paired difference in test MSE (+- 2 s.e.)")
    ax.set_title("lambda.min minus lambda.1se")
    return fig


def plot_support_recovery(results: Mapping[str, Results]):
    r = results["support_recovery"]
    n = r["n_per_group"]
    labels = [str(s) for s in r["estimators"]]
    fig, axes = figure(2, 2)
    for ax, key, title, ylabel in zip(
        axes.ravel(),
        ("exact_recovery", "true_positive_rate", "false_common"),
        ("exact recovery of the common support", "common features found", "wrongly called common"),
        ("share of runs", "true-positive rate", "features"),
        strict=False,
    ):
        for j, label in enumerate(labels):
            m, se = _mean_se(r[key][:, :, j], axis=1)
            ax.errorbar(
                n, m, yerr=se, marker="o", ms=3, color=[COLORS[0], COLORS[2]][j], label=label
            )
        ax.set_xscale("log")
        ax.set_xticks(n, [str(v) for v in n])
        ax.minorticks_off()
        ax.set_xlabel("n per group")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    axes[1, 1].remove()
    legend_below(fig, [axes[0, 0]], ncols=2)
    return fig


def plot_alpha_choice(results: Mapping[str, Results]):
    r = results["alpha_choice"]
    settings = [str(s) for s in r["settings"]]
    grid = r["alpha_grid"]
    fig, axes = figure(1, 2)
    _alpha_histogram(axes[0, 0], r["alpha_hat"], [f"{s} supports" for s in settings])
    ax = axes[0, 1]
    for i in range(len(settings)):
        cv = r["cv_error_by_alpha"][i]
        m, se = _mean_se(cv / cv.min(axis=1, keepdims=True))
        ax.errorbar(grid, m, yerr=se, marker="o", ms=3, color=COLORS[i])
    ax.set_xlabel("alpha")
    ax.set_ylabel("CV error / its minimum")
    ax.set_title("CV curve over alpha")
    legend_below(fig, [axes[0, 0]], ncols=2)
    return fig


def plot_binomial(results: Mapping[str, Results]):
    r = results["binomial"]
    models = [str(m) for m in r["models"]]
    fig, axes = figure(2, 2)
    _bars(axes[0, 0], models, r["test_deviance"].T, "test deviance", "mean deviance")
    _bars(axes[0, 1], models, r["test_auc"].T, "test AUC", "AUC")
    axes[0, 1].axhline(0.5, color="k", ls=":", lw=1)
    _bars(axes[1, 0], models, r["test_misclassification"].T, "misclassification", "error rate")
    _differences(
        axes[1, 1],
        models,
        r["test_deviance"],
        "deviance minus pretrained's",
        "paired difference (+- 2 s.e.)",
    )
    return fig


def plot_cate(results: Mapping[str, Results]):
    r = results["cate"]
    settings = [str(s) for s in r["settings"]]
    methods = [str(m) for m in r["methods"]]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for i in range(len(settings)):
        for j, method in enumerate(methods):
            m, se = _mean_se(r["tau_mse"][i, :, j])
            ax.bar(
                i + (j - 0.5) * 0.4,
                m,
                0.4,
                yerr=se,
                capsize=3,
                color=COLORS[j],
                label=method if i == 0 else None,
            )
    ax.set_xticks(range(len(settings)), [f"{s} support" for s in settings])
    ax.set_ylabel("test MSE of tau(x)")
    ax.set_title("CATE estimation error")
    _alpha_histogram(axes[0, 1], r["alpha_hat"], [f"{s} support" for s in settings])
    legend_below(fig, axes[0])
    return fig


def plot_diabetes(results: Mapping[str, Results]):
    r = results["diabetes"]
    models = [str(m) for m in r["models"]]
    tm = r["test_mse"]
    fig, axes = figure(2, 2)
    _bars(axes[0, 0], models, tm.T, "test MSE (bars from 0)", "test MSE")
    _differences(
        axes[0, 1], models, tm, "test MSE minus pretrained's", "paired difference (+- 2 s.e.)"
    )
    _alpha_curve(
        axes[1, 0],
        r["alpha_grid"],
        r["test_mse_by_alpha"],
        {"overall": tm[:, 0], "individual": tm[:, 1]},
        "test MSE against alpha",
        "test MSE",
    )
    _alpha_histogram(axes[1, 1], r["alpha_hat"][None], ["splits"])
    legend_below(fig, [axes[1, 0]], ncols=3)
    return fig


def _three_models(r: Results, key: str, title: str, ylabel: str, total: bool = False):
    models = [str(m) for m in r["models"]]
    v = r[key].sum(axis=-1) if total else r[key]
    fig, axes = figure(1, 2)
    _bars(axes[0, 0], models, v.T, title, ylabel)
    _differences(
        axes[0, 1], models, v, f"{ylabel} minus pretrained's", "paired difference (+- 2 s.e.)"
    )
    return fig


def plot_multiresponse(results: Mapping[str, Results]):
    return _three_models(
        results["multiresponse"], "test_mse", "two responses", "summed test MSE", total=True
    )


def plot_multinomial_target(results: Mapping[str, Results]):
    return _three_models(
        results["multinomial_target"],
        "test_misclassification",
        "5-class target",
        "misclassification",
    )


def plot_boosting(results: Mapping[str, Results]):
    return _three_models(results["boosting"], "test_mse", "boosting basis", "test MSE")

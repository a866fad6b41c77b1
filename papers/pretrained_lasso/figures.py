"""Figures: results in, matplotlib Figure out (pure plotting)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure
from common.results import Results

MODEL_COLORS = {"overall": COLORS[1], "individual": COLORS[2], "pretrained": COLORS[0]}


def _mean_se(a: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[axis]
    se = a.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(a.mean(axis=axis))
    return a.mean(axis=axis), se


def _bars(ax, labels, values, title: str, ylabel: str) -> None:
    """Mean +- s.e. bars over repetitions (axis 0 of each value array)."""
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        m, se = _mean_se(v)
        ax.bar(i, m, yerr=se, color=MODEL_COLORS.get(label, COLORS[i % len(COLORS)]), capsize=3)
    ax.set_xticks(range(len(labels)), labels, rotation=15)
    ax.set_title(title)
    ax.set_ylabel(ylabel)


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


def plot_gaussian_error_vs_alpha(results: Mapping[str, Results]):
    r = results["stratified_gaussian"]
    sigmas, grid = r["sigmas"], r["alpha_grid"]
    fig, axes = figure(1, sigmas.size + 1)
    for i, sigma in enumerate(sigmas):
        ax = axes[0, i]
        tm = r["test_mse"][i]
        _alpha_curve(
            ax,
            grid,
            r["test_mse_by_alpha"][i],
            {"overall": tm[:, 0], "individual": tm[:, 1]},
            f"sigma = {sigma:g}",
            "test MSE",
        )
        ax.axhline(tm[:, 2].mean(), color=COLORS[7], ls=":", label="pretrained (CV alpha)")
        if i == 0:
            ax.legend(fontsize=6)
    ax = axes[0, -1]
    for i, sigma in enumerate(sigmas):
        ax.hist(
            r["alpha_hat"][i] + 0.02 * (i - 1),
            bins=np.linspace(-0.05, 1.05, 12),
            alpha=0.6,
            label=f"sigma {sigma:g}",
        )
    ax.set_xlabel("CV-chosen alpha")
    ax.set_ylabel("count")
    ax.set_title("chosen alpha")
    ax.legend(fontsize=6)
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
    ax.set_xticks(range(k), [f"group {g + 1}" for g in range(k)], rotation=15)
    ax.set_ylabel("test MSE")
    ax.set_title(f"per-group test MSE (sigma = {sigmas[i]:g})")
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    sizes = r["support_size"][i]
    labels = ["overall S", "pretrained\n(S + individual)", "individual\n(union)"]
    for j in range(3):
        m, se = _mean_se(sizes[:, j])
        ax.bar(j, m, yerr=se, capsize=3, color=[COLORS[1], COLORS[0], COLORS[2]][j])
    ax.axhline(60, color="k", ls=":", lw=1, label="true support (60)")
    ax.set_xticks(range(3), labels)
    ax.set_ylabel("number of selected features")
    ax.set_title("support sizes")
    ax.legend(fontsize=7)
    return fig


def plot_stage1_lambda(results: Mapping[str, Results]):
    r = results["stage1_lambda"]
    rules = [str(s) for s in r["rules"]]
    fig, axes = figure(1, 3)
    for ax, key, title in zip(
        axes[0],
        ("test_mse", "support_size", "alpha_hat"),
        ("pretrained test MSE", "size of S", "CV-chosen alpha"),
        strict=True,
    ):
        for i in range(len(rules)):
            m, se = _mean_se(r[key][i])
            ax.bar(i, m, yerr=se, capsize=3, color=COLORS[i])
        ax.set_xticks(range(len(rules)), [f"stage 1 at {s}" for s in rules])
        ax.set_title(title)
    return fig


def plot_support_recovery(results: Mapping[str, Results]):
    r = results["support_recovery"]
    n = r["n_per_group"]
    labels = [str(s) for s in r["estimators"]]
    fig, axes = figure(1, 3)
    for ax, key, title in zip(
        axes[0],
        ("exact_recovery", "true_positive_rate", "false_common"),
        (
            "exact recovery of the common support",
            "common features found (TPR)",
            "features wrongly called common",
        ),
        strict=True,
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
        ax.set_title(title)
    axes[0, 0].legend(fontsize=7)
    return fig


def _alpha_histogram(ax, alpha_hat: np.ndarray, labels: list[str]) -> None:
    """Histograms of the CV-chosen alpha, one per setting (rows of ``alpha_hat``), offset."""
    for i, label in enumerate(labels):
        ax.hist(
            alpha_hat[i] + 0.015 * (2 * i - 1),
            bins=np.linspace(-0.05, 1.05, 12),
            alpha=0.6,
            color=COLORS[i],
            label=label,
        )
    ax.set_xlabel("CV-chosen alpha")
    ax.set_ylabel("count")
    ax.set_title("chosen alpha")
    ax.legend(fontsize=7)


def plot_alpha_choice(results: Mapping[str, Results]):
    r = results["alpha_choice"]
    settings = [str(s) for s in r["settings"]]
    grid = r["alpha_grid"]
    fig, axes = figure(1, 2)
    _alpha_histogram(axes[0, 0], r["alpha_hat"], [f"{s} supports" for s in settings])
    ax = axes[0, 1]
    for i, s in enumerate(settings):
        cv = r["cv_error_by_alpha"][i]
        m, se = _mean_se(cv / cv.min(axis=1, keepdims=True))
        ax.errorbar(grid, m, yerr=se, marker="o", ms=3, color=COLORS[i], label=s)
    ax.set_xlabel("alpha")
    ax.set_ylabel("CV error / its minimum")
    ax.set_title("CV curve over alpha")
    ax.legend(fontsize=7)
    return fig


def plot_binomial(results: Mapping[str, Results]):
    r = results["binomial"]
    models = [str(m) for m in r["models"]]
    fig, axes = figure(1, 3)
    _bars(axes[0, 0], models, r["test_deviance"].T, "test deviance", "mean deviance")
    _bars(axes[0, 1], models, r["test_auc"].T, "test AUC", "AUC")
    axes[0, 1].set_ylim(0.5, 1.0)
    _bars(axes[0, 2], models, r["test_misclassification"].T, "misclassification", "error rate")
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
    ax.legend(fontsize=7)
    _alpha_histogram(axes[0, 1], r["alpha_hat"], [f"{s} support" for s in settings])
    return fig


def plot_diabetes(results: Mapping[str, Results]):
    r = results["diabetes"]
    models = [str(m) for m in r["models"]]
    fig, axes = figure(1, 2)
    _bars(axes[0, 0], models, r["test_mse"].T, "diabetes by sex: test MSE", "test MSE")
    lo = r["test_mse"].mean(axis=0).min()
    axes[0, 0].set_ylim(0.9 * lo, None)
    tm = r["test_mse"]
    _alpha_curve(
        axes[0, 1],
        r["alpha_grid"],
        r["test_mse_by_alpha"],
        {"overall": tm[:, 0], "individual": tm[:, 1]},
        "test MSE against alpha",
        "test MSE",
    )
    axes[0, 1].legend(fontsize=6)
    return fig

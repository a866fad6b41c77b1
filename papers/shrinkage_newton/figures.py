"""Figures: results in, matplotlib Figure out (pure plotting).

House rules: at most two panels per row, every panel titled, legends below the panels;
curves are the mean (resolvent errors) or median (suboptimality) over seeds with a min-max
band; theory curves dashed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure, legend_below
from common.results import Results

STYLE = {
    "exact": dict(color=COLORS[7], ls="-"),
    "naive": dict(color=COLORS[1], ls="-"),
    "determinantal": dict(color=COLORS[3], ls="-."),
    "shrinkage": dict(color=COLORS[0], ls="-"),
    "shrinkage_dimension": dict(color=COLORS[5], ls="--"),
    "shrinkage_fixed_point": dict(color=COLORS[2], ls=":", marker="x", ms=4),
    "lambda_only": dict(color=COLORS[4], ls="--"),
}
LABELS = {
    "exact": "exact Newton",
    "naive": "naive averaging",
    "determinantal": "determinantal averaging",
    "shrinkage": "shrinkage (oracle s)",
    "shrinkage_dimension": "shrinkage (s = 1 - d/m)",
    "shrinkage_fixed_point": "shrinkage (fixed-point s)",
    "lambda_only": "lambda-only control",
}
SHORT = {
    "exact": "exact",
    "naive": "naive",
    "determinantal": "determ.",
    "shrinkage": "shr. oracle",
    "shrinkage_dimension": "shr. 1-d/m",
    "shrinkage_fixed_point": "shr. fixed pt",
    "lambda_only": "lambda-only",
}
FLOOR, CEILING = 1e-17, 1e20  # suboptimality plotted inside [FLOOR, CEILING]


def _band(ax, x, values, method, center="mean"):
    """Centre line (mean or median over the last axis) with a min-max band."""
    mid = values.mean(axis=-1) if center == "mean" else np.median(values, axis=-1)
    style = STYLE[method]
    ax.plot(x, mid, label=LABELS[method], **style)
    ax.fill_between(x, values.min(axis=-1), values.max(axis=-1), color=style["color"], alpha=0.15)


def _lam_text(lam: float) -> str:
    return "lambda = 0" if lam == 0 else f"lambda = {lam:g}"


def plot_resolvent_bias(results: Mapping[str, Results]):
    r = results["resolvent_bias"]
    methods, qs, lams = [str(m) for m in r["methods"]], r["qs"], r["lams"]
    fig, axes = figure(2, 2)
    for li, ax in enumerate(axes.flat[: len(lams)]):
        for mi, method in enumerate(methods):
            _band(ax, qs, r["errors"][mi, li], method)
        ax.axhline(
            r["predicted_plateau"][li], color="k", ls="--", lw=1, label="predicted naive plateau"
        )
        shr = r["errors"][methods.index("shrinkage"), li].mean(axis=-1)
        ax.plot(qs, shr[0] * np.sqrt(qs[0] / qs), color="0.5", ls=":", lw=1, label="slope q^(-1/2)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of agents q")
        ax.set_ylabel("relative operator-norm error")
        ax.set_title(f"{_lam_text(lams[li])}, gamma = {r['gamma']:.2g}")
    legend_below(fig, axes.flat, ncols=3)
    return fig


def plot_aspect_ratio(results: Mapping[str, Results]):
    r = results["aspect_ratio"]
    gammas, lams = r["gammas"], r["lams"]
    fig, axes = figure(1, 2)
    left, right = axes[0]
    grid = np.linspace(gammas.min(), gammas.max(), 200)
    for li, lam in enumerate(lams):
        ax = left if lam == 0 else right
        sim = r["naive_error"][:, li]
        color = COLORS[li]
        ax.errorbar(
            gammas,
            sim.mean(axis=-1),
            yerr=[sim.mean(axis=-1) - sim.min(axis=-1), sim.max(axis=-1) - sim.mean(axis=-1)],
            fmt="o",
            ms=4,
            color=color,
            capsize=2,
            label=f"simulated naive plateau, {_lam_text(lam)}",
        )
        if lam == 0:
            ax.plot(grid, grid / (1 - grid), "k--", label="gamma / (1 - gamma)")
            ax.plot(
                gammas, r["inverse_wishart"], "k:", label="(d + 1) / (m - d - 1) (exact, finite m)"
            )
        else:
            ax.plot(
                gammas,
                r["predicted"][:, li],
                ls="--",
                color=color,
                label=f"deterministic equivalent, {_lam_text(lam)}",
            )
    left.set_title(f"lambda = 0 (q = {r['q']})")
    right.set_title(f"lambda > 0 (q = {r['q']})")
    for ax in (left, right):
        ax.set_yscale("log")
        ax.set_xlabel("aspect ratio gamma = d / m")
        ax.set_ylabel("naive plateau (rel. error)")
    legend_below(fig, (left, right), ncols=2)
    return fig


def _gap_panel(ax, gaps, methods, title):
    rounds = np.arange(gaps.shape[-2])
    for mi, method in enumerate(methods):
        _band(ax, rounds, np.clip(gaps[mi], FLOOR, CEILING), method, center="median")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 2, 10 * min(CEILING, float(np.clip(gaps, FLOOR, CEILING).max())))
    ax.set_xlabel("round t")
    ax.set_ylabel("F(x_t) - F*")
    ax.set_title(title)


def plot_newton_logistic(results: Mapping[str, Results]):
    r = results["newton_logistic"]
    methods = [str(m) for m in r["methods"]]
    fig, axes = figure(1, 2)
    for li, lam in enumerate(r["lams"]):
        _gap_panel(axes[0, li], r["gaps"][li], methods, f"synthetic, {_lam_text(lam)}")
    legend_below(fig, axes.flat, ncols=3)
    return fig


def plot_newton_real(results: Mapping[str, Results]):
    r = results["newton_real"]
    methods = [str(m) for m in r["methods"]]
    fig, axes = figure(len(r["datasets"]), 2)
    for di, name in enumerate(r["datasets"]):
        q, m, d = r["shapes"][di]
        for li, lam in enumerate(r["lams"]):
            title = f"{name} (q={q}, m={m}, d={d})\n{_lam_text(lam)}"
            _gap_panel(axes[di, li], r["gaps"][di, li], methods, title)
    legend_below(fig, axes.flat, ncols=3)
    return fig


def plot_newton_least_squares(results: Mapping[str, Results]):
    r = results["newton_least_squares"]
    methods = [str(m) for m in r["methods"]]
    fig, axes = figure(1, 2)
    left, right = axes[0]
    _gap_panel(left, r["gaps"], methods, f"least squares, gamma = {r['gamma']:.2g}\nunit step")
    for mi, method in enumerate(methods):
        ev = r["eigenvalues"][mi].ravel()
        jitter = np.linspace(-0.25, 0.25, ev.size)
        right.plot(mi + jitter, ev, ".", ms=2, color=STYLE[method]["color"])
    right.axhline(
        r["predicted_naive_eigenvalue"], color="k", ls="--", lw=1, label="-gamma / (1 - gamma)"
    )
    for bound in (-1.0, 1.0):
        right.axhline(bound, color="0.5", ls=":", lw=1)
    right.set_xticks(range(len(methods)), [SHORT[m] for m in methods], rotation=45, fontsize=7)
    right.set_ylabel("eigenvalues of I - P H")
    right.set_title("iteration matrix\n(|eigenvalue| > 1 diverges)")
    legend_below(fig, (left, right), ncols=3)
    return fig


def plot_sketch_averaging(results: Mapping[str, Results]):
    r = results["sketch_averaging"]
    methods, qs = [str(m) for m in r["methods"]], r["qs"]
    fig, axes = figure(2, 2)
    fractions = r["dlam_fractions"]
    for fi, ax in enumerate(axes.flat[: len(fractions)]):
        for mi, method in enumerate(methods):
            _band(ax, qs, r["errors"][mi, fi], method)
        ax.axhline(
            r["predicted_plateau"][fi].mean(),
            color="k",
            ls="--",
            lw=1,
            label="predicted naive plateau",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of sketches q")
        ax.set_ylabel("relative direction error")
        ax.set_title(f"d_lambda/d = {fractions[fi]:g}, lambda = {r['lams'][fi].mean():.2g}")
    ax = axes.flat[len(fractions)]
    naive = r["errors"][methods.index("naive"), :, -1]
    ax.plot(
        fractions,
        r["predicted_plateau"].mean(axis=1),
        "k--",
        marker="s",
        ms=4,
        label="predicted naive plateau",
    )
    ax.errorbar(
        fractions,
        naive.mean(axis=-1),
        yerr=[naive.mean(axis=-1) - naive.min(axis=-1), naive.max(axis=-1) - naive.mean(axis=-1)],
        fmt="o",
        color=STYLE["naive"]["color"],
        capsize=2,
        label=f"naive error at q = {qs[-1]}",
    )
    ax.set_xlabel("d_lambda / d")
    ax.set_ylabel("relative direction error")
    ax.set_title("naive plateau vs prediction")
    legend_below(fig, axes.flat, ncols=3)
    return fig

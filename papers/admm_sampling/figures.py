"""Figures: results in, matplotlib Figure out (pure plotting).

The W2 figures keep the authors' layout, one column per graph (complete | cycle | empty),
so they are three panels wide; legends sit below the panels.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.patches import Ellipse

from common.plotting import COLORS, figure
from common.results import Results

LABELS = {
    "d_sgld": "D-SGLD",
    "d_ula": "D-ULA",
    "d_sghmc": "D-SGHMC",
    "d_admms": "D-ADMMS",
    "admm": "ADMM",
}
METHOD_COLORS = {
    "d_sgld": COLORS[1],
    "d_ula": COLORS[2],
    "d_sghmc": COLORS[3],
    "d_admms": COLORS[0],
    "admm": "0.6",
}
CURVE_TITLES = {"ag": "agent 0", "avg": "network average"}


def _legend_below(fig, ax, ncols: int = 4) -> None:
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=ncols)


def plot_data_posterior(results: Mapping[str, Results]):
    r = results["data_posterior"]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    ax.plot(*r["x_true"][0], "k*", ms=10, label="x_true")
    for i, (n, m) in enumerate(r["settings"]):
        vals, vecs = np.linalg.eigh(r["posterior_cov"][i])
        angle = np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))
        color = COLORS[i % len(COLORS)]
        ax.add_patch(
            Ellipse(
                r["posterior_mean"][i],
                *(4 * np.sqrt(vals[::-1])),
                angle=angle,
                fill=False,
                color=color,
            )
        )
        ax.plot(*r["posterior_mean"][i], "o", color=color, ms=3, label=f"N={n}, n_i={m}")
    ax.set(xlabel="x_1", ylabel="x_2", title="posterior mean and 2-s.d. ellipse")
    ax = axes[0, 1]
    total = r["settings"].prod(axis=1)
    ax.loglog(total, r["sqrt_trace_cov"], "o", color=COLORS[0])
    ax.set(xlabel="total samples N n_i", ylabel="sqrt(tr Sigma)", title="posterior spread")
    _legend_below(fig, axes[0, 0], ncols=4)
    return fig


def _w2_panels(r: Results, setting: int):
    n, m, k = (int(v) for v in r["settings"][setting])
    graphs, methods, curves = list(r["graphs"]), list(r["methods"]), list(r["curves"])
    fig, axes = figure(2, len(graphs))
    iters = np.arange(k + 1)
    floor_mean, floor_sd = r["mc_floor"][setting]
    for c, curve in enumerate(curves):
        for g, name in enumerate(graphs):
            ax = axes[c, g]
            ax.axhspan(
                floor_mean - floor_sd,
                floor_mean + floor_sd,
                color="0.85",
                label="Monte-Carlo floor",
            )
            ax.axhline(r["dirac_w2"][setting, 2], color="k", ls=":", lw=1, label="sqrt(tr Sigma)")
            for j, meth in enumerate(methods):
                col = METHOD_COLORS[meth]
                wide = {"lw": 3.0, "zorder": 2} if meth == "admm" else {"zorder": 3}
                mc = r["mc_w2"][setting, g, j, c, : k + 1]
                ax.plot(iters, mc, color=col, label=LABELS[meth], **wide)
                ax.plot(iters, r["exact_w2"][setting, g, j, c, : k + 1], color=col, ls="--", lw=1)
            ax.set(
                yscale="log",
                title=f"{name}, {CURVE_TITLES[curve]}",
                xlabel="iteration k",
                ylabel="W2 to posterior",
            )
    ax.plot([], [], "k--", lw=1, label="exact recursion")
    fig.suptitle(f"Bayesian linear regression, N = {n}, {m} samples per agent")
    _legend_below(fig, ax, ncols=5)
    return fig


def _setting(r: Results, n: int, m: int) -> int:
    hits = [i for i, s in enumerate(r["settings"]) if s[0] == n and s[1] == m]
    if not hits:
        raise ValueError(f"linear_w2 has no setting N={n}, n_i={m}")
    return hits[0]


def plot_linear_w2_n20(results: Mapping[str, Results]):
    r = results["linear_w2"]
    return _w2_panels(r, _setting(r, 20, 50))


def plot_linear_w2_n5(results: Mapping[str, Results]):
    r = results["linear_w2"]
    return _w2_panels(r, _setting(r, 5, 50))


def plot_rho_sweep(results: Mapping[str, Results]):
    r = results["rho_sweep"]
    graphs, ns, rhos = list(r["graphs"]), r["n_agents"], r["rhos"]
    fig, axes = figure(len(ns), len(graphs))
    for j, n in enumerate(ns):
        for i, g in enumerate(graphs):
            ax = axes[j, i]
            for c, curve in enumerate(("ag", "avg")):
                for key, what, style in (
                    ("stationary_w2", "stationary", {"marker": "o", "ms": 3}),
                    ("exact_w2_last", "exact at k = 50", {"ls": "--", "lw": 1}),
                    ("mc_w2_last", "Monte Carlo at k = 50", {"ls": "none", "marker": "x"}),
                ):
                    label = f"{what}, {CURVE_TITLES[curve]}"
                    ax.plot(rhos, r[key][i, j, :, c], color=COLORS[c], label=label, **style)
            ax.axhline(r["sqrt_trace_cov"][j], color="k", ls=":", lw=1, label="sqrt(tr Sigma)")
            ax.set(
                xscale="log",
                yscale="log",
                xlabel="rho",
                ylabel="W2 to posterior",
                title=f"{g}, N = {n}",
            )
    _legend_below(fig, axes[0, 0], ncols=2)
    return fig


def plot_init_ablation(results: Mapping[str, Results]):
    r = results["init_ablation"]
    fig, axes = figure(1, 2)
    iters = np.arange(r["mc_w2"].shape[-1])
    for c, curve in enumerate(("ag", "avg")):
        ax = axes[0, c]
        for s in range(1, r["mc_w2"].shape[0]):
            ax.plot(
                iters,
                r["mc_w2"][s, c],
                color=COLORS[1],
                lw=0.7,
                label="far starts" if s == 1 else None,
            )
            ax.plot(iters, r["exact_w2"][s, c], color=COLORS[1], lw=0.7, ls="--")
        ax.plot(iters, r["mc_w2"][0, c], color=COLORS[0], lw=2.5, label="N(0, I) start")
        ax.plot(iters, r["exact_w2"][0, c], color="k", lw=1, ls="--", label="exact recursion")
        ax.axhline(r["mc_floor"][0], color="0.5", ls=":", label="Monte-Carlo floor")
        ax.set(
            yscale="log",
            xlabel="iteration k",
            ylabel="W2 to posterior",
            title=f"D-ADMMS, cycle, {CURVE_TITLES[curve]}",
        )
    _legend_below(fig, axes[0, 0])
    return fig


def plot_logistic_accuracy(results: Mapping[str, Results]):
    r = results["logistic"]
    graphs, methods, ns = list(r["graphs"]), list(r["methods"]), r["n_agents"]
    fig, axes = figure(len(ns), len(graphs))
    for a, n in enumerate(ns):
        for g, name in enumerate(graphs):
            ax = axes[a, g]
            for j, meth in enumerate(methods):
                mean = r["accuracy"][a, g, j, 0]
                sd = r["accuracy_sd_agent0"][a, g, j]
                keep = ~np.isnan(mean)
                iters = np.arange(mean.size)[keep]
                col = METHOD_COLORS[meth]
                ax.plot(iters, mean[keep], color=col, label=LABELS[meth])
                ax.fill_between(
                    iters, (mean - sd)[keep], (mean + sd)[keep], color=col, alpha=0.15, lw=0
                )
            ax.set_ylim(0.4, 1.0)
            ax.set(xlabel="iteration k", ylabel="training accuracy", title=f"{name}, N = {n}")
    _legend_below(fig, axes[0, 0], ncols=5)
    return fig


def plot_neighbour_bug(results: Mapping[str, Results]):
    r = results["neighbour_bug"]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    iters = np.arange(r["exact_w2"].shape[-1])
    for i, mode in enumerate(r["modes"]):
        for j, meth in enumerate(r["methods"]):
            col = METHOD_COLORS[meth] if i == 0 else COLORS[4 + j]
            ax.plot(
                iters,
                r["exact_w2"][i, j, 0],
                color=col,
                ls="-" if i == 0 else "--",
                label=f"{LABELS[meth]}, {mode}",
            )
            ax.plot(iters[::5], r["mc_w2"][i, j, 0, ::5], color=col, ls="none", marker=".")
    ax.axhline(r["sqrt_trace_cov"], color="k", ls=":", lw=1, label="sqrt(tr Sigma)")
    ax.set(
        yscale="log",
        xlabel="iteration k",
        ylabel="W2 to posterior (agent 0)",
        title="cycle, N = 20, rho = 5",
    )
    ax = axes[0, 1]
    for i, mode in enumerate(r["modes"]):
        ax.plot(
            r["rhos"],
            r["stationary_w2"][i, :, 0],
            marker="o",
            ms=3,
            ls="-" if i == 0 else "--",
            label=f"stationary D-ADMMS, {mode}",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="rho",
        ylabel="stationary W2 (agent 0)",
        title="stationary bias against rho",
    )
    handles = [h for a in axes[0] for h in a.get_legend_handles_labels()[0]]
    labels = [lab for a in axes[0] for lab in a.get_legend_handles_labels()[1]]
    fig.legend(handles, labels, loc="outside lower center", ncols=3)
    return fig

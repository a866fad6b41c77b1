"""Figures: results in, matplotlib Figure out (pure plotting).

House rules: at most two panels per row, every panel titled, legends below the panels,
bars from 0 (or on a log axis with the value 1 as the floor), spread over repeats shown.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.ticker import NullFormatter

from common.plotting import COLORS, figure
from common.results import Results

MLP_FAMILIES = {
    "digits_width": "digits, widths 1-1024 (F1)",
    "synthetic_width": "synthetic, widths 1-1024 (F1)",
    "digits_resolution": "digits, resolutions (F2)",
    "digits_early_exit": "digits, early exits (F3)",
}
CNN_FAMILIES = {
    f"{data}_cnn_{family}": f"{data} CNN, {label}"
    for data in ("digits", "shapes")
    for family, label in (
        ("width", "channels"),
        ("early_exit", "early exits"),
        ("resolution", "resolutions"),
    )
}
FAMILIES = {**MLP_FAMILIES, **CNN_FAMILIES}
STYLE = {
    "exact": dict(color=COLORS[0], lw=2.0, label="oracle frontier (exact)"),
    "nested": dict(color=COLORS[1], ls="--", label="nested approx. (lower bound on gain)"),
    "union": dict(color=COLORS[2], ls=":", label="union approx. (upper bound on gain)"),
    "independent": dict(color=COLORS[3], ls="-.", label="independent approx."),
}


def _legend_below(fig, axes, ncols: int = 3) -> None:
    handles, labels = [], []
    for ax in np.ravel(axes):
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols)


def _mean_sd(a, axis: int = 0):
    a = np.asarray(a, dtype=np.float64)
    sd = a.std(axis=axis, ddof=1) if a.shape[axis] > 1 else np.zeros_like(a.mean(axis=axis))
    return a.mean(axis=axis), sd


def _width_labels(r: Results) -> list[str]:
    return [str(int(w)) for w in r["widths"]]


def _family_bars(ax, results, series) -> None:
    """Grouped bars (mean +- s.d. over repeats, log axis): ``series`` = (key, label, colour)
    for every family present in ``results``."""
    names = [n for n in FAMILIES if n in results]
    width = 0.8 / len(series)
    for j, (key, label, color) in enumerate(series):
        vals = [_mean_sd(results[n][key]) for n in names]
        x = np.arange(len(names)) + (j - (len(series) - 1) / 2) * width
        ax.bar(
            x,
            [v[0] for v in vals],
            width,
            yerr=[v[1] for v in vals],
            capsize=2,
            color=color,
            label=label,
        )
    ax.set_yscale("log")
    labels = [FAMILIES[n].split(" (")[0] for n in names]
    ax.set_xticks(range(len(names)), labels, rotation=35, ha="right", fontsize=7)


def _finish(fig, axes, extra_height: float = 0.0):
    """Legend below the panels; ``extra_height`` inches for it."""
    _legend_below(fig, axes, ncols=2)
    fig.set_figheight(fig.get_figheight() + extra_height)
    return fig


def plot_correctness_matrix(results: Mapping[str, Results]):
    r = results["digits_width"]
    c = r["example_correct"]
    s = np.where(c.any(axis=0), np.argmax(c, axis=0), c.shape[0])  # unsolved last
    order = np.lexsort((np.arange(s.size), s))
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    ax.imshow(c[:, order], aspect="auto", cmap="gray", interpolation="nearest", origin="lower")
    ax.set_yticks(range(c.shape[0]), _width_labels(r))
    ax.set_xlabel("input (sorted by oracle state s*(x))")
    ax.set_ylabel("state (hidden width)")
    ax.set_title("correctness matrix (repeat 1; white = correct)")
    ax.grid(False)
    ax = axes[0, 1]
    m, sd = _mean_sd(r["first_share"])
    un, un_sd = _mean_sd(r["unsolved_share"])
    x = np.arange(m.size + 1)
    ax.bar(x[:-1], m, yerr=sd, color=COLORS[0], capsize=2, label="first solved by this state")
    ax.bar(x[-1], un, yerr=un_sd, color=COLORS[7], capsize=2, label="no state correct")
    ax.set_xticks(x, [*_width_labels(r), "none"], rotation=60)
    ax.set_xlabel("oracle state s*(x) (hidden width)")
    ax.set_ylabel("share of inputs")
    ax.set_ylim(0, None)
    ax.set_title(f"oracle's state choice ({r['accuracy'].shape[0]} repeats)")
    return _finish(fig, axes)


def _frontier_panel(ax, r: Results, title: str) -> None:
    costs, grid = r["costs"], r["grid"]
    acc_m = r["accuracy"].mean(axis=0)
    for key in ("exact", "nested", "union"):
        f = r[f"{key}_frontier"]
        ok = ~np.isnan(f).any(axis=0)
        ax.plot(f[:, ok].mean(axis=0), grid[ok], **STYLE[key])
    ax.scatter(costs, acc_m, color=COLORS[7], zorder=5, s=18, label="single states (static)")
    for acct, style in (("direct", "-"), ("sequential", "--")):
        ax.plot(
            r[f"cascade_{acct}"].mean(axis=0),
            r["cascade_accuracy"].mean(axis=0),
            color=COLORS[4],
            ls=style,
            marker=".",
            ms=3,
            label=f"confidence cascade ({acct} cost)",
        )
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    lo = max(0.0, float(acc_m.min()) - 0.1)
    ax.set_ylim(lo, min(1.0, float(r["oracle_accuracy"].max()) + 0.03))
    ax.set_xlim(costs[0] * 0.7, costs[-1] * (1.6 if "stop_costs" not in r else 2.5))
    ax.set_xlabel("mean cost per input (FLOPs, log)")
    ax.set_ylabel("accuracy")
    g, gc = r["iso_gain"].mean(), r["cascade_gain_direct"].mean()
    ax.set_title(f"{title}\nG_iso = {g:.3g}x, cascade {gc:.3g}x")


def plot_frontier(results: Mapping[str, Results]):
    fig, axes = figure(2, 2)
    for ax, (name, title) in zip(axes.ravel(), MLP_FAMILIES.items(), strict=True):
        _frontier_panel(ax, results[name], title)
    return _finish(fig, axes, 1.0)


def plot_cnn_frontier(results: Mapping[str, Results]):
    fig, axes = figure(3, 2)
    for ax, (name, title) in zip(axes.ravel(), CNN_FAMILIES.items(), strict=True):
        _frontier_panel(ax, results[name], title)
    return _finish(fig, axes, 1.0)


def plot_exact_vs_approximate(results: Mapping[str, Results]):
    r = results["random_matrices"]
    kinds = list(r["kinds"])
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    width = 0.25
    for j, m in enumerate(("nested", "independent", "union")):
        ratio = r[m] / r["iso"]
        x = np.arange(len(kinds)) + (j - 1) * width
        ax.boxplot(
            ratio.T,
            positions=x,
            widths=width * 0.9,
            patch_artist=True,
            boxprops=dict(facecolor=STYLE[m]["color"], alpha=0.6),
            medianprops=dict(color="k"),
            flierprops=dict(markersize=2),
        )
        ax.plot([], [], color=STYLE[m]["color"], lw=6, alpha=0.6, label=STYLE[m]["label"])
    ax.axhline(1.0, color="k", lw=1)
    ax.set_yscale("log")
    ax.set_xticks(range(len(kinds)), kinds, rotation=20)
    ax.set_ylabel("approx. gain / exact G_iso")
    ax.set_title(f"random matrices ({r['iso'].shape[1]} per kind)")
    ax = axes[0, 1]
    _family_bars(
        ax,
        results,
        [
            ("approx_nested", STYLE["nested"]["label"], STYLE["nested"]["color"]),
            ("iso_gain", "exact G_iso(A_N)", STYLE["exact"]["color"]),
            ("approx_independent", STYLE["independent"]["label"], STYLE["independent"]["color"]),
            ("approx_union", STYLE["union"]["label"], STYLE["union"]["color"]),
        ],
    )
    ax.set_ylabel("gain at A_N")
    ax.set_title("trained families (mean +- s.d.)")
    return _finish(fig, axes)


def _widths(w) -> str:
    return ",".join(str(int(v)) for v in w)


def _width_families(results):
    return [(n, results[n]) for n in ("digits_width", "synthetic_width")]


def plot_state_space(results: Mapping[str, Results]):
    fig, axes = figure(2, 2)
    ax = axes[0, 0]
    for i, (name, r) in enumerate(_width_families(results)):
        m, sd = _mean_sd(r["size_iso"])
        ax.errorbar(
            r["size_n"],
            m,
            yerr=sd,
            marker="o",
            color=COLORS[i],
            capsize=2,
            label=f"exact G_iso, {FAMILIES[name].split(',')[0]}",
        )
        ax.plot(
            r["size_n"],
            r["size_nested"].mean(axis=0),
            ls="--",
            color=COLORS[i],
            label=f"nested approx., {FAMILIES[name].split(',')[0]}",
        )
    ax.set_yscale("log")
    ax.set_xlabel("log-spaced states N (ends kept)")
    ax.set_ylabel("gain at A_N (log)")
    ax.set_title("size of the state space")
    ax = axes[0, 1]
    for i, (_, r) in enumerate(_width_families(results)):
        m, sd = _mean_sd(r["range_iso"])
        ax.errorbar(r["range_ratio"], m, yerr=sd, marker="o", color=COLORS[i], capsize=2)
    rr = _width_families(results)[0][1]["range_ratio"]
    ax.plot(rr, rr, color="k", ls="--", lw=1, label="G = R_N / R_1 (limit)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("range R_N / R_1 (smallest dropped)")
    ax.set_ylabel("exact G_iso(A_N) (log)")
    ax.set_title("range of the state space")
    ax = axes[1, 0]
    labels = []
    for name, r in _width_families(results):
        if "granularity_iso" not in r:
            continue
        m, sd = _mean_sd(r["granularity_iso"])
        x = len(labels) + np.array([0.0, 1.0])
        ax.bar(x, m, 0.8, yerr=sd, capsize=2, color=[COLORS[0], COLORS[1]])
        family = FAMILIES[name].split(",")[0]
        w = r["granularity_widths"]
        labels += [f"{family}, log\n{_widths(w[0])}", f"{family}, linear\n{_widths(w[1])}"]
    ax.set_yscale("log")
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylabel("exact G_iso(A_N) (log)")
    ax.set_title("granularity (N = 6, same range)")
    ax = axes[1, 1]
    _family_bars(
        ax,
        results,
        [
            ("iso_gain", "G_iso", COLORS[0]),
            ("chance_iso_gain", "G_iso + random state", COLORS[1]),
            ("efficiency_gain", "G_exact", COLORS[2]),
            ("chance_efficiency_gain", "G_exact + random state", COLORS[3]),
        ],
    )
    ax.set_ylabel("gain (log)")
    ax.set_title("chance control (free random state)")
    return _finish(fig, axes, 1.2)


def plot_published(results: Mapping[str, Results]):
    r = results["published"]
    fams = list(r["families"])
    fig, axes = figure(2, 2)
    ax = axes[0, 0]
    for i, f in enumerate(fams):
        ok = ~np.isnan(r["cost"][i])
        ax.plot(r["cost"][i, ok], 100 * r["accuracy"][i, ok], marker="o", color=COLORS[i], label=f)
    ax.set_xscale("log")
    ax.set_xlabel("GFLOPs per input (per token: LLaMA)")
    ax.set_ylabel("published accuracy (%)")
    ax.set_title("the tables (sources in the CSV)")
    ax = axes[0, 1]
    for i, _ in enumerate(fams):
        ok = ~np.isnan(r["cost"][i])
        c = r["cost"][i, ok]
        ax.plot(c / c[0], r["target_nested"][i, ok], marker="o", color=COLORS[i])
        ax.plot(c / c[0], r["target_union"][i, ok], marker="^", ls=":", color=COLORS[i])
    ax.plot([], [], color="gray", marker="o", label="nested (lower bound)")
    ax.plot([], [], color="gray", marker="^", ls=":", label="union (upper bound)")
    top = np.nanmax(r["cost"] / r["cost"][:, :1])
    ax.plot([1, top], [1, top], color="k", ls="--", lw=1, label="G = R_t / R_1")
    ax.axhline(10, color="gray", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("target's cost / smallest cost")
    ax.set_ylabel("approximate gain at A_target")
    ax.set_title("gain for every target model")
    ax = axes[1, 0]
    for i, _ in enumerate(fams):
        ok = ~np.isnan(r["size_n"][i])
        ax.plot(r["size_n"][i, ok], r["size_nested"][i, ok], marker="o", color=COLORS[i])
    ax.set_yscale("log")
    ax.set_xlabel("states N (spread in the table, ends kept)")
    ax.set_ylabel("nested gain at A_N")
    ax.set_title("size (published)")
    ax = axes[1, 1]
    for i, _ in enumerate(fams):
        ok = ~np.isnan(r["range_ratio"][i])
        ax.plot(r["range_ratio"][i, ok], r["range_nested"][i, ok], marker="o", color=COLORS[i])
    ax.plot([1, top], [1, top], color="k", ls="--", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("range R_N / R_1 (smallest dropped)")
    ax.set_ylabel("nested gain at A_N")
    ax.set_title("range (published)")
    return _finish(fig, axes, 1.0)

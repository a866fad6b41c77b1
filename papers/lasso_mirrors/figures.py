"""Figures: results in, matplotlib Figure out (pure plotting); at most two panels a row."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure, legend_below
from common.results import Results
from papers.lasso_mirrors.datasets import DATASETS, LASSO_PANELS, PAPER_RUNS

KIND_MARKERS = {0: ("o", "kink at a data point"), 1: ("^", "kink at a reflection"),
                2: ("s", "kink at a reflection of a reflection"),
                3: ("x", "kink elsewhere")}  # fmt: skip


def _data(ax, name: str) -> None:
    x, y = DATASETS[name]
    ax.scatter(x, y, color="k", s=25, zorder=5, label="data")


def _kinks(ax, loc, kind, f_grid, grid, color) -> None:
    for code, (marker, _) in KIND_MARKERS.items():
        sel = (kind == code) & np.isfinite(loc)
        if sel.any():
            ax.scatter(loc[sel], np.interp(loc[sel], grid, f_grid), marker=marker,
                       facecolor="none" if code == 0 else color, edgecolor=color, s=45,
                       zorder=6)  # fmt: skip


def plot_dictionary(res: Mapping[str, Results]):
    r = res["dictionaries"]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for i, (f, label) in enumerate(zip(r["example_features"], r["example_labels"], strict=True)):
        ax.plot(r["example_grid"], f, color=COLORS[i], label=label)
    for t in r["example_x"]:
        ax.axvline(t, color="0.7", lw=0.6, ls=":")
    ax.set_xlabel("x (dotted: data points of 'opt')")
    ax.set_ylabel("feature value")
    ax.set_title("Example features")
    ax.legend(loc="upper left", fontsize=5)
    ax = axes[0, 1]
    configs = list(r["configs"])
    k = r["kind_counts"][0]  # first data set
    pos = np.arange(len(configs))
    ax.bar(pos, r["raw_count"][0], color="0.8", label="raw (before dedup)")
    bottom = np.zeros(len(configs))
    for i, what in enumerate(("data points only", "reflection", "reflection of reflection")):
        ax.bar(pos, k[:, i], bottom=bottom, color=COLORS[i], label=f"kept: {what}")
        bottom += k[:, i]
    ax.set_yscale("log")
    ax.set_xticks(pos, configs, fontsize=6, rotation=90)
    ax.set_ylim(bottom=1)
    ax.set_ylabel("number of features")
    ax.set_title(f"Dictionary sizes on '{r['datasets'][0]}' (N = {len(r['example_x'])})")
    legend_below(fig, [ax], ncols=2)
    return fig


def plot_min_norm(res: Mapping[str, Results]):
    r = res["min_norm"]
    configs = list(r["configs"])
    names = list(r["datasets"])
    fig, axes = figure(2, 2)
    for a, name in enumerate(names[:4]):
        ax = axes.flat[a]
        for i, depth in enumerate((2, 3, 4)):
            c = configs.index(f"relu_{depth}")
            g, f = r["grid"][a], r["predictions"][a, c]
            ax.plot(g, f, color=COLORS[i], lw=1.2,
                    label=f"ReLU depth {depth}" if a == 0 else None)  # fmt: skip
            _kinks(ax, r["kink_locations"][a, c], r["kink_kinds"][a, c], f, g, COLORS[i])
        _data(ax, name)
        norms = ", ".join(f"{r['min_norm'][a, configs.index(f'relu_{d}')]:.3g}" for d in (2, 3, 4))
        ax.set_title(f"'{name}': min ||z||_1 (L=2,3,4) = {norms}", fontsize=8)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    for marker, label in KIND_MARKERS.values():
        axes[0, 0].scatter([], [], marker=marker, color="0.3", label=label)
    legend_below(fig, [axes[0, 0]], ncols=3)
    return fig


def plot_lasso_network(res: Mapping[str, Results]):
    r = res["lasso_network"]
    ref = r["objective_clarabel"]
    fig, axes = figure(1, 2)
    configs = list(r["configs"])
    for j, (key, title) in enumerate(
        (("objective_network", "network objective (from weights) vs Lasso"),
         ("objective_cd", "coordinate descent vs CLARABEL"))
    ):  # fmt: skip
        ax = axes[0, j]
        rel = np.abs(r[key] - ref) / ref  # (dataset, config, beta)
        for c, name in enumerate(configs):
            ax.scatter(np.tile(r["betas"], rel.shape[0]) * (1 + 0.04 * (c - 3)),
                       np.maximum(rel[:, c].ravel(), 1e-17), color=COLORS[c % 8], s=10,
                       marker="os^"[c // 8], label=name if j == 0 else None)  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(1e-17, 1e-3)
        ax.set_xlabel("beta")
        ax.set_ylabel("relative difference")
        ax.set_title(title, fontsize=9)
    legend_below(fig, [axes[0, 0]], ncols=4)
    return fig


def plot_training(res: Mapping[str, Results]):
    r = res["training"]
    configs = list(r["configs"])
    gap = r["finals"] / r["p_star"][:, None, None] - 1.0  # (config, init, seed)
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for i, (label, dx) in enumerate((("random init", -0.15), ("Lasso-placed init", 0.15))):
        for c in range(len(configs)):
            ax.scatter(np.full(gap.shape[2], c + dx), np.maximum(gap[c, i], 1e-8),
                       color=COLORS[i], s=12, label=label if c == 0 else None)  # fmt: skip
    ax.set_yscale("log")
    ax.axhline(1e-2, color="k", ls=":", lw=1, label="1e-2 (criterion)")
    ax.set_xticks(range(len(configs)), [c.replace("_", "\n") for c in configs], fontsize=7)
    ax.set_ylabel("F / p* - 1 (floored at 1e-8)")
    ax.set_title(f"Adam vs Lasso, beta = {r['beta']:g}, m = {r['width']}")
    ax = axes[0, 1]
    c = configs.index("relu_2")
    best = np.unravel_index(np.argmin(r["finals"][c]), r["finals"][c].shape)
    ax.plot(r["grid"], r["lasso_predictions"][c], color="k", ls="--", label="Lasso optimum")
    for s in range(gap.shape[2]):
        ax.plot(r["grid"], r["predictions"][c, 0, s], color=COLORS[0], lw=0.7, alpha=0.6)
    ax.plot(r["grid"], r["predictions"][c][best], color=COLORS[1], lw=1, label="best Adam run")
    ax.scatter(r["x"], r["y"], color="k", s=20, zorder=5)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("ReLU depth 2: random starts (blue)", fontsize=9)
    legend_below(fig, [axes[0, 0], ax], ncols=3)
    return fig


def plot_learned_kinks(res: Mapping[str, Results]):
    r = res["training"]
    configs = list(r["configs"])
    S, unit, radius = int(r["seeds"]), float(r["data_spacing"]), float(r["kink_radius"])
    gap = r["finals"] / r["p_star"][:, None, None] - 1.0
    fig, axes = figure(4, 2)
    for c, name in enumerate(configs[:7]):
        ax = axes.flat[c]
        for t in r["x"]:
            ax.axvline(t, color="0.6", lw=0.6, ls=":")
        for t in r["lasso_kinks"][c][np.isfinite(r["lasso_kinks"][c])]:
            ax.axvspan(t - radius * unit, t + radius * unit, color="k", alpha=0.15, lw=0)
            ax.axvline(t, color="k", lw=0.8)
        for i, label in enumerate(("random start", "Lasso-placed start")):
            for s in range(S):
                loc, w = r["learned_kinks"][c, i, s], r["learned_kink_weights"][c, i, s]
                ok = np.isfinite(loc)
                size = 4 + 60 * w[ok] / max(float(np.nanmax(w, initial=0.0)), 1e-300)
                ax.scatter(loc[ok], np.full(ok.sum(), i * (S + 1) + s), s=size,
                           color=COLORS[i], alpha=0.8,
                           label=label if (c == 0 and s == 0) else None)  # fmt: skip
        ax.set_yticks([(S - 1) / 2, S + 1 + (S - 1) / 2], ["random", "placed"], fontsize=7)
        ax.set_ylim(-1, 2 * S + 1)
        ax.set_xlabel("x (dotted: data points)")
        ax.set_xlim(r["x"].min() - 0.5, r["x"].max() + 0.5)
        best, near = gap[c].min(1), r["near_lasso_pooled"][c]
        ax.set_title(
            f"{name} (random / placed): best F/p* - 1 {best[0]:.1e} / {best[1]:.1e}\n"
            f"weighted fraction near a Lasso kink {near[0]:.2f} / {near[1]:.2f}",
            fontsize=7,
        )
    axes.flat[0].axvline(np.nan, color="k", lw=0.8, label="kink of the Lasso optimum")
    ax = axes.flat[7]
    pos = np.arange(len(configs))
    for i, label in enumerate(("random", "placed")):
        ax.bar(pos + (i - 0.5) * 0.4, r["near_lasso_pooled"][:, i], 0.4, color=COLORS[i],
               label=f"{label}: near a Lasso kink")  # fmt: skip
        ax.scatter(pos + (i - 0.5) * 0.4, r["near_data_pooled"][:, i], marker="_", s=80,
                   color="k", label="near a data point" if i == 0 else None)  # fmt: skip
    ax.axhline(0.8, color="k", ls=":", lw=1, label="0.8 (criterion)")
    ax.set_xticks(pos, [c.replace("_", "\n") for c in configs], fontsize=6)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(f"slope-weighted fraction within {radius:g} x spacing")
    ax.set_title("Learned kinks near Lasso kinks (pooled over seeds)", fontsize=8)
    legend_below(fig, [axes.flat[0], ax], ncols=3)
    return fig


def plot_paper_adam(res: Mapping[str, Results]):
    r = res["paper_adam"]
    panels = list(r["panels"])
    fig, axes = figure(3, 2)
    for k, name in enumerate(panels):
        ax = axes.flat[k]
        ds, depth, _beta, width, _ep, _, init = PAPER_RUNS[name]
        g = r["grids"][k]
        for m, mode in enumerate(r["modes"]):
            for s in range(r["predictions"].shape[2]):
                ax.plot(g, r["predictions"][k, m, s], color=COLORS[m], lw=1.0, alpha=0.8,
                        label=f"Adam, {mode} loss" if (k == 0 and s == 0) else None)  # fmt: skip
        ax.plot(g, r["lp_predictions"][k], color="k", ls="--", lw=1,
                label="exact min-norm LP" if k == 0 else None)  # fmt: skip
        _data(ax, ds)
        pb = r["penalty_over_beta"][k]
        ax.set_title(
            f"{name}: L={depth}, m={width}, {r['epochs'][k]} ep., init {init}\n"
            f"penalty/beta {pb[0].min():.3g} / {pb[1].min():.3g} vs LP {r['lp_min_norm'][k]:.3g}",
            fontsize=7,
        )
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    legend_below(fig, [axes[0, 0]], ncols=2)
    return fig


def plot_paper_lasso(res: Mapping[str, Results]):
    r = res["paper_lasso"]
    panels = list(r["panels"])
    fig, axes = figure(4, 2)
    for k, name in enumerate(panels):
        ax = axes.flat[k]
        fig_no, ds, depth = LASSO_PANELS[name]
        g = r["grids"][k]
        drawn = "hard-coded (as drawn)" if fig_no == "3" else "Lasso at beta=1e-8 (CLARABEL)"
        ax.plot(
            g,
            r["drawn_predictions"][k],
            color=COLORS[1],
            lw=2.2,
            alpha=0.6,
            label="authors' panel (hard-coded / tiny-beta Lasso)" if k == 0 else None,
        )
        ax.plot(g, r["exact_predictions"][k], color=COLORS[0], lw=1.2,
                label="exact min-norm LP (HiGHS)" if k == 0 else None)  # fmt: skip
        _kinks(ax, r["kink_locations"][k], r["kink_kinds"][k], r["exact_predictions"][k], g,
               COLORS[0])  # fmt: skip
        _data(ax, ds)
        what = "hard-coded" if fig_no == "3" else "printed"
        ax.set_title(
            f"Fig. {fig_no}, '{ds}', L={depth}: {what} ||z||_1 {r['authors_norm'][k]:.3g}, "
            f"exact {r['lp_min_norm'][k]:.3g}\n({drawn})",
            fontsize=7,
        )
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    for marker, label in KIND_MARKERS.values():
        axes[0, 0].scatter([], [], marker=marker, color="0.3", label=label)
    legend_below(fig, [axes[0, 0]], ncols=2)
    return fig


def plot_path(res: Mapping[str, Results]):
    r = res["path"]
    fig, axes = figure(1, 2)
    for c, name in enumerate(r["configs"]):
        axes[0, 0].plot(r["betas"], r["active"][c], marker="o", ms=3, color=COLORS[c],
                        label=name)  # fmt: skip
        for k, ls in enumerate(("-", "--", "-.", ":")):
            axes[0, 1].plot(r["betas"], r["kink_counts"][c, :, k], ls=ls, color=COLORS[c],
                            marker="o", ms=2)  # fmt: skip
    for ax, title, ylabel in (
        (axes[0, 0], f"Active features ('{r['dataset']}', CD solution)", "active features"),
        (
            axes[0, 1],
            "Kinks at: data points (-), reflections (--),\n"
            "reflections of reflections (-.), elsewhere (:)",
            "number of kinks",
        ),
    ):
        ax.set_xscale("log")
        ax.set_xlabel("beta")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
    legend_below(fig, [axes[0, 0]], ncols=3)
    return fig


def plot_reflections(res: Mapping[str, Results]):
    r, f = res["min_norm"], res["reflection_frequency"]
    configs = list(r["configs"])
    fig, axes = figure(2, 2)
    ax = axes[0, 0]
    names = list(r["datasets"])
    pos = np.arange(len(names))
    for i, name in enumerate(("relu_4", "abs_3")):
        c = configs.index(name)
        ax.bar(pos + 0.4 * i - 0.3, r["min_norm"][:, c], 0.18, color=COLORS[i], label=f"{name}")
        ax.bar(pos + 0.4 * i - 0.1, r["min_norm_no_reflection"][:, c], 0.18, color=COLORS[i],
               alpha=0.4, label=f"{name} without reflection features")  # fmt: skip
    ax.set_xticks(pos, names, fontsize=7)
    ax.set_ylabel("minimum ||z||_1")
    ax.set_title("Authors' data sets: min norm with / without reflections", fontsize=8)
    ax = axes[0, 1]
    with_refl = [c for c, name in enumerate(f["configs"]) if not name.startswith("sign")]
    for c in with_refl:
        name = f["configs"][c]
        ax.plot(f["n_points"], f["needed"][:, c].mean(-1), marker="o", color=COLORS[c],
                label=f"{name}: needed (strictly lower norm)")  # fmt: skip
        ax.plot(f["n_points"], f["used"][:, c].mean(-1), marker="s", ls="--", color=COLORS[c],
                label=f"{name}: used by some optimum")  # fmt: skip
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("N (random points on [0, 10], y ~ N(0, 1))")
    ax.set_ylabel(f"fraction of {f['draws']} draws")
    ax.set_title("Random data: reflections in optimal solutions", fontsize=8)
    _sign_depth(axes[1, 0], f, 0)
    _sign_depth(axes[1, 1], f, -1)
    legend_below(fig, [axes[0, 0], axes[0, 1], axes[1, 0]], ncols=2)
    return fig


def _sign_depth(ax, f, a: int) -> None:
    """Minimum norm of sign trees against depth, one line per random draw at ``N``."""
    signs = [c for c, name in enumerate(f["configs"]) if name.startswith("sign")]
    depths = [int(f["configs"][c].rpartition("_")[2]) for c in signs]
    norms = f["min_norm"][a][signs]  # (depth, draw)
    for r in range(norms.shape[1]):
        ax.plot(depths, norms[:, r], marker="o", color=COLORS[r % 8], lw=1,
                label="one random draw" if (a == 0 and r == 0) else None)  # fmt: skip
    ax.set_xticks(depths)
    ax.set_xlabel("sign tree depth L (<= 2^(L-2) switches)")
    ax.set_ylabel("minimum ||z||_1")
    ax.set_title(f"Random data, N = {f['n_points'][a]}: sign trees, min norm vs depth", fontsize=8)


def plot_reflection_lasso(res: Mapping[str, Results]):
    r = res["reflection_lasso"]
    fig, axes = figure(1, 2)
    n, fracs = r["n_points"], r["beta_fracs"]
    panels = (
        (("used", "o", "-", "optimum uses reflections"),
         ("needed", "s", "--", "reflections needed (certified)")),
        (("active_data", "o", "-", "active data-point features"),
         ("active_reflection", "^", "--", "active reflection features")),
    )  # fmt: skip
    for ax, lines in zip(axes[0], panels, strict=True):
        for key, marker, ls, label in lines:
            for b in range(fracs.size):
                ax.plot(n, r[key][:, b].mean(-1), marker=marker, ls=ls, color=COLORS[b])
            ax.plot([], [], marker=marker, ls=ls, color="0.4", label=label)
        ax.set_xticks(n)
        ax.set_xlabel("N (random x on [0, 10], y ~ N(0, 1))")
    for b, frac in enumerate(fracs):
        axes[0, 0].plot([], [], color=COLORS[b], label=f"beta = {frac:g} x beta_max")
    axes[0, 0].set_ylim(-0.05, 1.05)
    axes[0, 0].set_ylabel(f"fraction of {r['draws']} draws")
    gap = max(r["gap"].max(), r["gap_no_reflection"].max())
    axes[0, 0].set_title(f"ReLU L = 4, FISTA: {r['converged'].mean():.0%} converged, "
                         f"gap <= {gap:.1e}", fontsize=8)  # fmt: skip
    axes[0, 1].set_ylabel("mean count over draws")
    axes[0, 1].set_title(f"Active: |z| > {r['threshold']:g} max |z|", fontsize=8)
    legend_below(fig, [axes[0, 0], axes[0, 1]], ncols=2)
    return fig

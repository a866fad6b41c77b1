"""Figures (pure plotting): results in, matplotlib Figure out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullFormatter

from common.plotting import COLORS, figure
from common.results import Results

_LINTHRESH = 1e-8
_STYLES = ("-", "--", ":", "-.")


def _symlog(ax, label: str) -> None:
    """Symlog relative-gap axis: 0 is the optimum; values below it would show as negative."""
    ax.set_yscale("symlog", linthresh=_LINTHRESH)
    ax.set_ylim(-1e-6, 1e3)
    ax.axhline(0.0, color="k", lw=1.0)
    ax.set_ylabel(label)


def plot_equivalence(res: Mapping[str, Results]):
    r = res["equivalence"]
    p_star, finals, traces = float(r["p_star"]), r["finals"], r["traces"]
    steps, widths, lrs, opts = r["trace_steps"], r["widths"], r["lrs"], r["optimizers"]
    fig, axes = figure(2, 2)
    panels = [axes[0, 0], axes[0, 1], axes[1, 0]]
    for a, opt in enumerate(opts):
        ax = panels[a]
        for i in range(lrs.shape[1]):
            for b in range(len(widths)):
                for s in range(traces.shape[3]):
                    ax.plot(
                        steps, traces[a, i, b, s] / p_star - 1.0, color=COLORS[i],
                        ls=_STYLES[b % 4], lw=0.7, alpha=0.6,
                    )  # fmt: skip
        handles = [
            Line2D([], [], color=COLORS[i], label=f"lr={lrs[a, i]:g}") for i in range(lrs.shape[1])
        ]
        handles += [
            Line2D([], [], color="k", ls=_STYLES[b % 4], lw=0.8, label=f"m={widths[b]}")
            for b in range(len(widths))
        ]
        ax.set_xscale("log")
        _symlog(ax, r"$(F-p^\star)/p^\star$")
        ax.set_ylim(-1e-6, 1e6)
        ax.set_xlabel("iteration")
        ax.set_title(f"({'abc'[a]}) {opt.upper()}, {traces.shape[3]} seeds each")
        ax.legend(handles=handles, ncol=3, fontsize=7, loc="upper center")
    ax = axes[1, 1]
    labels = []
    markers = ("o", "s", "^", "v")
    for a, opt in enumerate(opts):
        for i in range(lrs.shape[1]):
            x = len(labels)
            for b in range(len(widths)):
                vals = finals[a, i, b] / p_star - 1.0
                vals = np.where(np.isfinite(vals), vals, np.nan)
                ax.plot(
                    np.full(vals.size, x + 0.2 * (b - 1)), vals, markers[b % 4], ms=3,
                    color=COLORS[a], alpha=0.7,
                )  # fmt: skip
            labels.append(f"{opt} {lrs[a, i]:g}")
    ax.plot([-1], [float(r["mapped_objective"]) / p_star - 1.0], "k*", ms=8)
    handles = [Line2D([], [], color="k", marker="*", ls="", ms=8, label="mapped convex")]
    handles += [
        Line2D([], [], color="gray", marker=markers[b % 4], ls="", ms=4, label=f"m={widths[b]}")
        for b in range(len(widths))
    ]
    ax.set_xticks(range(len(labels)), labels, rotation=60, fontsize=7)
    _symlog(ax, "final relative gap")
    ax.set_ylim(-1e-6, 1e6)
    ax.set_title(f"(d) final gaps (P={r['n_patterns']}, m*={r['m_star']})")
    ax.legend(handles=handles, ncol=2, fontsize=7, loc="upper center")
    return fig


def plot_certificate(res: Mapping[str, Results]):
    r = res["equivalence"]
    beta = float(r["beta"])
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for key, lab, col in (
        ("dual_values", "at the convex optimum", COLORS[0]),
        ("dual_values_perturbed", f"at {r['perturb_scale']:g} x optimum", COLORS[1]),
    ):
        v = np.sort(r[key])[::-1] / beta
        ax.plot(np.arange(1, v.size + 1), v, ".", ms=3, color=col, label=lab)
    ax.axhline(1.0, color="k", lw=1.0, label=r"$\beta$")
    ax.set_yscale("log")
    ax.set_xlabel("pattern (sorted)")
    ax.set_ylabel(r"$\max_{u\in K_i,\|u\|\leq1}|r^\top D_iXu|\,/\,\beta$")
    ax.set_title(f"dual constraint over all {r['n_patterns']} patterns")
    ax.legend()
    ax = axes[0, 1]
    names = ["C1 residual", "rel. duality gap", r"max C2 / $\beta$ - 1"]
    opt = [r["c1_residual"], r["relative_duality_gap"], max(r["dual_max_over_beta"] - 1, 0)]
    bad = [
        r["c1_residual_perturbed"],
        r["relative_duality_gap_perturbed"],
        r["dual_max_over_beta_perturbed"] - 1,
    ]
    x = np.arange(len(names))
    ax.bar(x - 0.2, np.maximum(opt, 1e-16), 0.4, label="optimum", color=COLORS[0])
    ax.bar(x + 0.2, np.maximum(bad, 1e-16), 0.4, label="perturbed", color=COLORS[1])
    ax.set_xticks(x, names, fontsize=7)
    ax.set_yscale("log")
    ax.set_title("optimality conditions")
    ax.legend()
    return fig


def plot_subsampling(res: Mapping[str, Results]):
    r = res["subsampling"]
    m = r["m_grid"]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for key, lab, col in (("ratio_relu", "ReLU", COLORS[0]), ("ratio_gated", "gated", COLORS[1])):
        q = np.percentile(r[key], [25, 50, 75], axis=0)
        ax.plot(m, q[1], "o-", color=col, label=f"{lab} (median, IQR)")
        ax.fill_between(m, q[0], q[2], color=col, alpha=0.25)
    ax.axhline(1.0, color="k", lw=1.0, label=r"$p^\star$ (all patterns)")
    ax.axhline(float(r["gated_all_over_p_star"]), color=COLORS[1], ls=":", label="gated, all")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("sampled gates m")
    ax.set_ylabel(r"$p(m)/p^\star$")
    ax.set_title(f"{r['n_patterns']} patterns in all")
    ax.legend(fontsize=6)
    ax = axes[0, 1]
    for i, k in enumerate(r["lowrank_ks"]):
        x = r["lowrank_sigma_over_beta"][i]
        order = np.argsort(x)
        ax.plot(x[order], r["lowrank_ratio"][i][order], "o-", color=COLORS[i], label=f"k={k}")
        ax.plot(
            x[order], r["lowrank_bound_unverified"][i][order], "--", color=COLORS[i],
            label=f"recalled bound, k={k} [unverified]",
        )  # fmt: skip
    ax.axhline(1.0, color="k", lw=1.0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\sigma_{k+1}/\beta$")
    ax.set_ylabel(r"$p_k/p^\star$ (patterns of $X_k$)")
    ax.set_title("low-rank scheme")
    ax.legend(fontsize=6)
    return fig


def plot_stationary(res: Mapping[str, Results]):
    r = res["stationary"]
    p_star = float(r["p_star"])
    st = np.asarray(r["stationary"], bool)
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    ax.loglog(
        r["grad_gd"], np.maximum(np.abs(r["gap_gd"]), 1e-16), "o", ms=4, color=COLORS[1],
        label="end of GD (not stationary)", alpha=0.8,
    )  # fmt: skip
    for mask, lab, mk in (
        (st, "polished, stationary", "o"),
        (~st, "polished, not stationary", "x"),
    ):
        if mask.any():
            ax.loglog(
                np.maximum(r["grad"][mask], 1e-16), np.maximum(np.abs(r["gap"][mask]), 1e-16), mk,
                ms=4, color=COLORS[0], label=lab,
            )  # fmt: skip
    ax.axvline(float(r["stationary_tol"]), color="k", ls=":", lw=1.0)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, numticks=6))
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"generalised gradient norm $\|\nabla F\|$")
    ax.set_ylabel(r"$|p_{nc}-p_{sub}|/p_{sub}$")
    ax.set_title("(a) network vs its own-pattern program")
    ax.legend(fontsize=7, loc="lower right")
    ax = axes[0, 1]
    widths = np.asarray(r["width"])
    ratio = r["p_nc"] / p_star - 1.0
    ok = r["c2"] <= 1 + 1e-4
    jitter = 0.04 * (np.arange(widths.size) % 5 - 2)
    x = widths * (1 + jitter)
    for mask, lab, mk, col in (
        (st & ok, "stationary, C2 holds", "o", COLORS[2]),
        (st & ~ok, "stationary, C2 fails", "x", COLORS[1]),
    ):
        if mask.any():
            ax.plot(x[mask], np.maximum(ratio[mask], 1e-12), mk, color=col, label=lab)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=6))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("width m")
    ax.set_ylabel(r"$p_{nc}/p^\star - 1$ (floored at 1e-12)")
    ax.set_title("(b) is the stationary point global?")
    ax.legend(fontsize=7, loc="upper right")
    return fig


def plot_sensitivity(res: Mapping[str, Results]):
    r = res["sensitivity"]
    p_star = float(r["p_star"])
    opts, lrs = r["optimizers"], r["lrs"]
    fig, axes = figure(1, 3)
    ax = axes[0, 0]
    for a, opt in enumerate(opts):
        for i in range(lrs.shape[1]):
            for s in range(r["traces"].shape[2]):
                ax.plot(
                    r["trace_steps"], r["traces"][a, i, s] / p_star - 1, color=COLORS[i],
                    ls=_STYLES[a], lw=0.8, label=f"{opt} lr={lrs[a, i]:g}" if s == 0 else None,
                )  # fmt: skip
    ax.set_xscale("log")
    _symlog(ax, r"$(F-p^\star)/p^\star$")
    ax.set_xlabel("iteration")
    ax.set_title(f"{r['dataset']}: SGD / Adam")
    ax.legend(fontsize=5)
    ax = axes[0, 1]
    names = list(r["convex_settings"])
    vals = list(r["convex_objectives"] / p_star - 1)
    for a, opt in enumerate(opts):
        for i in range(lrs.shape[1]):
            f = r["finals"][a, i]
            names.append(f"{opt} lr={lrs[a, i]:g}")
            fin = f[np.isfinite(f)]
            vals.append(float(np.median(fin)) / p_star - 1 if fin.size else np.nan)
    n_cvx = len(r["convex_settings"])
    cols = [COLORS[2]] * n_cvx + [COLORS[0]] * (len(names) - n_cvx)
    ax.bar(np.arange(len(names)), np.nan_to_num(vals, nan=0.0), color=cols)
    for x, v in enumerate(vals):
        if not np.isfinite(v):
            ax.text(x, 1e-6, "diverged", rotation=90, ha="center", va="bottom", fontsize=6)
    ax.set_xticks(np.arange(len(names)), names, rotation=90, fontsize=6)
    _symlog(ax, "relative gap (median over seeds)")
    ax.set_title("convex solvers vs lrs")
    ax = axes[0, 2]
    acc = r["test_acc"]
    for a in range(len(opts)):
        for i in range(lrs.shape[1]):
            x = a * lrs.shape[1] + i
            ax.plot(np.full(acc.shape[2], x), acc[a, i], "o", ms=3, color=COLORS[a])
    ax.axhline(float(r["convex_test_acc"]), color=COLORS[2], lw=1.5, label="convex (mapped)")
    ax.set_xticks(
        range(len(opts) * lrs.shape[1]),
        [f"{o} {lrs[a, i]:g}" for a, o in enumerate(opts) for i in range(lrs.shape[1])],
        rotation=90,
        fontsize=6,
    )
    ax.set_ylabel("test accuracy")
    ax.set_title(f"n_train={r['n_train']}, n_test={r['n_test']}")
    ax.legend()
    return fig


def plot_rank(res: Mapping[str, Results]):
    r = res["rank"]
    ns = np.asarray(r["n_grid"], float)
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    markers = ("o", "x", "s", "^")
    for a, k in enumerate(r["ranks"]):
        ax.plot(ns, r["formula"][a], "-", color=COLORS[a], lw=1.0, label=f"r={k}: Cover count")
        ax.plot(ns, r["bound"][a], "--", color=COLORS[a], lw=1.0, label=f"r={k}: 2r(e(n-1)/r)^r")
        for b in range(len(r["dims"])):
            ax.plot(ns, r["counts"][a, b], markers[b % 4], color=COLORS[a], ms=5, mfc="none")
    for b, d in enumerate(r["dims"]):
        ax.plot([], [], markers[b % 4], color="gray", mfc="none", label=f"enumerated, d={d}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("number of patterns P")
    ax.set_title("(a) pattern count of rank-r data")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.set_ylim(1, 1e13)
    ax = axes[0, 1]
    mid = np.sqrt(ns[1:] * ns[:-1])
    for a, k in enumerate(r["ranks"]):
        for b, d in enumerate(r["dims"]):
            ax.plot(
                mid, r["slopes"][a, b], markers[b % 4] + "-", color=COLORS[a], mfc="none",
                label=f"r={k}, d={d}",
            )  # fmt: skip
        ax.axhline(float(k), color=COLORS[a], ls=":", lw=1.0)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("n (geometric mid-point)")
    ax.set_ylabel("local slope d log P / d log n")
    ax.set_title("(b) polynomial degree (dotted: r)")
    ax.set_ylim(-0.5, float(np.max(r["ranks"])) + 1.5)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return fig


def plot_cifar(res: Mapping[str, Results]):
    r = res["cifar"]
    fig, axes = figure(1, 3)
    for j, (key, lab) in enumerate(
        (("test_acc", "test accuracy"), ("train_acc", "train accuracy"), ("objective", "objective"))
    ):
        ax = axes[0, j]
        for i, name in enumerate(r["labels"]):
            ls = "-" if name.startswith("Convex") else "--"
            ax.plot(r[f"time_{i}"], r[f"{key}_{i}"], ls, color=COLORS[i % 8], label=name)
        ax.set_xlabel("wall-clock time (s)")
        ax.set_ylabel(lab)
        if key == "objective":
            ax.set_yscale("log")
    axes[0, 0].set_title(str(r["source"]), fontsize=7)
    axes[0, 0].legend(fontsize=6)
    return fig

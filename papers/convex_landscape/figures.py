"""Figures (pure plotting): results in, matplotlib Figure out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullFormatter, NullLocator

from common.plotting import COLORS, figure
from common.results import Results

_LINTHRESH = 1e-8
_STYLES = ("-", "--", ":", "-.")


def _lr(v: float) -> str:
    """Compact learning-rate label: 0.001 -> 1e-3, 0.005 -> 5e-3, 0.1 -> 0.1."""
    return f"{v:g}" if v >= 0.01 else f"{v:.0e}".replace("e-0", "e-")


_GAP_TICKS = (-1e-6, 0.0, 1e-6, 1e-3, 1.0, 1e3, 1e6)


def _symlog(ax, label: str, top: float = 1e3) -> None:
    """Symlog relative-gap axis: 0 is the optimum; values below it would show as negative."""
    ax.set_yscale("symlog", linthresh=_LINTHRESH)
    ax.set_ylim(-1e-6, top)
    ticks = [t for t in _GAP_TICKS if t <= top]
    ax.set_yticks(ticks, ["0" if t == 0 else f"{t:.0e}".replace("e+0", "e").replace("e-0", "e-")
                          for t in ticks])  # fmt: skip
    ax.yaxis.set_minor_locator(NullLocator())
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
        _symlog(ax, r"$(F-p^\star)/p^\star$", top=1e6)
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
    _symlog(ax, "final relative gap", top=1e6)
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
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.12))
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
    ax.legend(fontsize=7)
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
    ax.legend(fontsize=7)
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
    fig, axes = figure(2, 2)
    gs = axes[1, 0].get_gridspec()
    for ax in axes[1]:
        ax.remove()
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
    ax.set_title(f"(a) {r['dataset']}: SGD / Adam runs", fontsize=9)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=7)
    ax = axes[0, 1]
    acc = r["test_acc"]
    ticks = []
    for a, opt in enumerate(opts):
        for i in range(lrs.shape[1]):
            x = a * lrs.shape[1] + i
            ax.plot(np.full(acc.shape[2], x), acc[a, i], "o", ms=3, color=COLORS[a])
            ticks.append(f"{opt}\n{_lr(lrs[a, i])}")
    ax.axhline(float(r["convex_test_acc"]), color=COLORS[2], lw=1.5, label="convex (mapped)")
    ax.set_xticks(range(len(ticks)), ticks, fontsize=7)
    ax.set_ylabel("test accuracy")
    ax.set_title(f"(b) test acc. (n={r['n_train']}/{r['n_test']})", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax = fig.add_subplot(gs[1, :])
    names = list(r["convex_settings"])
    vals = list(r["convex_rel_dev"])  # each convex setting against its own program's optimum
    for a, opt in enumerate(opts):
        for i in range(lrs.shape[1]):
            f = r["finals"][a, i]
            names.append(f"{opt} lr={lrs[a, i]:g} (median)")
            fin = f[np.isfinite(f)]
            vals.append(float(np.median(fin)) / p_star - 1 if fin.size else np.nan)
    n_cvx = len(r["convex_settings"])
    cols = [COLORS[2]] * n_cvx + [COLORS[0]] * (len(names) - n_cvx)
    x = np.arange(len(names))
    ax.bar(x, np.nan_to_num(vals, nan=0.0), color=cols)
    for k, v in enumerate(vals):
        if not np.isfinite(v):
            ax.text(k, 2e-8, "diverged", rotation=90, ha="center", va="bottom", fontsize=7)
    short = [
        n.replace("relu:", "").replace("gated:", "gated ").replace(" (max_iter", "\n(max_iter")
        .replace(" eps_abs=1e-07 eps_rel=1e-07", " eps 1e-7") for n in names
    ]  # fmt: skip
    ax.set_xticks(x, short, rotation=90, fontsize=7)
    _symlog(ax, "relative gap to optimum")
    ax.set_title(
        "(c) final gap to the optimum, convex (green) vs SGD/Adam (blue)\n"
        "(ReLU: p*; gated: the gated optimum; below 0: infeasible AL iterate)",
        fontsize=9,
    )  # fmt: skip
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
    labels = list(r["labels"])
    fig, axes = figure(2, 2)
    handles = []
    for j, (key, lab) in enumerate(
        (
            ("test_acc", "test accuracy"),
            ("train_acc", "train accuracy"),
            ("objective", "objective (each model's own)"),
        )
    ):
        ax = axes.flat[j]
        for i, name in enumerate(labels):
            ls = "-" if name.startswith("Convex") else "--"
            t = np.asarray(r[f"time_{i}"]).mean(axis=0)  # (seeds, epochs) -> mean per epoch
            (h,) = ax.plot(t, np.asarray(r[f"{key}_{i}"]).mean(axis=0), ls, marker=".",
                           color=COLORS[i % 8], label=name)  # fmt: skip
            if j == 0:
                handles.append(h)
        ax.set_xlabel("wall-clock time (s)")
        ax.set_ylabel(lab.split(" (")[0])
        ax.set_title(f"({'abc'[j]}) {lab}", fontsize=9)
        if key == "objective":
            ax.set_yscale("log")
        else:
            ax.set_ylim(max(0.0, float(ax.get_ylim()[0])), 1.005)
    ax = axes[1, 1]
    acc = np.asarray(r["final_test_acc"], float)
    for i in range(len(labels)):
        ax.plot(np.full(acc.shape[1], i), acc[i], "o", ms=3, color=COLORS[i % 8])
    short = [
        f"{n.split(' ')[0].replace('Convex-', '').replace('Random', 'Rand')}\n{_lr(float(v))}"
        for n, v in zip(labels, r["setting_lrs"], strict=True)
    ]
    ax.set_xticks(range(len(labels)), short, fontsize=7)
    ax.set_ylabel("final test accuracy")
    ax.set_title(f"(d) final test accuracy, {acc.shape[1]} seeds", fontsize=9)
    fig.suptitle(
        f"{r['source']}: n_train={r['n_train']}, n_test={r['n_test']}; curves: mean over seeds",
        fontsize=9,
    )
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=7)
    return fig


def plot_activations(res: Mapping[str, Results]):
    r = res["activations"]
    names = [str(a) for a in r["activation"]]
    p_star = np.asarray(r["p_star"], float)
    finals, traces, lrs, opts = r["finals"], r["traces"], r["lrs"], r["optimizers"]
    widths = np.asarray(r["widths"])
    fig, axes = figure(2, 2)
    markers = ("o", "s", "^", "v")
    for k, name in enumerate(names):
        ax = axes[0, k]
        labels = []
        for a in range(len(opts)):
            for i in range(lrs.shape[1]):
                x = len(labels)
                for b in range(widths.shape[1]):
                    v = finals[k, a, i, b] / p_star[k] - 1.0
                    v = np.where(np.isfinite(v), v, np.nan)
                    ax.plot(np.full(v.size, x + 0.2 * (b - 1)), v, markers[b % 4], ms=3,
                            color=COLORS[a], alpha=0.7)  # fmt: skip
                labels.append(_lr(lrs[a, i]))
        ax.set_xticks(range(len(labels)), labels, fontsize=7)
        _symlog(ax, "final relative gap", top=1e3)
        ax.set_title(f"({'ab'[k]}) {name}: m*={int(r['m_star'][k])}", fontsize=9)
        handles = [
            Line2D([], [], color=COLORS[a], marker="s", ls="", ms=4, label=opt)
            for a, opt in enumerate(opts)
        ]
        handles += [
            Line2D([], [], color="gray", marker=markers[b % 4], ls="", ms=4,
                   label=f"m={widths[k, b]}")
            for b in range(widths.shape[1])
        ]  # fmt: skip
        ax.set_xlabel("learning rate (colour: optimizer)")
        ax.legend(handles=handles, fontsize=7, ncol=3, loc="upper right")
    ax = axes[1, 0]
    steps = r["trace_steps"]
    for k, name in enumerate(names):
        for a, opt in enumerate(opts):
            t = traces[k, a] / p_star[k] - 1.0  # (lr, width, seed, T)
            t = np.where(np.isfinite(t), t, np.nan).reshape(-1, steps.size)
            best = np.nanmin(t, axis=0)
            ax.plot(steps, best, _STYLES[k], color=COLORS[a], label=f"{name.split(' (')[0]}, {opt}")
    ax.axhline(1e-3, color="k", ls=":", lw=1.0)
    ax.axvline(float(r["compare_steps"]), color="gray", ls=":", lw=1.0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 1e1)
    ax.set_xlabel("iteration")
    ax.set_ylabel(r"best run's $(F-p^\star)/p^\star$")
    ax.set_title("(c) best run per optimizer (dotted: 1e-3)", fontsize=9)
    ax.legend(fontsize=7, ncol=1, loc="upper right")
    ax = axes[1, 1]
    beta = float(r["beta"])
    for k, name in enumerate(names):
        for key, mk, lab in (
            ("dual_values", ".", "optimum"),
            ("dual_values_perturbed", "x", f"{r['perturb_scale']:g} x opt."),
        ):
            v = np.sort(np.asarray(r[key][k]))[::-1] / beta
            ax.plot(np.arange(1, v.size + 1), v, mk, ms=2.5, color=COLORS[k],
                    label=f"{name.split(' (')[0]}, {lab}")  # fmt: skip
    ax.axhline(1.0, color="k", lw=1.0)
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e2)
    ax.set_xlabel(f"pattern (sorted; {int(r['n_cells'])} cells)")
    ax.set_ylabel(r"C2 value / $\beta$ (feasible: $\leq 1$)")
    ax.set_title("(d) dual constraint over all patterns", fontsize=9)
    ax.legend(fontsize=7, loc="lower left", markerscale=2)
    return fig

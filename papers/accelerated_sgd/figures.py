"""Figures: results in, matplotlib Figure out (pure plotting).

Every seed is drawn (thin lines), with the theory curves the brief names. A run that
diverged leaves the axes at the top of the panel (its later values are ``inf``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure, legend_below
from common.results import Results
from papers.accelerated_sgd.rates import loglog_slope

LABELS = {
    "sgd": "SGD, eta = 1/(rho L)",
    "sgd_lmax": "SGD, eta = 1/L_max",
    "sagd_v1": "SAGD, v1 parameters (momentum form)",
    "sagd_corrected": "SAGD, corrected coupling c = rho",
    "semi_stochastic": "semi-stochastic scheme (v1 coupling)",
    "gd": "GD (exact gradient)",
    "agd": "AGD (exact gradient)",
}
COLOR = dict(zip(LABELS, (*COLORS[:6], COLORS[2]), strict=True))  # AGD never meets v1 SAGD
#: Upper limit of the relative-suboptimality axes (diverging runs leave the panel).
TOP = 1e12


def _seed_lines(ax, k, gap: np.ndarray, method: str, style: str = "-") -> None:
    """One thin line per seed (rows of ``gap``), labelled once."""
    for s, row in enumerate(gap):
        ax.plot(
            k,
            np.minimum(row, TOP * 10),
            style,
            color=COLOR[method],
            lw=0.8,
            alpha=0.8,
            label=LABELS[method] if s == 0 else None,
        )


def _bound(ax, k, bound, label: str, style: str = "--", color: str = COLORS[7]) -> None:
    ax.plot(k, bound, style, color=color, lw=1.3, label=label)


def _trajectory_pair(row, k, gaps, methods, bounds, zoom: tuple, titles: tuple) -> None:
    """Left: whole runs (every seed) with the theory curves; right: the first iterations.
    ``bounds``: (k, values, label, style); ``zoom``: (last k, lowest y, highest y)."""
    for ax, zoomed, title in zip(row, (False, True), titles, strict=True):
        for gap, method in zip(gaps, methods, strict=True):
            _seed_lines(ax, k, gap, str(method), ":" if method == "sagd_corrected" else "-")
        for kb, values, label, style in bounds:
            _bound(ax, kb, values, label, style)
        ax.set_yscale("log")
        ax.set_xlabel("iteration k")
        ax.set_ylabel("(f(w_k) - f*) / (f(w_0) - f*)")
        ax.set_title(title)
        if zoomed:
            ax.set_xlim(0, zoom[0])
            ax.set_ylim(zoom[1], zoom[2])
        else:
            ax.set_ylim(1e-30, TOP)


def plot_falsification(results: Mapping[str, Results]):
    r = results["falsification"]
    dims = [int(d) for d in r["dims"]]
    fig, axes = figure(len(dims), 2)
    for row, d in zip(axes, dims, strict=True):
        gap = r[f"a_gap_{d}"]
        k = np.arange(gap.shape[-1])
        bounds = (
            (k, r[f"a_v1_bound_{d}"], "v1 bound 2(1 - 1/sqrt(d+2))^k (R3)", "--"),
            (k[k < d], 1 - k[k < d] / d, "span lower bound 1 - k/d", "-."),
        )
        titles = (f"population LS, d = {d}, rho = {d + 2}", f"d = {d}: first 4 sqrt(d) steps")
        _trajectory_pair(row, k, gap, r["methods"], bounds, (4 * np.sqrt(d), 1e-2, 1e2), titles)
    legend_below(fig, axes[0], ncols=2)
    return fig


def plot_falsification_finite_sum(results: Mapping[str, Results]):
    r = results["falsification"]
    gap = r["b_gap"]
    k = np.arange(gap.shape[-1])
    fig, axes = figure(1, 2)
    bounds = (
        (k, r["b_v1_bound"], "v1 bound (R3)", "--"),
        (k, r["b_sgd_lmax_bound"], "R2 bound, SGD at 1/L_max", ":"),
    )
    titles = (f"finite-sum LS, rho = {r['b_rho']:.0f}", "first 400 iterations")
    _trajectory_pair(axes[0], k, gap, r["b_methods"], bounds, (400, 1e-6, 1e3), titles)
    legend_below(fig, axes[0], ncols=2)
    return fig


def plot_semi_bound(results: Mapping[str, Results]):
    r = results["semi_bound"]
    names = [str(p) for p in r["problems"]]
    fig, axes = figure((len(names) + 1) // 2, 2)
    flat = axes.ravel()
    for ax, name in zip(flat, names, strict=False):
        gap = r[f"gap_{name}"]
        k = np.arange(gap.shape[-1])
        _seed_lines(ax, k, gap, "semi_stochastic")
        ax.plot(k, gap.mean(axis=0), color=COLORS[7], lw=1.2, label="seed mean")
        _bound(ax, k, r[f"bound_{name}"], "R3 bound", "--", COLORS[1])
        ax.set_yscale("log")
        ax.set_xlabel("iteration k")
        ax.set_ylabel("(f(w_k) - f*) / (f(w_0) - f*)")
        ax.set_title(f"{name}: rho {r[f'rho_{name}']:.0f}, kappa {r[f'kappa_{name}']:.3g}")
    for ax in flat[len(names) :]:
        ax.remove()
    legend_below(fig, flat[: len(names)], ncols=3)
    return fig


def plot_acceleration(results: Mapping[str, Results]):
    r = results["acceleration"]
    kappas, stoch = r["kappas"], r["stochastic_kappas"]
    det, sto = r["deterministic_iterations"], r["stochastic_iterations"]
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for m, method in enumerate(("gd", "agd")):
        ax.plot(kappas, det[m].T, "o-", color=COLOR[method], ms=3, lw=0.8)
        ax.plot([], [], "o-", color=COLOR[method], label=LABELS[method])
    for m, method in enumerate(("sgd", "sagd_corrected")):
        runs = sto[m].transpose(1, 0, 2).reshape(len(stoch), -1)
        ax.plot(stoch, runs, "s--", color=COLOR[method], ms=3, lw=0.8)
        ax.plot([], [], "s--", color=COLOR[method], label=LABELS[method] + ", b = 500")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("condition number kappa")
    ax.set_ylabel("iterations to 1e-6")
    ax.set_title("iterations to 1e-6 relative suboptimality")
    ax = axes[0, 1]
    ratio = det[0] / det[1]
    slope, half = loglog_slope(np.broadcast_to(kappas, ratio.shape), ratio)
    ax.plot(kappas, ratio.T, "o-", color=COLOR["agd"], ms=3, lw=0.8)
    ax.plot([], [], "o-", color=COLOR["agd"], label=f"GD / AGD (slope {slope:.2f} +- {half:.2f})")
    sratio = (sto[0] / sto[1]).transpose(1, 0, 2).reshape(len(stoch), -1)
    ax.plot(stoch, sratio, "s--", color=COLOR["sagd_corrected"], ms=3, lw=0.8)
    ax.plot([], [], "s--", color=COLOR["sagd_corrected"], label="SGD / corrected SAGD")
    guide = np.sqrt(kappas) * ratio[:, 0].mean() / np.sqrt(kappas[0])
    ax.plot(kappas, guide, ":", color=COLORS[7], label="sqrt(kappa) guide")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("condition number kappa")
    ax.set_ylabel("speed-up (iteration ratio)")
    ax.set_title("acceleration")
    legend_below(fig, axes[0], ncols=2)
    return fig


def plot_rho_dependence(results: Mapping[str, Results]):
    r = results["rho_dependence"]
    rho, iters, kappa = r["rho_batch"], r["iterations"], float(r["kappa"])
    fig, axes = figure(1, 2)
    ax = axes[0, 0]
    for m, method in enumerate(r["methods"]):
        color = COLOR[str(method)]
        finite = np.where(np.isfinite(iters[m]), iters[m], np.nan)
        ax.plot(rho, finite, "o", color=color, ms=3, alpha=0.7)
        ax.plot(rho, np.nanmean(finite, axis=1), "-", color=color, label=LABELS[str(method)])
    log_eps = np.log(1e6)
    for curve, label, style in (
        (rho * kappa, "rho kappa log(1/eps) (SGD, R1)", "--"),
        (rho * np.sqrt(kappa), "rho sqrt(kappa) log(1/eps) (corrected)", "-."),
        (np.sqrt(rho * kappa), "sqrt(rho kappa) log(1/eps) (v1 claim)", ":"),
    ):
        ax.plot(rho, curve * log_eps, style, color=COLORS[7], lw=1.0, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("exact SGC constant rho_b")
    ax.set_ylabel("iterations to 1e-6")
    ax.set_title(f"iterations, kappa = {kappa:.3g} (no marker: diverged)")
    ax = axes[0, 1]
    for m, method in enumerate(r["methods"]):
        ax.plot(rho, r["rho_empirical"][m], "o-", color=COLOR[str(method)], ms=3)
    ax.plot(rho, rho, "--", color=COLORS[7], lw=1.0, label="rho_b (worst case)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("exact SGC constant rho_b")
    ax.set_ylabel("mean ||g_k||^2 / ||grad f(y_k)||^2")
    ax.set_title("SGC ratio met along the trajectory")
    legend_below(fig, axes[0], ncols=2)
    return fig


def _local_slopes(k: np.ndarray, gap: np.ndarray, per_decade: int = 8):
    """d log f / d log k between log-spaced iterations (for the slope panel)."""
    grid = np.unique(np.round(np.logspace(0, np.log10(k[-1]), per_decade * 6)).astype(int))
    g = gap[grid]
    return np.sqrt(grid[1:] * grid[:-1]), np.diff(np.log(g)) / np.diff(np.log(grid))


def plot_convex(results: Mapping[str, Results]):
    r = results["convex"]
    gaps = r["mean_gap"]
    k = np.arange(gaps.shape[1])
    fig, axes = figure(1, 2)
    ax, sx = axes[0]
    for m, method in enumerate(r["methods"]):
        color = COLOR[str(method)]
        ax.plot(k[1:], gaps[m, 1:], color=color, label=LABELS[str(method)])
        sx.plot(*_local_slopes(k, gaps[m]), color=color)
    ax.plot(
        k[1:],
        r["r4_bound"][1:],
        "--",
        color=COLOR["semi_stochastic"],
        lw=1.0,
        label="R4 bound (semi-stochastic)",
    )
    for power, style in ((1, ":"), (2, "-.")):
        ax.plot(k[1:], k[1:] ** -float(power), style, color=COLORS[7], lw=1.0, label=f"k^-{power}")
        sx.axhline(-power, ls=style, color=COLORS[7], lw=1.0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 1e3)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("f(w_k) / f(w_0), seed mean")
    ax.set_title(f"rho_1 = {r['rho1']:.3g}, rho_b = {r['rho_batch']:.3g}")
    sx.set_xscale("log")
    sx.set_ylim(-4, 0.5)
    sx.set_xlabel("iteration k")
    sx.set_ylabel("local slope d log f / d log k")
    sx.set_title("local log-log slope")
    legend_below(fig, axes[0], ncols=2)
    return fig

"""Figures: results in, matplotlib Figure out (pure plotting)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.ticker import NullFormatter

from common.plotting import COLORS, figure, legend_below
from common.results import Results


def envelope_constant(n_grid, rho) -> float:
    """Smallest C with rho <= C sqrt(log 2n) for every run (rho: (..., len(n_grid), seeds, m))."""
    scale = np.sqrt(np.log(2 * np.asarray(n_grid, float)))
    r = np.moveaxis(np.asarray(rho, float), -3, -1)  # (..., seeds, m, n)
    return float(np.nanmax(r / scale))


def _label(r) -> str:
    return "exact p*" if bool(np.all(r["exact"])) else "PROXY p* (upper bound)"


def _regime_i_panels(axes, r, tag: str) -> None:
    """rho and rho / sqrt(log 2n) against n, median and IQR per rule, with the envelope."""
    ns, rules, rho = np.asarray(r["n_grid"], float), [str(x) for x in r["rules"]], r["rho"]
    flat = rho.reshape(-1, len(ns), rho.shape[-2], rho.shape[-1])  # (target*beta, n, seed, rule)
    flat = np.moveaxis(flat, 1, -1).reshape(-1, len(rules), len(ns))  # (runs, rule, n)
    scale = np.sqrt(np.log(2 * ns))
    C = envelope_constant(ns, rho)
    for ax, div in zip(axes, (1.0, scale), strict=True):
        for j, rule in enumerate(rules):
            q = np.nanpercentile(flat[:, j, :] / div, [25, 50, 75], axis=0)
            ax.plot(ns, q[1], "o-", color=COLORS[j], label=f"m rule {rule}")
            ax.fill_between(ns, q[0], q[2], color=COLORS[j], alpha=0.2)
        ax.set_xscale("log")
        ax.set_xticks(ns, [str(int(n)) for n in ns], minor=False)
        ax.set_xticks([], minor=True)
        ax.set_xlabel("n")
    axes[0].plot(ns, C * scale, "k--", label=f"{tag} C sqrt(log 2n), C={C:.2f}")
    axes[0].axhline(1.0, color="gray", lw=1)
    axes[0].set_ylabel("rho = relaxed / p*")
    axes[0].set_title(f"{tag} d={int(r['d'])}, {_label(r)}")
    axes[1].set_ylabel("rho / sqrt(log 2n)")
    axes[1].set_title(f"{tag} normalised by the rate")


def plot_ratio(results: Mapping[str, Results]):
    fig, axes = figure(2, 2)
    _regime_i_panels(axes[0], results["ratio"], "(i)")
    _a1_panels(axes[1], results["a1"])
    legend_below(fig, axes.ravel(), ncols=3)
    return fig


def plot_bias(results: Mapping[str, Results]):
    fig, axes = figure(1, 2)
    _regime_i_panels(axes[0], results["bias"], "(i)+bias")
    legend_below(fig, axes.ravel(), ncols=3)
    return fig


def plot_gates(results: Mapping[str, Results]):
    r = results["ratio"]
    ns, m, rho, rg = np.asarray(r["n_grid"]), r["m"], r["rho"], r["rho_gated"]
    rules = [str(x) for x in r["rules"]]
    fig, axes = figure(2, 2)
    ax = axes[0, 0]
    for i, n in enumerate(ns):
        order = np.argsort(m[i], kind="stable")
        runs = rho[:, :, i].reshape(-1, rho.shape[-1])
        for k, run in enumerate(runs):
            ax.plot(m[i][order], run[order], "o-", color=COLORS[4 + i % 4], alpha=0.6,
                    label=f"n={n}" if k == 0 else None)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("gates m (nested)")
    ax.set_ylabel("rho")
    ax.set_title(f"rho against m ({_label(r)})")
    ax = axes[0, 1]
    ax.scatter(rho.ravel(), rg.ravel(), s=10, color=COLORS[7], label="gated (rho_G)")
    lo, hi = np.nanmin([rho, rg]), np.nanmax([rho, rg])
    ax.plot([lo, hi], [lo, hi], "k--", label="diagonal (= rho)")
    ax.axhline(1.0, color="gray", lw=1)
    ax.set_xlabel("rho (constrained)")
    ax.set_ylabel("rho_G (gated)")
    ax.set_title("gated relaxation, same gates")
    ax = axes[1, 0]
    for j, rule in enumerate(rules):
        ax.scatter(rho[..., j].ravel(), r["rho_dec"][..., j].ravel(), s=12, color=COLORS[j],
                   label=f"m rule {rule}")  # fmt: skip
    lo, hi = np.nanmin(rho), np.nanmax(r["rho_dec"])
    ax.plot([lo, hi], [lo, hi], "k--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rho (constrained)")
    ax.set_ylabel("rho_dec = decomposed / p*")
    ax.set_title("gated + cone decomposition")
    ax = axes[1, 1]
    blow = np.moveaxis(r["blow_up"], 2, -1).reshape(-1, len(rules), len(ns))  # (runs, rule, n)
    for j in range(len(rules)):
        q = np.nanpercentile(blow[:, j], [25, 50, 75], axis=0)
        ax.plot(ns, q[1], "o-", color=COLORS[j])
        ax.fill_between(ns, q[0], q[2], color=COLORS[j], alpha=0.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(ns, [str(int(n)) for n in ns], minor=False)
    ax.set_xticks([], minor=True)
    ax.set_xlabel("n")
    ax.set_ylabel("sum(|a_i|+|b_i|) / sum|u_i|")
    ax.set_title("norm blow-up (median, IQR)")
    legend_below(fig, axes.ravel(), ncols=5)
    return fig


def plot_gd(results: Mapping[str, Results]):
    r = results["ratio"]
    rules = [str(x) for x in r["rules"]]
    j = rules.index(str(r["gd_rule"]))
    rho, gd = r["rho"][..., j], r["rho_gd"]
    fig, axes = figure(1, 1)
    ax = axes[0, 0]
    for w, lab in enumerate(("width m", "width 2m")):
        ax.scatter(rho.ravel(), gd[..., w].ravel(), s=14, color=COLORS[w], label=f"GD, {lab}")
    lo, hi = min(np.nanmin(rho), np.nanmin(gd)), max(np.nanmax(rho), np.nanmax(gd))
    ax.plot([lo, hi], [lo, hi], "k--", label="rho_GD = rho")
    ax.set_xlabel(f"rho of the relaxation (m rule {rules[j]})")
    ax.set_ylabel("rho_GD = GD objective / p*")
    ax.set_title(f"GD vs relaxation ({_label(r)})")
    legend_below(fig, axes.ravel(), ncols=1)
    return fig


def _a1_panels(axes, r):
    """Regime (ii) (exact, A1) and regime (iii) (PROXY) panels: median rho against n."""
    rules, ratios = [str(x) for x in r["rules"]], np.asarray(r["ratios"])
    enum, n = np.asarray(r["enumerated"], bool), np.asarray(r["n"], float)
    med = np.nanmedian(r["rho"], axis=(0, 2))  # (size, rule), over targets and seeds
    n_uncert = int(np.sum(~r["exact"][:, enum] & np.isfinite(r["rho"][:, enum][..., 0])))
    cs = [int(c) for c in np.unique(ratios)]
    for ax, part in zip(axes, (enum, ~enum), strict=True):
        for j in range(len(rules)):
            for k, c in enumerate(cs):
                sel = part & (ratios == c)
                ax.plot(n[sel], med[sel, j], ("o-", "s--")[k % 2], color=COLORS[j])
        ax.set_xscale("log")
        ticks = np.unique(n[part])
        ax.set_xticks(ticks, [str(int(t)) for t in ticks], minor=False)
        ax.set_xticks([], minor=True)
        ax.set_xlabel("n (= c d)")
        ax.axhline(1.0, color="gray", lw=1)
    for k, c in enumerate(cs):  # colour = gate rule (as above), marker = n/d
        axes[0].plot([], [], ("o-", "s--")[k % 2], color="gray", label=f"n/d = {c} (ii, iii)")
    ex = np.where(r["exact"][..., None], r["rho"], np.nan)[:, enum]
    if np.isfinite(ex).any():
        C = float(np.nanmax(ex / np.sqrt(np.log(2 * n[enum]))[None, :, None, None]))
        xs = np.geomspace(n[enum].min(), n[enum].max(), 30)
        axes[0].plot(xs, C * np.sqrt(np.log(2 * xs)), "k:", label=f"(ii) C={C:.2f}")
    axes[0].set_ylabel("median rho = relaxed / p*")
    axes[0].set_title(f"(ii) A1, exact p* ({n_uncert} uncertified)")
    axes[1].set_ylabel("PROXY: relaxed / p~*(M)")
    dims = ", ".join(str(int(d)) for d in np.unique(r["dims"][~enum]))
    axes[1].set_title(f"(iii) A1, PROXY, M={int(r['proxy_gates'])}, d={dims}")


def loglog_slope(x, t) -> float:
    """Least-squares slope of log t against log x over the finite entries."""
    x, t = np.asarray(x, float), np.asarray(t, float)
    ok = np.isfinite(t) & (t > 0)
    return float(np.polyfit(np.log(x[ok]), np.log(t[ok]), 1)[0]) if ok.sum() >= 2 else np.nan


def plot_timing(results: Mapping[str, Results]):
    r = results["timing"]
    dm, times = np.asarray(r["dm"], float), r["times"]
    fig, axes = figure(1, 1)
    ax = axes[0, 0]
    for j, name in enumerate(r["solvers"]):
        ok = np.isfinite(times[:, j])
        s = loglog_slope(dm, times[:, j])
        ax.loglog(dm[ok], times[ok, j], "o", color=COLORS[j], label=f"{name} (slope {s:.2f})")
        if np.isfinite(s):
            c = np.polyfit(np.log(dm[ok]), np.log(times[ok, j]), 1)
            xs = np.geomspace(dm[ok].min(), dm[ok].max(), 20)
            ax.loglog(xs, np.exp(np.polyval(c, np.log(xs))), "--", color=COLORS[j])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("d * m")
    ax.set_ylabel("wall time (s)")
    ax.set_title(f"relaxation solve time, n={int(r['n'])}")
    legend_below(fig, axes.ravel(), ncols=1)
    return fig

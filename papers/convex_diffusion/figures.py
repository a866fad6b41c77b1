"""Figures (pure plotting): results in, matplotlib Figure out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure
from common.results import Results


def plot_sm_program(res: Mapping[str, Results]):
    r = res["sm_program"]
    fig, axes = figure(1, 3)
    ax = axes[0, 0]
    for i, name in enumerate(r["datasets"]):
        k = f"{name}/relu/"
        b = r[k + "betas"]
        ax.plot(b, r[k + "objective"], "o-", ms=3, color=COLORS[i], label=str(name))
        ax.plot(b, r[k + "affine_objective"], ":", color=COLORS[i])
        ax.axvline(float(r[k + "gauss_threshold_cert"]), color=COLORS[i], ls="--", lw=0.8)
        ax.axvline(float(r[k + "beta_crit"]), color=COLORS[i], ls=":", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel(r"$\beta$")
    ax.set_ylabel("optimal value (dotted: affine value)")
    ax.set_title("(a) SM optimum vs beta")
    ax.legend(fontsize=6)
    ax = axes[0, 1]
    k = "bimodal12/relu/"
    grid, b, sc = r["bimodal12/grid"], r[k + "betas"], r[k + "scores"]
    for j, idx in enumerate(np.linspace(0, b.size - 1, 4).astype(int)):
        ax.plot(grid, sc[idx], color=COLORS[j], label=rf"$\beta$={b[idx]:.3g}")
    x = r["bimodal12/x"]
    ax.plot(x, np.zeros_like(x), "k|", ms=10, label="data")
    ax.set_ylim(-30, 30)
    ax.set_xlabel("x")
    ax.set_ylabel("learned score s(x)")
    ax.set_title("(b) bimodal data: scores")
    ax.legend(fontsize=6)
    ax = axes[0, 2]
    ks = r["witness_k"]
    for i, name in enumerate(r["datasets"]):
        ax.plot(ks, -r[f"{name}/witness_below"], "o-", ms=3, color=COLORS[i], label=str(name))
        ax.plot(ks, r[f"{name}/witness_above"], "s:", ms=3, color=COLORS[i])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("witness scale K")
    ax.set_ylabel(r"$-J$ at $\beta_c/2$ (solid), $J$ at $2\beta_c$ (dotted)")
    ax.set_title(r"(c) witness, $\beta_c = 1/n$")
    ax.legend(fontsize=6)
    return fig


def plot_nonconvex(res: Mapping[str, Results]):
    r = res["nonconvex"]
    names, widths, lrs = r["datasets"], r["widths"], r["lrs"]
    fig, axes = figure(1, len(names))
    for a, name in enumerate(names):
        ax = axes[0, a]
        betas, cvx, aff = r[f"{name}/betas"], r[f"{name}/convex"], r[f"{name}/affine"]
        for w_i, w in enumerate(widths):
            fin = r[f"{name}/{w}/final"]  # (beta, lr, seed)
            for li, lr in enumerate(lrs):
                for bi in range(betas.size):
                    gap = fin[bi, li] - cvx[bi]
                    xs = np.full(gap.size, bi + 0.12 * (2 * w_i + li) - 0.2)
                    ax.plot(xs, np.maximum(gap, 1e-12), "o" if w_i == 0 else "s", ms=3,
                            color=COLORS[li + 2 * w_i], alpha=0.7,
                            label=f"m={w}, lr={lr:g}" if bi == 0 else None)  # fmt: skip
        ax.plot(np.arange(betas.size), np.maximum(aff - cvx, 1e-12), "k_", ms=20,
                label="affine value")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xticks(np.arange(betas.size), [f"{b:.3g}" for b in betas])
        ax.set_xlabel(r"$\beta$")
        ax.set_ylabel(r"$J_{nc} - J_{cvx}$ (floored at 1e-12)")
        ax.set_title(f"({'abc'[a]}) {name}")
        ax.legend(fontsize=6)
    return fig


def plot_langevin(res: Mapping[str, Results]):
    r = res["langevin"]
    cases, steps = r["cases"], r["steps"]
    fig, axes = figure(2, len(cases))
    for j, case in enumerate(cases):
        grid, p = r[f"{case}/grid"], r[f"{case}/density"]
        for row, log in ((0, False), (1, True)):
            ax = axes[row, j]
            for i, step in enumerate(steps):
                smp = r[f"{case}/samples{i}"]
                ax.hist(smp, bins=60, density=True, histtype="step", color=COLORS[i + 1],
                        label=f"Langevin, step {step:g}")  # fmt: skip
            ax.plot(grid, p, "k", lw=1, label=r"$\propto\exp\int s$")
            ax.plot(r[f"{case}/x"], np.zeros(r[f"{case}/x"].size), "k|", ms=8)
            ax.set_xlabel("x")
            if log:
                ax.set_yscale("log")
                ax.set_ylim(1e-4, 3 * p.max())
                ax.set_ylabel("density (log)")
            else:
                ax.set_ylabel("density")
                ax.set_title(f"{case}, beta={float(r[f'{case}/beta']):.3g}", fontsize=8)
            ax.set_xlim(grid[0] + 2, grid[-1] - 2)
        if j == 0:
            axes[0, 0].legend(fontsize=6)
    return fig


def plot_dsm(res: Mapping[str, Results]):
    r = res["dsm"]
    sigmas, betas, grid, x = r["sigmas"], r["betas"], r["grid"], r["x"]
    widths = r["widths"]
    fig, axes = figure(2, len(sigmas) + 1)
    for a, sigma in enumerate(sigmas):
        tag = f"{sigma:g}"
        for row, bi in enumerate((0, betas.size - 2)):
            ax = axes[row, a]
            ax.plot(grid, r[f"{tag}/convex_scores"][bi], color=COLORS[0], label="convex")
            ax.plot(grid, r[f"{tag}/{widths[-1]}/scores"][bi].T, color=COLORS[1], lw=0.7,
                    alpha=0.7)  # fmt: skip
            ax.plot([], [], color=COLORS[1], label=f"Adam, m={widths[-1]}")
            ax.plot(grid, -(grid - 0.5) / 1.0, "k--", lw=1, label="true data score")
            ax.plot(grid, -(grid - 0.5) / (1.0 + sigma**2), "k:", lw=1, label="noised score")
            ax.plot(x, np.zeros_like(x), "k|", ms=8)
            ax.set_ylim(-1.5 / sigma, 1.5 / sigma)
            ax.set_xlabel("x")
            ax.set_ylabel("score")
            ax.set_title(f"sigma={tag}, beta={betas[bi]:g}", fontsize=8)
            if a == 0 and row == 0:
                ax.legend(fontsize=6)
    for row, w in enumerate(widths[:2]):
        ax = axes[row, -1]
        for a, sigma in enumerate(sigmas):
            tag = f"{sigma:g}"
            gap = r[f"{tag}/{w}/final"] - r[f"{tag}/convex"][:, None]
            for s in range(gap.shape[1]):
                ax.plot(betas, np.maximum(gap[:, s], 1e-12), "o-", ms=3, color=COLORS[a],
                        alpha=0.6, label=f"sigma={tag}" if s == 0 else None)  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$\beta$")
        ax.set_ylabel(r"$J_{Adam} - J_{cvx}$")
        ax.set_title(f"objective gap, m={w}", fontsize=8)
        ax.legend(fontsize=6)
    return fig


def plot_multivariate(res: Mapping[str, Results]):
    r = res["multivariate"]
    fig, axes = figure(1, 3)
    ax = axes[0, 0]
    ok = r["status"] == "optimal"
    ax.plot(r["betas"][ok], r["objective"][ok], "o-", label="optimal")
    ax.plot(r["betas"][~ok], np.zeros((~ok).sum()), "rx", ms=8, label="solver: unbounded")
    ax.set_xlabel(r"$\beta$")
    ax.set_ylabel("optimal value")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_title("(a) gated SM program")
    ax.legend(fontsize=6)
    X = r["X"]
    if "field" in r:
        ax = axes[0, 1]
        pts, f = r["field_grid"], r["field"]
        ax.quiver(pts[:, 0], pts[:, 1], f[:, 0], f[:, 1], color=COLORS[0])
        ax.plot(X[:, 0], X[:, 1], "k.", label="data")
        ax.set_aspect("equal")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title(f"(b) score field, beta={float(r['sample_beta']):g}")
        ax = axes[0, 2]
        smp = r["samples"]
        ax.plot(smp[:, 0], smp[:, 1], ".", ms=1, alpha=0.3, color=COLORS[1], label="Langevin")
        ax.plot(X[:, 0], X[:, 1], "k.", label="data")
        ax.set_aspect("equal")
        ax.set_xlim(-4, 4)
        ax.set_ylim(-4, 4)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title("(c) samples")
        ax.legend(fontsize=6)
    return fig

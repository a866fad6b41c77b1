"""Figures of the Riemannian preconditioned LoRA replication (pure plotting)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.plotting import COLORS, figure
from common.results import Results

LABELS = {"scaled_gd": "scaled GD", "gd": "GD", "sgd": "SGD", "adamw": "AdamW",
          "scaled_adamw": "scaled AdamW", "scaled_adamw_jacobi": "scaled AdamW, Jacobi (peft)",
          "scaled_adamw_b78": "scaled AdamW, β=(0.7, 0.8)"}  # fmt: skip
COLOR = {"scaled_gd": COLORS[0], "gd": COLORS[1], "sgd": COLORS[1], "adamw": COLORS[3],
         "scaled_adamw": COLORS[2], "scaled_adamw_jacobi": COLORS[5],
         "scaled_adamw_b78": COLORS[4]}  # fmt: skip


def _best_panel(ax, x, best, methods, cap, xlabel):
    for m, name in enumerate(methods):
        y = best[m]
        ok = np.isfinite(y)
        ax.loglog(x[ok], y[ok], "o-", color=COLOR[name], label=LABELS[name])
        if (~ok).any():
            ax.loglog(x[~ok], np.full((~ok).sum(), cap), "^", color=COLOR[name], mfc="none",
                      label=f"{LABELS[name]}: not converged by cap")  # fmt: skip
    ax.axhline(cap, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("iterations (best lr, median)")
    ax.legend()


def _map_panel(ax, iters, kappas, lrs, title):
    frac = (iters >= 0).mean(axis=-1)  # (kappa, lr): fraction of seeds converged
    ax.imshow(frac.T, origin="lower", aspect="auto", cmap="Greens", vmin=0, vmax=1)
    ax.set_xticks(range(len(kappas)), [f"{k:g}" for k in kappas])
    ax.set_yticks(range(len(lrs)), [f"{v:g}" for v in lrs])
    ax.set_xlabel("target condition number κ")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    ax.grid(False)
    for (k, j), f in np.ndenumerate(frac):
        ax.text(k, j, f"{f:.0%}", ha="center", va="center", fontsize=7,
                color="white" if f > 0.6 else "black")  # fmt: skip


def _kappa_figure(res: Results, what: str):
    fig, axes = figure(1, 4)
    methods, cap = list(res["methods"]), int(res["n_iter"])
    _best_panel(axes[0, 0], res["kappas"], res["best_iters"], methods, cap,
                "target condition number κ")  # fmt: skip
    axes[0, 0].set_title(f"{what}: rel. error {res['tol']:g}")
    for m, name in enumerate(methods):
        _map_panel(axes[0, 1 + m], res["iters"][m], res["kappas"], res["lrs"],
                   f"{LABELS[name]}: seeds converged")  # fmt: skip
    _best_panel(axes[0, 3], res["data_kappas"], res["data_best_iters"], methods, cap,
                "data condition number (target κ = 1)")  # fmt: skip
    axes[0, 3].set_title("ill-conditioned data")
    return fig


def plot_condition_number(results: Mapping[str, Results]):
    return _kappa_figure(results["condition_number"], "linear layer")


def plot_convex_relu(results: Mapping[str, Results]):
    return _kappa_figure(results["convex_relu"], "convex ReLU net")


def _cummean(x: np.ndarray) -> np.ndarray:
    return np.cumsum(x, axis=0) / np.arange(1, x.shape[0] + 1)[:, None]


def plot_finetune_lr(results: Mapping[str, Results]):
    res = results["finetune_lr"]
    opts = list(res["optimizers"])
    final = res["final_excess"]  # (opt, lr, seed), NaN = diverged
    fig, axes = figure(1, 3)
    adam = ("adamw", "scaled_adamw", "scaled_adamw_jacobi", "scaled_adamw_b78")
    for ax, family in ((axes[0, 0], ("sgd", "scaled_gd")), (axes[0, 1], adam)):
        for name in family:
            if name not in opts:
                continue
            o = opts.index(name)
            lrs = res["lrs_adam" if "adam" in name else "lrs_gd"]
            y = np.where(np.isnan(final[o]), res["start_excess"], final[o])
            ax.semilogx(lrs, np.median(y, axis=1), "o-", color=COLOR[name], label=LABELS[name])
            ax.fill_between(lrs, y.min(axis=1), y.max(axis=1), color=COLOR[name], alpha=0.2)
        ax.axhline(res["start_excess"], color="0.6", ls=":", lw=0.8, label="before fine-tuning")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("held-out loss − entropy floor (nats)")
        ax.set_title("final loss (median, min–max of seeds)")
        ax.legend()
    ax = axes[0, 2]
    curves = res["curves"]  # (step, opt, lr, seed)
    for name, ls in (("sgd", "--"), ("scaled_gd", "-")):
        if name not in opts:
            continue
        o = opts.index(name)
        for j, lr in enumerate(res["lrs_gd"]):
            c = _cummean(np.nanmean(curves[:, o, j], axis=1)[:, None])[:, 0]
            ax.plot(c, ls=ls, color=COLORS[j % len(COLORS)], label=f"{LABELS[name]} lr={lr:g}")
    ax.set_xlabel("step")
    ax.set_ylabel("cum. mean train excess loss")
    ax.set_title("SGD (dashed) vs scaled GD (solid)")
    ax.legend(fontsize=6, ncol=2)
    return fig


def plot_step_cost(results: Mapping[str, Results]):
    res = results["step_cost"]
    fig, axes = figure(1, 2)
    for j, r in enumerate(res["ranks"]):
        axes[0, 0].plot(res["widths"], res["step_ratio"][:, j], "o-", color=COLORS[j],
                        label=f"r={r:g}: vs same code, identity")  # fmt: skip
        axes[0, 0].plot(res["widths"], res["step_ratio_vs_torch"][:, j], "s--", color=COLORS[j],
                        label=f"r={r:g}: vs torch AdamW")  # fmt: skip
        axes[0, 1].plot(res["widths"], res["train_ratio"][:, j], "o-", color=COLORS[j],
                        label=f"r={r:g}")  # fmt: skip
    for ax, title in ((axes[0, 0], "optimizer step"), (axes[0, 1], "forward + backward + step")):
        ax.axhline(1.05, color="0.5", ls=":", lw=0.8, label="issue target 1.05")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(f"layer width d ({res['layers']} LoRA layers)")
        ax.set_ylabel("time ratio scaled / plain AdamW")
        ax.set_title(title)
        ax.legend(fontsize=6)
    return fig

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


def _below(ax, ncol: int = 1, **kw) -> None:
    """Legend under the panel, off the data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=ncol, fontsize=7, **kw)


def _best_panel(ax, x, best, methods, cap, xlabel):
    for m, name in enumerate(methods):
        y = best[m]
        ok = np.isfinite(y)
        ax.loglog(x[ok], y[ok], "o-", color=COLOR[name], label=LABELS[name])
        if (~ok).any():
            ax.loglog(x[~ok], np.full((~ok).sum(), cap), "^v"[m % 2], color=COLOR[name], mfc="none",
                      label=f"{LABELS[name]}: no lr converged by the cap")  # fmt: skip
    ax.axhline(cap, color="0.6", lw=0.8, ls=":", label=f"cap ({cap} iterations)")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("iterations (best lr, median)")
    _below(ax)


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
    fig, axes = figure(2, 2)
    methods, cap = list(res["methods"]), int(res["n_iter"])
    _best_panel(axes[0, 0], res["kappas"], res["best_iters"], methods, cap,
                "target condition number κ")  # fmt: skip
    axes[0, 0].set_title(f"(a) {what}: to rel. err. {res['tol']:g}")
    for m, name in enumerate(methods):
        _map_panel(axes[0, 1] if m == 0 else axes[1, 0], res["iters"][m], res["kappas"],
                   res["lrs"], f"({'bc'[m]}) {LABELS[name]}: seeds converged")  # fmt: skip
    _best_panel(axes[1, 1], res["data_kappas"], res["data_best_iters"], methods, cap,
                "data cond. number (target κ = 1)")  # fmt: skip
    axes[1, 1].set_title("(d) control: ill-conditioned data")
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
    n_seeds = final.shape[-1]
    fig, axes = figure(2, 2)
    adam = ("adamw", "scaled_adamw", "scaled_adamw_jacobi", "scaled_adamw_b78")
    panels = (
        (axes[0, 0], ("sgd", "scaled_gd"), "(a) SGD vs scaled GD: final loss"),
        (axes[0, 1], adam, "(b) AdamW family: final loss"),
    )
    for ax, family, title in panels:
        for name in family:
            if name not in opts:
                continue
            o = opts.index(name)
            lrs = res["lrs_adam" if "adam" in name else "lrs_gd"]
            y = np.where(np.isnan(final[o]), res["start_excess"], final[o])
            ax.semilogx(lrs, np.median(y, axis=1), "o-", color=COLOR[name], label=LABELS[name])
            ax.fill_between(lrs, y.min(axis=1), y.max(axis=1), color=COLOR[name], alpha=0.2)
        ax.axhline(res["start_excess"], color="0.6", ls=":", lw=0.8, label="before fine-tuning")
        ax.set_ylim(0, None)
        ax.set_xlabel("learning rate")
        ax.set_ylabel("held-out excess loss (nats)")
        ax.set_title(title)
        _below(ax, ncol=2)
    ax = axes[1, 0]
    curves = res["curves"]  # (step, opt, lr, seed)
    handles = []
    for name, ls in (("sgd", "--"), ("scaled_gd", "-")):
        if name not in opts:
            continue
        o = opts.index(name)
        for j, lr in enumerate(res["lrs_gd"]):
            c = _cummean(np.nanmean(curves[:, o, j], axis=1)[:, None])[:, 0]
            handles += ax.plot(c, ls=ls, color=COLORS[j % len(COLORS)],
                               label=f"{LABELS[name]}, lr={lr:g}")  # fmt: skip
    ax.set_ylim(0, None)
    ax.set_xlabel("step")
    ax.set_ylabel("cum. mean train excess loss")
    ax.set_title("(c) SGD (dashed) vs scaled GD (solid)")
    axes[1, 1].axis("off")
    axes[1, 1].legend(handles=handles, loc="center", fontsize=7, ncol=1,
                      title=f"(c): mean of {n_seeds} seeds", title_fontsize=7)  # fmt: skip
    return fig


def plot_width_sweep(results: Mapping[str, Results]):
    res = results["width_sweep"]
    methods, widths, lrs = list(res["methods"]), res["widths"], res["lrs"]
    cap = int(res["steps"])
    fig, axes = figure(2, 2)
    ax = axes[0, 0]
    for m, name in enumerate(methods):
        st = res["steps_to_frac"][m]  # (width, lr, seed)
        med = np.median(np.where(st < 0, cap + 1, st), axis=-1)
        for j, lr in enumerate(lrs):
            style = "o-" if name == "scaled_gd" else "s--"
            ax.loglog(widths, med[:, j], style, color=COLORS[j % len(COLORS)],
                      label=f"{LABELS[name]}, lr={lr:g}")  # fmt: skip
    ax.axhline(cap + 1, color="0.6", lw=0.8, ls=":", label="not reached by the cap")
    ax.axvline(res["claim_min_width"], color="0.8", lw=0.8)
    ax.set_xlabel("width n")
    ax.set_ylabel(f"steps to {res['loss_fraction']:g} × initial loss")
    ax.set_title("(a) steps vs width (seed median)")
    _below(ax, ncol=2)
    for ax, j, tag in ((axes[0, 1], 0, "b"), (axes[1, 0], len(lrs) - 1, "c")):
        for w, n in enumerate(widths):
            col = COLORS[w % len(COLORS)]
            for m, name in enumerate(methods):
                loss = np.nanmedian(res["loss"][m, w, j], axis=0)
                ax.semilogy(loss, "-" if name == "scaled_gd" else "--", color=col,
                            label=f"n={n:g}" if m == 0 else None)  # fmt: skip
        ax.set_xlabel("step")
        ax.set_ylabel("training loss (median of seeds)")
        ax.set_title(f"({tag}) loss, lr={lrs[j]:g}: scaled —, GD --")
        _below(ax, ncol=3)
    ax = axes[1, 1]
    for m, name in enumerate(methods):
        for key, mk in (("delta_A", "o"), ("delta_B", "s")):
            d = np.nanmean(res[key][m, :, 0, :, :10], axis=(-1, -2))  # first lr, first 10 steps
            ax.loglog(widths, d, mk + ("-" if name == "scaled_gd" else "--"), color=COLOR[name],
                      label=f"{LABELS[name]}: δ_{key[-1]}")  # fmt: skip
    ax.set_xlabel("width n")
    ax.set_ylabel("feature update (RMS)")
    ax.set_title(f"(d) δ per factor, lr={lrs[0]:g}, steps 1–10")
    _below(ax, ncol=2)
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
    for ax, title in ((axes[0, 0], "(a) optimizer step"),
                      (axes[0, 1], "(b) forward + backward + step")):  # fmt: skip
        ax.axhline(1.05, color="0.5", ls=":", lw=0.8, label="target 1.05")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(f"layer width d ({res['layers']} LoRA layers)")
        ax.set_ylabel("CPU-time ratio scaled / plain AdamW")
        ax.set_ylim(0, None)
        ax.set_title(title)
        _below(ax, ncol=2)
    return fig

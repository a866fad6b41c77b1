"""The paper's claims as checks over our results."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.claims import Claim, Verdict, at_least, at_most, not_checkable
from common.results import Results

SCALED, GD = 0, 1  # method axis of the kappa sweeps


def _capped(best: np.ndarray, cap: int) -> np.ndarray:
    """Best-tuned iterations with 'no learning rate converged' counted as cap + 1."""
    return np.where(np.isnan(best), cap + 1, best)


def _n_converging_lrs(iters: np.ndarray) -> np.ndarray:
    """(method, kappa) -> number of learning rates at which every seed converged."""
    return (iters >= 0).all(axis=-1).sum(axis=-1)


def _kappa_ratio(res: Results, method: int) -> float:
    best = _capped(res["best_iters"][method], int(res["n_iter"]))
    return float(best.max() / best[0])


def check_scaled_flat(results: Mapping[str, Results]) -> Verdict:
    res = results["condition_number"]
    best = res["best_iters"]
    return at_most(
        _kappa_ratio(res, SCALED), 2.0,
        detail=f"scaled GD best-lr iterations over kappa {res['kappas'].tolist()}: "
        f"{best[SCALED].tolist()} (worst / kappa=1)",
    )  # fmt: skip


def check_gd_slows(results: Mapping[str, Results]) -> Verdict:
    res = results["condition_number"]
    return at_least(
        _kappa_ratio(res, GD), 10.0,
        detail=f"GD best-lr iterations {res['best_iters'][GD].tolist()} (NaN: no lr converged "
        f"within {res['n_iter']}; counted as cap + 1)",
    )  # fmt: skip


def check_lr_range(results: Mapping[str, Results]) -> Verdict:
    res = results["condition_number"]
    n = _n_converging_lrs(res["iters"])
    return at_least(
        float(n[SCALED, -1] - n[GD, -1]), float(n[SCALED, 0]),
        detail=f"learning rates (of {res['lrs'].tolist()}) where every seed converges, per kappa "
        f"{res['kappas'].tolist()}: scaled GD {n[SCALED].tolist()}, GD {n[GD].tolist()}; "
        "measured = scaled - GD at the largest kappa, expected >= scaled GD's count at kappa=1",
    )  # fmt: skip


def check_convex_target(results: Mapping[str, Results]) -> Verdict:
    res = results["convex_relu"]
    iters, lrs = res["iters"][SCALED], res["lrs"]  # (kappa, lr, seed)
    ok = (iters >= 0).all(axis=(0, 2))
    if not ok.any():
        return at_most(np.inf, 2.0, detail="no learning rate converges at every kappa")
    j = int(np.flatnonzero(ok)[-1])
    med = np.median(iters[:, j], axis=1)
    return at_most(
        float(med.max() / med.min()), 2.0,
        detail=f"scaled GD at lr={lrs[j]:g} (largest converging at every kappa): iterations "
        f"{med.tolist()} over kappa {res['kappas'].tolist()}; best-lr-per-kappa: "
        f"{res['best_iters'][SCALED].tolist()}; GD best-lr: {res['best_iters'][GD].tolist()}",
    )  # fmt: skip


def check_convex_gd_slows(results: Mapping[str, Results]) -> Verdict:
    res = results["convex_relu"]
    return at_least(
        _kappa_ratio(res, GD), 10.0,
        detail=f"GD best-lr iterations {res['best_iters'][GD].tolist()} over kappa "
        f"{res['kappas'].tolist()} (NaN: none converged within {res['n_iter']})",
    )  # fmt: skip


def check_convex_data(results: Mapping[str, Results]) -> Verdict:
    res = results["convex_relu"]
    best = _capped(res["data_best_iters"][SCALED], int(res["n_iter"]))
    return at_most(
        float(best.max() / best[0]), 2.0,
        detail=f"scaled GD best-lr iterations over data condition numbers "
        f"{res['data_kappas'].tolist()}: {res['data_best_iters'][SCALED].tolist()}; GD: "
        f"{res['data_best_iters'][GD].tolist()} (NaN: none converged within {res['n_iter']})",
    )  # fmt: skip


def _final(res: Results, name: str) -> np.ndarray:
    """(lr,) median over seeds of the final excess loss; diverged runs count as the start."""
    f = res["final_excess"][list(res["optimizers"]).index(name)]
    return np.median(np.where(np.isnan(f), res["start_excess"], f), axis=1)


def check_scaled_gd_small_lr(results: Mapping[str, Results]) -> Verdict:
    res = results["finetune_lr"]
    sgd, sc = _final(res, "sgd"), _final(res, "scaled_gd")
    below = np.arange(int(np.argmin(sgd)))
    if below.size == 0:
        return not_checkable("SGD is best at the smallest learning rate of the grid")
    return at_least(
        float((sgd - sc)[below].min()), 0.0,
        detail=f"lrs {res['lrs_gd'].tolist()}: SGD {sgd.round(3).tolist()}, scaled GD "
        f"{sc.round(3).tolist()}; measured = min (SGD - scaled GD) below SGD's best lr",
    )  # fmt: skip


def _grid_mean_gap(res: Results, plain: str, scaled: str) -> tuple[float, str]:
    p, s = _final(res, plain), _final(res, scaled)
    return float(
        p.mean() - s.mean()
    ), f"{plain} {p.round(3).tolist()}, {scaled} {s.round(3).tolist()}"


def check_gd_grid(results: Mapping[str, Results]) -> Verdict:
    gap, detail = _grid_mean_gap(results["finetune_lr"], "sgd", "scaled_gd")
    return at_least(gap, 0.0, detail="mean over the lr grid, plain - scaled: " + detail)


def check_gd_spread(results: Mapping[str, Results]) -> Verdict:
    res = results["finetune_lr"]
    sgd, sc = _final(res, "sgd"), _final(res, "scaled_gd")
    return at_most(
        float(np.ptp(sc) - np.ptp(sgd)), 0.0,
        detail=f"spread (max - min over the 1000x lr grid): scaled GD {np.ptp(sc):.3f}, SGD "
        f"{np.ptp(sgd):.3f}",
    )  # fmt: skip


def check_adam_grid(results: Mapping[str, Results]) -> Verdict:
    gap, detail = _grid_mean_gap(results["finetune_lr"], "adamw", "scaled_adamw")
    return at_least(gap, 0.0, detail="mean over the lr grid, plain - scaled: " + detail)


def check_adam_best(results: Mapping[str, Results]) -> Verdict:
    res = results["finetune_lr"]
    a, s = _final(res, "adamw"), _final(res, "scaled_adamw")
    return at_most(
        float(s.min() - a.min()), 0.0, tol=0.01,
        detail=f"best-lr final excess loss: scaled AdamW {s.min():.4f}, AdamW {a.min():.4f}",
    )  # fmt: skip


def check_step_cost(results: Mapping[str, Results]) -> Verdict:
    res = results["step_cost"]
    keep = res["ranks"] >= 8
    if not keep.any():
        return not_checkable(f"no rank >= 8 was timed (ranks {res['ranks'].tolist()})")
    ratio = res["step_ratio"][:, keep]
    return at_most(
        float(ratio.max()), 1.05,
        detail=f"optimizer-step ratio scaled/plain AdamW (same code, identity preconditioner), "
        f"widths {res['widths'].tolist()} x ranks {res['ranks'][keep].tolist()}: "
        f"{ratio.round(3).tolist()}; vs torch.optim.AdamW: "
        f"{res['step_ratio_vs_torch'][:, keep].round(3).tolist()}",
    )  # fmt: skip


def check_train_cost(results: Mapping[str, Results]) -> Verdict:
    res = results["step_cost"]
    ratio = res["train_ratio"][-1]
    detail = (
        f"training-step (forward+backward+step) ratio at width {res['widths'][-1]:g}, ranks "
        f"{res['ranks'].tolist()}: {ratio.round(3).tolist()}"
    )
    if res["widths"][-1] < 1024:
        return not_checkable(
            "layers of width < 1024 with 64 tokens on one CPU thread are far from the paper's "
            "GPT-2 medium on a GPU; " + detail
        )
    return at_most(float(np.median(ratio)), 1.05, detail=detail)


def check_gpt2_table(results: Mapping[str, Results]) -> Verdict:
    res = results["gpt2_e2e"]
    loss = dict(zip(res["optimizers"], np.asarray(res["valid_loss"]).tolist(), strict=True))
    detail = f"held-out loss {loss}; source: {res['source']}"
    if res["source"].startswith("in-process stand-in"):
        return not_checkable(
            "needs local GPT-2 medium weights and E2E data (full scale); " + detail
        )
    gap = min(loss["sgd"] - loss["scaled_gd"], loss["adamw"] - loss["scaled_adamw"])
    return at_least(gap, 0.0, detail=detail + "; measured = min(plain - scaled) per family")


_WHERE_THM = "arXiv v1 abstract; ICML 2024 Sec. 5 (theorem on convex two-layer ReLU fine-tuning)"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="kappa_flat_lora",
        statement="Scaled GD's iterations to a fixed accuracy do not grow with the condition "
        "number of the low-rank target (kappa 1 to 1000; best lr per kappa; ratio <= 2).",
        where="paper's motivation (ScaledGD for low-rank matrix problems); brief E2",
        inputs=("condition_number",),
        check=check_scaled_flat,
        figure="condition_number",
    ),
    Claim(
        id="kappa_gd_slows_lora",
        statement="Plain GD on the same LoRA factors slows with kappa (>= 10x more iterations at "
        "kappa=1000 than at kappa=1, or no convergence within the cap).",
        where="brief E2",
        inputs=("condition_number",),
        check=check_gd_slows,
        figure="condition_number",
    ),
    Claim(
        id="kappa_lr_range",
        statement="The set of learning rates at which scaled GD converges does not shrink as "
        "kappa grows, while GD's does (empty at kappa=1000).",
        where="brief E2 (lr range that converges)",
        inputs=("condition_number",),
        check=check_lr_range,
        figure="condition_number",
    ),
    Claim(
        id="convex_relu_target_kappa",
        statement="Preconditioned LoRA fine-tuning of the convex two-layer (gated-)ReLU "
        "parameterisation converges at a rate independent of the target's condition number "
        "(fixed step size, kappa 1 to 1000, iterations within 2x).",
        where=_WHERE_THM,
        inputs=("convex_relu",),
        check=check_convex_target,
        note="Holds for the median over 3 draws of data, patterns and targets, but only "
        "approximately: per draw the growth with kappa follows the conditioning of the coupled "
        "gated-ReLU features (single draws with feature-Gram condition numbers 43, 83, 146 gave "
        "1.1x, 1.7x, 3.4x); the ScaledGD guarantee needs a near-isometric operator, and with one "
        "pattern (condition_number) it is exactly flat. Best-lr-per-kappa iterations grow more "
        "(see detail), because lr = 1 becomes unstable at large kappa.",
        figure="convex_relu",
    ),
    Claim(
        id="convex_relu_gd_slows",
        statement="Unpreconditioned fine-tuning of the convex parameterisation slows with the "
        "target's condition number (>= 10x more iterations at kappa=1000).",
        where=_WHERE_THM,
        inputs=("convex_relu",),
        check=check_convex_gd_slows,
        figure="convex_relu",
    ),
    Claim(
        id="convex_relu_data_kappa",
        statement="... and at a rate independent of the data matrix's condition number "
        "(v1 abstract wording; iterations within 2x as the data condition number grows).",
        where="arXiv v1 abstract",
        inputs=("convex_relu",),
        check=check_convex_data,
        expected_to_hold=False,
        note="Refuted in our setting: the r x r preconditioner acts on the rank side and cannot "
        "undo the d x d curvature of ill-conditioned data; scaled GD slows like GD (and more). "
        "The theorem's exact assumptions (which condition number, which initialisation) were "
        "not available; the target-kappa reading holds (convex_relu_target_kappa).",
        figure="convex_relu",
    ),
    Claim(
        id="finetune_scaled_gd_small_lr",
        statement="LoRA fine-tuning with scaled GD reaches a lower loss than SGD at every "
        "learning rate below SGD's best (the loss-vs-lr curve shifts to smaller lr).",
        where="v1 Fig. 1 (GPT-2 E2E loss, SGD vs scaled GD at three learning rates)",
        inputs=("finetune_lr",),
        check=check_scaled_gd_small_lr,
        figure="finetune_lr",
    ),
    Claim(
        id="finetune_scaled_gd_grid_mean",
        statement="Averaged over a 1000x learning-rate grid, scaled GD ends lower than SGD.",
        where="abstract: more robust to the learning rate",
        inputs=("finetune_lr",),
        check=check_gd_grid,
        figure="finetune_lr",
    ),
    Claim(
        id="finetune_scaled_gd_clusters",
        statement="Scaled GD's final losses cluster across the learning-rate grid: their spread "
        "is smaller than SGD's (as the scaled-GD curves of v1 Fig. 1 do).",
        where="v1 Fig. 1",
        inputs=("finetune_lr",),
        check=check_gd_spread,
        expected_to_hold=False,
        note="Refuted at our scale (80 steps): scaled GD beats SGD at lr 1e-3..1e-1 but is worse "
        "at lr=1 (1.22 vs 0.86 nats; its loss spikes early while B ~ 0 and the (B^T B + delta)^-1 "
        "preconditioner of A is huge), so its spread over the grid is not smaller. The paper's "
        "clustering is over 26k steps of GPT-2 medium.",
        figure="finetune_lr",
    ),
    Claim(
        id="finetune_scaled_adamw_grid_mean",
        statement="Averaged over the learning-rate grid, scaled AdamW ends lower than AdamW.",
        where="abstract: more robust to the learning rate (AdamW)",
        inputs=("finetune_lr",),
        check=check_adam_grid,
        expected_to_hold=False,
        note="Not reproduced at our scale: scaled AdamW is worse than AdamW at lr 1e-3 and 1e-2, "
        "better at 1e-1; the brief did not expect the AdamW ordering to show on a tiny model.",
        figure="finetune_lr",
    ),
    Claim(
        id="finetune_scaled_adamw_best",
        statement="At its best learning rate scaled AdamW is at least as good as AdamW at its "
        "best (tolerance 0.01 nats), as in the GPT-2 and Mistral tables.",
        where="GPT-2 E2E and Mistral-7B GLUE tables",
        inputs=("finetune_lr",),
        check=check_adam_best,
        expected_to_hold=False,
        note="Not reproduced at our scale: best-lr loss 0.714 (scaled AdamW) vs 0.680 (AdamW), "
        "both at lr 1e-2, with seed ranges that do not overlap much. The tables' margins are "
        "0.2-1 BLEU on GPT-2 medium after 26k steps.",
        figure="finetune_lr",
    ),
    Claim(
        id="step_cost_optimizer",
        statement="The preconditioner's optimizer-step overhead is virtually nil: scaled/plain "
        "AdamW step time <= 1.05 at rank >= 8 (issue target).",
        where="v1 runtime figure; issue 6 target",
        inputs=("step_cost",),
        check=check_step_cost,
        expected_to_hold=False,
        note="On CPU the r x r Grams and products cost O(r^2 (m+n)) flops per pair against "
        "O(r (m+n)) elementwise work for Adam, plus per-call overhead, so the optimizer step "
        "alone is markedly slower; the paper timed whole training steps of GPT-2 medium on a "
        "GPU, where forward/backward dominate (see step_cost_training).",
        figure="step_cost",
    ),
    Claim(
        id="step_cost_training",
        statement="Whole training steps (forward + backward + step) of scaled AdamW take no more "
        "than 1.05x those of AdamW at realistic width.",
        where="v1 runtime figure (GPT-2 medium, ~1.4 s/step for all optimizers)",
        inputs=("step_cost",),
        check=check_train_cost,
        figure="step_cost",
    ),
    Claim(
        id="gpt2_e2e_ordering",
        statement="On GPT-2 medium / E2E, scaled GD beats SGD and scaled AdamW beats AdamW "
        "(here: held-out loss, not BLEU).",
        where="GPT-2 E2E table (ICML and v1)",
        inputs=("gpt2_e2e",),
        check=check_gpt2_table,
    ),
)

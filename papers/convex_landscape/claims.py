"""The paper's claims as checks over our results (Ergen & Pilanci, arXiv:2312.12657).

The paper body could not be read; ``where`` cites the abstract or the reconstruction in the
project brief (``convex_landscape.md``), and the tolerances are ours (stated in each check).
"""

from __future__ import annotations

import numpy as np

from common.claims import Claim, at_least, at_most, close_to, not_checkable

__all__ = ["CLAIMS"]

ABSTRACT = "abstract"
BRIEF_E1 = "abstract (strong duality, exact equivalence); brief E1"


def _finite_finals(r) -> np.ndarray:
    f = np.asarray(r["finals"], float)
    return f[np.isfinite(f)]


def _c_count(res):
    r = res["equivalence"]
    return close_to(
        r["n_patterns_with_zero"], r["count_formula"], detail="enumerated cells vs 2*sum C(n-1,k)"
    )


def _c_cg(res):
    r = res["equivalence"]
    return close_to(
        r["p_star"], r["p_direct"], rtol=1e-7,
        detail="column generation vs CLARABEL on all patterns at once",
    )  # fmt: skip


def _c_never_below(res):
    r = res["equivalence"]
    m = float(np.min(_finite_finals(r))) / float(r["p_star"])
    return at_least(m, 1.0, tol=1e-6, detail=f"min over {np.size(r['finals'])} runs of F/p*")


def _c_best_reach(res):
    r = res["equivalence"]
    gap = float(np.min(_finite_finals(r))) / float(r["p_star"]) - 1.0
    return at_most(gap, 1e-3, detail="best run's relative gap (quick: 3000 steps)")


def _c_some_above(res):
    r = res["equivalence"]
    gap = float(np.max(_finite_finals(r))) / float(r["p_star"]) - 1.0
    return at_least(gap, 1e-2, detail="worst finite run's relative gap")


def _c_mapped(res):
    r = res["equivalence"]
    return close_to(r["mapped_objective"], r["p_star"], rtol=1e-8, detail="sqrt-scaled network")


def _c_width(res):
    r = res["equivalence"]
    return at_most(r["m_star"], r["n"] + 1, detail="neurons of the mapped optimum vs n+1")


def _c_c2(res):
    r = res["equivalence"]
    return at_most(r["dual_max_over_beta"], 1.0, tol=1e-6, detail="max_i C2_i / beta (exact NNLS)")


def _c_c2_sampled(res):
    r = res["equivalence"]
    return at_most(
        r["dual_sampled_max_over_beta"], 1.0, tol=1e-6,
        detail="max over dense random unit gates of |r^T (Xu)_+| / beta",
    )  # fmt: skip


def _c_gap(res):
    return at_most(res["equivalence"]["relative_duality_gap"], 1e-8, detail="certified gap")


def _c_c1(res):
    return at_most(
        res["equivalence"]["c1_residual"], 1e-6, detail="max |r^T D_i X u_i/|u_i| -+ b|/b"
    )


def _c_negative(res):
    r = res["equivalence"]
    return at_least(
        min(r["relative_duality_gap_perturbed"], r["dual_max_over_beta_perturbed"] - 1.0), 1e-2,
        detail="min(relative gap, C2 violation) at the scaled solution",
    )  # fmt: skip


def _c_ratio_geq1(res):
    return at_least(
        float(np.min(res["subsampling"]["ratio_relu"])), 1.0, tol=1e-6, detail="min p_relu(m)/p*"
    )


def _c_monotone(res):
    r = np.asarray(res["subsampling"]["ratio_relu"])
    return at_most(float(np.max(np.diff(r, axis=1))), 0.0, tol=1e-6, detail="max increase in m")


def _c_gated(res):
    r = res["subsampling"]
    return at_most(
        float(np.max(r["ratio_gated"] - r["ratio_relu"])), 0.0, tol=1e-6,
        detail="max (p_gated - p_relu)/p* on the same patterns",
    )  # fmt: skip


def _c_lowrank(res):
    r = res["subsampling"]
    q = np.asarray(r["lowrank_ratio"]) / np.asarray(r["lowrank_bound_unverified"])
    return at_most(float(np.max(q)), 1.0, detail="max (p_k/p*) / recalled bound")


def _c_stationary(res):
    r = res["stationary"]
    if r["n_near_stationary"] == 0:
        return not_checkable(f"no run reached a gradient norm <= {r['grad_tol']:g}")
    return at_most(
        r["max_gap_near_stationary"], 1e-3,
        detail=f"{r['n_near_stationary']}/{r['n_runs']} runs with grad norm <= {r['grad_tol']:g}",
    )  # fmt: skip


def _c_gap_small(res):
    r = res["stationary"]
    return at_most(r["median_gap"], 1e-2, detail=f"median over {r['n_runs']} GD runs at the end")


def _c_shrinks(res):
    r = res["stationary"]
    return at_most(
        r["median_gap"], r["median_gap_early"],
        detail="median gap at the end vs after 10% of the GD steps",
    )  # fmt: skip


def _c_psub(res):
    return at_least(
        res["stationary"]["min_p_sub_over_p_star"], 1.0, tol=1e-6, detail="min p_sub/p*"
    )


def _c_pnc(res):
    return at_least(res["stationary"]["min_gap"], 0.0, tol=1e-6, detail="min (p_nc - p_sub)/p_sub")


def _c_iff(res):
    r = res["stationary"]
    return at_most(
        r["n_mismatch_spurious_c2"], 0,
        detail=f"runs where [p_sub > p*] != [C2 fails]; {r['n_spurious']}/{r['n_runs']} spurious",
    )  # fmt: skip


def _c_convex_agree(res):
    r = res["sensitivity"]
    return at_most(
        r["convex_max_rel_spread_all"], 1e-4,
        detail=f"settings: {', '.join(r['convex_settings'])}",
    )  # fmt: skip


def _c_sens_below(res):
    return at_least(res["sensitivity"]["nonconvex_min_ratio"], 1.0, tol=1e-6, detail="min F/p*")


def _c_lr_spread(res):
    r = res["sensitivity"]
    med = []
    for a in range(len(r["optimizers"])):
        for i in range(np.shape(r["lrs"])[1]):
            f = np.asarray(r["finals"][a, i], float)
            med.append(np.median(f) if np.all(np.isfinite(f)) else np.inf)
    spread = float(np.max(med)) / float(r["p_star"]) - 1.0
    return at_least(spread, 1e-2, detail="worst (optimizer, lr) median final gap (inf = diverged)")


def _c_accuracy(res):
    r = res["sensitivity"]
    acc = float(np.nanmedian(r["test_acc"]))
    return at_least(
        r["convex_test_acc"], acc,
        detail=f"convex test accuracy vs median non-convex ({acc:.3f}) over non-diverged runs",
    )  # fmt: skip


def _cifar_real(r) -> bool:
    return not str(r["source"]).startswith("synthetic")


def _c_cifar(res):
    r = res["cifar"]
    if not _cifar_real(r):
        return not_checkable("quick scale runs on a synthetic stand-in; needs CIFAR-10 (full)")
    return at_least(r["best_convex_test_acc"], r["best_sgd_test_acc"], detail="final test acc")


def _c_cifar_lr(res):
    r = res["cifar"]
    if not _cifar_real(r):
        return not_checkable("quick scale runs on a synthetic stand-in; needs CIFAR-10 (full)")
    spread = r["best_convex_test_acc"] - r["worst_convex_test_acc"]
    return at_most(spread, 0.02, detail="convex final test accuracy spread over lr and gates")


def _claim(id_, statement, where, inputs, check, figure, **kw) -> Claim:
    return Claim(id_, statement, where, inputs, check, figure=figure, **kw)


_E, _S = ("equivalence",), ("subsampling",)
CLAIMS: tuple[Claim, ...] = (
    _claim(
        "enumeration_count",
        "Exact enumeration finds every activation pattern: the cell count of the arrangement "
        "equals 2*sum_{k<r} C(n-1, k) for data in general position.",
        "core brief §2 (Cover 1965; Pilanci & Ergen 2020)",
        _E,
        _c_count,
        "equivalence",
    ),
    _claim(
        "column_generation_exact",
        "Column generation with the dual constraint (C2) reaches the optimum over all patterns.",
        "core brief §5.2 [derived]",
        _E,
        _c_cg,
        "equivalence",
    ),
    _claim(
        "nonconvex_never_below_convex",
        "No non-convex run (GD, SGD, Adam; any seed, learning rate, width) ends below the convex "
        "optimum over all patterns.",
        BRIEF_E1,
        _E,
        _c_never_below,
        "equivalence",
    ),
    _claim(
        "best_runs_reach_optimum",
        "The best non-convex runs reach the convex optimum (relative gap <= 1e-3).",
        BRIEF_E1,
        _E,
        _c_best_reach,
        "equivalence",
    ),
    _claim(
        "some_runs_stall_above",
        "Small widths or poor learning rates leave some runs strictly above the optimum.",
        "brief E1",
        _E,
        _c_some_above,
        "equivalence",
    ),
    _claim(
        "mapped_network_attains_optimum",
        "The network mapped from the convex solution (square-root scaling) attains the convex "
        "optimum.",
        BRIEF_E1,
        _E,
        _c_mapped,
        "equivalence",
    ),
    _claim(
        "optimal_width_at_most_n_plus_1",
        "An optimal network needs at most n+1 neurons (m* <= n+1).",
        "abstract (finite width); brief T1 [unverified form]",
        _E,
        _c_width,
        "equivalence",
    ),
    _claim(
        "dual_constraint_holds",
        "At the convex optimum the dual constraint max_i ||Pi_{K_i}(+-X^T D_i r)|| <= beta holds "
        "over all patterns (C2).",
        "abstract (strong duality); core brief §5.2",
        _E,
        _c_c2,
        "certificate",
    ),
    _claim(
        "dual_constraint_sampled",
        "Independent check of C2: max over dense random unit gates u of |r^T (Xu)_+| <= beta.",
        "core brief §5.2",
        _E,
        _c_c2_sampled,
        "certificate",
    ),
    _claim(
        "zero_duality_gap",
        "Strong duality: the certified duality gap at the optimum vanishes.",
        ABSTRACT,
        _E,
        _c_gap,
        "certificate",
    ),
    _claim(
        "active_neurons_c1",
        "Active neurons satisfy r^T D_i X u_i/||u_i|| = +-beta (C1).",
        "core brief §5.2 [derived]",
        _E,
        _c_c1,
        "certificate",
    ),
    _claim(
        "certificate_negative_control",
        "The certificate detects a non-optimal (scaled, feasible) solution.",
        "brief E2",
        _E,
        _c_negative,
        "certificate",
    ),
    _claim(
        "subsampled_value_upper_bounds",
        "The ReLU program on sampled patterns never goes below the exact optimum.",
        "abstract (zonotope subsampling); brief E3",
        _S,
        _c_ratio_geq1,
        "subsampling",
    ),
    _claim(
        "subsampled_value_nonincreasing",
        "With nested gate sets the optimal value is non-increasing in the number of gates.",
        "brief E3",
        _S,
        _c_monotone,
        "subsampling",
    ),
    _claim(
        "gated_below_relu",
        "The gated relaxation is at most the ReLU program on the same patterns.",
        "core brief §3.2",
        _S,
        _c_gated,
        "subsampling",
    ),
    _claim(
        "lowrank_ratio_within_recalled_bound",
        "The low-rank scheme (patterns of X_k) stays within p* (1 + sqrt(m*) sigma_{k+1}/beta)^2.",
        "brief T3 (ICML-2020 form, recalled) [unverified]",
        _S,
        _c_lowrank,
        "subsampling",
        note="The bound's form could not be checked against the paper; it is drawn and tested "
        "as recalled. It is very loose on our data.",
    ),
    _claim(
        "stationary_equals_subprogram",
        "A (near-)stationary network's objective equals the optimum of the convex program on "
        "its own activation patterns (relative gap <= 1e-3 where grad norm <= 1e-3).",
        "abstract (stationary points); brief T4 [derived]",
        ("stationary",),
        _c_stationary,
        "stationary",
    ),
    _claim(
        "stationary_gap_small",
        "After GD the network's objective is within 1% (median over runs) of the optimum of the "
        "convex program on its own patterns.",
        "abstract (stationary points); brief T4 [derived]",
        ("stationary",),
        _c_gap_small,
        "stationary",
    ),
    _claim(
        "stationary_gap_shrinks",
        "The gap between the network and its sub-program shrinks as GD approaches stationarity.",
        "brief T4 [derived]",
        ("stationary",),
        _c_shrinks,
        "stationary",
    ),
    _claim(
        "subprogram_at_least_optimum",
        "The sub-program's optimum is at least the global optimum p*.",
        "brief T4 [derived]",
        ("stationary",),
        _c_psub,
        "stationary",
    ),
    _claim(
        "subprogram_at_most_network",
        "The sub-program's optimum is at most the network's objective (the mapped network is "
        "feasible for it).",
        "core brief §4.2",
        ("stationary",),
        _c_pnc,
        "stationary",
    ),
    _claim(
        "spurious_iff_dual_infeasible",
        "A stationary point's sub-program is globally optimal exactly when C2 holds over all "
        "patterns at its residual.",
        "brief T4 [derived]",
        ("stationary",),
        _c_iff,
        "stationary",
    ),
    _claim(
        "convex_solvers_agree",
        "Convex solvers reach the same objective across solvers and settings (<= 1e-4 relative).",
        "abstract (no extensive tuning); brief E5",
        ("sensitivity",),
        _c_convex_agree,
        "sensitivity",
    ),
    _claim(
        "real_data_never_below",
        "On real data no SGD/Adam run ends below the certified convex optimum.",
        "brief E5",
        ("sensitivity",),
        _c_sens_below,
        "sensitivity",
    ),
    _claim(
        "nonconvex_lr_sensitive",
        "SGD/Adam final objectives depend on the learning rate (some setting ends >= 1% above "
        "the optimum or diverges).",
        "abstract (non-convex training is sensitive to hyperparameters)",
        ("sensitivity",),
        _c_lr_spread,
        "sensitivity",
    ),
    _claim(
        "convex_test_accuracy",
        "The convex model's test accuracy is at least the median (non-diverged) non-convex run's.",
        "abstract (convex models can outperform non-convex training)",
        ("sensitivity",),
        _c_accuracy,
        "sensitivity",
    ),
    _claim(
        "cifar_convex_beats_sgd",
        "On CIFAR-10 the convex models reach higher test accuracy than SGD at its best lr.",
        "brief (a), pilancilab/convex_nn committed plots [code]",
        ("cifar",),
        _c_cifar,
        "cifar",
    ),
    _claim(
        "cifar_convex_lr_insensitive",
        "On CIFAR-10 the convex models' final test accuracy varies by <= 2 points over their "
        "learning rates and gate types.",
        "abstract; brief (a)",
        ("cifar",),
        _c_cifar_lr,
        "cifar",
    ),
)

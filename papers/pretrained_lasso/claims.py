"""The paper's claims (as far as the abstract, the brief and the ptLasso vignettes state
them) as checks over our results.

The paper body could not be read (see the README): the claims come from the abstract
(pretraining helps the lasso, in stratified, multinomial, multi-response, CATE and
boosting uses; the common support is recovered at a better rate) and from the success
criteria of the brief (``../shared/papers/pretrained_lasso.md``), which paraphrases the
package vignettes.

Criteria, fixed before any result was seen (issue #15) and recorded in each statement:

- "A is better than B" (lower test error, fewer features): the paired differences
  B - A over repetitions (same data for both) have mean > ``K_SE`` = 2 standard errors;
  the measured value is that ratio, mean / s.e. (a paired t statistic).
- "most runs": a strict majority of the runs.
- "does no harm": the paired difference pretrained - baseline is not above 2 s.e. (no
  detectable harm at this number of repetitions; a weak statement, and said so).
- Recovery "more often": a one-sided exact sign test over the (n, repetition) pairs in
  which exactly one of the two estimators recovers the support, p <= 0.05; not checkable
  when there is no such pair (e.g. both never recover it).
- A "gap shrinks": the gap at the smallest n minus the gap at the largest n exceeds 2 s.e.;
  not checkable when there is no gap at the smallest n (gap <= 2 s.e.) to shrink.

Where a brief's criterion replaced a threshold chosen after preliminary runs (mean
alpha-hat >= 0.8, difference >= 0.2, mean <= 0.5, ratio within 1 +- 0.1), the detail
also shows the old reading.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import binomtest

from common.claims import Claim, Verdict, at_least, at_most, close_to, not_checkable
from common.results import Results

K_SE = 2.0  # "better than": paired mean difference > 2 standard errors
P_SIGN = 0.05  # one-sided sign test level for exact recovery


def _t(d: np.ndarray) -> tuple[float, float, float]:
    """Mean, standard error and mean / s.e. of the paired differences ``d`` (flattened)."""
    d = np.asarray(d, dtype=np.float64).ravel()
    mean = float(d.mean())
    se = float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0
    if se > 0:
        return mean, se, mean / se
    return mean, se, 0.0 if mean == 0 else float(np.sign(mean)) * 1e6


def _se(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """Standard error of the mean along ``axis`` (0 for a single run)."""
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[axis]
    return a.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(a.mean(axis=axis))


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _beats(better: np.ndarray, worse: np.ndarray, what: str) -> Verdict:
    """Holds when ``worse - better`` (paired) has mean > K_SE standard errors."""
    mean, se, t = _t(np.asarray(worse) - np.asarray(better))
    n = np.asarray(better).size
    detail = (
        f"{what}: mean {_fmt(np.mean(better))} vs {_fmt(np.mean(worse))}; paired difference "
        f"{_fmt(mean)} +- {_fmt(se)} (s.e.) over {n} runs, mean/s.e. = {t:.2f}"
    )
    return at_least(t, K_SE, detail=detail)


def _majority(count: int, total: int, detail: str) -> Verdict:
    return at_least(count, total // 2 + 1, detail=f"{count} of {total} runs; {detail}")


# -- stratified Gaussian ------------------------------------------------------------------
def _gaussian_beats(baseline: int):
    def check(results: Mapping[str, Results]) -> Verdict:
        r = results["stratified_gaussian"]
        tm = r["test_mse"]  # (sigma, rep, model)
        parts, ts = [], []
        for i, sigma in enumerate(r["sigmas"]):
            mean, se, t = _t(tm[i, :, baseline] - tm[i, :, 2])
            ts.append(t)
            ratio = tm[i, :, 2].mean() / tm[i, :, baseline].mean()
            parts.append(
                f"sigma {sigma:g}: difference {_fmt(mean)} +- {_fmt(se)}, mean/s.e. {t:.2f}, "
                f"MSE ratio {ratio:.3f}"
            )
        return at_least(min(ts), K_SE, detail="; ".join(parts) + f" ({tm.shape[1]} reps each)")

    return check


def _gauss_overall_vs_individual(results: Mapping[str, Results]) -> Verdict:
    r = results["stratified_gaussian"]
    i = int(np.argmin(np.abs(r["sigmas"] - 20.0)))
    if r["sigmas"][i] != 20.0:
        return not_checkable("the vignette's sigma = 20 is not among the noise levels run")
    tm = r["test_mse"][i]
    return _beats(tm[:, 1], tm[:, 0], "sigma 20, test MSE individual vs overall")


def _u_shape(results: Mapping[str, Results]) -> Verdict:
    e = results["stratified_gaussian"]["test_mse_by_group"][:, :, 0, :]  # overall model
    e = e.reshape(-1, e.shape[-1])  # (runs, group)
    ends = np.minimum(e[:, 0], e[:, -1])
    interior = e[:, 1:-1].min(axis=1)
    v = _beats(interior, ends, "better end group vs best interior group")
    return Verdict(
        v.status,
        v.measured,
        v.expected,
        v.tolerance,
        v.detail + f"; per-group mean {np.round(e.mean(axis=0), 1).tolist()}",
    )


def _interior_alpha(results: Mapping[str, Results]) -> Verdict:
    a = results["stratified_gaussian"]["alpha_hat"]
    inside = int(np.sum((a > 0) & (a < 1)))
    return _majority(inside, a.size, f"chosen alphas {np.round(a.ravel(), 2).tolist()}")


def _support_smaller(results: Mapping[str, Results]) -> Verdict:
    s = results["stratified_gaussian"]["support_size"].reshape(-1, 4)
    return _beats(s[:, 1], s[:, 2], "features used, pretrained (effective) vs individual union")


def _support_contains_s(results: Mapping[str, Results]) -> Verdict:
    s = results["stratified_gaussian"]["support_size"].reshape(-1, 4)
    used = s[:, 3] >= 0  # -1 marks alpha-hat = 1, where S plays no part
    if not used.any():
        return not_checkable("alpha-hat = 1 on every run: the pretrained models do not use S")
    return at_most(
        s[used, 3].sum(),
        0.0,
        detail=f"features of S missing from a group's effective pretrained coefficients, "
        f"summed over groups and the {int(used.sum())} runs with alpha-hat < 1 (mean |S| "
        f"{s[used, 0].mean():.1f})",
    )


def _alpha_one(results: Mapping[str, Results]) -> Verdict:
    v = results["stratified_gaussian"]["limit_alpha1_max_diff"]
    return at_most(
        v.max(),
        1e-9,
        detail=f"largest |stage 2 at alpha = 1 (separate fit) - individual| test prediction "
        f"over {v.size} runs, relative to sd(y)",
    )


def _alpha_zero(results: Mapping[str, Results]) -> Verdict:
    v = results["stratified_gaussian"]["limit_alpha0_max_coef_off_support"]
    return close_to(
        v.max(), 0.0, atol=1e-12, detail=f"largest |coefficient| off S over {v.size} runs"
    )


# -- support recovery -------------------------------------------------------------------
def _recovery_sign_test(results: Mapping[str, Results]) -> Verdict:
    r = results["support_recovery"]
    e = r["exact_recovery"]  # (n, rep, estimator)
    only_pooled = int(np.sum((e[..., 0] == 1) & (e[..., 1] == 0)))
    only_individual = int(np.sum((e[..., 0] == 0) & (e[..., 1] == 1)))
    rates = e.mean(axis=1)
    detail = (
        f"exact-recovery rate pooled {rates[:, 0].tolist()} vs individual "
        f"{rates[:, 1].tolist()} at n = {r['n_per_group'].tolist()}; runs where only the "
        f"pooled S recovers it: {only_pooled}, only the individual vote: {only_individual}"
    )
    if only_pooled + only_individual == 0:
        return not_checkable(detail + "; no run separates the two estimators")
    p = binomtest(only_pooled, only_pooled + only_individual, 0.5, alternative="greater").pvalue
    return at_most(p, P_SIGN, detail=detail + "; one-sided sign-test p-value")


def _gap_shrinks(key: str):
    def check(results: Mapping[str, Results]) -> Verdict:
        r = results["support_recovery"]
        d = r[key][..., 0] - r[key][..., 1]  # (n, rep): pooled - individual
        gaps = d.mean(axis=1)
        ses = _se(d, axis=1)
        detail = (
            f"gap pooled - individual {np.round(gaps, 3).tolist()} (s.e. "
            f"{np.round(ses, 3).tolist()}) at n = {r['n_per_group'].tolist()}"
        )
        if not gaps[0] > K_SE * ses[0]:
            return not_checkable(detail + "; no gap at the smallest n to shrink")
        shrink = gaps[0] - gaps[-1]
        se = float(np.hypot(ses[0], ses[-1]))
        t = shrink / se if se > 0 else 1e6
        return at_least(t, K_SE, detail=detail + f"; shrinkage {shrink:.3f} +- {se:.3f}, mean/s.e.")

    return check


# -- alpha choice -----------------------------------------------------------------------
def _alpha_hat(results: Mapping[str, Results], setting: str) -> np.ndarray:
    r = results["alpha_choice"]
    return r["alpha_hat"][[str(s) for s in r["settings"]].index(setting)]


def _alpha_disjoint_one(results: Mapping[str, Results]) -> Verdict:
    a = _alpha_hat(results, "disjoint")
    return _majority(
        int(np.sum(a == 1.0)),
        a.size,
        f"chosen alphas {a.tolist()}; old reading (threshold set after a preliminary run): "
        f"mean {a.mean():.3f} >= 0.8",
    )


def _alpha_gap(results: Mapping[str, Results]) -> Verdict:
    shared, disjoint = _alpha_hat(results, "shared"), _alpha_hat(results, "disjoint")
    diff = disjoint.mean() - shared.mean()
    se = float(np.hypot(_se(shared), _se(disjoint)))
    t = diff / se if se > 0 else (1e6 if diff > 0 else 0.0)
    return at_least(
        t,
        K_SE,
        detail=f"mean alpha-hat shared {shared.mean():.3f}, disjoint {disjoint.mean():.3f}, "
        f"difference {diff:.3f} +- {se:.3f} (unpaired), mean/s.e.; old reading: difference "
        ">= 0.2",
    )


# -- binomial ---------------------------------------------------------------------------
def _binomial_beats_both(results: Mapping[str, Results]) -> Verdict:
    d = results["binomial"]["test_deviance"]
    auc = results["binomial"]["test_auc"].mean(axis=0)
    over = _beats(d[:, 2], d[:, 0], "deviance pretrained vs overall")
    ind = _beats(d[:, 2], d[:, 1], "deviance pretrained vs individual")
    worst = min((over, ind), key=lambda v: v.measured)
    return Verdict(
        worst.status,
        worst.measured,
        worst.expected,
        worst.tolerance,
        f"{over.detail}; {ind.detail}; AUC overall/individual/pretrained "
        f"{np.round(auc, 3).tolist()}",
    )


def _binomial_overall_worst(results: Mapping[str, Results]) -> Verdict:
    d = results["binomial"]["test_deviance"]
    vs_pre = _beats(d[:, 2], d[:, 0], "deviance pretrained vs overall")
    vs_ind = _beats(d[:, 1], d[:, 0], "deviance individual vs overall")
    worst = min((vs_pre, vs_ind), key=lambda v: v.measured)
    detail = f"{vs_pre.detail}; {vs_ind.detail}"
    return Verdict(worst.status, worst.measured, worst.expected, worst.tolerance, detail)


# -- CATE -------------------------------------------------------------------------------
def _cate_helps(results: Mapping[str, Results]) -> Verdict:
    m = results["cate"]["tau_mse"][0]
    return _beats(m[:, 0], m[:, 1], "shared support, tau MSE pretrained vs R-learner")


def _cate_no_harm(results: Mapping[str, Results]) -> Verdict:
    m = results["cate"]["tau_mse"][1]
    mean, se, t = _t(m[:, 0] - m[:, 1])
    return at_most(
        t,
        K_SE,
        detail=f"disjoint support, tau MSE pretrained {m[:, 0].mean():.3f} vs R-learner "
        f"{m[:, 1].mean():.3f}; harm (paired difference) {_fmt(mean)} +- {_fmt(se)} over "
        f"{m.shape[0]} runs, mean/s.e.; old reading: ratio {m[:, 0].mean() / m[:, 1].mean():.3f} "
        "within 1 +- 0.1",
    )


def _cate_alpha(setting: int, below_one: bool):
    def check(results: Mapping[str, Results]) -> Verdict:
        a = results["cate"]["alpha_hat"][setting]
        count = int(np.sum(a < 1.0)) if below_one else int(np.sum(a == 1.0))
        old = (
            f"; old reading (threshold set after a preliminary run): mean {a.mean():.3f} <= 0.5"
            if below_one
            else ""
        )
        return _majority(count, a.size, f"chosen alphas {a.tolist()}{old}")

    return check


# -- diabetes ---------------------------------------------------------------------------
def _diabetes(baseline: str):
    def check(results: Mapping[str, Results]) -> Verdict:
        m = results["diabetes"]["test_mse"]  # (split, model)
        j = 1 if baseline == "individual" else int(np.argmin(m[:, :2].mean(axis=0)))
        name = ("overall", "individual")[j]
        return _beats(m[:, 2], m[:, j], f"test MSE pretrained vs {name}")

    return check


# -- multi-response, multinomial, boosting ----------------------------------------------
def _beats_model(experiment: str, key: str, baseline: int, what: str, total: bool = False):
    def check(results: Mapping[str, Results]) -> Verdict:
        v = results[experiment][key]
        if total:  # sum over responses
            v = v.sum(axis=-1)
        name = ("overall", "individual")[baseline]
        return _beats(v[:, 2], v[:, baseline], f"{what} pretrained vs {name}")

    return check


_ABSTRACT = "abstract; brief R1 (overall >> pretrained <~ individual)"
_SG = ("stratified_gaussian",)
_SG_EVIDENCE = (
    "stratified_gaussian.reps",
    "stratified_gaussian.n_per_group",
    "stratified_gaussian.sigmas",
)
_RECOVERY_EVIDENCE = ("support_recovery.reps", "support_recovery.n_per_group")
_BETTER = f"(paired mean difference > {K_SE:g} s.e. over repetitions)"

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "gauss_pretrained_beats_individual",
        "Stratified Gaussian design: the CV-tuned pretrained lasso has lower test MSE than "
        f"the individual per-group lassos at every noise level {_BETTER}; measured: the "
        "smallest mean/s.e. over the noise levels.",
        _ABSTRACT,
        _SG,
        _gaussian_beats(1),
        expected_to_hold=False,
        note="Not established at quick scale: the pretrained model is ahead at every noise level "
        "on average, but at sigma = 20 the paired advantage is within 2 s.e. over 3 "
        "repetitions (see the detail); the full scale (100 repetitions) decides it.",
        figure="gaussian_error_vs_alpha",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_pretrained_beats_overall",
        "Stratified Gaussian design: the CV-tuned pretrained lasso has lower test MSE than "
        f"the overall (pooled, group-intercept) lasso at every noise level {_BETTER}.",
        _ABSTRACT,
        _SG,
        _gaussian_beats(0),
        figure="gaussian_error_vs_alpha",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_individual_beats_overall",
        "Stratified Gaussian design at the vignette's sigma = 20: the individual lassos have "
        f"lower test MSE than the overall lasso {_BETTER}.",
        "brief R1 (overall >> pretrained <~ individual)",
        _SG,
        _gauss_overall_vs_individual,
        figure="gaussian_per_group",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_overall_u_shape",
        "The overall model's per-group test error is U-shaped in the group index (its "
        "pooled common coefficient is near the average of 3k): the better of the two end "
        f"groups is worse than the best interior group {_BETTER}, over all runs.",
        "brief R1 (ptLasso vignette, quick start)",
        _SG,
        _u_shape,
        figure="gaussian_per_group",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_cv_alpha_interior",
        "The CV curve over alpha has an interior minimum (0 < alpha-hat < 1) on most runs "
        "(a strict majority).",
        "brief R1 (ptLasso vignette, quick start)",
        _SG,
        _interior_alpha,
        figure="gaussian_error_vs_alpha",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_pretrained_support_smaller",
        "The pretrained models use fewer features (union over groups of the effective "
        "coefficients (1 - alpha) beta_0 + beta_k) than the individual models select "
        f"(union over groups) {_BETTER}, over all runs.",
        "brief R1; abstract (interpretation)",
        _SG,
        _support_smaller,
        figure="gaussian_per_group",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "gauss_pretrained_support_contains_s",
        "On every run with alpha-hat < 1, every group's effective pretrained coefficients "
        "(1 - alpha) beta_0 + beta_k are nonzero on all of S (measured: features of S "
        "missing, summed; must be 0).",
        "brief R1 (the pretrained support contains S)",
        _SG,
        _support_contains_s,
        figure="gaussian_per_group",
        evidence=_SG_EVIDENCE,
    ),
    Claim(
        "limit_alpha_one_is_individual",
        "alpha = 1 gives the individual lassos: stage 2 solved by its own fit at alpha = 1 "
        "(offset 0 x eta-hat, penalty factors from S at alpha = 1, the group's folds) "
        "predicts as the individual models (largest difference / sd(y) <= 1e-9).",
        "brief (limits; R/ptLasso.R reuses the individual fits at alpha = 1)",
        _SG,
        _alpha_one,
        evidence=("stratified_gaussian.reps", "stratified_gaussian.sigmas"),
    ),
    Claim(
        "limit_alpha_zero_on_support",
        "alpha = 0 gives zero coefficients outside the overall support S in every group, "
        "at every lambda of the path (largest |coefficient| <= 1e-12).",
        "brief (limits; pf = 1/alpha = inf excludes those columns)",
        _SG,
        _alpha_zero,
        evidence=("stratified_gaussian.reps", "stratified_gaussian.sigmas"),
    ),
    Claim(
        "recovery_pooled_beats_individual",
        "The pooled stage-1 lasso (ptLasso's S, at lambda.1se) recovers the common support "
        "exactly more often than the individual lassos' majority vote (each at lambda.min): "
        f"one-sided sign test over the runs that separate them, p <= {P_SIGN:g}.",
        "abstract (support-recovery theorem); brief R0",
        ("support_recovery",),
        _recovery_sign_test,
        figure="support_recovery",
        evidence=_RECOVERY_EVIDENCE,
    ),
    Claim(
        "recovery_exact_gap_shrinks",
        "The exact-recovery gap between pooled and individual shrinks as n per group grows "
        f"(gap at the smallest n minus gap at the largest n > {K_SE:g} s.e.).",
        "brief R0 success criterion",
        ("support_recovery",),
        _gap_shrinks("exact_recovery"),
        expected_to_hold=False,
        note="Not established: with CV-chosen lambda both estimators rarely recover the "
        "common support exactly (the pooled S also picks up the groups' own features, "
        "whose pooled effect is not zero), so there is no significant gap at the smallest "
        "n for the check to follow (see the detail). The share of common features found "
        "(next claim) is the measurable form.",
        figure="support_recovery",
        evidence=_RECOVERY_EVIDENCE,
    ),
    Claim(
        "recovery_tpr_gap_shrinks",
        "The pooled fit's advantage in the share of common features found (true-positive "
        f"rate) shrinks as n grows (smallest-n gap minus largest-n gap > {K_SE:g} s.e.).",
        "abstract (better rate of recovery); brief R0",
        ("support_recovery",),
        _gap_shrinks("true_positive_rate"),
        figure="support_recovery",
        evidence=_RECOVERY_EVIDENCE,
    ),
    Claim(
        "alpha_disjoint_near_one",
        "With disjoint supports CV chooses alpha = 1 (the individual models) on most runs "
        "(a strict majority).",
        "brief R5 (disjoint support: alpha-hat = 1), applied to our design",
        ("alpha_choice",),
        _alpha_disjoint_one,
        figure="alpha_choice",
        evidence=("alpha_choice.reps", "alpha_choice.n_per_group"),
    ),
    Claim(
        "alpha_shared_below_disjoint",
        "The CV-chosen alpha is smaller when the groups share their support than when the "
        f"supports are disjoint (difference of means > {K_SE:g} s.e.).",
        "brief R5 (shared: alpha-hat < 1; disjoint: alpha-hat = 1), applied to our design",
        ("alpha_choice",),
        _alpha_gap,
        expected_to_hold=False,
        note="Not established at quick scale: the mean alpha-hat is lower with shared supports, "
        "but the difference is within 2 s.e. over 6 repetitions per setting (the old "
        "threshold, a difference >= 0.2 chosen after a preliminary run, was met; see the "
        "detail).",
        figure="alpha_choice",
        evidence=("alpha_choice.reps", "alpha_choice.n_per_group"),
    ),
    Claim(
        "binomial_pretrained_beats_both",
        "Binomial design: the CV-tuned pretrained lasso has lower test deviance than both "
        f"the overall and the individual models {_BETTER}; measured: the smaller mean/s.e.",
        "abstract (pretraining helps); brief R2 (low signal: orderings may flip)",
        ("binomial",),
        _binomial_beats_both,
        expected_to_hold=False,
        note="Not established: the brief calls this a low-signal design whose orderings may "
        "flip; the pretrained and individual deviances are within noise of each other at "
        "this number of repetitions (see the detail).",
        figure="binomial",
        evidence=("binomial.reps", "binomial.n_per_group"),
    ),
    Claim(
        "binomial_overall_worst",
        "Binomial design: the overall model has higher test deviance than the pretrained "
        f"and than the individual models {_BETTER}; measured: the smaller mean/s.e.",
        "brief R2 (ptLasso vignette, binomial)",
        ("binomial",),
        _binomial_overall_worst,
        expected_to_hold=False,
        note="Not established at quick scale: the overall model has the highest mean deviance, but"
        " its gap to the pretrained model is within 2 s.e. over 3 repetitions (low-signal "
        "design, brief R2).",
        figure="binomial",
        evidence=("binomial.reps", "binomial.n_per_group"),
    ),
    Claim(
        "cate_shared_pretraining_helps",
        "CATE with tau sharing the outcome's support: the pretrained R-learner has lower "
        f"test MSE of tau than the R-learner {_BETTER}.",
        "abstract (CATE); brief R5",
        ("cate",),
        _cate_helps,
        figure="cate",
        evidence=("cate.reps", "cate.n_train"),
    ),
    Claim(
        "cate_shared_alpha_small",
        "CATE with shared support: CV chooses alpha < 1 on most runs (a strict majority).",
        "brief R5 (shared support: alpha-hat < 1)",
        ("cate",),
        _cate_alpha(0, below_one=True),
        figure="cate",
        evidence=("cate.reps", "cate.n_train"),
    ),
    Claim(
        "cate_disjoint_no_harm",
        "CATE with disjoint supports: pretraining does no detectable harm (the paired "
        f"excess test MSE of tau over the R-learner is not above {K_SE:g} s.e.; an absence "
        "of evidence at this number of repetitions, not a proof of equality).",
        "brief R5 (disjoint support: equal error, 'does no harm')",
        ("cate",),
        _cate_no_harm,
        figure="cate",
        evidence=("cate.reps", "cate.n_train"),
    ),
    Claim(
        "cate_disjoint_alpha_one",
        "CATE with disjoint supports: CV chooses alpha = 1 (the plain R-learner) on most "
        "runs (a strict majority).",
        "brief R5 (disjoint support: alpha-hat = 1)",
        ("cate",),
        _cate_alpha(1, below_one=False),
        figure="cate",
        evidence=("cate.reps", "cate.n_train"),
    ),
    Claim(
        "diabetes_pretrained_beats_individual",
        "Diabetes grouped by sex: the pretrained lasso has lower test MSE than separate "
        f"lassos for women and men (paired mean difference > {K_SE:g} s.e. over splits).",
        "abstract (pretraining can help), on data of our choice",
        ("diabetes",),
        _diabetes("individual"),
        expected_to_hold=False,
        note="Not established: the pretrained model's mean test MSE is slightly below the "
        "individual models', but within noise over the splits (see the detail); the data "
        "show little sex-specific structure.",
        figure="diabetes",
        evidence=("diabetes.splits",),
    ),
    Claim(
        "diabetes_pretrained_best",
        "Diabetes grouped by sex: the pretrained lasso has lower test MSE than the better "
        f"of the overall and individual models (paired mean difference > {K_SE:g} s.e.).",
        "abstract (pretraining can help), on data of our choice",
        ("diabetes",),
        _diabetes("best"),
        expected_to_hold=False,
        note="Does not hold: the overall model (one lasso with a sex intercept) is best on "
        "average; CV picks small alphas and the fine-tuning stage adds variance.",
        figure="diabetes",
        evidence=("diabetes.splits",),
    ),
    Claim(
        "multiresponse_pretrained_beats_individual",
        "Two Gaussian responses sharing features: pretraining across responses gives lower "
        "test MSE (summed over the responses) than separate lassos per response "
        f"{_BETTER}.",
        "abstract (multi-response models); ptLasso multiresponse vignette",
        ("multiresponse",),
        _beats_model("multiresponse", "test_mse", 1, "summed test MSE", total=True),
        figure="multiresponse",
        evidence=("multiresponse.reps", "multiresponse.n_train", "multiresponse.p"),
    ),
    Claim(
        "multiresponse_pretrained_beats_overall",
        "Two Gaussian responses sharing features: the pretrained models have lower test MSE "
        f"(summed) than the multi-response group lasso (mgaussian) {_BETTER}.",
        "abstract (multi-response models); ptLasso multiresponse vignette",
        ("multiresponse",),
        _beats_model("multiresponse", "test_mse", 0, "summed test MSE", total=True),
        figure="multiresponse",
        evidence=("multiresponse.reps", "multiresponse.n_train", "multiresponse.p"),
    ),
    Claim(
        "multinomial_pretrained_beats_individual",
        "Multinomial target (5 classes): the pretrained one-vs-rest lassos misclassify less "
        f"than plain one-vs-rest lassos {_BETTER}.",
        "abstract (multinomial targets); brief R6 (low signal: small differences)",
        ("multinomial_target",),
        _beats_model("multinomial_target", "test_misclassification", 1, "test misclassification"),
        expected_to_hold=False,
        note="Does not hold here: the vignette's design is low-signal (misclassification near 0.7 "
        "with 5 classes, as the vignette prints) and the pretrained and one-vs-rest models "
        "misclassify about equally (brief R6: expect small differences).",
        figure="multinomial_target",
        evidence=("multinomial_target.reps", "multinomial_target.n_per_class"),
    ),
    Claim(
        "multinomial_pretrained_beats_overall",
        "Multinomial target (5 classes): the pretrained one-vs-rest lassos misclassify less "
        f"than the multinomial lasso {_BETTER}.",
        "abstract (multinomial targets); brief R6 (low signal: small differences)",
        ("multinomial_target",),
        _beats_model("multinomial_target", "test_misclassification", 0, "test misclassification"),
        expected_to_hold=False,
        note="Not established: the pretrained models misclassify slightly less than the "
        "multinomial lasso on average, within 2 s.e. over the repetitions (brief R6: low "
        "signal).",
        figure="multinomial_target",
        evidence=("multinomial_target.reps", "multinomial_target.n_per_class"),
    ),
    Claim(
        "boosting_pretrained_beats_individual",
        "Boosting basis (leaves of depth-1 boosted trees), 3 groups with shared and own "
        f"signal: the pretrained lasso has lower test MSE than per-group lassos {_BETTER}.",
        "abstract (gradient boosting); brief R7 (grouped variant)",
        ("boosting",),
        _beats_model("boosting", "test_mse", 1, "test MSE"),
        expected_to_hold=False,
        note="Not established at quick scale: the pretrained lasso is ahead of the per-group "
        "lassos on average, within 2 s.e. over 4 repetitions, on a design scaled down from "
        "the vignette's (p = 100, 200 rows per group; see the README).",
        figure="boosting",
        evidence=("boosting.reps", "boosting.n_per_group", "boosting.p"),
    ),
    Claim(
        "boosting_pretrained_beats_overall",
        "Boosting basis, 3 groups: the pretrained lasso has lower test MSE than the overall "
        f"lasso {_BETTER}.",
        "abstract (gradient boosting); brief R7 (grouped variant)",
        ("boosting",),
        _beats_model("boosting", "test_mse", 0, "test MSE"),
        figure="boosting",
        evidence=("boosting.reps", "boosting.n_per_group", "boosting.p"),
    ),
)

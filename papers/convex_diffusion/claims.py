"""The paper's claims (from the abstract, reviews and the brief's success criteria) as checks.

The paper body could not be read (see the README); the statements below are the brief's
reconstruction. Criteria, fixed in this docstring before the claims were evaluated:

- Critical beta: for every data set and activation the closed form ``m_max / n`` equals the
  recession LP to 1e-8, CLARABEL reports the program optimal at ``1.5 beta_c`` (and, a
  separate claim, unbounded at ``beta_c / 2``), the witness objective at ``beta_c / 2``
  falls below ``-K (1/n - beta)/2`` at the largest K, and at ``2 beta_c`` it grows with K.
  Measured: the number of failures.
- Kinks only at data: breakpoints found numerically from the score on a fine grid (second
  differences, :func:`experiments.numeric_kinks`) lie within 1.5 grid cells of a data point,
  at every beta, data set and activation; for DSM the model's kinks are noisy inputs.
- Regimes: at each beta swept, "the solver's fitted values equal the affine optimum's (1e-6)"
  equals "beta >= the certificate threshold"; below it the optimum is lower than the affine
  value by more than 1e-8. Threshold: bisection (14 steps) and certificate agree to 1e-3
  relative.
- Convex <= non-convex: every finite run's final objective >= the convex value minus
  1e-7 (1 + |value|); where the convex optimum is affine, the best run is within 1e-4
  relative of it. Hypothesis (brief): where the convex optimum is below the affine value by
  more than 1%, no Adam run comes within 1% (relative to |affine - convex|) of it.
- DSM: the same inequality; the Lasso of ``common.lasso`` matches CLARABEL to 1e-6 relative
  where run; the convex score's RMS distance to its best affine fit on the noisy-input range
  does not increase with beta and is below 1e-3 of the true noised score's RMS there at the
  largest beta (first written relative to the convex score's own RMS, which divides by ~0
  when the score is ~0 at large beta; corrected to this fixed scale). Fig. 4
  (ICLR): at the smallest beta the convex score is closer (RMS on the data range) to the true
  noised score than every Adam run.
- Langevin: for each case and step, |mean - density mean| <= 4 s.e. + 0.05 sd and
  |var / density var - 1| <= 4 sqrt(2 / chains) + step * max|slope| (discretisation);
  in the affine case the sample variance is within 4 s.e. of the discretised chain's exact
  stationary variance. Gaussian-Laplace: the ReLU-only realisation has slope 0 left of the
  data (constant score: exponential tail) and the same optimal value.
- Multivariate (ours): the gated program is unbounded for small beta and optimal for every
  larger beta of the grid (one switch).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.claims import Claim, Verdict, at_least, at_most, close_to
from common.results import Results


def _combos(r):
    return [(str(d), str(a)) for d in r["datasets"] for a in r["activations"]]


def _critical(res: Mapping[str, Results]) -> Verdict:
    r = res["sm_program"]
    ks, fails, notes = r["witness_k"], 0, []
    for d, a in _combos(r):
        k = f"{d}/{a}/"
        crit = float(r[k + "beta_crit"])
        fails += int(abs(crit - float(r[k + "beta_crit_lp"])) > 1e-8)
        fails += int(str(r[k + "status_above"]) != "optimal")
    for d in r["datasets"]:
        n = r[f"{d}/x"].size
        below, above = r[f"{d}/witness_below"], r[f"{d}/witness_above"]
        crit = float(r[f"{d}/relu/beta_crit"])
        fails += int(below[-1] > -ks[-1] * (1.0 / n - crit / 2) / 2)
        fails += int(np.any(np.diff(above) <= 0))
        notes.append(f"{d}: J(K={ks[-1]:g})={below[-1]:.4g}")
    return at_most(fails, 0, detail="; ".join(notes))


def _solver_status(res: Mapping[str, Results]) -> Verdict:
    r = res["sm_program"]
    wrong = [f"{d}/{a}" for d, a in _combos(r) if str(r[f"{d}/{a}/status_below"]) != "unbounded"]
    return at_most(len(wrong), 0, detail=f"CLARABEL not 'unbounded' at beta_c/2 on: {wrong}")


def _kinks(res: Mapping[str, Results]) -> Verdict:
    r, dsm = res["sm_program"], res["dsm"]
    sm_off = sum(int(np.sum(r[f"{d}/{a}/off_data_kinks"])) for d, a in _combos(r))
    dsm_off = sum(int(np.sum(dsm[f"{s:g}/off_knot_kinks"])) for s in dsm["sigmas"])
    return at_most(sm_off + dsm_off, 0, detail=f"SM off-data kinks {sm_off}, DSM {dsm_off}")


def _regimes(res: Mapping[str, Results]) -> Verdict:
    r = res["sm_program"]
    mism, drops, total = 0, 0, 0
    for d, a in _combos(r):
        k = f"{d}/{a}/"
        aff, pred = r[k + "affine"], r[k + "predicted_affine"]
        mism += int(np.sum(aff != pred))
        gap = r[k + "affine_objective"] - r[k + "objective"]
        drops += int(np.sum(gap[~pred] <= 1e-8))
        total += aff.size
    return at_most(
        mism + drops, 0, detail=f"{mism} regime mismatches, {drops} non-drops, {total} betas"
    )


def _threshold(res: Mapping[str, Results]) -> Verdict:
    r = res["sm_program"]
    errs = []
    for d, a in _combos(r):
        c, s = float(r[f"{d}/{a}/gauss_threshold_cert"]), float(r[f"{d}/{a}/gauss_threshold_sweep"])
        errs.append(abs(s - c) / c)
    return at_most(max(errs), 1e-3, detail=f"max relative |sweep - certificate| over {len(errs)}")


def _nonconvex(res: Mapping[str, Results]) -> Verdict:
    r = res["nonconvex"]
    worst, n_div, n_runs = np.inf, 0, 0
    for d in r["datasets"]:
        cvx = r[f"{d}/convex"]
        for w in r["widths"]:
            fin = r[f"{d}/{w}/final"]
            n_div += int(np.sum(~np.isfinite(fin)))
            n_runs += fin.size
            rel = (fin - cvx[:, None, None]) / (1 + np.abs(cvx[:, None, None]))
            worst = min(worst, float(np.nanmin(rel)))
    return at_least(
        worst,
        0.0,
        tol=1e-7,
        detail=f"min (J_nc - J_cvx)/(1+|J_cvx|), {n_runs} runs, {n_div} diverged",
    )


def _affine_reached(res: Mapping[str, Results]) -> Verdict:
    r = res["nonconvex"]
    worst = 0.0
    for d in r["datasets"]:
        cvx, aff = r[f"{d}/convex"], r[f"{d}/affine"]
        for i in np.flatnonzero(np.abs(aff - cvx) <= 1e-7 * (1 + np.abs(cvx))):
            best = min(np.nanmin(r[f"{d}/{w}/final"][i]) for w in r["widths"])
            worst = max(worst, (best - cvx[i]) / abs(cvx[i]))
    return at_most(worst, 1e-4, detail="largest relative gap of the best run, affine regime")


def _stuck(res: Mapping[str, Results]) -> Verdict:
    r = res["nonconvex"]
    reached, cases = 0, 0
    for d in r["datasets"]:
        cvx, aff = r[f"{d}/convex"], r[f"{d}/affine"]
        for i in np.flatnonzero(aff - cvx > 0.01 * np.abs(cvx)):
            for w in r["widths"]:
                fin = r[f"{d}/{w}/final"][i]
                reached += int(np.sum((fin - cvx[i]) <= 0.01 * (aff[i] - cvx[i])))
                cases += fin.size
    return at_most(
        reached,
        0,
        detail=f"runs within 1% of the convex optimum, of {cases} runs "
        "where it is below the affine value",
    )


def _dsm_le(res: Mapping[str, Results]) -> Verdict:
    r = res["dsm"]
    worst = np.inf
    for s in r["sigmas"]:
        cvx = r[f"{s:g}/convex"]
        for w in r["widths"]:
            rel = (r[f"{s:g}/{w}/final"] - cvx[:, None]) / (1 + np.abs(cvx[:, None]))
            worst = min(worst, float(np.nanmin(rel)))
    return at_least(worst, 0.0, tol=1e-7, detail="min (J_Adam - J_cvx)/(1+|J_cvx|)")


def _dsm_lasso(res: Mapping[str, Results]) -> Verdict:
    r = res["dsm"]
    gaps = np.concatenate([np.asarray(r[f"{s:g}/lasso_rel_gap"], float) for s in r["sigmas"]])
    gaps = gaps[np.isfinite(gaps)]
    return at_most(
        float(np.abs(gaps).max()), 1e-6, detail=f"common.lasso vs CLARABEL, {gaps.size} fits"
    )


def _affine_residual(r, tag, sigma, i):
    """RMS distance of the convex score to its best affine fit on the noisy-input range,
    relative to the RMS of the true noised score there (a fixed scale)."""
    xt, grid = r[f"{tag}/xt"], r["grid"]
    inside = (grid >= xt.min()) & (grid <= xt.max())
    s = r[f"{tag}/convex_scores"][i][inside]
    g = grid[inside]
    fit = np.polyval(np.polyfit(g, s, 1), g)
    scale = np.sqrt(np.mean(((g - 0.5) / (1.0 + sigma**2)) ** 2))
    return float(np.sqrt(np.mean((s - fit) ** 2)) / scale)


def _dsm_affine(res: Mapping[str, Results]) -> Verdict:
    r = res["dsm"]
    fails, last = 0, []
    for s in r["sigmas"]:
        res_b = [_affine_residual(r, f"{s:g}", s, i) for i in range(r["betas"].size)]
        fails += int(np.any(np.diff(res_b) > 1e-9))
        last.append(res_b[-1])
    return at_most(
        max(last) + fails,
        1e-3,
        detail=f"relative RMS affine residual, largest beta; {fails} increases",
    )


def _dsm_truth(res: Mapping[str, Results]) -> Verdict:
    r = res["dsm"]
    grid, x = r["grid"], r["x"]
    inside = (grid >= x.min()) & (grid <= x.max())
    worst_ratio, parts = np.inf, []
    for s in r["sigmas"]:
        tag = f"{s:g}"
        truth = -(grid[inside] - 0.5) / (1.0 + s**2)
        cvx = float(np.sqrt(np.mean((r[f"{tag}/convex_scores"][0][inside] - truth) ** 2)))
        adam = min(
            float(np.sqrt(np.mean((sc[inside] - truth) ** 2)))
            for w in r["widths"]
            for sc in r[f"{tag}/{w}/scores"][0]
        )
        worst_ratio = min(worst_ratio, adam / cvx)
        parts.append(f"sigma={tag}: RMS convex {cvx:.3g}, best Adam {adam:.3g}")
    return at_least(
        worst_ratio,
        1.0,
        detail="min over sigma of best-Adam / convex RMS error; " + "; ".join(parts),
    )


def _langevin(cases):
    def check(res: Mapping[str, Results]) -> Verdict:
        r = res["langevin"]
        fails, worst = 0, []
        n = r[f"{cases[0]}/samples0"].size
        for c in cases:
            st, m, v = r[f"{c}/stats"], float(r[f"{c}/density_mean"]), float(r[f"{c}/density_var"])
            slope = float(np.max(np.abs(r[f"{c}/slopes"])))
            for i, step in enumerate(r["steps"]):
                dm = abs(st[i, 0] - m)
                dv = abs(st[i, 1] / v - 1)
                tol_v = 4 * np.sqrt(2 / n) + step * slope
                bad = dm > 4 * np.sqrt(v / n) + 0.05 * np.sqrt(v) or dv > tol_v
                fails += int(bad)
                worst.append(
                    f"{c}@{step:g}: dmean {dm:.3g}, var ratio-1 {dv:.3g}, KL {st[i, 2]:.3g}"
                )
        return at_most(fails, 0, detail="; ".join(worst))

    return check


def _discretised(res: Mapping[str, Results]) -> Verdict:
    r = res["langevin"]
    st = r["gaussian/stats"]
    n = r["gaussian/samples0"].size
    z = np.abs(st[:, 1] - st[:, 3]) / (st[:, 3] * np.sqrt(2 / n))
    return at_most(float(z.max()), 4.0, detail="max |var - exact discretised var| / s.e.")


def _laplace(res: Mapping[str, Results]) -> Verdict:
    r = res["langevin"]
    left = float(r["gaussian_laplace/slopes"][0])
    return close_to(
        left,
        0.0,
        atol=1e-9,
        detail="score slope left of the data (ReLU only); "
        f"right slope {float(r['gaussian_laplace/slopes'][1]):.3g}",
    )


def _multivariate(res: Mapping[str, Results]) -> Verdict:
    st = [str(s) for s in res["multivariate"]["status"]]
    ok = np.array([s == "optimal" for s in st])
    switches = int(np.sum(ok[1:] != ok[:-1]))
    good = (not ok[0]) and ok[-1] and switches == 1
    return at_most(0 if good else 1, 0, detail=f"statuses {st}")


_SM = ("sm_program.n_beta",)
CLAIMS = (
    Claim(
        "critical_beta",
        "The SM program is unbounded below for beta < m_max/n (1/n for "
        "distinct data; explicit witness) and has finite optima above it",
        "brief D1 [derived]",
        ("sm_program",),
        _critical,
        figure="sm_program",
        evidence=_SM,
    ),
    Claim(
        "solver_detects_unbounded",
        "CLARABEL itself reports the SM program unbounded below the critical beta",
        "brief D1",
        ("sm_program",),
        _solver_status,
        figure="sm_program",
        evidence=_SM,
        expected_to_hold=False,
        note="Does not hold on gauss50/relu: CLARABEL returns 'optimal' at beta_c/2 although the "
        "witness family (and the recession LP) prove the program unbounded there; fit_score "
        "therefore checks beta against the closed-form critical value instead of trusting the "
        "solver's status.",
    ),
    Claim(
        "kinks_at_data",
        "The learned score is piecewise linear with kinks only at data "
        "points (SM) / noisy inputs (DSM)",
        "Thm 3.1 (latest); abstract",
        ("sm_program", "dsm"),
        _kinks,
        figure="sm_program",
        evidence=_SM,
    ),
    Claim(
        "regimes",
        "The predicted regime holds at each beta swept: affine (Gaussian) above "
        "the certificate threshold, strictly lower optimum (steep atoms) below it",
        "Thms 6.1/6.2 (ICLR) [reconstructed]",
        ("sm_program",),
        _regimes,
        figure="sm_program",
        evidence=_SM,
    ),
    Claim(
        "threshold",
        "The Gaussian regime's start: dual certificate and solver sweep agree",
        "brief D1",
        ("sm_program",),
        _threshold,
        figure="sm_program",
        evidence=_SM,
    ),
    Claim(
        "convex_le_nonconvex",
        "The convex value is <= every non-convex SM training run",
        "Thm 3.1 / 4.1",
        ("nonconvex",),
        _nonconvex,
        figure="nonconvex",
        evidence=("nonconvex.seeds", "nonconvex.widths", "nonconvex.lrs"),
    ),
    Claim(
        "nonconvex_affine",
        "In the affine regime Adam reaches the convex optimum",
        "brief D2",
        ("nonconvex",),
        _affine_reached,
        figure="nonconvex",
        evidence=("nonconvex.seeds", "nonconvex.steps"),
    ),
    Claim(
        "nonconvex_stuck",
        "Hypothesis: where the convex optimum uses steep data-point atoms, "
        "Adam does not reach it (no signal to move kinks onto data)",
        "brief D2 hypothesis",
        ("nonconvex",),
        _stuck,
        figure="nonconvex",
        evidence=("nonconvex.seeds", "nonconvex.steps"),
    ),
    Claim(
        "dsm_convex_le_adam",
        "DSM: the convex (Lasso) value is <= every Adam run",
        "DSM section",
        ("dsm",),
        _dsm_le,
        figure="dsm",
        evidence=("dsm.seeds", "dsm.widths"),
    ),
    Claim(
        "dsm_lasso",
        "DSM is a Lasso on the noisy inputs: common.lasso's coordinate descent matches CLARABEL",
        "brief D4",
        ("dsm",),
        _dsm_lasso,
        figure="dsm",
        evidence=("dsm.lasso_min_beta",),
    ),
    Claim(
        "dsm_affine",
        "DSM: as beta grows the convex score approaches an affine score",
        "brief D4",
        ("dsm",),
        _dsm_affine,
        figure="dsm",
        evidence=("dsm.betas",),
    ),
    Claim(
        "dsm_truth",
        "DSM (ICLR Fig. 4): the convex score is closer to the true (noised) "
        "score than the non-convex estimator",
        "ICLR Fig. 4 [review]",
        ("dsm",),
        _dsm_truth,
        figure="dsm",
        evidence=("dsm.seeds", "dsm.steps"),
        expected_to_hold=False,
        note="Refuted in our runs: at small beta the exact DSM optimum fits the per-sample "
        "noise (a sawtooth with kinks at the noisy inputs, per-point score -(x - x_i)/sigma^2 "
        "near each x_i), further from the population score than early-stopped Adam; the paper's "
        "Fig. 4 settings (n, sigma, beta) are unknown.",
    ),
    Claim(
        "langevin_moments",
        "Langevin sample moments match the density implied by the learned "
        "score (Gaussian, Gaussian-Laplace, steep-atom cases)",
        "Thms 6.1/6.2 (ICLR)",
        ("langevin",),
        _langevin(("gaussian", "gaussian_laplace", "steep")),
        figure="langevin",
        evidence=("langevin.chains", "langevin.burn_in"),
    ),
    Claim(
        "langevin_moments_bimodal",
        "Langevin sample moments match the implied density on bimodal data (two separated modes)",
        "Thms 6.1/6.2 (ICLR)",
        ("langevin",),
        _langevin(("bimodal",)),
        figure="langevin",
        evidence=("langevin.chains", "langevin.burn_in"),
        expected_to_hold=False,
        note="Does not hold in our runs: the means agree but the variance is 30-50% too large; "
        "plain (non-annealed) Langevin has not equilibrated the weights of the two separated "
        "modes within the horizon (metastability, as the reviewers noted), not a density error.",
    ),
    Claim(
        "langevin_discretised",
        "Affine score: the sample variance equals the discretised "
        "chain's stationary variance 1/(a(1 - step a/4))",
        "brief D3 [derived]",
        ("langevin",),
        _discretised,
        figure="langevin",
        evidence=("langevin.chains",),
    ),
    Claim(
        "gaussian_laplace",
        "A ReLU-only network realises the Gaussian-regime optimum with a "
        "constant score outside the data (Gaussian-Laplace density)",
        "Thm 6.2 (ICLR)",
        ("langevin",),
        _laplace,
        figure="langevin",
    ),
    Claim(
        "multivariate_unbounded",
        "Ours: the gated multivariate SM program is unbounded below "
        "a critical beta and bounded above it",
        "brief D5 [ours]",
        ("multivariate",),
        _multivariate,
        figure="multivariate",
        evidence=("multivariate.n_gates",),
    ),
)

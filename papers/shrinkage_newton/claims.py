"""The paper's claims (abstract, introduction, Table 1 caption, and the brief's reconstructed
theory) as checks over our results.

Only the abstract, the opening of the introduction and the Table 1 caption could be read;
the bias formulas are the brief's reconstructions (``../shared/papers/shrinkage_newton.md``).

Criteria (recorded in each statement):

- "The naive plateau equals its prediction within a few percent": the naive error at the
  largest ``q`` (mean over seeds) deviates from the prediction by at most 5 % of the
  prediction plus the averaging noise at that ``q``, estimated by the shrinkage estimator's
  error there (it has no asymptotic bias; by the triangle inequality the noise moves the
  naive error by about that much). Measured: the worst ``|sim / pred - 1| - noise / pred``.
- "Decays like q^(-1/2)": the least-squares slope of log(mean error) against log q lies in
  [-0.65, -0.35] for every lambda.
- "Stays biased" (lambda-only control): its error at the largest q is at least half the
  predicted naive plateau (lambda > 0).
- "Machine precision in few rounds": ``(F(x_t) - F*) / max(1, |F*|) <= 1e-12`` within the run's
  ``n_rounds`` (15 at quick scale), on every seed. "Slower": the median number of rounds to
  reach that level is at least 1.5 times shrinkage's (never reached: infinitely slow).
- Divergence / convergence in least squares: the spectral radius of ``I - P H`` on every
  seed (> 1 diverges, < 1 converges); the naive mean eigenvalue within 10 % of
  ``-gamma/(1-gamma)``.
- Sketches (E6): the 5 % + noise rule, applied only where the plateau is resolved (noise
  below a quarter of the predicted plateau; otherwise that d_lambda/d is reported as not
  resolved). The first quick run (q <= 400, as the brief) left every plateau unresolved at
  d/m = 0.5, so q now goes to 3000, drawn through the SVD of B (equal in law; README).
- "Slower than shrinkage": a method that never reaches 1e-12 within the run counts as
  infinitely slow. The first quick run counted it as ``n_rounds + 1``, which caps the
  ratio at 16/11 < 1.5 when shrinkage needs 11 rounds: a defect of the rule, corrected.

The 5 % + noise rule, slopes, round counts and radii were fixed before the first run; the
two corrections above after it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from common.claims import Claim, Verdict, at_least, at_most, not_checkable
from common.results import Results

REL_TOL = 1e-12  # "machine precision" for (F - F*) / max(1, |F*|)
RESOLVED = 0.25  # a plateau is resolved at q when the averaging noise is below this fraction


def _plateau_deviation(sim, pred, noise) -> tuple[float, str]:
    """Worst ``|sim/pred - 1| - noise/pred`` and a detail line per entry."""
    dev = np.abs(sim / pred - 1) - noise / pred
    rows = [f"{s:.4g} vs {p:.4g} (noise {n:.2g})" for s, p, n in zip(sim, pred, noise, strict=True)]
    return float(dev.max()), "; ".join(rows)


def _e1_plateau(lam_zero: bool):
    def check(results: Mapping[str, Results]) -> Verdict:
        r = results["resolvent_bias"]
        methods = [str(m) for m in r["methods"]]
        pick = r["lams"] == 0 if lam_zero else r["lams"] > 0
        err = r["errors"][:, pick, -1].mean(axis=-1)
        worst, rows = _plateau_deviation(
            err[methods.index("naive")],
            r["predicted_plateau"][pick],
            err[methods.index("shrinkage")],
        )
        lams = ", ".join(f"{x:g}" for x in r["lams"][pick])
        return at_most(worst, 0.05, detail=f"q = {r['qs'][-1]}, lambda = {lams}: naive {rows}")

    return check


def _e2_plateau(reference: str):
    def check(results: Mapping[str, Results]) -> Verdict:
        r = results["aspect_ratio"]
        worst, details = -np.inf, []
        for li, lam in enumerate(r["lams"]):
            if (lam == 0) != (reference != "predicted"):
                continue
            pred = r[reference] if lam == 0 else r["predicted"][:, li]
            sim = r["naive_error"][:, li].mean(axis=-1)
            w, rows = _plateau_deviation(sim, pred, r["shrinkage_error"][:, li].mean(axis=-1))
            worst = max(worst, w)
            details.append(f"lambda = {lam:g}: " + rows)
        gammas = ", ".join(f"{g:.2f}" for g in r["gammas"])
        return at_most(worst, 0.05, detail=f"gamma = {gammas}; " + " | ".join(details))

    return check


def _slope(results: Mapping[str, Results]) -> Verdict:
    r = results["resolvent_bias"]
    k = [str(m) for m in r["methods"]].index("shrinkage")
    logq = np.log(r["qs"])
    slopes = [
        np.polyfit(logq, np.log(r["errors"][k, li].mean(axis=-1)), 1)[0]
        for li in range(len(r["lams"]))
    ]
    detail = ", ".join(
        f"lambda = {lam:g}: {s:.3f}" for lam, s in zip(r["lams"], slopes, strict=True)
    )
    worst = max(abs(s + 0.5) for s in slopes)
    return at_most(worst, 0.15, detail=f"|slope + 0.5| worst; slopes {detail}")


def _fixed_point(results: Mapping[str, Results]) -> Verdict:
    r = results["resolvent_bias"]
    gap = np.abs(r["s_fixed_point"].mean(axis=-1) - r["s_oracle"])
    detail = ", ".join(
        f"lambda = {lam:g}: oracle {o:.4f}, fixed point {f:.4f}"
        for lam, o, f in zip(
            r["lams"], r["s_oracle"], r["s_fixed_point"].mean(axis=-1), strict=True
        )
    )
    return at_most(float(gap.max()), 0.01, detail=detail)


def _lambda_only(results: Mapping[str, Results]) -> Verdict:
    r = results["resolvent_bias"]
    k = [str(m) for m in r["methods"]].index("lambda_only")
    pick = r["lams"] > 0
    ratio = r["errors"][k, pick, -1].mean(axis=-1) / r["predicted_plateau"][pick]
    detail = ", ".join(
        f"lambda = {lam:g}: {x:.3f}" for lam, x in zip(r["lams"][pick], ratio, strict=True)
    )
    return at_least(
        float(ratio.min()), 0.5, detail=f"lambda-only error / predicted plateau: {detail}"
    )


def _rounds(gaps: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Rounds until ``gap / scale <= REL_TOL`` (``inf`` if never); gaps ``(..., t, seed)``."""
    hit = gaps / scale[..., None, :] <= REL_TOL
    return np.where(hit.any(axis=-2), hit.argmax(axis=-2), np.inf)


def _logistic_rounds(r: Results) -> tuple[list[str], np.ndarray]:
    methods = [str(m) for m in r["methods"]]
    scale = np.maximum(1.0, np.abs(r["f_star"]))[:, None, :]  # (lam, 1, seed)
    return methods, _rounds(
        r["gaps"], np.broadcast_to(scale, r["gaps"].shape[:2] + scale.shape[-1:])
    )


def _machine_precision(results: Mapping[str, Results]) -> Verdict:
    r = results["newton_logistic"]
    methods, rounds = _logistic_rounds(r)
    k = methods.index("shrinkage")
    worst = float(rounds[:, k].max())
    detail = ", ".join(
        f"lambda = {lam:g}: rounds per seed {rounds[li, k].tolist()}"
        for li, lam in enumerate(r["lams"])
    )
    n_rounds = r["gaps"].shape[-2] - 1
    return at_most(worst, n_rounds, detail=f"to (F - F*)/max(1,|F*|) <= {REL_TOL:g}: {detail}")


def _baselines_slower(results: Mapping[str, Results]) -> Verdict:
    r = results["newton_logistic"]
    methods, rounds = _logistic_rounds(r)
    med = np.median(rounds, axis=-1)  # (lam, method)
    k = methods.index("shrinkage")
    ratios, parts = [], []
    for li, lam in enumerate(r["lams"]):
        for base in ("naive", "determinantal"):
            slow = med[li, methods.index(base)]
            ratios.append(slow / med[li, k] if np.isfinite(med[li, k]) else 0.0)
            parts.append(f"lambda = {lam:g} {base} {med[li, methods.index(base)]:g}")
        parts.append(f"shrinkage {med[li, k]:g}")
    detail = "median rounds to 1e-12 (inf = never): " + ", ".join(parts)
    return at_least(min(ratios), 1.5, detail=detail)


def _dimension_s(results: Mapping[str, Results]) -> Verdict:
    r = results["newton_logistic"]
    methods, rounds = _logistic_rounds(r)
    med = np.median(rounds, axis=-1)
    li = int(np.argmin(r["lams"]))
    dim, ora = med[li, methods.index("shrinkage_dimension")], med[li, methods.index("shrinkage")]
    detail = (
        f"lambda = {r['lams'][li]:g}: median rounds s = 1 - d/m {dim:g}, oracle {ora:g}; "
        + ", ".join(
            f"lambda = {lam:g}: {med[j, methods.index('shrinkage_dimension')]:g} vs "
            f"{med[j, methods.index('shrinkage')]:g}"
            for j, lam in enumerate(r["lams"])
        )
    )
    return at_most(dim - ora if np.isfinite(ora) else np.inf, 1.0, detail=detail)


def _real_ordering(results: Mapping[str, Results]) -> Verdict:
    r = results["newton_real"]
    methods = [str(m) for m in r["methods"]]
    final = np.median(r["gaps"][..., -1, :], axis=-1)  # (dataset, lam, method)
    wins, parts = 0, []
    for di, name in enumerate(r["datasets"]):
        for li, lam in enumerate(r["lams"]):
            shr, naive = (
                final[di, li, methods.index("shrinkage")],
                final[di, li, methods.index("naive")],
            )
            wins += int(shr < naive)
            parts.append(f"{name} lambda = {lam:g}: shrinkage {shr:.2g} vs naive {naive:.2g}")
    total = final.shape[0] * final.shape[1]
    detail = f"median F - F* after {r['gaps'].shape[-2] - 1} rounds: " + "; ".join(parts)
    return at_least(wins / total, 1.0, detail=detail)


def _ls(results: Mapping[str, Results], method: str) -> tuple[np.ndarray, np.ndarray]:
    r = results["newton_least_squares"]
    k = [str(m) for m in r["methods"]].index(method)
    return r["spectral_radius"][k], r["gaps"][k]


def _naive_diverges(results: Mapping[str, Results]) -> Verdict:
    radius, gaps = _ls(results, "naive")
    grew = bool(np.all(gaps[-1] > gaps[0]))
    detail = (
        f"naive spectral radius per seed {np.round(radius, 3).tolist()}; "
        f"gap grew on every seed: {grew}"
    )
    return at_least(float(radius.min()) if grew else 0.0, 1.0, tol=-1e-12, detail=detail)


def _shrinkage_converges(results: Mapping[str, Results]) -> Verdict:
    radius, gaps = _ls(results, "shrinkage")
    f_star = results["newton_least_squares"]["f_star"]
    final = gaps[-1] / np.maximum(1.0, np.abs(f_star))
    ok = bool(np.all(final <= REL_TOL))
    detail = (
        f"shrinkage spectral radius per seed {np.round(radius, 3).tolist()}; "
        f"final relative gap max {final.max():.2g} (<= {REL_TOL:g}: {ok})"
    )
    return at_most(float(radius.max()) if ok else np.inf, 1.0, tol=-1e-12, detail=detail)


def _naive_eigenvalue(results: Mapping[str, Results]) -> Verdict:
    r = results["newton_least_squares"]
    k = [str(m) for m in r["methods"]].index("naive")
    mean = float(r["eigenvalues"][k].mean())
    pred = float(r["predicted_naive_eigenvalue"])
    detail = (
        f"mean eigenvalue of I - P H (naive) {mean:.4f}, predicted {pred:.4f}, "
        f"gamma = {r['gamma']:.2f}"
    )
    return at_most(abs(mean / pred - 1), 0.10, detail=detail)


def _sketch_plateau(results: Mapping[str, Results]) -> Verdict:
    r = results["sketch_averaging"]
    methods = [str(m) for m in r["methods"]]
    err = r["errors"][:, :, -1].mean(axis=-1)  # (method, fraction)
    pred = r["predicted_plateau"].mean(axis=-1)
    noise = err[methods.index("shrinkage")]
    resolved = noise <= RESOLVED * pred
    fractions = r["dlam_fractions"]
    unresolved = ", ".join(f"{f:g}" for f in fractions[~resolved])
    if not resolved.any():
        return not_checkable(
            f"averaging noise above {RESOLVED:g} x the plateau at every "
            f"d_lam/d at q = {r['qs'][-1]}"
        )
    worst, rows = _plateau_deviation(
        err[methods.index("naive")][resolved], pred[resolved], noise[resolved]
    )
    detail = (
        f"q = {r['qs'][-1]}, d_lam/d = {', '.join(f'{f:g}' for f in fractions[resolved])}: {rows}"
    )
    if unresolved:
        detail += f"; not resolved (noise > {RESOLVED:g} x plateau): d_lam/d = {unresolved}"
    return at_most(worst, 0.05, detail=detail)


def _sketch_shrinkage(results: Mapping[str, Results]) -> Verdict:
    r = results["sketch_averaging"]
    methods = [str(m) for m in r["methods"]]
    err = r["errors"][methods.index("shrinkage")].mean(axis=-1)  # (fraction, q)
    gain = err[:, 0] / err[:, -1]
    detail = ", ".join(
        f"d_lam/d = {f:g}: {a:.3g} -> {b:.3g}"
        for f, a, b in zip(r["dlam_fractions"], err[:, 0], err[:, -1], strict=True)
    )
    return at_least(
        float(gain.min()),
        3.0,
        detail=f"shrinkage error q = {r['qs'][0]} -> {r['qs'][-1]}: {detail}",
    )


def _sketch_lambda_only(results: Mapping[str, Results]) -> Verdict:
    r = results["sketch_averaging"]
    methods = [str(m) for m in r["methods"]]
    pick = r["dlam_fractions"] < 1
    err = r["errors"][methods.index("lambda_only"), pick, -1].mean(axis=-1)
    ratio = err / r["predicted_plateau"].mean(axis=-1)[pick]
    detail = ", ".join(
        f"d_lam/d = {f:g}: {x:.3f}" for f, x in zip(r["dlam_fractions"][pick], ratio, strict=True)
    )
    return at_least(
        float(ratio.min()),
        0.5,
        detail=f"lambda-only error at q = {r['qs'][-1]} / predicted naive plateau: {detail}",
    )


_E1 = ("resolvent_bias.d", "resolvent_bias.m", "resolvent_bias.qs", "resolvent_bias.seeds")
_E2 = ("aspect_ratio.d", "aspect_ratio.q", "aspect_ratio.seeds")
_E3 = ("newton_logistic.q", "newton_logistic.m", "newton_logistic.d", "newton_logistic.seeds")
_E5 = (
    "newton_least_squares.q",
    "newton_least_squares.m",
    "newton_least_squares.d",
    "newton_least_squares.seeds",
)
_E6 = ("sketch_averaging.n", "sketch_averaging.m", "sketch_averaging.qs", "sketch_averaging.seeds")

CLAIMS = (
    Claim(
        "naive_plateau_lambda0",
        "Naive averaging at lambda = 0 plateaus at gamma/(1 - gamma) (relative operator-norm "
        "error; no number of agents removes it), within 5 % plus the averaging noise at the "
        "largest q; measured: |sim/pred - 1| - noise/pred.",
        "intro (bias does not vanish in q); Theorem 2.5 as reconstructed in the brief",
        ("resolvent_bias",),
        _e1_plateau(lam_zero=True),
        figure="resolvent_bias",
        evidence=_E1,
    ),
    Claim(
        "naive_plateau_deterministic_equivalent",
        "Naive averaging at lambda > 0 plateaus at the deterministic-equivalent prediction "
        "(kappa/lambda)(Sigma + kappa I)^{-1}, within 5 % plus the averaging noise; "
        "measured: the worst |sim/pred - 1| - noise/pred over lambda.",
        "brief (reconstructed deterministic equivalent)",
        ("resolvent_bias",),
        _e1_plateau(lam_zero=False),
        figure="resolvent_bias",
        evidence=_E1,
    ),
    Claim(
        "shrinkage_error_rate",
        "The shrinkage estimator's error keeps decaying roughly like q^(-1/2): the log-log "
        "slope of its mean error against q lies in [-0.65, -0.35] for every lambda "
        "(measured: the worst |slope + 0.5|).",
        "abstract (shrinkage removes the bias); brief E1",
        ("resolvent_bias",),
        _slope,
        figure="resolvent_bias",
        evidence=_E1,
    ),
    Claim(
        "fixed_point_s_matches_oracle",
        "Each agent's local fixed point s = 1 - d_i(s lambda)/m matches the oracle "
        "s = 1 - d_lambda/m within 0.01 (mean over agents).",
        "ours (the paper assumes d_lambda known or broadcast)",
        ("resolvent_bias",),
        _fixed_point,
        figure="resolvent_bias",
        evidence=_E1,
    ),
    Claim(
        "lambda_only_control_biased",
        "Shrinking only the regulariser, (G_i + s lambda I)^{-1}, does not remove the bias: "
        "its error at the largest q is at least half the predicted naive plateau (lambda > 0).",
        "brief (negative control)",
        ("resolvent_bias",),
        _lambda_only,
        figure="resolvent_bias",
        evidence=_E1,
    ),
    Claim(
        "aspect_ratio_gamma_over_one_minus_gamma",
        "Across gamma = d/m in [0.1, 0.8] the naive plateau at lambda = 0 equals gamma/(1 - "
        "gamma) within 5 % plus the averaging noise (worst case over gamma).",
        "Theorem 2.5 as reconstructed in the brief",
        ("aspect_ratio",),
        _e2_plateau("gamma_over_one_minus_gamma"),
        expected_to_hold=False,
        note="Does not hold at large gamma at quick scale (d = 50): the asymptotic formula "
        "misses the finite-size correction, about 1/d + 1/(m - d) (11 % at gamma = 0.8); the "
        "exact finite-m inverse-Wishart value (d + 1)/(m - d - 1) is matched (next claim).",
        figure="aspect_ratio",
        evidence=_E2,
    ),
    Claim(
        "aspect_ratio_inverse_wishart",
        "Across gamma the naive plateau at lambda = 0 equals the exact Gaussian value "
        "(d + 1)/(m - d - 1) (inverse-Wishart mean) within 5 % plus the averaging noise.",
        "brief (exact finite-sample identity)",
        ("aspect_ratio",),
        _e2_plateau("inverse_wishart"),
        figure="aspect_ratio",
        evidence=_E2,
    ),
    Claim(
        "aspect_ratio_deterministic_equivalent",
        "Across gamma the naive plateau at lambda > 0 equals the deterministic-equivalent "
        "prediction within 5 % plus the averaging noise.",
        "brief (reconstructed deterministic equivalent)",
        ("aspect_ratio",),
        _e2_plateau("predicted"),
        figure="aspect_ratio",
        evidence=_E2,
    ),
    Claim(
        "shrinkage_newton_machine_precision",
        f"Distributed Newton with shrinkage-corrected averaging (oracle d_lambda) reaches "
        f"(F - F*)/max(1, |F*|) <= {REL_TOL:g} within the run's rounds on every seed and "
        "lambda (measured: the most rounds needed).",
        "abstract (significant improvements in convergence rate)",
        ("newton_logistic",),
        _machine_precision,
        figure="newton_logistic",
        evidence=(*_E3, "newton_logistic.n_rounds"),
    ),
    Claim(
        "baselines_slower_than_shrinkage",
        "Naive and determinantal averaging need at least 1.5 times as many rounds as "
        f"shrinkage to reach {REL_TOL:g} (median over seeds, each lambda; never reached counts "
        "as infinitely slow).",
        "abstract (faster than standard baselines and recent proposals)",
        ("newton_logistic",),
        _baselines_slower,
        figure="newton_logistic",
        evidence=(*_E3, "newton_logistic.n_rounds"),
    ),
    Claim(
        "dimension_s_as_good_as_oracle",
        "At the smallest lambda, s = 1 - d/m (no effective dimension) needs at most one more "
        "round than the oracle s (median rounds to 1e-12).",
        "Table 1 caption (no d_lambda overhead for lambda = o(1))",
        ("newton_logistic",),
        _dimension_s,
        figure="newton_logistic",
        evidence=(*_E3, "newton_logistic.n_rounds"),
    ),
    Claim(
        "real_data_shrinkage_beats_naive",
        "On breast_cancer and digits (m = 2d, random partitions) shrinkage reaches a lower "
        "median F - F* than naive averaging after the run's rounds, for every dataset and "
        "lambda (measured: the fraction of settings where it does).",
        "abstract (real datasets: faster convergence)",
        ("newton_real",),
        _real_ordering,
        expected_to_hold=False,
        note="Does not hold: with m = 2d rows per agent and only q = 9 (breast_cancer) or 14 "
        "(digits) agents, every distributed method is far from exact Newton, shrinkage "
        "included (with unit steps all of them diverge at lambda = 1e-4); shrinkage is ahead "
        "of naive averaging only on breast_cancer at lambda = 1e-2. The correction is derived "
        "for i.i.d. Gaussian-like rows and many agents; real curvature-weighted rows at m = 2d "
        "are far from that regime.",
        figure="newton_real",
        evidence=(
            "newton_real.partitions",
            "newton_real.n_rounds",
            "newton_real.rows_per_dimension",
        ),
    ),
    Claim(
        "least_squares_naive_diverges",
        "Least squares with d/m = 0.6 > 1/2 and unit step: naive averaging diverges (spectral "
        "radius of I - P H above 1 and growing F - F* on every seed; measured: the smallest "
        "radius).",
        "brief (reconstructed least-squares analysis)",
        ("newton_least_squares",),
        _naive_diverges,
        figure="newton_least_squares",
        evidence=_E5,
    ),
    Claim(
        "least_squares_shrinkage_converges",
        f"Least squares with d/m = 0.6: shrinkage converges (spectral radius below 1 and "
        f"relative F - F* <= {REL_TOL:g} at the last round on every seed; measured: the "
        "largest radius).",
        "brief (reconstructed least-squares analysis)",
        ("newton_least_squares",),
        _shrinkage_converges,
        figure="newton_least_squares",
        evidence=_E5,
    ),
    Claim(
        "least_squares_naive_eigenvalue",
        "The naive iteration matrix I - P H has its eigenvalues around -gamma/(1 - gamma): "
        "their mean is within 10 % of it (measured: the relative deviation).",
        "brief (reconstructed least-squares analysis)",
        ("newton_least_squares",),
        _naive_eigenvalue,
        figure="newton_least_squares",
        evidence=_E5,
    ),
    Claim(
        "sketch_naive_plateau",
        "Averaged Gaussian-sketch Newton directions (ridge): the naive error at the largest q "
        "equals the deterministic-equivalent plateau within 5 % plus the averaging noise, at "
        "every d_lambda/d where the noise is below a quarter of the plateau (measured: the "
        "worst |sim/pred - 1| - noise/pred).",
        "abstract (sketching); brief E6 (reconstructed)",
        ("sketch_averaging",),
        _sketch_plateau,
        figure="sketch_averaging",
        evidence=_E6,
    ),
    Claim(
        "sketch_shrinkage_improves",
        "Shrinkage-corrected sketch averaging keeps improving with q: its error falls at "
        "least 3-fold from the smallest to the largest q (measured: the smallest factor over "
        "d_lambda/d).",
        "abstract (sketching); brief E6",
        ("sketch_averaging",),
        _sketch_shrinkage,
        figure="sketch_averaging",
        evidence=_E6,
    ),
    Claim(
        "sketch_lambda_only_biased",
        "Sketches: the lambda-only control stays biased: its error at the largest q is at "
        "least half the predicted naive plateau (d_lambda/d < 1).",
        "brief (negative control)",
        ("sketch_averaging",),
        _sketch_lambda_only,
        figure="sketch_averaging",
        evidence=_E6,
    ),
)

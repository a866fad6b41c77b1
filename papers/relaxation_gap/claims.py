"""The paper's claims as checks over our results (Kim & Pilanci, arXiv:2402.03625).

The paper body could not be read; the targets are the theorem statements of the brief
(``relaxation_gap.md``, "Success looks like"). Criteria, fixed before looking at results:

* ``p_star_certified``: every p* is exact (enumerated, not a proxy) with a certified relative
  duality gap <= 1e-6 (else every ratio below rests on a proxy and says so).
* ``rho_at_least_one``: min over all runs of rho >= 1 - 1e-6 (p* <= relaxed optimum).
* ``mapped_network``: the network mapped from the relaxed solution has the relaxed objective,
  max relative difference <= 1e-8.
* ``no_power_law``: the least-squares slope of log(rho / sqrt(log 2n)) on log n over all runs
  and rules (the fitted power-law exponent) is <= 0.05; its 95% interval is shown.
* ``monotone_in_m``: for nested gates rho does not increase with m: the largest increase of
  rho between consecutive (sorted) gate counts of one run is <= 1e-6.
* ``gd_same_order``: rho_GD of the same order as rho: the median of rho_GD / rho (same data,
  m of ``gd_rule``; widths m and 2m) lies in [0.5, 2].
* ``decomposed_feasible``: the cone-decomposed gated solution is ReLU-feasible on the same
  patterns, so rho_dec >= rho - 1e-6 in every run (its norm blow-up is shown in the detail).
* ``rho_dec_no_power_law``: if the guarantee passes from the gated to the constrained
  relaxation through the decomposition (brief, "The mathematics" 4), rho_dec / sqrt(log 2n)
  shows no power-law growth either: fitted exponent <= 0.05 over the ``<c>log`` rules.
* ``bias_rho_at_least_one``, ``bias_no_power_law``: the same two checks as ``rho_at_least_one``
  and ``no_power_law`` on the bias-column variant of regime (i) (experiment ``bias``).
* ``a1_rho_at_least_one``: regime (ii) (A1, n/d fixed, exact p*): every p* certified
  (gap <= 1e-6) and min rho >= 1 - 1e-6.
* ``a1_no_power_law``: regime (ii) confirms regime (i)'s trend: the fitted exponent of
  rho / sqrt(log 2n) in n over its exact runs is <= 0.05.
* ``a1_proxy_within_envelope``: regime (iii), PROXY: at the larger d the proxy ratio
  relaxed / p~*(M) (a lower bound on rho) stays below C sqrt(log 2n) with C the smallest
  constant bounding every exact run of regimes (i) and (ii).
* ``time_polynomial``: CVXPY+CLARABEL's solve time grows polynomially, at most cubically: its
  log-log slope against d*m is <= 3.5 (timing).
* ``ours_slower_growth``: our solver's log-log slope is at most CLARABEL's (timing).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from scipy import stats

from common.claims import Claim, Status, Verdict, at_least, at_most
from papers.relaxation_gap.figures import envelope_constant, loglog_slope

__all__ = ["CLAIMS"]

BRIEF = "Thm 2.1 (secondary) / brief 'Success looks like'"


def _proxy(r) -> str:
    return "" if bool(np.all(r["exact"])) else " [PROXY p*: upper bound, not exact]"


def _c_cert(res):
    r = res["ratio"]
    gap = float(np.max(r["p_star_gap"])) if np.all(r["exact"]) else np.inf
    return at_most(gap, 1e-6, detail=f"max certified gap of p*; {int(np.sum(~r['exact']))} proxies")


def _c_ge1(res, key="ratio"):
    r = res[key]
    return at_least(
        float(np.nanmin(r["rho"])), 1.0, tol=1e-6,
        detail=f"min rho over {np.isfinite(r['rho']).sum()} runs; max gap of p* "
        f"{np.max(r['p_star_gap']):.1e}{_proxy(r)}",
    )  # fmt: skip


def _c_map(res):
    r = res["ratio"]
    return at_most(float(np.nanmax(r["map_error"])), 1e-8, detail="|F_nc(net) - relaxed|/relaxed")


def power_law_fit(n_grid, rho):
    """Slope of log(rho / sqrt(log 2n)) on log n over all runs, with its 95% interval
    (``rho``: (..., len(n_grid), seeds, rules), or any array broadcasting against ``n_grid``
    when ``n_grid`` has its shape)."""
    ns = np.asarray(n_grid, float)
    r = np.asarray(rho, float)
    if ns.ndim == 1 and r.shape[-3] == ns.size:
        r = np.moveaxis(r, -3, -1)  # (..., seeds, rules, n)
    ns = np.broadcast_to(ns, r.shape)
    x = np.log(ns).ravel()
    z = np.log(r / np.sqrt(np.log(2 * ns))).ravel()
    ok = np.isfinite(z)
    fit = stats.linregress(x[ok], z[ok])
    half = stats.t.ppf(0.975, ok.sum() - 2) * fit.stderr
    return float(fit.slope), float(fit.slope - half), float(fit.slope + half)


def _c_power(res, key="ratio"):
    r = res[key]
    s, lo, hi = power_law_fit(r["n_grid"], r["rho"])
    return at_most(s, 0.05, detail=f"exponent of rho/sqrt(log 2n) in n, 95% CI [{lo:.3f}, {hi:.3f}]"
                   f"{_proxy(r)}")  # fmt: skip


def _c_mono(res):
    r = res["ratio"]
    worst = -np.inf
    for i in range(len(r["n_grid"])):
        order = np.argsort(r["m"][i], kind="stable")
        worst = max(worst, float(np.nanmax(np.diff(r["rho"][:, :, i][..., order], axis=-1))))
    return at_most(worst, 1e-6, detail=f"largest increase of rho between nested m{_proxy(r)}")


def _c_gd(res):
    r = res["ratio"]
    j = [str(x) for x in r["rules"]].index(str(r["gd_rule"]))
    q = r["rho_gd"] / r["rho"][..., j][..., None]
    med = float(np.nanmedian(q))
    status = Status.HOLDS if 0.5 <= med <= 2.0 else Status.DOES_NOT_HOLD
    return Verdict(status, med, "in [0.5, 2]", None,
                   f"median rho_GD/rho over {np.isfinite(q).sum()} GD runs (widths m, 2m); "
                   f"range {np.nanmin(q):.3f}..{np.nanmax(q):.3f}{_proxy(r)}")  # fmt: skip


def _c_dec(res):
    r = res["ratio"]
    b, dec = r["blow_up"], r["rho_dec"]
    return at_least(
        float(np.nanmin(dec - r["rho"])), 0.0, tol=1e-6,
        detail=f"min rho_dec - rho; rho_dec {np.nanmin(dec):.2f}..{np.nanmax(dec):.2f}, "
        f"blow-up median {np.nanmedian(b):.2f}, max {np.nanmax(b):.2f}{_proxy(r)}",
    )  # fmt: skip


def _c_dec_power(res):
    r = res["ratio"]
    logs = [j for j, x in enumerate(r["rules"]) if str(x).endswith("log")]
    s, lo, hi = power_law_fit(r["n_grid"], r["rho_dec"][..., logs])
    return at_most(s, 0.05, detail=f"exponent of rho_dec/sqrt(log 2n) in n (<c>log rules), 95% CI "
                   f"[{lo:.3f}, {hi:.3f}]{_proxy(r)}")  # fmt: skip


def _a1_exact(res):
    """rho of regime (ii) (enumerated sizes) with n per entry; uncertified runs NaN."""
    a = res["a1"]
    enum = np.asarray(a["enumerated"], bool)
    rho = np.where(a["exact"][..., None], a["rho"], np.nan)[:, enum]
    n = np.asarray(a["n"], float)[enum][None, :, None, None]
    n_bad = int(np.sum(~a["exact"][:, enum] & np.isfinite(a["rho"][:, enum][..., 0])))
    return rho, np.broadcast_to(n, rho.shape), n_bad


def _c_a1_ge1(res):
    rho, _, bad = _a1_exact(res)
    if bad:
        return Verdict(Status.DOES_NOT_HOLD, bad, "0 uncertified p*", None,
                       f"{bad} enumerated p* did not certify (gap > 1e-6)")  # fmt: skip
    gap = float(np.nanmax(np.asarray(res["a1"]["p_star_gap"])[:, res["a1"]["enumerated"]]))
    return at_least(float(np.nanmin(rho)), 1.0, tol=1e-6,
                    detail=f"min rho over {np.isfinite(rho).sum()} exact runs, "
                    f"max certified gap {gap:.1e}")  # fmt: skip


def _c_a1_power(res):
    rho, n, _ = _a1_exact(res)
    s, lo, hi = power_law_fit(n, rho)
    a = res["a1"]
    ns = np.unique(np.asarray(a["n"])[np.asarray(a["enumerated"], bool)])
    return at_most(s, 0.05, detail=f"exponent of rho/sqrt(log 2n), n = {ns.min()}..{ns.max()}, "
                   f"95% CI [{lo:.3f}, {hi:.3f}]")  # fmt: skip


def _c_a1_proxy(res):
    rho, n, _ = _a1_exact(res)
    r = res["ratio"]
    ok = np.asarray(r["exact"])[..., None]
    C = max(float(np.nanmax(rho / np.sqrt(np.log(2 * n)))),
            envelope_constant(r["n_grid"], np.where(ok, r["rho"], np.nan)))  # fmt: skip
    a = res["a1"]
    px = ~np.asarray(a["enumerated"], bool)
    prox = a["rho"][:, px]
    q = prox / np.sqrt(np.log(2 * np.asarray(a["n"], float)[px]))[None, :, None, None]
    return at_most(float(np.nanmax(q)), C,
                   detail=f"PROXY: max (relaxed/p~*(M)) / sqrt(log 2n) over {np.isfinite(q).sum()} "
                   f"runs at d = {sorted({int(d) for d in np.asarray(a['dims'])[px]})}, M = "
                   f"{int(a['proxy_gates'])}, vs C of the exact runs; proxy ratios "
                   f"{np.nanmin(prox):.2f}..{np.nanmax(prox):.2f}; max gap of the proxy programs "
                   f"{np.nanmax(np.asarray(a['p_star_gap'])[:, px]):.1e}")  # fmt: skip


def _slope(res, j):
    r = res["timing"]
    return loglog_slope(r["dm"], r["times"][:, j])


def _c_poly(res):
    return at_most(_slope(res, 1), 3.5, detail="log-log slope of CLARABEL time vs d*m")


def _c_ours(res):
    return at_most(_slope(res, 0), _slope(res, 1), detail="our slope vs CLARABEL's slope")


_E = ("ratio.seeds", "ratio.n_grid", "ratio.beta_fracs")
_EB = ("bias.seeds", "bias.n_grid", "bias.beta_fracs")
_A1 = ("a1.ratios", "a1.max_patterns", "a1.seeds", "a1.beta_frac")
CLAIMS = (
    Claim("p_star_certified", "Every p* is exact with a certified duality gap <= 1e-6.",
          "brief: report the duality gap of every p*", ("ratio",), _c_cert, figure="ratio",
          evidence=_E),
    Claim("rho_at_least_one", "rho = relaxed / p* >= 1 - 1e-6 in every run.", BRIEF,
          ("ratio",), _c_ge1, figure="ratio", evidence=_E),
    Claim("mapped_network", "The network mapped from the relaxation has the relaxed objective.",
          "brief algorithm step 4 (core §4.1)", ("ratio",), _c_map, evidence=_E),
    Claim("no_power_law", "rho / sqrt(log 2n) is bounded or falls over n (no power-law growth).",
          BRIEF, ("ratio",), _c_power, figure="ratio", evidence=_E),
    Claim("monotone_in_m", "rho does not increase with m for nested gates.", BRIEF,
          ("ratio",), _c_mono, figure="gates", evidence=_E),
    Claim("gd_same_order", "GD from random initialisation reaches rho_GD of the same order as "
          "rho.", "abstract (local methods)", ("ratio",), _c_gd, figure="gd",
          evidence=(*_E, "ratio.gd_steps")),
    Claim("decomposed_feasible", "The cone-decomposed gated solution is ReLU-feasible: "
          "rho_dec >= rho.", "core §3.3 (decomposition), brief 'Alternative route'", ("ratio",),
          _c_dec, figure="gates", evidence=_E),
    Claim("rho_dec_no_power_law", "rho_dec / sqrt(log 2n) shows no power-law growth in n "
          "(m = c log n).", "brief: the guarantee passes from (4) to (3) by decomposition",
          ("ratio",), _c_dec_power, figure="gates", evidence=_E, expected_to_hold=False,
          note="Found failing in the first quick run (exponent 0.50 [0.25, 0.75]): at d = 3 "
               "the decomposition blow-up grows about linearly in n (median 2.3 at n = 10, "
               "28 at n = 80), so the gated route does not keep the sqrt(log n) behaviour."),
    Claim("bias_rho_at_least_one", "With a bias column (B1), rho >= 1 - 1e-6 in every run "
          "(exact p*).", BRIEF, ("bias",), partial(_c_ge1, key="bias"), figure="bias",
          evidence=_EB),
    Claim("bias_no_power_law", "With a bias column (B1), rho / sqrt(log 2n) shows no "
          "power-law growth in n.", BRIEF, ("bias",), partial(_c_power, key="bias"),
          figure="bias", evidence=_EB),
    Claim("a1_rho_at_least_one", "Regime (ii), A1 (n/d fixed), exact p*: every p* certified "
          "and rho >= 1 - 1e-6.", BRIEF, ("a1",), _c_a1_ge1, figure="ratio", evidence=_A1),
    Claim("a1_no_power_law", "Regime (ii) confirms the trend of (i): rho / sqrt(log 2n) shows "
          "no power-law growth.", BRIEF, ("a1",), _c_a1_power, figure="ratio", evidence=_A1),
    Claim("a1_proxy_within_envelope", "PROXY, regime (iii): at larger d the proxy ratio stays "
          "within the envelope C sqrt(log 2n) of the exact runs.", BRIEF, ("a1", "ratio"),
          _c_a1_proxy, figure="ratio",
          evidence=(*_A1, "a1.proxy_dims", "a1.proxy_gates", "a1.proxy_seeds", "ratio.n_grid"),
          expected_to_hold=False,
          note="Found failing in the first quick run (max proxy ratio / sqrt(log 2n) 2.33 "
               "against C = 2.17 fitted on the exact runs; one seed, two sizes). The proxy "
               "ratio is a lower bound on the true rho, so the failure is not a proxy artefact."),
    Claim("time_polynomial", "The interior-point solve time grows polynomially (about cubic) "
          "in d*m.", "Thm 2.3 (secondary): O(d^3 m^3)", ("timing",), _c_poly, figure="timing",
          evidence=("timing.n", "timing.dims", "timing.gates"), timing=True),
    Claim("ours_slower_growth", "The fast solver's time grows no faster than the interior "
          "point's.", "brief: first-order methods grow more slowly", ("timing",), _c_ours,
          figure="timing", evidence=("timing.n", "timing.dims", "timing.gates"), timing=True,
          expected_to_hold=False,
          note="Found failing in the first quick runs (slope 1.10 and 1.06 against CLARABEL's "
               "0.49): at quick sizes (d*m <= 192) our solver's per-call overhead (working-set "
               "rounds, JAX dispatch) dominates, so neither slope shows the asymptotic growth."),
)  # fmt: skip

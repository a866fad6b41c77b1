"""Every experiment at tiny sizes through the public runner, the full-scale path on a tiny
stand-in, and the figures and claims on the tiny results."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common import cli
from common.claims import Status, evaluate
from common.results import Results
from papers.shrinkage_newton.claims import CLAIMS
from papers.shrinkage_newton.paper import PAPER

TINY = {
    "resolvent_bias": {"d": 6, "m": 15, "qs": [4, 12], "seeds": 2, "chunk": 5},
    "aspect_ratio": {"d": 6, "gammas": [0.2, 0.5], "q": 10, "seeds": 2, "chunk": 4},
    "newton_logistic": {"q": 5, "m": 20, "d": 4, "n_rounds": 3, "seeds": 2},
    "newton_real": {"datasets": ["breast_cancer"], "lams": [1e-2], "n_rounds": 2, "partitions": 1},
    "newton_least_squares": {"q": 5, "m": 12, "d": 7, "n_rounds": 3, "seeds": 2},
    "sketch_averaging": {"n": 60, "d": 5, "m": 10, "qs": [3, 9], "seeds": 2},
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_every_experiment_runs_tiny(name):
    res = cli.run(PAPER, name, overrides=TINY[name])
    for key, value in res.arrays.items():
        if value.dtype.kind == "f":
            assert not np.isnan(value).any(), f"{name}.{key} has NaN"


@pytest.mark.parametrize("name", sorted(TINY))
def test_full_scale_path_on_tiny_stand_in(name):
    """scale=full keeps its own branches (explicit sketches, more rounds) at tiny sizes."""
    res = cli.run(PAPER, name, scale="full", overrides=TINY[name])
    assert res.provenance["config"]["scale"] == "full"


def test_same_seed_same_results():
    a = cli.run(PAPER, "resolvent_bias", overrides=TINY["resolvent_bias"])
    b = cli.run(PAPER, "resolvent_bias", overrides=TINY["resolvent_bias"])
    np.testing.assert_array_equal(a["errors"], b["errors"])


def test_plots_and_claims_on_tiny_results():
    results = {name: cli.run(PAPER, name, overrides=ov) for name, ov in TINY.items()}
    for fig in PAPER.figures:
        plt.close(cli.plot(PAPER, fig.name, results))
    rows = evaluate(list(CLAIMS), results)
    assert {r["id"] for r in rows} == {c.id for c in CLAIMS}
    broken = [r for r in rows if "check raised" in r["detail"]]
    assert not broken, broken


def test_claims_declare_figures_and_evidence():
    figures = {f.name for f in PAPER.figures}
    for claim in CLAIMS:
        assert claim.figure in figures
        assert claim.evidence


def _claim(claim_id):
    return next(c for c in CLAIMS if c.id == claim_id)


def test_plateau_and_divergence_claims_can_fail():
    """The checks read the numbers: a wrong prediction or a converging naive run fails them."""
    res = cli.run(PAPER, "resolvent_bias", overrides=TINY["resolvent_bias"])
    errors = res.arrays["errors"].copy()
    errors[1] = 1e-6  # negligible noise, so only the 5 % margin is left
    errors[0, 0] = 1.2 * res["predicted_plateau"][0]  # 20 % above the prediction
    bad = Results({**res.arrays, "errors": errors}, res.scalars, res.provenance)
    verdict = _claim("naive_plateau_lambda0").check({"resolvent_bias": bad})
    assert verdict.status == Status.DOES_NOT_HOLD
    assert verdict.measured == pytest.approx(0.2, abs=1e-3)
    ls = cli.run(PAPER, "newton_least_squares", overrides=TINY["newton_least_squares"])
    radius = ls.arrays["spectral_radius"].copy()
    radius[1] = 0.5  # naive contracting
    fake = Results({**ls.arrays, "spectral_radius": radius}, ls.scalars, ls.provenance)
    verdict = _claim("least_squares_naive_diverges").check({"newton_least_squares": fake})
    assert verdict.status == Status.DOES_NOT_HOLD

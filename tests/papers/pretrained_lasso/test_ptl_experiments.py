"""Every experiment runs at a tiny size; figures and claims consume its output."""

import numpy as np
import pytest

from common import cli
from common.claims import Verdict
from papers.pretrained_lasso.paper import PAPER

TINY = {
    "stratified_gaussian": {
        "n_groups": 3,
        "n_per_group": 20,
        "p": 70,
        "sigmas": [5.0],
        "reps": 1,
        "nfolds": 3,
        "n_alpha": 3,
    },
    "stage1_lambda": {
        "n_groups": 3,
        "n_per_group": 20,
        "p": 70,
        "reps": 1,
        "nfolds": 3,
        "n_alpha": 2,
    },
    "support_recovery": {"n_per_group": [15, 30], "reps": 1, "nfolds": 3, "p": 30},
    "alpha_choice": {"reps": 1, "n_per_group": 20, "nfolds": 3, "n_alpha": 3, "p": 30},
    "binomial": {"reps": 1, "n_per_group": 40, "nfolds": 3, "n_alpha": 2, "p": 20},
    "cate": {"reps": 1, "n_train": 60, "nfolds": 3, "n_alpha": 3},
    "diabetes": {"splits": 1, "interactions": False, "nfolds": 3, "n_alpha": 3},
}


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=3, overrides=over) for name, over in TINY.items()}


def test_every_experiment_runs(results):
    r = results["stratified_gaussian"]
    assert r["test_mse"].shape == (1, 1, 3)
    assert r["limit_alpha1_max_diff"].max() == 0.0
    assert r["limit_alpha0_max_coef_off_support"].max() == 0.0
    assert np.all(np.isfinite(results["binomial"]["test_auc"]))
    assert results["cate"]["tau_mse"].shape == (2, 1, 2)
    assert results["diabetes"]["n_features"] == 9
    assert results["support_recovery"]["exact_recovery"].shape == (2, 1, 2)


def test_seeded_runs_repeat():
    a = cli.run(PAPER, "cate", seed=11, overrides=TINY["cate"])
    b = cli.run(PAPER, "cate", seed=11, overrides=TINY["cate"])
    np.testing.assert_array_equal(a["tau_mse"], b["tau_mse"])


def test_figures_and_claims_consume_results(results):
    for spec in PAPER.figures:
        fig = cli.plot(PAPER, spec.name, results)
        assert fig.axes
    for claim in cli.claims(PAPER):
        verdict = claim.check({name: results[name] for name in claim.inputs})
        assert isinstance(verdict, Verdict)

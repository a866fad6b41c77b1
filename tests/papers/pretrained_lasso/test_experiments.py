"""Every experiment runs at a tiny size; figures and claims consume its output."""

import numpy as np
import pytest

from common import cli
from common.claims import Status, Verdict
from common.results import Results
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
    "multiresponse": {"reps": 2, "n_train": 60, "n_test": 30, "p": 30, "nfolds": 3, "n_alpha": 3},
    "multinomial_target": {
        "reps": 2,
        "n_per_class": 20,
        "p": 40,
        "nfolds": 3,
        "n_alpha": 2,
        "nlambda": 20,
    },
    "boosting": {
        "reps": 2,
        "n_per_group": 30,
        "p": 20,
        "n_common": 4,
        "n_individual": 4,
        "n_trees": 10,
        "nfolds": 3,
        "n_alpha": 2,
    },
}


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=3, overrides=over) for name, over in TINY.items()}


def test_every_experiment_runs(results):
    r = results["stratified_gaussian"]
    assert r["test_mse"].shape == (1, 1, 3)
    assert r["limit_alpha1_max_diff"].max() <= 1e-9
    assert r["limit_alpha0_max_coef_off_support"].max() == 0.0
    assert np.all(np.isfinite(results["binomial"]["test_auc"]))
    assert results["cate"]["tau_mse"].shape == (2, 1, 2)
    assert results["diabetes"]["n_features"] == 9
    assert results["support_recovery"]["exact_recovery"].shape == (2, 1, 2)
    assert results["multiresponse"]["test_mse"].shape == (2, 3, 2)
    assert results["multinomial_target"]["test_misclassification"].shape == (2, 3)
    assert np.all(results["boosting"]["test_mse"] > 0)


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


def _results(experiment: str, **arrays) -> dict:
    return {experiment: Results(arrays=arrays)}


def _claim(claim_id: str):
    return next(c for c in cli.claims(PAPER) if c.id == claim_id)


def test_recovery_claim_is_not_checkable_when_neither_estimator_recovers():
    """Both exact-recovery rates 0 everywhere: no evidence either way (was a vacuous pass)."""
    r = _results(
        "support_recovery",
        exact_recovery=np.zeros((3, 10, 2)),
        n_per_group=np.array([20, 40, 80]),
    )
    verdict = _claim("recovery_pooled_beats_individual").check(r)
    assert verdict.status is Status.NOT_CHECKABLE


def test_recovery_claim_needs_a_significant_sign_test():
    e = np.zeros((2, 10, 2))
    e[0, 0, 0] = 1.0  # one run where only the pooled S recovers: p = 0.5
    r = _results("support_recovery", exact_recovery=e, n_per_group=np.array([20, 40]))
    assert _claim("recovery_pooled_beats_individual").check(r).status is Status.DOES_NOT_HOLD
    e[:, :4, 0] = 1.0  # eight runs only pooled, none only individual: p = 1/256
    assert _claim("recovery_pooled_beats_individual").check(r).holds


def test_better_than_is_not_a_tie_and_needs_consistency():
    """Lower mean test MSE within noise over splits does not count as better."""
    rng = np.random.default_rng(0)
    base = 3000 + 100 * rng.standard_normal(8)
    noisy = np.stack([base + 10, base + 30 * rng.standard_normal(8), base], axis=1)
    check = _claim("diabetes_pretrained_beats_individual").check
    assert check(_results("diabetes", test_mse=noisy)).status is Status.DOES_NOT_HOLD
    clear = np.stack([base + 10, base + 50 + rng.uniform(0, 1, 8), base], axis=1)
    assert check(_results("diabetes", test_mse=clear)).holds
    tie = np.stack([base, base, base], axis=1)
    assert check(_results("diabetes", test_mse=tie)).status is Status.DOES_NOT_HOLD

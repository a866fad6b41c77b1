"""Every experiment at a tiny size through the public runner; figures and claims on top."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common import cli
from common.claims import Status, evaluate
from papers.adaptive_inference.claims import CLAIMS
from papers.adaptive_inference.paper import PAPER

TRAIN = {"folds": 2, "repeats": 2, "epochs": 1, "batch": 64, "n_thresholds": 5}
WIDTH = {**TRAIN, "widths": [1, 4, 16, 64], "sizes": [2, 3, 4]}
TINY = {
    "digits_width": {**WIDTH, "granularity_states": 3},
    "synthetic_width": {**WIDTH, "n_samples": 200},
    "digits_resolution": {**TRAIN, "width": 4},
    "digits_early_exit": {**TRAIN, "width": 8, "depth": 2},
    "random_matrices": {"draws": 3, "n_inputs": 50, "n_states": 4},
    "published": {},
    "digits_cnn_width": {**TRAIN, "widths": [1, 2, 4]},
    "digits_cnn_early_exit": {**TRAIN, "channels": 2},
    "digits_cnn_resolution": {**TRAIN, "channels": 2},
    "shapes_cnn_width": {**TRAIN, "widths": [1, 2], "n_samples": 60, "image_size": 8},
    "shapes_cnn_early_exit": {**TRAIN, "channels": 2, "n_samples": 60, "image_size": 8},
    "shapes_cnn_resolution": {
        **TRAIN,
        "channels": 2,
        "sizes": [4, 8],
        "n_samples": 60,
        "image_size": 8,
    },
}


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=5, overrides=o) for name, o in TINY.items()}


def test_experiments_run(results):
    r = results["digits_width"]
    assert r["accuracy"].shape == (2, 4)
    assert r["size_iso"].shape == (2, 3) and r["range_iso"].shape == (2, 3)
    assert r["granularity_iso"].shape == (2, 2)
    assert r["granularity_widths"].tolist() == [[1, 16, 64], [1, 32, 64]]
    assert r["example_correct"].shape == (4, 1797)
    assert np.all(r["nested_excess"] <= 1e-12) and np.all(r["union_excess"] <= 1e-12)
    assert "granularity_iso" not in results["synthetic_width"]
    assert results["digits_resolution"]["accuracy"].shape == (2, 6)
    assert np.all(np.diff(results["digits_resolution"]["costs"]) >= 0)
    assert results["digits_early_exit"]["stop_costs"].shape == (2,)
    m = results["random_matrices"]
    assert m["iso"].shape == (5, 3)
    assert np.all(m["nested"] <= m["iso"] * (1 + 1e-12))
    assert np.all(m["iso"] <= m["union"] * (1 + 1e-12))
    p = results["published"]
    assert p["target_nested"][0, 7] == pytest.approx(51.12, abs=0.01)


def test_figures_and_claims(results):
    for spec in PAPER.figures:
        fig = cli.plot(PAPER, spec.name, results)
        assert fig.axes
        plt.close(fig)
    rows = evaluate(list(CLAIMS), results)
    assert len(rows) == len(CLAIMS)
    for row in rows:
        assert row["status"] in {str(s) for s in Status}
        assert "check raised" not in row["detail"], row
    by_id = {row["id"]: row for row in rows}
    for fact in (
        "exact_at_least_nested",
        "union_at_least_exact",
        "gains_between_one_and_range",
        "oracle_accuracy_at_least_best_state",
        "adding_states_never_lowers_iso_gain",
    ):
        assert by_id[fact]["status"] == "holds", by_id[fact]


def test_seeded_runs_repeat():
    a = cli.run(PAPER, "digits_early_exit", seed=3, overrides=TINY["digits_early_exit"])
    b = cli.run(PAPER, "digits_early_exit", seed=3, overrides=TINY["digits_early_exit"])
    np.testing.assert_array_equal(a["accuracy"], b["accuracy"])


def test_full_scale_code_path():
    """scale=full with the sizes shrunk: full's thresholds, repeats count and granularity."""
    over = {**WIDTH, "n_samples": 150, "repeats": 1, "granularity_states": 3}
    del over["n_thresholds"]
    r = cli.run(PAPER, "synthetic_width", scale="full", seed=1, overrides=over)
    assert r["thresholds"].size == 102  # full scale's 101 thresholds + "always last"
    assert r["granularity_iso"].shape == (1, 2)


def test_bad_parameters():
    with pytest.raises(ValueError, match="kinds: unknown kind"):
        cli.run(PAPER, "random_matrices", overrides={"kinds": ["bogus"], "draws": 1})
    with pytest.raises(FileNotFoundError, match="published table"):
        cli.run(PAPER, "published", overrides={"table": "/nonexistent/table.csv"})
    with pytest.raises(ValueError, match="repeats"):
        cli.run(PAPER, "digits_width", overrides={"repeats": 0})

"""Every experiment runs at a tiny size through the public runner; figures and claims
consume its output; the full-scale parameters run on a tiny stand-in."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common import cli
from common.claims import Status, evaluate
from papers.accelerated_sgd.claims import CLAIMS
from papers.accelerated_sgd.paper import PAPER

TINY = {
    "falsification": {"dims": [30], "n": 200, "d": 10, "finite_steps": 300, "seeds": 2},
    "semi_bound": {
        "n_gaussian": 200,
        "d": 10,
        "n_spectral": 100,
        "spectral_dims": [10],
        "kappa": 10.0,
        "seeds": 2,
    },
    "acceleration": {
        "kappas": [10, 30, 100],
        "stochastic_kappas": [10, 30],
        "n": 100,
        "d": 10,
        "batch": 50,
        "instances": 1,
        "seeds": 2,
    },
    "rho_dependence": {"kappa": 5.0, "n": 100, "d": 10, "batches": [100, 20, 5], "seeds": 2},
    "convex": {"n": 10, "d": 30, "min_eigenvalue": 1e-3, "n_steps": 1200, "seeds": 2},
}


def _run_all(scale):
    return {
        name: cli.run(PAPER, name, scale=scale, seed=3, overrides=over)
        for name, over in TINY.items()
    }


@pytest.fixture(scope="module")
def results():
    return _run_all("quick")


def test_every_experiment_runs(results):
    e1 = results["falsification"]
    assert e1["a_gap_30"].shape == (4, 2, 91)
    assert e1["b_gap"].shape == (5, 2, 301)
    assert np.all(np.isfinite(results["semi_bound"]["gap_spectral_10"]))
    assert results["acceleration"]["deterministic_iterations"].shape == (2, 1, 3)
    assert np.all(np.isfinite(results["acceleration"]["deterministic_iterations"]))
    assert results["rho_dependence"]["rho_batch"][0] == 1.0
    assert results["convex"]["mean_gap"].shape == (5, 1201)


def test_figures_and_claims(results):
    for fig in PAPER.figures:
        plt.close(cli.plot(PAPER, fig.name, results))
    rows = evaluate(list(CLAIMS), results)
    assert {r["id"] for r in rows} == {c.id for c in CLAIMS}
    assert all(
        r["status"] != str(Status.DOES_NOT_HOLD) or "raised" not in r["detail"] for r in rows
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id["corrected_equals_sgd_at_kappa_one"]["status"] == "holds"
    assert by_id["v1_sqrt_rho_rate_fully_stochastic"]["status"] == "does not hold"


def test_seeded_runs_repeat(results):
    again = cli.run(PAPER, "convex", seed=3, overrides=TINY["convex"])
    assert np.array_equal(again["mean_gap"], results["convex"]["mean_gap"])


def test_full_scale_path_on_a_tiny_stand_in():
    full = _run_all("full")
    assert full["falsification"].provenance["config"]["scale"] == "full"
    assert full["rho_dependence"]["iterations"].shape == (4, 3, 2)
    assert np.all(np.isfinite(full["acceleration"]["stochastic_iterations"]))

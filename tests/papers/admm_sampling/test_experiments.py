"""Every experiment runs at a tiny size; figures and claims consume its output."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common import cli
from papers.admm_sampling.paper import PAPER

TINY = {
    "data_posterior": {"settings": [[3, 10], [4, 5]]},
    "linear_w2": {
        "settings": [[5, 50, 21], [20, 50, 21], [4, 10, 6]],
        "n_trials": 20,
        "floor_reps": 10,
        "methods": ["d_sgld", "d_ula", "d_sghmc", "d_admms", "admm"],
    },
    "rho_sweep": {
        "n_agents": [3, 4],
        "rhos": [1.0, 5.0, 50.0],
        "n_iter": 5,
        "n_trials": 20,
        "floor_reps": 10,
    },
    "init_ablation": {"n_agents": 4, "n_iter": 5, "n_starts": 2, "n_trials": 20, "floor_reps": 10},
    "logistic": {"n_agents": [3, 4], "n_iter": [4, 3], "n_samples": 10, "n_trials": 5},
    "neighbour_bug": {
        "n_agents": 4,
        "n_iter": 5,
        "n_trials": 20,
        "rhos": [1.0, 5.0],
        "floor_reps": 10,
    },
}


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=3, overrides=over) for name, over in TINY.items()}


def test_every_experiment_runs(results):
    r = results["linear_w2"]
    assert r["mc_w2"].shape == (3, 3, 5, 2, 22)
    assert np.all(np.isnan(r["mc_w2"][2, ..., 7:]))  # shorter runs padded
    assert np.all(np.isfinite(r["exact_w2"][0]))
    assert results["rho_sweep"]["stationary_w2"].shape == (2, 2, 3, 2)
    assert results["rho_sweep"]["mc_band_last"].shape == (2, 2, 3, 2, 2)
    assert results["init_ablation"]["exact_w2"].shape == (3, 2, 6)
    assert results["logistic"]["accuracy"].shape == (2, 3, 5, 2, 5)
    assert results["neighbour_bug"]["stationary_w2"].shape == (2, 2, 2)
    assert results["data_posterior"]["posterior_cov"].shape == (2, 2, 2)


def test_figures_and_claims_consume_the_results(results):
    for fig in PAPER.figures:
        plt.close(cli.plot(PAPER, fig.name, results))
    from common.claims import evaluate

    rows = evaluate(list(cli.claims(PAPER)), results)
    assert len(rows) == len(cli.claims(PAPER))
    assert not [r for r in rows if "check raised" in r["detail"]]


def test_seeded_runs_repeat():
    a = cli.run(PAPER, "init_ablation", seed=11, overrides=TINY["init_ablation"])
    b = cli.run(PAPER, "init_ablation", seed=11, overrides=TINY["init_ablation"])
    np.testing.assert_array_equal(a["mc_w2"], b["mc_w2"])


def test_full_scale_code_path_on_a_tiny_stand_in():
    """The full declaration's parameters (all seven result-file settings, 10^4 trials, N up
    to 50 for logistic regression) with the sizes cut down."""
    full = PAPER.experiment("linear_w2").params("full", None)
    assert len(full["settings"]) == 7 and full["n_trials"] == 10_000
    over = {"settings": [[6, 5, 3], [3, 5, 2]], "n_trials": 30, "floor_reps": 5}
    r = cli.run(PAPER, "linear_w2", scale="full", seed=1, overrides=over)
    assert r.provenance["config"]["scale"] == "full"
    assert r["mc_w2"].shape == (2, 3, 5, 2, 4)
    over = {"n_agents": [3, 4, 5], "n_iter": [2, 2, 2], "n_samples": 5, "n_trials": 4}
    r = cli.run(PAPER, "logistic", scale="full", seed=1, overrides=over)
    assert r["accuracy"].shape == (3, 3, 5, 2, 3)

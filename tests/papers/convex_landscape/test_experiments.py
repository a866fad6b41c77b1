"""Every experiment runs through the CLI's Paper.run with tiny overrides; claims evaluate."""

import numpy as np
import pytest

from common import cli
from common.claims import evaluate
from papers.convex_landscape.paper import PAPER

_SMALL = {"n": 8, "beta_frac": 0.05}
TINY = {
    "equivalence": {
        **_SMALL, "seeds": 2, "steps": 30, "n_trace": 5, "extra_widths": [4],
        "width_multipliers": [1], "sphere_samples": 500,
        "lrs": {"gd": [1e-3], "adam": [1e-2]},
    },
    "subsampling": {
        **_SMALL, "seeds": 2, "m_grid": [2, 8], "lowrank_ks": [1], "lowrank_beta_fracs": [0.1]
    },
    "stationary": {**_SMALL, "widths": [2], "seeds": 2, "gd_steps": 40},
    "sensitivity": {
        "n_train": 25, "seeds": 2, "steps": 20, "width": 4, "n_trace": 4,
        "lrs": {"sgd": [1e-4], "adam": [1e-2]}, "al_deltas": [100.0], "al_max_iter": 50,
        "fista_max_iter": 200,
    },
    "rank": {"ranks": [1, 2], "dims": [3, 5], "n_grid": [6, 12]},
    "activations": {
        **_SMALL, "seeds": 2, "steps": 30, "compare_steps": 10, "n_trace": 5,
        "extra_widths": [4], "width_multipliers": [1], "sphere_samples": 500,
        "lrs": {"gd": [1e-3], "adam": [1e-2]},
    },
    "cifar": {
        "dataset": "standin", "standin_per_batch": 4, "standin_test": 6, "n_gates": 3,
        "width": 4, "epochs": 1, "batch": 10, "sgd_lrs": [1e-3], "convex_lrs": [1e-4],
        "seeds": 2,
    },
}  # fmt: skip
DIGITS = {
    "dataset": "digits", "n_train": 200, "n_test": 100, "n_gates": 8, "width": 8, "epochs": 2,
    "batch": 50, "sgd_lrs": [1e-2], "convex_lrs": [1e-3], "seeds": 2,
}  # fmt: skip


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, overrides=TINY[name]) for name in TINY}


def test_every_experiment_is_covered():
    assert set(TINY) == {e.name for e in PAPER.experiments}


def test_outputs(results):
    eq = results["equivalence"]
    assert eq["finals"].shape == (2, 1, 2, 2)
    assert eq["traces"].shape[:4] == eq["finals"].shape
    assert eq["mapped_objective"] == pytest.approx(eq["p_star"], rel=1e-7)
    assert results["subsampling"]["ratio_relu"].shape == (2, 2)
    assert results["stationary"]["n_runs"] == 2
    rk = results["rank"]
    assert rk["counts"].tolist() == [[[2, 2], [2, 2]], [[12, 24], [12, 24]]]
    assert rk["max_count_mismatch"] == 0
    sens = results["sensitivity"]
    assert len(sens["convex_settings"]) == 5  # CLARABEL, SCS, AL delta=100, R-FISTA x 2
    assert sens["convex_rel_dev"][0] == 0.0
    assert results["sensitivity"]["finals"].shape == (2, 1, 2)
    cif = results["cifar"]
    assert cif["source"].startswith("synthetic") and len(cif["labels"]) == 3
    assert cif["final_test_acc"].shape == (3, 2) and cif["test_acc_0"].shape == (2, 1)
    act = results["activations"]
    assert act["finals"].shape == (2, 2, 1, 2, 2)  # activations, optimizers, lrs, widths, seeds
    assert act["n_program_patterns"].tolist() == [act["n_cells"], act["n_cells"] // 2]
    # the convex optimum of each activation is attained by the mapped network and certified
    assert np.allclose(act["mapped_objective"], act["p_star"], rtol=1e-8)
    assert np.all(act["relative_duality_gap"] < 1e-7)
    assert np.all(act["min_ratio"] >= 1 - 1e-6)
    # the programs differ: leaky ReLU and absolute value do not share the optimum
    assert abs(act["p_star"][0] / act["p_star"][1] - 1) > 1e-3


def test_claims_evaluate(results):
    rows = evaluate(list(cli.claims(PAPER)), results)
    assert {r["id"] for r in rows} == {c.id for c in cli.claims(PAPER)}
    assert all("check raised" not in r["detail"] for r in rows)
    status = {r["id"]: r["status"] for r in rows}
    assert status["cifar_convex_beats_sgd"] == "not checkable here"  # synthetic stand-in
    assert status["other_activations_mapped_network_attains_optimum"] == "holds"
    assert status["other_activations_zero_duality_gap"] == "holds"


def test_digits_proxy_runs_the_cifar_code_path():
    r = cli.run(PAPER, "cifar", overrides=DIGITS)
    assert r["source"].startswith("digits") and r["n_train"] == 200 and r["n_test"] == 100
    assert r["kinds"] == ["sgd", "dense", "patch"]
    assert r["final_test_acc"].shape == (3, 2)
    assert np.all(r["final_test_acc"][1:] > 0.5)  # the convex models learn in 2 epochs (chance 0.1)
    mine = [c for c in cli.claims(PAPER) if tuple(c.inputs) == ("cifar",)]
    rows = {r_["id"]: r_ for r_ in evaluate(mine, {"cifar": r})}
    assert rows["cifar_convex_beats_sgd"]["status"] != "not checkable here"
    assert "digits" in rows["cifar_convex_beats_sgd"]["detail"]


def test_full_scale_cifar_needs_the_data():
    with pytest.raises(FileNotFoundError, match="data_dir"):
        cli.run(PAPER, "cifar", scale="full")


def test_unknown_parameter_is_rejected():
    with pytest.raises(ValueError, match="'widthz' was unexpected"):
        cli.run(PAPER, "equivalence", overrides={"widthz": 3})

"""Every experiment runs at a tiny size through the public runner; figures and claims
consume the output; the full-scale code path runs on a tiny stand-in."""

import numpy as np
import pytest

from common import cli
from common.claims import Verdict, evaluate
from papers.lasso_mirrors.claims import CLAIMS
from papers.lasso_mirrors.paper import PAPER

SMALL = ["relu_2", "relu_4", "abs_3"]
TINY = {
    "dictionaries": {
        "datasets": ["zshape", "opt"],
        "configs": ["relu_2", "relu_3", "relu_4", "abs_3", "abs_4", "sign_3"],
        "n_grid": 31,
    },
    "min_norm": {
        "datasets": ["opt", "zshape"],
        "configs": ["relu_2", "relu_3", "relu_4", "abs_3", "threshold_3"],
        "n_grid": 31,
        "n_perturb": 1,
    },
    "reflection_frequency": {"n_points": [4], "draws": 2},
    "reflection_lasso": {"n_points": [5], "draws": 2, "beta_fracs": [0.3]},
    "lasso_network": {"datasets": ["zshape"], "configs": [*SMALL, "sign_4"], "betas": [0.1]},
    "training": {"dataset": "zshape", "configs": SMALL, "seeds": 2, "steps": 20, "n_grid": 21},
    "paper_adam": {"seeds": 1, "max_epochs": 5, "n_grid": 21},
    "paper_lasso": {"n_grid": 21},
    "path": {"n_beta": 2, "configs": ["relu_2", "relu_4"]},
}


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=3, overrides=o) for name, o in TINY.items()}


def test_every_experiment_figure_and_claim(results):
    assert results["min_norm"]["min_norm"].shape == (2, 5)
    assert np.all(results["training"]["finals"] > 0)
    for fig in PAPER.figures:
        cli.plot(PAPER, fig.name, results)
    rows = evaluate(list(CLAIMS), results)
    assert len(rows) == len(CLAIMS)
    for c in CLAIMS:
        assert isinstance(c.check(results), Verdict)


def test_full_scale_code_path():
    over = {"n_points": [4], "draws": 1}
    r = cli.run(PAPER, "reflection_frequency", scale="full", seed=1, overrides=over)
    assert r["needed"].shape == (1, 6, 1)
    # the first draw of TINY's run (same seed and N): FISTA is compiled for it already
    over = {"n_points": [5], "draws": 1, "beta_fracs": [0.3]}
    r = cli.run(PAPER, "reflection_lasso", scale="full", seed=3, overrides=over)
    assert r["needed"].shape == (1, 1, 1) and r["converged"].all()
    assert r["features"][0, 0, 0] == 2 * 10**3
    r = cli.run(
        PAPER,
        "paper_adam",
        scale="full",
        seed=1,
        overrides={"max_epochs": 3, "n_grid": 11, "seeds": 1},
    )
    assert r["epochs"].max() == 3

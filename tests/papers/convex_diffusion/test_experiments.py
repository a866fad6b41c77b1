"""Every experiment runs at a tiny size through the public runner; claims consume the output."""

import numpy as np
import pytest

from common import cli
from common.claims import Verdict, evaluate
from papers.convex_diffusion.claims import CLAIMS
from papers.convex_diffusion.paper import PAPER

CASES = [
    {"name": "gaussian", "data": "five", "beta_over_crit": 2.0},
    {"name": "gaussian_laplace", "data": "five", "beta_over_crit": 2.0, "relu_only": True},
    {"name": "steep", "data": "five", "beta_over_crit": 1.1},
    {"name": "bimodal", "data": "bimodal12", "beta_over_crit": 3.0},
]
TINY = {
    "sm_program": {"activations": ["relu"], "n_beta": 4, "n_grid": 101, "bisect_iters": 3},
    "nonconvex": {"datasets": ["five"], "widths": [5], "lrs": [1e-2], "seeds": 2, "steps": 20},
    "langevin": {"cases": CASES, "chains": 200, "burn_in": 0.5, "horizon": 0.05, "n_grid": 801},
    "dsm": {"n": 4, "K": 3, "betas": [0.1, 1.0], "widths": [5], "seeds": 2, "steps": 20},
    "multivariate": {"n": 6, "n_gates": 3, "betas": [0.01, 3.0], "sample_beta": 1.0,
                     "chains": 50, "n_steps": 10},
}  # fmt: skip


@pytest.fixture(scope="module")
def results():
    return {name: cli.run(PAPER, name, seed=5, overrides=over) for name, over in TINY.items()}


def test_every_experiment_runs_and_claims_evaluate(results):
    assert results["sm_program"]["five/relu/objective"].shape == (4,)
    assert results["nonconvex"]["five/5/final"].shape == (3, 1, 2)
    assert results["langevin"]["gaussian/stats"].shape == (2, 5)
    assert np.all(np.isfinite(results["dsm"]["0.1/5/final"]))
    assert list(results["multivariate"]["status"]) == ["unbounded", "optimal"]
    rows = evaluate(list(CLAIMS), results)
    assert len(rows) == len(CLAIMS)
    assert all("check raised" not in r["detail"] for r in rows), [r["detail"] for r in rows]
    assert all(isinstance(c.check(results), Verdict) for c in CLAIMS[:2])


def test_full_code_path_on_a_tiny_stand_in():
    """``scale=full`` with sizes overridden (every other full-scale parameter kept)."""
    over = {"n_beta": 3, "n_grid": 101, "activations": ["abs"], "bisect_iters": 2}
    r = cli.run(PAPER, "sm_program", scale="full", seed=1, overrides=over)
    assert r["gauss50/abs/betas"].size == 3
    over = {"datasets": ["symmetric"], "widths": [4], "lrs": [1e-2], "seeds": 1, "steps": 5}
    r = cli.run(PAPER, "nonconvex", scale="full", seed=1, overrides=over)
    assert r["symmetric/4/final"].shape == (5, 1, 1)

"""Torch non-convex baseline: objective in paper scaling, determinism, descent."""

import numpy as np
import pytest

from common.convex_nn import network_objective, solve_convex, to_network, train_nonconvex


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam"])
def test_trainer_descends_and_matches_numpy_objective(problem, optimizer):
    X, y, _ = problem
    lr = {"gd": 1e-2, "sgd": 1e-2, "adam": 1e-2}[optimizer]
    bs = None if optimizer == "gd" else 8
    res = train_nonconvex(X, y, 8, 0.1, optimizer=optimizer, lr=lr, iterations=60,
                          batch_size=bs, seed=3, progress=False)  # fmt: skip
    assert res.history.shape == (61,)
    assert res.history[-1] < res.history[0]
    assert res.objective == pytest.approx(network_objective(X, y, res.W1, res.w2, 0.1), rel=1e-12)
    again = train_nonconvex(X, y, 8, 0.1, optimizer=optimizer, lr=lr, iterations=60,
                            batch_size=bs, seed=3, progress=False)  # fmt: skip
    np.testing.assert_array_equal(res.history, again.history)


def test_convex_optimum_is_not_beaten_by_gd():
    """With all patterns, p* is the global optimum: GD started there cannot improve it."""
    from common.arrangements import enumerate_patterns

    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((12, 1)), np.ones((12, 1))])
    y = rng.standard_normal(12)
    D = enumerate_patterns(X)
    beta = 0.5
    res = solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy")
    W1, w2 = to_network(res)
    tr = train_nonconvex(X, y, W1.shape[0], beta, lr=1e-3, iterations=50, W1_init=W1,
                         w2_init=w2, progress=False)  # fmt: skip
    assert tr.history[0] == pytest.approx(res.objective, rel=1e-6)
    assert tr.history.min() >= res.objective * (1 - 1e-7)

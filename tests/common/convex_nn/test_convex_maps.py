"""Convex <-> network maps, objective identity, scaling conversions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.convex_nn import (
    balance_network,
    beta_from_scnn,
    convex_objective,
    network_objective,
    network_predict,
    network_to_convex,
    objective_from_scnn,
    objective_to_scnn,
    patterns_of_network,
    predict_convex,
    scnn_lambda,
    solve_convex,
    to_network,
)

BETA = 0.5


@pytest.mark.parametrize("solver", ["cvxpy", "fast"])
def test_to_network_objective_identity(problem, solver):
    X, y, D = problem
    res = solve_convex(X, y, D, BETA, formulation="relu", solver=solver, max_iter=100_000)
    W1, w2 = to_network(res)
    assert W1.shape == (res.n_active, X.shape[1]) and w2.shape == (res.n_active,)
    net = network_objective(X, y, W1, w2, BETA)
    # identity holds up to the (reported) cone violation times the residual scale
    slack = 1e-12 + res.constraint_violation * np.abs(y).sum() * 10
    assert abs(net - res.objective) <= max(1e-10 * res.objective, slack)
    if solver == "cvxpy":
        # back to the convex program: merges can only lower the value (triangle inequality)
        Dn, U, V = network_to_convex(X, W1, w2)
        conv = convex_objective(X, y, Dn, U, V, BETA)
        assert conv <= net * (1 + 1e-12)


def test_identity_exact_on_feasible_blocks():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 4))
    W1 = rng.standard_normal((6, 4))
    w2 = rng.standard_normal(6)
    y = rng.standard_normal(20)
    D, U, V = network_to_convex(X, W1, w2)
    W1c, w2c = to_network((U, V))
    a = convex_objective(X, y, D, U, V, BETA)
    b = network_objective(X, y, W1c, w2c, BETA)
    assert abs(a - b) <= 1e-13 * abs(a)
    assert a <= network_objective(X, y, W1, w2, BETA) + 1e-12
    np.testing.assert_allclose(predict_convex(X, D, U, V), network_predict(X, W1, w2), atol=1e-12)


def test_vector_output_and_activations(problem):
    X, _, D = problem
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((X.shape[0], 2))
    for act in ("relu", ("leaky", 0.2), "abs"):
        res = solve_convex(X, Y, D, BETA, formulation="relu", solver="cvxpy", activation=act)
        W1, w2 = to_network(res)
        assert w2.ndim == 2 and ((w2 != 0).sum(axis=1) == 1).all()
        net = network_objective(X, Y, W1, w2, BETA, activation=act)
        assert abs(net - res.objective) <= 1e-6 * res.objective


def test_balance_and_patterns():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((15, 3))
    W1 = rng.standard_normal((5, 3))
    w2 = rng.standard_normal(5)
    W1b, w2b = balance_network(W1, w2)
    np.testing.assert_allclose(np.linalg.norm(W1b, axis=1), np.abs(w2b))
    np.testing.assert_allclose(network_predict(X, W1b, w2b), network_predict(X, W1, w2))
    y = rng.standard_normal(15)
    assert network_objective(X, y, W1b, w2b, 1.0) <= network_objective(X, y, W1, w2, 1.0) + 1e-12
    D = patterns_of_network(X, np.vstack([W1, W1[:2]]))
    assert D.shape == (5, 15)


def test_scaling_round_trip(problem):
    X, y, D = problem
    n = X.shape[0]
    lam = 0.03
    beta = beta_from_scnn(lam, n)
    assert scnn_lambda(beta, n) == pytest.approx(lam)
    res = solve_convex(X, y, D, beta, formulation="gated", solver="cvxpy")
    # scnn objective: 1/(2n)||.||^2 + lam * sum ||u||
    pred = predict_convex(X, D, res.U)
    f_scnn = 0.5 / n * np.sum((pred - y) ** 2) + lam * np.linalg.norm(res.U, axis=1).sum()
    assert objective_to_scnn(res.objective, n) == pytest.approx(f_scnn, rel=1e-12)
    assert objective_from_scnn(f_scnn, n) == pytest.approx(res.objective, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 12),
    d=st.integers(1, 4),
    m=st.integers(1, 6),
    beta=st.floats(0.0, 5.0),
    seed=st.integers(0, 2**16),
)
def test_property_network_convex_round_trip(n, d, m, beta, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    W1 = rng.standard_normal((m, d))
    w2 = rng.standard_normal(m)
    D, U, V = network_to_convex(X, W1, w2)
    conv = convex_objective(X, y, D, U, V, beta)
    assert conv <= network_objective(X, y, W1, w2, beta) + 1e-9 * (1 + abs(conv))
    W1c, w2c = to_network((U, V))
    assert abs(network_objective(X, y, W1c, w2c, beta) - conv) <= 1e-10 * (1 + abs(conv))


def test_dead_neurons_add_no_pattern():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((15, 3))
    W1 = rng.standard_normal((4, 3))
    w2 = rng.standard_normal(4)
    D, U, V = network_to_convex(X, W1, w2)
    W1d = np.vstack([W1, np.zeros(3), rng.standard_normal(3)])
    w2d = np.concatenate([w2, [1.0, 0.0]])  # a zero first layer, a zero output weight
    Dd, Ud, Vd = network_to_convex(X, W1d, w2d)
    np.testing.assert_array_equal(Dd, D)
    np.testing.assert_allclose(Ud, U, atol=1e-15)
    np.testing.assert_allclose(Vd, V, atol=1e-15)
    np.testing.assert_allclose(
        predict_convex(X, Dd, Ud, Vd), network_predict(X, W1d, w2d), atol=1e-12
    )

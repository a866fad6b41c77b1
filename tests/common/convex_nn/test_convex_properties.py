"""Hypothesis property tests of the convex programs on small random instances (CVXPY)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from common.arrangements import sample_patterns
from common.convex_nn import duality_gap, network_objective, solve_convex, to_network


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(4, 10),
    d=st.integers(1, 3),
    gates=st.integers(2, 8),
    beta=st.floats(0.05, 3.0),
    seed=st.integers(0, 2**16),
)
def test_property_orderings_and_certificates(n, d, gates, beta, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    D = sample_patterns(X, gates, seed=seed)
    if D.shape[0] < 2:
        return
    g = solve_convex(X, y, D, beta, formulation="gated", solver="cvxpy")
    r = solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy")
    r1 = solve_convex(X, y, D[:1], beta, formulation="relu", solver="cvxpy")
    scale = 1e-7 * (1 + abs(r1.objective))
    assert g.objective <= r.objective + scale  # gated relaxes relu
    assert r.objective <= r1.objective + scale  # more patterns never hurt
    assert r.objective <= 0.5 * float(y @ y) + scale  # zero is feasible
    # certified lower bound never exceeds the optimum; gap small at the optimum
    dg = duality_gap(X, y, D, beta, r.U, r.V, formulation="relu")
    assert dg.lower_bound <= r.objective + scale
    assert dg.relative_gap <= 1e-5
    W1, w2 = to_network(r)
    assert abs(network_objective(X, y, W1, w2, beta) - r.objective) <= 1e-6 * (1 + r.objective)


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(4, 30),
    d=st.integers(1, 4),
    gates=st.integers(1, 12),
    beta=st.floats(0.01, 5.0),
    activation=st.sampled_from(["relu", "abs", ("leaky", 0.2)]),
    seed=st.integers(0, 2**16),
)
def test_property_working_set_matches_cvxpy(n, d, gates, beta, activation, seed):
    """The default ReLU solver (working set) reaches the CLARABEL optimum with a valid bound."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    D = sample_patterns(X, gates, seed=seed)
    ref = solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy", activation=activation)
    ws = solve_convex(X, y, D, beta, formulation="relu", activation=activation)
    assert ws.solver == "working_set" and ws.converged
    scale = 1e-6 * (1 + abs(ref.objective))
    assert abs(ws.objective - ref.objective) <= scale
    assert ws.lower_bound <= ref.objective + 1e-9 * (1 + abs(ref.objective))
    assert ws.constraint_violation <= 1e-7 * (1 + float(np.abs(y).max()))

"""cone_decomposition against a brute-force grid search (d = 2) and rho_dec's orderings."""

import numpy as np
import pytest

from common.arrangements import sample_patterns
from common.convex_nn import constraint_violation, network_objective, solve_convex
from papers.relaxation_gap import (
    cone_decomposition,
    proxy_optimum,
    relative_gap,
)


def test_decomposition_matches_brute_force_in_2d():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 2))
    D = sample_patterns(X, 4, seed=1)
    U = rng.standard_normal((len(D), 2))
    A, B = cone_decomposition(X, D, U)
    np.testing.assert_allclose(A - B, U, atol=1e-12)
    assert constraint_violation(X, D, A, B) <= 1e-7
    g = np.linspace(-6, 6, 1201)  # grid step 0.01
    a = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    for i in range(len(D)):
        G = (2.0 * D[i] - 1.0)[:, None] * X
        ok = np.all(a @ G.T >= 0, axis=1) & np.all((a - U[i]) @ G.T >= 0, axis=1)
        best = np.min(np.linalg.norm(a[ok], axis=1) + np.linalg.norm(a[ok] - U[i], axis=1))
        got = np.linalg.norm(A[i]) + np.linalg.norm(B[i])
        assert got <= best + 1e-6 and got >= best - 0.05  # grid resolution


def test_block_inside_its_cone_is_not_split():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 3))
    D, gates = sample_patterns(X, 3, seed=4, return_gates=True)
    U = 2.0 * gates  # the gate lies in its own cone K_i
    U[1] = 0.0
    A, B = cone_decomposition(X, D, U)
    np.testing.assert_allclose(A, U, atol=1e-7)
    np.testing.assert_allclose(B, 0.0, atol=1e-7)


def test_rho_dec_orderings_and_network(problem):
    X, y, beta, opt = problem
    dec = relative_gap(X, y, beta, 8, seed=3, formulation="decomposed", optimum=opt,
                       solver="clarabel")  # fmt: skip
    relu = relative_gap(X, y, beta, 8, seed=3, optimum=opt)
    gated = solve_convex(X, y, sample_patterns(X, 8, seed=3), beta, formulation="gated",
                         solver="clarabel")  # fmt: skip
    assert dec.relaxation.objective == pytest.approx(gated.objective, rel=1e-6)
    assert dec.ratio >= relu.ratio * (1 - 1e-6)  # ReLU-feasible on the same patterns
    assert dec.blow_up >= 1 - 1e-9
    assert network_objective(X, y, *dec.network, beta) == pytest.approx(dec.relaxed, rel=1e-6)
    assert np.isnan(relu.blow_up)


def test_proxy_optimum_is_an_upper_bound(problem):
    X, y, beta, opt = problem
    px = proxy_optimum(X, y, beta, 300, seed=2)
    assert not px.exact and px.gap <= 1e-6
    assert px.value >= opt.value * (1 - 1e-6)
    with pytest.raises(ValueError, match="n_gates"):
        proxy_optimum(X, y, beta, 0)


def test_bad_input():
    X = np.random.default_rng(0).standard_normal((6, 2))
    D = sample_patterns(X, 3, seed=0)
    with pytest.raises(ValueError, match="U must have shape"):
        cone_decomposition(X, D, np.ones((len(D), 3)))
    with pytest.raises(ValueError, match="U must be finite"):
        cone_decomposition(X, D, np.full((len(D), 2), np.nan))
    with pytest.raises(ValueError, match="X"):
        cone_decomposition(np.full((6, 2), np.inf), D, np.ones((len(D), 2)))

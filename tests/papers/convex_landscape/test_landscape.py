"""Exact optima by column generation, screened dual values, the stationary-point program and
the low-rank scheme, checked against direct solves and exact identities."""

import numpy as np
import pytest

from common.arrangements import arrangement_count
from common.convex_nn import (
    dual_constraint_values,
    network_objective,
    predict_convex,
    solve_convex,
    to_network,
    train_ensemble,
)
from papers.convex_landscape.landscape import (
    all_patterns,
    dual_constraint_all,
    exact_optimum,
    lowrank_patterns,
    polish_stationary,
    recalled_ratio_bound,
    stationary_program,
)


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    n = 10
    X = np.c_[rng.standard_normal((n, 2)), np.ones(n)]
    y = np.maximum(X @ rng.standard_normal(3), 0) - np.maximum(X @ rng.standard_normal(3), 0)
    beta = 0.05 * float(np.max(np.abs(X.T @ y)))
    return X, y, beta


def test_all_patterns_count(problem):
    X, _, _ = problem
    D = all_patterns(X)
    assert not np.any(~D.any(axis=1))
    assert len(D) in (arrangement_count(10, 3), arrangement_count(10, 3) - 1)


def test_column_generation_matches_direct_solve(problem):
    X, y, beta = problem
    D = all_patterns(X)
    ex = exact_optimum(X, y, beta, patterns=D)
    direct = solve_convex(X, y, D, beta, solver="cvxpy")
    assert ex.objective == pytest.approx(direct.objective, rel=1e-7)
    assert ex.max_violation <= 1e-6
    assert ex.working.sum() <= len(D)


def test_screened_dual_values_are_exact_above_screen(problem):
    X, y, beta = problem
    D = all_patterns(X)
    full = dual_constraint_values(X, y, D, formulation="relu")
    screened = dual_constraint_all(X, y, D, screen=beta)
    hot = screened > beta
    np.testing.assert_allclose(screened[hot], full[hot], rtol=1e-9)
    assert np.all(screened >= full - 1e-9)  # the gated value is an upper bound


def test_stationary_program_at_the_global_optimum(problem):
    """The mapped optimal network is stationary; its sub-program's optimum equals p*."""
    X, y, beta = problem
    ex = exact_optimum(X, y, beta)
    top = max(np.abs(ex.result.U).max(), np.abs(ex.result.V).max())
    W1, w2 = to_network(ex.result, tol=1e-6 * top)
    res, p_nc = stationary_program(X, y, W1, w2, beta)
    assert p_nc == pytest.approx(ex.objective, rel=1e-7)
    assert res.objective == pytest.approx(ex.objective, rel=1e-7)


def test_stationary_program_bounds_any_network(problem):
    """For any network: p* <= p_sub <= p_nc (the mapped network is feasible for the sub-program)."""
    X, y, beta = problem
    p_star = exact_optimum(X, y, beta).objective
    rng = np.random.default_rng(4)
    W1, w2 = rng.standard_normal((3, 3)), rng.standard_normal(3)
    res, p_nc = stationary_program(X, y, W1, w2, beta)
    assert p_star * (1 - 1e-7) <= res.objective <= p_nc * (1 + 1e-7)
    assert p_nc == pytest.approx(network_objective(X, y, W1, w2, beta))
    r = y - predict_convex(X, res.patterns, res.U, res.V)
    assert np.max(dual_constraint_values(X, r, res.patterns, formulation="relu")) <= beta * 1.001


def test_lowrank_full_rank_gives_all_patterns(problem):
    X, _, _ = problem
    a = {row.tobytes() for row in lowrank_patterns(X, 3)}
    b = {row.tobytes() for row in all_patterns(X)}
    assert a == b
    assert len(lowrank_patterns(X, 1)) <= 2


def test_recalled_bound():
    b = recalled_ratio_bound(np.array([0.0, 1.0, 2.0]), 2.0, 4)
    np.testing.assert_allclose(b, [1.0, 4.0, 9.0])


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda X, y: exact_optimum(X, y, 0.0), ValueError, "beta > 0"),
        (lambda X, y: exact_optimum(X, y, -1.0), ValueError, "beta"),
        (lambda X, y: exact_optimum(X, y[:-1], 1.0), ValueError, "rows"),
        (lambda X, y: exact_optimum(X, y, 1.0, initial=np.zeros(3, bool)), ValueError, "initial"),
        (lambda X, y: exact_optimum(X, y, 1.0, patterns=np.ones((2, 3), bool)), ValueError, "n="),
        (lambda X, y: lowrank_patterns(X, 0), ValueError, "k must"),
        (lambda X, y: lowrank_patterns(X, 2.5), ValueError, "k must"),
        (lambda X, y: recalled_ratio_bound(1.0, 0.0, 1), ValueError, "beta"),
        (lambda X, y: recalled_ratio_bound(1.0, 1.0, 0), ValueError, "m_star"),
        (
            lambda X, y: stationary_program(X, y, np.zeros((2, 3)), np.zeros(2), 1.0),
            ValueError,
            "live",
        ),
        (lambda X, y: dual_constraint_all(X, "r", all_patterns(X)), TypeError, "numeric"),
    ],
)
def test_bad_inputs(problem, call, exc, match):
    X, y, _ = problem
    with pytest.raises(exc, match=match):
        call(X, y)


def test_polish_reaches_float64_stationarity_and_the_theorem_holds(problem):
    """GD endpoints are not stationary; polished ones are (gradient <= 1e-8), and there the
    network's value equals its own-pattern program's optimum (the stationary-point theorem)."""
    X, y, beta = problem
    run = train_ensemble(
        X, y, 6, beta, lrs=np.full(4, 5e-3), steps=3000, seed=3, trace_steps=[3000],
        progress=False,
    )  # fmt: skip
    assert np.all(run.grad_norm > 1e-6)
    n_stat = 0
    for s in range(4):
        pol = polish_stationary(X, y, run.W1[s], run.w2[s], beta)
        assert network_objective(X, y, pol.W1, pol.w2, beta) <= run.objective[s] + 1e-12
        if pol.stationary:
            n_stat += 1
            assert pol.grad_norm <= 1e-8
            res, p_nc = stationary_program(X, y, pol.W1, pol.w2, beta)
            assert p_nc == pytest.approx(res.objective, rel=1e-6)
            for _, _, tie_s in pol.tie_bits:
                assert 0.0 <= tie_s <= 1.0
    assert n_stat >= 2


def test_polish_gradient_is_the_network_gradient_without_ties(problem):
    """Where no data point sits on a kink the reported norm is the ordinary gradient norm."""
    X, y, beta = problem
    rng = np.random.default_rng(5)
    W1, w2 = rng.standard_normal((3, 3)), rng.standard_normal(3)
    pol = polish_stationary(X, y, W1, w2, beta, max_iter=1)
    step = train_ensemble(  # one unit GD step: the gradient is the weights' change
        X, y, 3, beta, lrs=[1.0], steps=1, init=(pol.W1[None], pol.w2[None]), progress=False
    )
    gW, ga = pol.W1 - step.W1[0], pol.w2 - step.w2[0]
    if pol.n_ties == 0 and not pol.stationary:
        full = float(np.sqrt(np.sum(gW**2) + np.sum(ga**2)))
        assert full >= pol.grad_norm * (1 - 1e-9)

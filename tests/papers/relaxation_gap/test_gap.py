"""relative_gap / exact_optimum against CVXPY (CLARABEL) and the orderings of the programs."""

import numpy as np
import pytest

from common.arrangements import enumerate_patterns, sample_patterns
from common.convex_nn import network_objective, solve_convex
from papers.relaxation_gap import exact_optimum, relative_gap


def test_exact_optimum_matches_clarabel_on_all_patterns(problem):
    X, y, beta, opt = problem
    D = enumerate_patterns(X)
    ref = solve_convex(X, y, D[D.any(axis=1)], beta, solver="clarabel", tol=1e-6)
    assert opt.exact and opt.gap <= 1e-6
    assert opt.value == pytest.approx(ref.objective, rel=1e-6)


def test_relaxation_matches_clarabel_and_maps_to_network(problem):
    X, y, beta, opt = problem
    r = relative_gap(X, y, beta, 6, seed=2, optimum=opt)
    ref = solve_convex(X, y, sample_patterns(X, 6, seed=2), beta, solver="clarabel", tol=1e-6)
    assert r.relaxed == pytest.approx(ref.objective, rel=1e-6)
    assert r.ratio == pytest.approx(r.relaxed / opt.value)
    assert r.ratio >= 1 - 1e-6 and r.exact and r.optimum_gap == opt.gap
    assert network_objective(X, y, *r.network, beta) == pytest.approx(r.relaxed, rel=1e-9)


def test_nested_gates_and_orderings(problem):
    X, y, beta, opt = problem
    small = relative_gap(X, y, beta, 3, seed=5, optimum=opt)
    big = relative_gap(X, y, beta, 12, seed=5, optimum=opt)
    Ds, Db = small.relaxation.patterns, big.relaxation.patterns
    np.testing.assert_array_equal(Db[: len(Ds)], Ds)  # prefix: a superset
    assert big.ratio <= small.ratio * (1 + 1e-6)
    gated = relative_gap(
        X, y, beta, 12, seed=5, formulation="gated", optimum=opt, solver="clarabel"
    )
    assert gated.relaxed <= big.relaxed * (1 + 1e-6) and gated.network is None


def test_default_optimum_is_computed(problem):
    X, y, beta, opt = problem
    assert relative_gap(X, y, beta, 4).optimum == pytest.approx(opt.value, rel=1e-8)


def test_proxy_is_labelled_and_an_upper_bound(problem):
    X, y, beta, opt = problem
    proxy = exact_optimum(X, y, beta, max_patterns=10, proxy_gates=500)
    assert not proxy.exact
    assert proxy.value >= opt.value * (1 - 1e-6)
    assert not relative_gap(X, y, beta, 4, optimum=proxy).exact


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_gates": 0}, "n_gates"),
        ({"n_gates": 2.5}, "n_gates"),
        ({"formulation": "leaky"}, "formulation"),
        ({"beta": 0.0}, "beta"),
        ({"beta": -1.0}, "beta"),
        ({"y": np.ones(5)}, "y"),
        ({"y": np.ones((14, 2))}, "y"),
        ({"X": np.full((14, 3), np.nan)}, "X"),
        ({"optimum": 3.0}, "optimum"),
    ],
)
def test_bad_input(problem, kwargs, match):
    X, y, beta, _ = problem
    args = {"X": X, "y": y, "beta": beta, "n_gates": 4, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        relative_gap(**args)


def test_bad_optimum_options(problem):
    X, y, beta, _ = problem
    with pytest.raises(ValueError, match="max_patterns"):
        exact_optimum(X, y, beta, max_patterns=0)
    with pytest.raises(ValueError, match="proxy_gates"):
        exact_optimum(X, y, beta, proxy_gates=-3)

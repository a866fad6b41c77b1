"""The library against independent references: counts, builders, CVXPY, brute force."""

import cvxpy as cp
import numpy as np
import pytest

from papers.lasso_mirrors import dictionary, fit_lasso_network, min_norm_interpolation
from papers.lasso_mirrors.datasets import CONFIGS, DATASETS
from papers.lasso_mirrors.features import raw_count, recursive_columns

X, Y = DATASETS["zshape"]


@pytest.mark.parametrize(("activation", "depth"), CONFIGS)
def test_raw_counts_and_builders_agree(activation, depth):
    D = dictionary(X, activation, depth)
    n = X.size
    expected = {("relu", 2): 2 * n, ("relu", 3): (2 * n) ** 2, ("relu", 4): 2 * (2 * n) ** 3}
    assert D.raw_count == raw_count(n, activation, depth)
    if (activation, depth) in expected:
        assert D.raw_count == expected[(activation, depth)]
    grid = np.linspace(-2, 9, 57)
    cols, tuples = recursive_columns(X, activation, depth, at=grid)
    index = {t: i for i, t in enumerate(tuples)}
    rec = cols[:, [index[(f.signs, f.anchors, f.reflection_flag)] for f in D.features]]
    np.testing.assert_allclose(D.evaluate(grid), rec, atol=1e-12)


def test_reflection_feature_breakpoint():
    D = dictionary([0.0, 4, 5, 7, 10, 11], "relu", 4)
    refl = [f for f in D.features if f.kind == "reflection"]
    assert refl
    x = D.x
    for f in refl:
        for t, k in zip(f.breakpoints, f.kinds, strict=True):
            if k == "reflection":
                assert np.min(np.abs(2 * x[:, None] - x[None, :] - t)) < 1e-9
    assert dictionary(X, "relu", 2).kind_counts()["reflection"] == 0


@pytest.mark.parametrize(("activation", "depth"), CONFIGS)
@pytest.mark.parametrize("beta", [0.0, 0.1])
def test_network_objective_equals_lasso(activation, depth, beta):
    net = fit_lasso_network(X, Y, beta, activation, depth)
    if beta == 0:
        np.testing.assert_allclose(net.predict(X), Y, atol=1e-9)
        assert net.penalty() == 0.0
        assert np.isclose(np.abs(net.coef).sum(), net.objective, rtol=1e-12)
    else:
        assert net.training_objective(X, Y) == pytest.approx(net.objective, rel=1e-12)
    D = net.dictionary
    np.testing.assert_allclose(net.predict(X), D.matrix @ net.coef + net.output_bias, atol=1e-12)
    grid = np.linspace(-1, 8, 41)
    np.testing.assert_allclose(net.predict(grid), D.evaluate(grid) @ net.coef + net.output_bias,
                               atol=1e-10)  # fmt: skip


def test_lasso_matches_cvxpy_on_raw_dictionary():
    """Deduplication does not change the optimum: CVXPY on the raw columns agrees."""
    beta = 0.05
    cols, _ = recursive_columns(X, "relu", 3)
    z, xi = cp.Variable(cols.shape[1]), cp.Variable()
    obj = 0.5 * cp.sum_squares(cols @ z + xi - Y) + beta * cp.norm1(z)
    ref = cp.Problem(cp.Minimize(obj)).solve(solver=cp.SCS, eps=1e-10)
    for solver in ("clarabel", "cd"):
        net = fit_lasso_network(X, Y, beta, "relu", 3, solver=solver)
        assert net.objective == pytest.approx(ref, rel=1e-6)


def test_min_norm_lp_closed_form():
    """y = min(x, 1) on {0, 1, 3}: the slope drops by 1 at x = 1, and only features kinked
    there can do it, each changing the slope by |z|; so the minimum norm is 1 (attained by
    -(1 - x)_+ plus a bias), with the one kink at the data point 1, and unique."""
    x, y = np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0, 1.0])
    net = fit_lasso_network(x, y, 0.0, "relu", 2)
    assert net.objective == pytest.approx(1.0, abs=1e-12)
    assert [(k.location, k.kind) for k in net.kinks] == [(1.0, "data point")]
    A = net.dictionary.matrix
    d = 1e-6 * np.random.default_rng(0).uniform(-1, 1, A.shape[1])
    assert min_norm_interpolation(A, y, perturbation=d).objective == pytest.approx(1.0)


def test_printed_fig19_not_optimal():
    """The notebooks printed 1.5e-8 at beta 1e-8 for zshape, L = 3; the exact norm is 0.75."""
    assert fit_lasso_network(X, Y, 0.0, "relu", 3).objective == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": [0.0, np.nan, 2.0]}, "x contains NaN"),
        ({"x": [[0.0, 1.0], [2.0, 3.0]]}, "x must be a 1-D"),
        ({"x": [0.0, 0.0, 2.0]}, "distinct"),
        ({"y": [0.0, 1.0]}, "y must have shape"),
        ({"y": [0.0, np.inf, 1.0]}, "y contains NaN"),
        ({"beta": -1.0}, "beta must be"),
        ({"beta": np.nan}, "beta must be"),
        ({"activation": "tanh"}, "activation must be"),
        ({"depth": 5}, "depth must be"),
        ({"activation": "sign", "depth": 3}, "depth must be"),
        ({"solver": "mosek"}, "solver must be"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.0], "beta": 0.1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        fit_lasso_network(**args)


def test_bad_input_dictionary():
    with pytest.raises(TypeError, match="depth must be an integer"):
        dictionary([0.0, 1.0], "relu", 2.5)
    with pytest.raises(ValueError, match="at least 2"):
        dictionary([1.0], "relu", 2)

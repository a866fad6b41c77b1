"""The library against independent references: counts, builders, CVXPY, brute force."""

import itertools
import math

import cvxpy as cp
import numpy as np
import pytest

from papers.lasso_mirrors import dictionary, fit_lasso_network, min_norm_interpolation
from papers.lasso_mirrors.datasets import CONFIGS, DATASETS
from papers.lasso_mirrors.features import (
    classify_point,
    raw_count,
    recursive_columns,
    sign_tree,
    tree_forward,
)

X, Y = DATASETS["zshape"]


@pytest.mark.parametrize(("activation", "depth"), CONFIGS)
def test_raw_counts_and_builders_agree(activation, depth):
    D = dictionary(X, activation, depth)
    n = X.size
    expected = {
        ("relu", 2): 2 * n,
        ("relu", 3): (2 * n) ** 2,
        ("relu", 4): 2 * (2 * n) ** 3,
        ("relu", 5): 2 * (2 * n) ** 4,
        ("abs", 4): n**3,
        ("sign", 2): n,
        ("threshold", 3): 1 + (n - 1) + math.comb(n - 1, 2),  # <= 2 switches
        ("sign", 4): 2 ** (n - 1),  # K = 4 >= N - 1: every pattern
    }
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


@pytest.mark.parametrize(("activation", "depth"), [("relu", 3), ("abs", 4), ("sign", 3)])
def test_lasso_matches_cvxpy_on_raw_dictionary(activation, depth):
    """Deduplication does not change the optimum: CVXPY on the raw columns agrees."""
    beta = 0.05
    cols, _ = recursive_columns(X, activation, depth)
    z, xi = cp.Variable(cols.shape[1]), cp.Variable()
    obj = 0.5 * cp.sum_squares(cols @ z + xi - Y) + beta * cp.norm1(z)
    ref = cp.Problem(cp.Minimize(obj)).solve(solver=cp.SCS, eps=1e-10)
    for solver in ("clarabel", "cd"):
        net = fit_lasso_network(X, Y, beta, activation, depth, solver=solver)
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
        ({"depth": 1}, "depth must be"),
        ({"activation": "leaky_relu", "depth": 3}, "depth must be"),
        ({"depth": 12}, "raw columns"),
        ({"solver": "mosek"}, "solver must be"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.0], "beta": 0.1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        fit_lasso_network(**args)


def test_data_scale_outside_the_band_is_refused_naming_the_argument():
    """x * 1e300 gave a CVXPY SolverError, y * 1e300 (and y * 1e8) CLARABEL's 'infeasible',
    x * 1e12 an objective 8% off; inside the band fitting x / a with beta / a is the same."""
    x, y = DATASETS["opt"]
    for args, match in [
        ((x * 1e300, y, 0.1), r"^x: max - min = 1.1e\+301 is outside \[0.001, 1000\]"),
        ((x * 1e12, y, 0.1, "abs", 3), r"^x: max - min = 1.1e\+13 .*rescale x"),
        ((x * 1e-12, y, 0.0), r"^x: max - min = 1.1e-11 "),  # was an IndexError
        ((x, y * 1e300, 0.1), r"^y: max \|y\| = 3e\+300 is outside .*rescale y"),
        ((x, y * 1e8, 0.1, "sign", 2), r"^y: max \|y\| = 3e\+08 "),
    ]:
        with pytest.raises(ValueError, match=match):
            fit_lasso_network(*args)
    big = fit_lasso_network(x * 64.0, y, 0.1, "relu", 3)  # range 704: inside the band
    ref = fit_lasso_network(x, y, 0.1 / 64.0, "relu", 3)
    assert big.objective == pytest.approx(ref.objective, rel=1e-7)
    assert fit_lasso_network(x * 1e300, y, 0.1, "sign", 2).objective == pytest.approx(
        fit_lasso_network(x, y, 0.1, "sign", 2).objective
    )  # sign features do not scale with x
    assert fit_lasso_network(x, 0.0 * y, 0.1).objective == 0.0


def test_bad_input_dictionary():
    with pytest.raises(TypeError, match="depth must be an integer"):
        dictionary([0.0, 1.0], "relu", 2.5)
    with pytest.raises(ValueError, match="at least 2"):
        dictionary([1.0], "relu", 2)


def _patterns(cols) -> set:
    """The +-1 columns as tuples, modulo sign (first entry -1), constants dropped."""
    out = set()
    for c in np.asarray(cols).T:
        c = np.where(c > 0, 1, -1)
        if np.unique(c).size > 1:
            out.add(tuple(c * -c[0]))
    return out


def _threshold_closure(children: set, n: int) -> set:
    """Every sign(w1 g1 + w2 g2 + c) over children g1, g2 (modulo sign), with weights in
    {-1, 0, 1} and biases in {-1.5, -0.5, 0.5, 1.5}: every threshold function of two +-1
    inputs (brute force, independent of :func:`sign_tree`)."""
    kids = [np.array(g) for g in children] + [np.ones(n)]
    out = set()
    for g1, g2 in itertools.product(kids, repeat=2):
        for w1, w2, c in itertools.product((-1, 0, 1), (-1, 0, 1), (-1.5, -0.5, 0.5, 1.5)):
            out |= _patterns((np.sign(w1 * g1 + w2 * g2 + c))[:, None])
    return out


def test_sign_tree_dictionary_brute_force():
    """Binary sign trees, enumerated layer by layer from steps at every cut, realise exactly
    the dictionary's patterns: at most 2^(L-2) switches, all at data points."""
    x = np.array([3.0, 0.0, 1.0, 4.5, 2.0, 6.0])  # unsorted on purpose
    xs = np.sort(x)
    cuts = np.concatenate([[xs[0] - 1], (xs[1:] + xs[:-1]) / 2, [xs[-1] + 1]])
    level = _patterns(np.sign(x[:, None] - cuts[None, :] + 0.0))  # depth 2: one step
    for depth in (2, 3, 4):
        if depth > 2:
            level = _threshold_closure(level, x.size)
        D = dictionary(x, "sign", depth)
        assert _patterns(D.matrix) == level
        order = np.argsort(x)
        switches = [int(np.sum(np.diff(np.array(p)[order]) != 0)) for p in level]
        assert max(switches) == min(2 ** (depth - 2), x.size - 1)
        assert all(k == "data point" for f in D.features for k in f.kinds)


def test_sign_tree_evaluates_pattern_off_the_data():
    """The tree of a 4-switch pattern, run forward on a dense grid, switches exactly there."""
    t = [0.5, 1.0, 2.5, 4.0]
    w, b, m = sign_tree(t, 4)
    grid = np.linspace(-1, 5, 601)
    out = m * tree_forward(w, b, "sign", grid)
    expected = -((-1.0) ** (grid[:, None] >= np.array(t)).sum(1))
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="switches exceed"):
        sign_tree([*t, 4.5], 4)


@pytest.mark.parametrize(
    ("data", "activation", "depth"), [("zshape", "relu", 5), ("opt", "abs", 4)]
)
def test_breakpoints_match_numerical_kinks(data, activation, depth):
    """Each feature's breakpoints are where its values, computed by the recursion on a grid,
    change slope; abs depth 4 has breakpoints at reflections of reflections. The data are
    integers, so are all (iterated) reflections: a grid of step 1/8 resolves them."""
    x = DATASETS[data][0]
    D = dictionary(x, activation, depth)
    grid = np.linspace(-30.0, 40.0, 561)
    h = grid[1] - grid[0]
    cols, tuples = recursive_columns(x, activation, depth, at=grid)
    index = {t: i for i, t in enumerate(tuples)}
    for f in D.features:
        v = cols[:, index[(f.signs, f.anchors, f.reflection_flag)]]
        second = np.abs(np.diff(v, 2)) / h
        kinks = grid[1:-1][second > 1e-6]
        found = sorted({round(float(t)) for t in kinks})
        assert found == sorted(round(t) for t in f.breakpoints)
        assert np.allclose(f.breakpoints, np.round(f.breakpoints), atol=1e-9)
    kinds = {k for f in D.features for k in f.kinds}
    if activation == "abs":
        assert "reflection of reflection" in kinds
        pairs = [p for f in D.features for p in zip(f.breakpoints, f.kinds, strict=True)]
        t = next(t for t, k in pairs if k == "reflection of reflection")
        refl = {2 * a - b for a in x for b in x}
        assert t not in refl | set(x)
        assert any(np.isclose(2 * a - b, t) for a in refl for b in refl | set(x))
        assert classify_point(t, x) == "reflection of reflection"
    else:
        assert kinds <= {"data point", "reflection"}

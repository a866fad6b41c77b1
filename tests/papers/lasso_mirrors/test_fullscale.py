"""Full-scale path: the chunked deep ReLU dictionary and the FISTA Lasso against references
(the enumerating builder with its piecewise-linear descriptions; CLARABEL through CVXPY)."""

import cvxpy as cp
import numpy as np
import pytest

from papers.lasso_mirrors import dictionary
from papers.lasso_mirrors.features import MAX_RAW_COLUMNS, relu_dictionary
from papers.lasso_mirrors.fista import fista_lasso
from papers.lasso_mirrors.lasso import lasso_objective


def _canonical_set(matrix, flags):
    """Columns modulo sign and constant, sorted, with their flags."""
    c = matrix - matrix[:1]
    first = np.argmax(np.abs(c) > 1e-9, axis=0)
    c = np.round(c * np.sign(c[first, np.arange(c.shape[1])]), 9) + 0.0
    order = np.lexsort(c[::-1])
    return c[:, order], np.asarray(flags)[order]


def _draw(n, seed=0):
    rng = np.random.default_rng([n, seed])
    return np.sort(rng.uniform(0.0, 10.0, n)), rng.standard_normal(n)


@pytest.mark.parametrize(("n", "depth"), [(6, 4), (7, 4), (8, 4), (5, 3), (5, 5)])
def test_relu_dictionary_equals_enumerated(n, depth):
    x, _ = _draw(n)
    D = dictionary(x, "relu", depth)
    R = relu_dictionary(x, depth)
    assert R.raw_count == D.raw_count
    assert R.matrix.shape == D.matrix.shape
    cols_d, kind_d = _canonical_set(D.matrix, [f.kind == "reflection" for f in D.features])
    cols_r, kind_r = _canonical_set(R.matrix, R.reflection)
    np.testing.assert_allclose(cols_r, cols_d, atol=1e-9)
    np.testing.assert_array_equal(kind_r, kind_d)
    assert kind_r.any() == (depth >= 4)


def test_relu_dictionary_reflection_kinks_on_authors_data():
    x = np.array([0.0, 4, 5, 7, 10, 11])
    D = dictionary(x, "relu", 4)
    R = relu_dictionary(x, 4)
    assert R.reflection.sum() == D.kind_counts()["reflection"] > 0


def test_relu_dictionary_guard():
    x, _ = _draw(40)
    with pytest.raises(ValueError, match="max_raw_columns"):
        relu_dictionary(x, 4)  # 2 * 80^3 raw columns > MAX_RAW_COLUMNS
    assert MAX_RAW_COLUMNS < 2 * 80**3
    with pytest.raises(TypeError, match="max_raw_columns"):
        relu_dictionary(x, 4, max_raw_columns=1e7)
    with pytest.raises(ValueError, match="depth"):
        relu_dictionary(x, 1)
    with pytest.raises(ValueError, match="x"):
        relu_dictionary([1.0, 1.0, 2.0], 4)


def _clarabel(A, y, beta):
    z, xi = cp.Variable(A.shape[1]), cp.Variable()
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ z + xi - y) + beta * cp.norm1(z)))
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return prob.value


@pytest.mark.parametrize("n", [6, 8])
@pytest.mark.parametrize("frac", [0.03, 0.3])
def test_fista_matches_clarabel(n, frac):
    x, y = _draw(n, seed=1)
    A = relu_dictionary(x, 4).matrix
    beta = frac * np.max(np.abs((A - A.mean(0)).T @ (y - y.mean())))
    sol = fista_lasso(A, y, beta, tol=1e-9)
    ref = _clarabel(A, y, beta)
    assert sol.converged and sol.gap <= 1e-9
    assert sol.objective == pytest.approx(lasso_objective(A, y, sol.z, sol.xi, beta), rel=1e-14)
    assert abs(sol.objective - ref) <= 1e-6 * ref
    assert sol.objective - ref <= sol.gap * sol.objective + 1e-12 * ref  # the certificate


def test_fista_reports_unconverged():
    x, y = _draw(8, seed=1)  # the shapes of test_fista_matches_clarabel: compiled already
    A = relu_dictionary(x, 4).matrix
    with pytest.warns(RuntimeWarning, match="converged=False"):
        sol = fista_lasso(A, y, 0.01, tol=1e-12, max_iter=3)
    assert not sol.converged and sol.gap > 1e-12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"beta": 0.0}, "beta"), ({"tol": 0.0}, "tol"), ({"tol": 2.0}, "tol"),
     ({"max_iter": 0}, "max_iter"), ({"y": np.ones(3)}, "A must be a matrix with 3 rows"),
     ({"y": np.array([0.0, 1.0, np.nan, 2.0])}, "y contains NaN")],
)  # fmt: skip
def test_fista_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fista_lasso(**{"A": np.eye(4), "y": np.arange(4.0), "beta": 0.1, **kwargs})


def test_jax_device_from_run_context():
    import jax

    from papers.lasso_mirrors.experiments import _jax_device

    assert _jax_device("cpu").platform == "cpu"
    try:
        gpu = jax.devices("gpu")[0]
    except RuntimeError:
        with pytest.warns(RuntimeWarning, match="no GPU backend"):
            assert _jax_device("cuda").platform == "cpu"
    else:
        assert _jax_device("cuda") == gpu

"""solve_path: each result equals an independent solve, screening is safe, bad betas refused."""

import numpy as np
import pytest

from common.convex_nn import solve_convex, solve_path

from .conftest import make_problem


def _beta_max(X, y):
    return float(np.max(np.abs(X.T @ y)))


@pytest.mark.parametrize("formulation", ["relu", "gated"])
def test_path_equals_independent_solves(formulation):
    X, y, D = make_problem()
    bmax = _beta_max(X, y)
    betas = bmax * np.array([0.02, 0.5, 0.1, 0.2, 0.05])  # unsorted: results in this order
    path = solve_path(X, y, D, betas, formulation=formulation)
    assert len(path) == betas.size and np.array_equal(path.betas, betas)
    for beta, res in zip(betas, path, strict=True):
        ref = solve_convex(X, y, D, beta, formulation=formulation, solver="cvxpy")
        assert res.beta == beta and res.converged and res.certificate <= 1e-6
        assert res.patterns.shape == D.shape
        assert abs(res.objective - ref.objective) <= 2e-6 * ref.objective
        assert res.lower_bound <= ref.objective * (1 + 1e-9)
        if formulation == "relu":
            assert res.constraint_violation <= 1e-6 * np.max(np.abs(y))


@pytest.mark.parametrize("formulation", ["relu"])
def test_screening_removes_only_blocks_zero_at_the_optimum(formulation):
    X, y, D = make_problem(seed=3, n=60, d=4, gates=40)
    bmax = _beta_max(X, y)
    betas = bmax * np.geomspace(0.6, 0.2, 12)  # close betas: a small gap, a tight rule
    path = solve_path(X, y, D, betas, formulation=formulation)
    assert path.screened.sum() > 0  # the rule fires on this path (else the test is void)
    for beta, res, drop in zip(betas, path, path.screened, strict=True):
        assert res.converged
        ref = solve_convex(X, y, D, beta, formulation=formulation)
        norms = np.linalg.norm(ref.U, axis=1) + np.linalg.norm(ref.V, axis=1)
        act = norms > 1e-6 * norms.max()
        assert not np.any(act & drop)
        assert abs(res.objective - ref.objective) <= 2e-6 * ref.objective


def test_path_vector_output_and_logistic_loss():
    X, y, D = make_problem(c=2)
    bmax = float(np.max(np.abs(X.T @ y)))
    path = solve_path(X, y, D, bmax * np.array([0.3, 0.1]), formulation="gated")
    assert all(r.converged and r.U.shape == (D.shape[0], X.shape[1], 2) for r in path)
    yl = np.where(y[:, 0] > 0, 1.0, -1.0)
    path = solve_path(X, yl, D, [2.0, 1.0], formulation="gated", loss="logistic", tol=1e-5)
    assert all(r.converged for r in path) and not path.screened.any()


@pytest.mark.parametrize("betas", [[], [1.0, -1.0], [1.0, np.nan], [0.0], 2.0, [[1.0, 2.0]], ["a"]])
def test_bad_betas_are_refused(betas):
    X, y, D = make_problem()
    with pytest.raises((ValueError, TypeError), match="beta"):
        solve_path(X, y, D, betas)


@pytest.mark.parametrize("scale", [0.0, 1.0])
def test_path_where_the_rule_screens_every_pattern(scale):
    # y = 0, or betas above beta_max: at the second beta the gap-safe rule removes every
    # pattern; this built an empty program (a reshape error, also from ConvexReLURegressorCV)
    X, y, D = make_problem()
    bmax = _beta_max(X, y)
    path = solve_path(X, scale * y, D, [3 * bmax, 2 * bmax])
    for res in path:
        assert res.converged and res.objective == pytest.approx(0.5 * scale**2 * (y @ y))
        assert not np.any(res.U) and not np.any(res.V)

"""Property: every solver path's ``converged`` agrees with an independent CLARABEL solve.

Random small problems, data scales 1e-8..1e8 (X and y scaled independently) and beta from 0
to beta_max (= max_i ||X^T M_i y||, above which zero is optimal). The reference is a CVXPY
program written here and solved on the unscaled data; by the scaling law
``p*(a X, b y, a b beta) = b^2 p*(X, y, beta)`` it gives the optimum at every scale.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.arrangements import sample_patterns
from common.convex_nn import solve_convex

N, DIM, GATES = 12, 3, 8
PATHS = [
    ("gated", "fista"),
    ("gated", "cvxpy"),
    ("relu", "working_set"),
    ("relu", "al"),
    ("relu", "admm"),
    ("relu", "cvxpy"),
]


def _clarabel(X, y, D, beta, relu):
    import cvxpy as cp

    P, d = D.shape[0], X.shape[1]
    M = D.T.astype(float)
    S = 2.0 * M - 1.0
    U = cp.Variable((P, d))
    pred = cp.sum(cp.multiply(M, X @ U.T), axis=1)
    pen = cp.sum(cp.norm(U, 2, axis=1))
    cons = []
    if relu:
        V = cp.Variable((P, d))
        pred = pred - cp.sum(cp.multiply(M, X @ V.T), axis=1)
        pen = pen + cp.sum(cp.norm(V, 2, axis=1))
        cons = [cp.multiply(S, X @ U.T) >= 0, cp.multiply(S, X @ V.T) >= 0]
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(pred - y) + beta * pen), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    assert prob.status == cp.OPTIMAL
    return float(prob.value)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    path=st.sampled_from(PATHS),
    log_sx=st.floats(-8, 8),
    log_sy=st.floats(-8, 8),
    frac=st.one_of(st.just(0.0), st.floats(1e-2, 1.0)),
)
def test_converged_agrees_with_clarabel(seed, path, log_sx, log_sy, frac):
    formulation, solver = path
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((N, DIM - 1)), np.ones((N, 1))])
    y = rng.standard_normal(N)
    D = sample_patterns(X, GATES, seed=seed)
    beta_max = max(np.linalg.norm(X.T @ (D[i] * y)) for i in range(D.shape[0]))
    sx, sy = 10.0**log_sx, 10.0**log_sy
    beta = frac * beta_max * sx * sy
    if frac == 0.0:
        with pytest.raises(ValueError, match="beta must be > 0"):
            solve_convex(X * sx, y * sy, D, beta, formulation=formulation, solver=solver)
        return
    tol = 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # unconverged runs warn; not the point
        max_iter = 3000 if solver in ("al", "admm") else None
        res = solve_convex(
            X * sx, y * sy, D, beta, formulation=formulation, solver=solver, tol=tol,
            max_iter=max_iter,
        )  # fmt: skip
    assert np.isfinite(res.objective) and np.isfinite(res.certificate)
    assert not res.converged or res.certificate <= tol
    if res.converged:
        pstar = sy**2 * _clarabel(X, y, D, frac * beta_max, formulation == "relu")
        assert abs(res.objective - pstar) <= (tol + 1e-8) * pstar

"""Issue #14 items 4 and 5: beta = 0, honest ``converged`` flags, extreme data scales."""

import warnings

import numpy as np
import pytest

from common.convex_nn import network_objective, solve_convex, to_network

from .conftest import make_problem

X, Y, D = make_problem()
YS = np.where(Y > 0, 1.0, -1.0)
BETA = 0.5

PATHS = [
    ("gated", "fista", "squared"),
    ("gated", "fista", "logistic"),
    ("gated", "cvxpy", "squared"),
    ("relu", "working_set", "squared"),
    ("relu", "al", "squared"),
    ("relu", "al", "logistic"),
    ("relu", "admm", "squared"),
    ("relu", "cvxpy", "squared"),
    ("relu", "cvxpy", "logistic"),
]


@pytest.mark.parametrize(("formulation", "solver", "loss"), PATHS)
def test_beta_zero_is_refused_by_every_path(formulation, solver, loss):
    y = YS if loss == "logistic" else Y
    with pytest.raises(ValueError, match=r"beta must be > 0 for solve_convex"):
        solve_convex(X, y, D, 0.0, formulation=formulation, solver=solver, loss=loss)


@pytest.mark.parametrize("formulation", ["gated", "relu"])
def test_cvxpy_converged_follows_the_certificate(formulation):
    # data scaled by 1e-6: CLARABEL reported "optimal" with a relative gap of 1.1e-2; the data
    # are now rescaled internally, and converged means certificate <= tol in any case
    s = 1e-6
    ref = solve_convex(X, Y, D, BETA, formulation=formulation, solver="cvxpy")
    res = solve_convex(X * s, Y * s, D, BETA * s * s, formulation=formulation, solver="cvxpy")
    assert res.converged and res.certificate <= 1e-6
    assert abs(res.objective / (ref.objective * s * s) - 1.0) <= 1e-8
    # a loose SCS solve reports "optimal" but is far from tol: converged=False, with a warning
    with pytest.warns(RuntimeWarning, match=r"certificate .* > tol"):
        loose = solve_convex(X, Y, D, BETA, formulation=formulation, solver="scs",
                             solver_opts={"eps_abs": 1e-2, "eps_rel": 1e-2})  # fmt: skip
    assert not loose.converged and loose.certificate > 1e-6


def test_relu_logistic_cvxpy_has_a_certificate():
    res = solve_convex(X, YS, D, BETA, solver="cvxpy", loss="logistic", tol=1e-4)
    # the logistic duality gap through the loss's conjugate (it was a KKT residual before)
    assert res.certificate_kind == "relative_duality_gap"
    assert np.isfinite(res.certificate) and res.converged == (res.certificate <= 1e-4)
    assert res.lower_bound <= res.objective


@pytest.mark.parametrize("scale", [1e-140, 1e-8, 1e20, 1e150])
@pytest.mark.parametrize("formulation", ["gated", "relu"])
def test_extreme_scales_are_rescaled(formulation, scale):
    """X, y -> s X, s y with beta -> s^2 beta has the same blocks and objective s^2 F."""
    ref = solve_convex(X, Y, D, BETA, formulation=formulation)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or convergence warnings
        res = solve_convex(X * scale, Y * scale, D, BETA * scale**2, formulation=formulation)
    assert res.converged and res.certificate <= 1e-6
    assert abs(res.objective / (ref.objective * scale**2) - 1.0) <= 1e-6
    assert res.lower_bound <= res.objective and res.beta == BETA * scale**2
    assert np.allclose(res.U, ref.U, rtol=1e-3, atol=1e-4 * np.abs(ref.U).max())
    if formulation == "relu":  # the maps work in the user's units
        W1, w2 = to_network(res)
        F = network_objective(X * scale, Y * scale, W1, w2, BETA * scale**2)
        assert abs(F / res.objective - 1.0) <= 1e-8


def test_unrepresentable_scales_name_the_argument():
    with pytest.raises(ValueError, match=r"y has entries of magnitude up to .*rescale y"):
        solve_convex(X, Y * 1e160, D, BETA)
    with pytest.raises(ValueError, match=r"X has entries .*rescale X"):
        solve_convex(X * 1e-300, Y * 1e10, D, BETA)


def test_working_set_says_why_it_stopped(monkeypatch):
    """A failed restricted solve was reported as 'max_iter=50 rounds'."""
    from common.convex_nn import working_set as ws

    def failing(X, y, M, S, blocks, rows, *args):
        return np.zeros((len(blocks), X.shape[1])), 0, False

    monkeypatch.setattr(ws, "_restricted", failing)
    with pytest.warns(RuntimeWarning, match=r"restricted solve failed in round 1"):
        res = solve_convex(X, Y, D, BETA, solver="working_set")
    assert not res.converged


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(formulation="gated", solver_opts={"device": "cpu"}), r"\['device'\].*runs 'fista'"),
        (dict(solver_opts={"max_ad": 5}), r"\['max_ad'\].*runs 'working_set'.*'max_add'"),
        (dict(solver="al", solver_opts={"delta_scal": 1.0}), r"\['delta_scal'\].*'delta_scale'"),
        (dict(solver="admm", solver_opts={"tol": 1e-3}), r"\['tol'\]"),
    ],
)
def test_unknown_solver_opts_are_refused_by_name(kw, match):
    """A ``solver_opts`` key the solver does not take raised a TypeError from deep inside it
    (``fista() got an unexpected keyword argument``), or a duplicate-argument TypeError for
    the ones ``solve_convex`` sets itself; now a ValueError names the key, the solver that
    runs, and its options (CVXPY backends pass their options on unchecked)."""
    with pytest.raises(ValueError, match=match):
        solve_convex(X, Y, D, BETA, **kw)
    with pytest.raises(TypeError, match="solver_opts must be a dict"):
        solve_convex(X, Y, D, BETA, solver_opts=[("max_add", 5)])

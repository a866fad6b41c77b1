"""Bad input gets a clear ValueError / TypeError naming the argument."""

import numpy as np
import pytest

from common.convex_nn import (
    ConvexReLURegressor,
    convex_objective,
    duality_gap,
    network_objective,
    predict_convex,
    solve_convex,
    solve_path,
    to_network,
    train_ensemble,
    train_nonconvex,
)

from .conftest import make_problem

X, Y, D = make_problem()


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"X": X[:, 0]}, ValueError, "X must have 2 dims"),
        ({"y": Y[:-1]}, ValueError, "y must have 24 rows"),
        ({"X": np.where(np.eye(24, 3) > 0, np.nan, X)}, ValueError, "X contains NaN"),
        ({"y": np.r_[Y[:-1], np.inf]}, ValueError, "y contains NaN"),
        ({"beta": -1.0}, ValueError, "beta must be"),
        ({"beta": "1"}, TypeError, "beta must be a real"),
        ({"patterns": np.zeros((0, 24), bool)}, ValueError, "patterns is empty"),
        ({"patterns": D[:, :-1]}, ValueError, "patterns must have shape"),
        ({"patterns": D * 2}, ValueError, "0/1"),
        ({"X": X.astype(str)}, TypeError, "X must be a real numeric"),
        ({"X": X.astype(complex)}, TypeError, "X must be real"),
        ({"dtype": np.int32}, TypeError, "dtype must be float32 or float64"),
        ({"formulation": "linear"}, ValueError, "formulation"),
        ({"solver": "ecos2"}, ValueError, "solver must be"),
        ({"solver": "fista"}, ValueError, "solver='fista' does not support formulation='relu'"),
        ({"solver": "cvxpy", "dtype": np.float32}, ValueError, "does not support dtype"),
        ({"solver": "admm", "loss": "huber"}, ValueError, "does not support loss='huber"),
        ({"loss": "hinge"}, ValueError, "loss must be"),
        ({"loss": "logistic"}, ValueError, "labels y in"),
        ({"activation": "tanh"}, ValueError, "activation"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        # option values (accepted before: a negative tolerance, max_add=-1; a deep numpy
        # AxisError for a W0 of the wrong shape; the AL ran with delta=-1 to an inf objective)
        ({"constraint_tol": -1.0}, ValueError, r"constraint_tol must lie in \(0, inf\)"),
        ({"constraint_tol": "x"}, TypeError, "constraint_tol must be a real number"),
        ({"solver_opts": {"max_add": -1}}, ValueError, "max_add must be an integer >= 1"),
        ({"solver_opts": {"max_add": 2.5}}, TypeError, "max_add must be an int"),
        ({"solver_opts": {"ipm_tol": -1.0}}, ValueError, r"ipm_tol must lie in \(0, inf\)"),
        ({"solver_opts": {"W0": np.zeros((2, 2))}}, ValueError, "W0 must have 3 dims"),
        ({"solver_opts": {"W0": np.zeros((1, 2, 3))}}, ValueError, r"W0 must have shape \(c, 2P"),
        ({"solver": "al", "solver_opts": {"delta": -1.0}}, ValueError, r"delta must lie in \(0,"),
        ({"activation": ("leaky", "x")}, ValueError, "activation slopes must be finite numbers"),
        ({"verbose": "yes"}, TypeError, "verbose must be True or False"),
    ],
)
def test_solve_convex_bad_input(kwargs, exc, match):
    args = {"X": X, "y": Y, "patterns": D, "beta": 0.5}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        solve_convex(args.pop("X"), args.pop("y"), args.pop("patterns"), args.pop("beta"), **args)


def test_other_functions_validate():
    with pytest.raises(ValueError, match="W1 must have shape"):
        network_objective(X, Y, np.ones((2, 5)), np.ones(2), 1.0)
    with pytest.raises(ValueError, match="w2 must have shape"):
        network_objective(X, Y, np.ones((2, 3)), np.ones(3), 1.0)
    with pytest.raises(ValueError, match="beta"):
        network_objective(X, Y, np.ones((2, 3)), np.ones(2), -1.0)
    with pytest.raises(ValueError, match="same shape"):
        to_network((np.ones((2, 3)), np.ones((3, 3))))
    with pytest.raises(ValueError, match="U must have"):
        duality_gap(X, Y, D, 1.0, np.ones(3))
    with pytest.raises(ValueError, match="optimizer"):
        train_nonconvex(X, Y, 4, 0.1, optimizer="lbfgs")
    with pytest.raises(ValueError, match="width"):
        train_nonconvex(X, Y, 0, 0.1)
    with pytest.raises(ValueError):
        ConvexReLURegressor().fit(X, Y[:-1])


def test_network_objective_refuses_mismatched_outputs_and_labels():
    # issue #14 item 7: a (m, 2) output layer with 1-D y was silently cut to its first
    # column, and logistic loss took any labels
    W1 = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"w2 must have shape \(m,\) or \(m, 1\)"):
        network_objective(X, Y, W1, np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match=r"w2 must have shape \(m, 3\)"):
        network_objective(X, np.ones((24, 3)), W1, np.ones(2), 1.0)
    with pytest.raises(ValueError, match=r"w2 must have shape \(m, 3\)"):
        network_objective(X, np.ones((24, 3)), W1, np.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match=r"labels y in \{-1, \+1\}"):
        network_objective(X, Y, W1, np.ones(2), 1.0, loss="logistic")
    with pytest.raises(ValueError, match=r"labels y in \{-1, \+1\}"):
        network_objective(X, (Y > 0).astype(float), W1, np.ones(2), 1.0, loss="logistic")
    with pytest.raises(ValueError, match="loss must be"):
        network_objective(X, Y, W1, np.ones(2), 1.0, loss="hinge")
    # the accepted shapes agree
    f1 = network_objective(X, Y, W1, np.ones(2), 1.0)
    assert f1 == network_objective(X, Y, W1, np.ones((2, 1)), 1.0)
    ys = np.sign(Y) + (Y == 0)
    assert np.isfinite(network_objective(X, ys, W1, np.ones(2), 1.0, loss="logistic"))


def test_objective_prediction_and_gap_check_their_blocks():
    # a (n, 1) y against (P, d) blocks broadcast the residual to (n, n): a silent objective
    # of 242.9 for 10.6; blocks of the wrong shape failed inside einsum; a formulation typo
    # ("gate") was certified as the ReLU program
    P, d = D.shape[0], X.shape[1]
    U = np.random.default_rng(0).standard_normal((P, d))
    good = convex_objective(X, Y, D, U, None, 0.5)
    r = Y - predict_convex(X, D, U)
    assert good == pytest.approx(0.5 * r @ r + 0.5 * np.linalg.norm(U, axis=1).sum())
    for f in (convex_objective, lambda *a: duality_gap(*a[:3], a[5], a[3], formulation="gated")):
        with pytest.raises(ValueError, match=r"y of shape \(24, 1\) does not match blocks"):
            f(X, Y[:, None], D, U, None, 0.5)
    with pytest.raises(ValueError, match=rf"U must have shape \(P={P}, d=3\)"):
        convex_objective(X, Y, D, U[:-1], None, 0.5)
    with pytest.raises(ValueError, match="V must have U's shape"):
        predict_convex(X, D, U, U[:, :2])
    with pytest.raises(ValueError, match="X contains NaN"):
        predict_convex(np.where(X > 1, np.nan, X), D, U)
    with pytest.raises(ValueError, match="patterns must contain only 0/1"):
        predict_convex(X, 2 * D.astype(int), U)
    with pytest.raises(ValueError, match="beta must be"):
        convex_objective(X, Y, D, U, None, -0.5)
    with pytest.raises(ValueError, match="formulation must be 'relu' or 'gated', got 'gate'"):
        duality_gap(X, Y, D, 0.5, U, formulation="gate")


def test_trainer_and_path_check_their_options():
    # lr as a numpy float was refused and lr=True accepted; batch_size=0 divided by zero;
    # a seed of 2.7 was truncated; float trace steps were truncated; a NaN init_scale ran
    with pytest.raises(TypeError, match="lr must be a real number"):
        train_nonconvex(X, Y, 4, 0.1, lr=True, iterations=2)
    assert train_nonconvex(X, Y, 4, 0.1, lr=np.float32(1e-3), iterations=2).iterations == 2
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train_nonconvex(X, Y, 4, 0.1, optimizer="sgd", batch_size=0, iterations=2)
    with pytest.raises(TypeError, match="seed must be an int"):
        train_nonconvex(X, Y, 4, 0.1, seed=2.7, iterations=2)
    with pytest.raises(ValueError, match=r"init_scale must lie in \[0, inf\)"):
        train_nonconvex(X, Y, 4, 0.1, init_scale=np.nan, iterations=2)
    with pytest.raises(ValueError, match="trace_steps must be increasing ints"):
        train_ensemble(X, Y, 4, 0.1, lrs=[1e-3], steps=4, trace_steps=[0.0, 2.5, 4.0])
    with pytest.raises(TypeError, match="solver_opts must be a dict"):
        solve_path(X, Y, D, [1.0], solver_opts=[1])
    with pytest.raises(TypeError, match="screening must be True or False"):
        solve_path(X, Y, D, [1.0], screening="no")
    # a torch RuntimeError, a numpy ufunc error and "'int' object is not callable" before
    kw = {"lrs": [1e-3], "steps": 2, "optimizer": "gd"}
    with pytest.raises(ValueError, match="device='foo' is not a torch device"):
        train_ensemble(X, Y, 4, 0.1, device="foo", **kw)
    with pytest.raises(TypeError, match="momentum must be a real number"):
        train_ensemble(X, Y, 4, 0.1, momentum="x", **kw)
    with pytest.raises(ValueError, match="momentum needs optimizer 'gd' or 'sgd'"):
        train_ensemble(X, Y, 4, 0.1, lrs=[1e-3], steps=2, optimizer="adam", momentum=0.5)
    with pytest.raises(TypeError, match="callback must be callable"):
        train_ensemble(X, Y, 4, 0.1, callback=3, **kw)
    with pytest.raises(TypeError, match=r"result must be a ConvexResult or a pair \(U, V\)"):
        to_network(np.ones((2, 3)))

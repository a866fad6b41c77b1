"""The vectorised ensemble trainer: gradients, agreement with the core's torch trainer, errors."""

import numpy as np
import pytest

from common.convex_nn import network_objective, train_nonconvex
from papers.convex_landscape.training import objective_and_grad, train_ensemble


def _data(n=12, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.c_[rng.standard_normal((n, d - 1)), np.ones(n)]
    return X, rng.standard_normal(n)


def test_gradient_matches_finite_differences():
    X, y = _data()
    rng = np.random.default_rng(1)
    W1, w2 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4))
    F, gW, ga = objective_and_grad(X, y, 0.3, W1, w2)
    eps = 1e-6
    for idx in [(0, 1, 2), (1, 3, 0)]:
        Wp = W1.copy()
        Wp[idx] += eps
        Wm = W1.copy()
        Wm[idx] -= eps
        fd = objective_and_grad(X, y, 0.3, Wp, w2)[0] - objective_and_grad(X, y, 0.3, Wm, w2)[0]
        assert fd[idx[0]] / (2 * eps) == pytest.approx(gW[idx], rel=1e-6, abs=1e-8)
    ap = w2.copy()
    ap[1, 2] += eps
    am = w2.copy()
    am[1, 2] -= eps
    fd = objective_and_grad(X, y, 0.3, W1, ap)[0][1] - objective_and_grad(X, y, 0.3, W1, am)[0][1]
    assert fd / (2 * eps) == pytest.approx(ga[1, 2], rel=1e-6)
    assert F[0] == pytest.approx(network_objective(X, y, W1[0], w2[0], 0.3), rel=1e-14)


def test_gd_agrees_with_core_torch_trainer():
    X, y = _data()
    rng = np.random.default_rng(2)
    W1, w2 = rng.standard_normal((1, 5, 3)) / 2, rng.standard_normal((1, 5)) / 2
    ours = train_ensemble(
        X, y, 0.1, width=5, lrs=[1e-2], optimizer="gd", steps=40, rng=rng, init=(W1, w2)
    )
    core = train_nonconvex(
        X, y, 5, 0.1, optimizer="gd", lr=1e-2, iterations=40, W1_init=W1[0], w2_init=w2[0]
    )
    assert ours.objective[0] == pytest.approx(core.objective, rel=1e-10)
    np.testing.assert_allclose(ours.W1[0], core.W1, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam"])
def test_zero_neurons_stay_zero(optimizer):
    """Padding a network with zero neurons does not change its training (any optimizer)."""
    X, y = _data()
    rng = np.random.default_rng(3)
    W1, w2 = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3))
    W1p = np.concatenate([W1, np.zeros((2, 2, 3))], axis=1)
    w2p = np.concatenate([w2, np.zeros((2, 2))], axis=1)
    kw = {"lrs": [1e-3, 3e-3], "optimizer": optimizer, "steps": 30, "batch_size": 4}
    a = train_ensemble(X, y, 0.2, width=3, rng=np.random.default_rng(5), init=(W1, w2), **kw)
    b = train_ensemble(X, y, 0.2, width=5, rng=np.random.default_rng(5), init=(W1p, w2p), **kw)
    np.testing.assert_allclose(a.objective, b.objective, rtol=1e-12)
    assert np.all(b.W1[:, 3:] == 0) and np.all(b.w2[:, 3:] == 0)


def test_divergence_is_reported_as_inf():
    X, y = _data()
    run = train_ensemble(
        X, 10 * y, 0.0, width=4, lrs=[1e-3, 10.0], optimizer="gd", steps=200,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert np.isfinite(run.objective[0]) and np.isinf(run.objective[1])
    assert run.trace.shape == (2, run.trace_steps.size)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"optimizer": "lbfgs"}, ValueError, "optimizer"),
        ({"lrs": [-1.0]}, ValueError, "lrs"),
        ({"lrs": []}, ValueError, "lrs"),
        ({"width": 0}, ValueError, "width"),
        ({"steps": 0}, ValueError, "steps"),
        ({"batch_size": 100}, ValueError, "batch_size"),
        ({"rng": 0}, TypeError, "rng"),
        ({"init": (np.zeros((1, 2, 3)), np.zeros((1, 2)))}, ValueError, "init"),
    ],
)
def test_bad_inputs(kwargs, exc, match):
    X, y = _data()
    args = {"width": 3, "lrs": [1e-3], "optimizer": "gd", "steps": 2}
    args["rng"] = np.random.default_rng(0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        train_ensemble(X, y, 0.1, **args)


def test_bad_data():
    X, y = _data()
    kw = {"width": 2, "lrs": [1e-3], "optimizer": "gd", "steps": 2}
    with pytest.raises(ValueError, match="y"):
        train_ensemble(X, np.c_[y, y], 0.1, rng=np.random.default_rng(0), **kw)
    with pytest.raises(ValueError, match="beta"):
        train_ensemble(X, y, -1.0, rng=np.random.default_rng(0), **kw)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train_ensemble(X, y, 0.1, rng=np.random.default_rng(0), **kw)


@pytest.mark.parametrize("activation", [("leaky", 0.1), "abs", (2.0, 0.5)])
def test_other_activations_gradient_and_objective(activation):
    X, y = _data()
    rng = np.random.default_rng(3)
    W1, w2 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4))
    F, gW, ga = objective_and_grad(X, y, 0.3, W1, w2, activation=activation)
    relu = objective_and_grad(X, y, 0.3, W1, w2)[0]
    assert not np.allclose(F, relu)  # the activation is used
    for s in range(2):
        ref = network_objective(X, y, W1[s], w2[s], 0.3, activation=activation)
        assert F[s] == pytest.approx(ref, rel=1e-13)
    eps = 1e-6
    for idx in [(0, 1, 2), (1, 3, 0), (0, 0, 1)]:
        Wp, Wm = W1.copy(), W1.copy()
        Wp[idx] += eps
        Wm[idx] -= eps
        fp = objective_and_grad(X, y, 0.3, Wp, w2, activation=activation)[0]
        fm = objective_and_grad(X, y, 0.3, Wm, w2, activation=activation)[0]
        assert (fp - fm)[idx[0]] / (2 * eps) == pytest.approx(gW[idx], rel=1e-6, abs=1e-8)
    ap, am = w2.copy(), w2.copy()
    ap[0, 1] += eps
    am[0, 1] -= eps
    fp = objective_and_grad(X, y, 0.3, W1, ap, activation=activation)[0][0]
    fm = objective_and_grad(X, y, 0.3, W1, am, activation=activation)[0][0]
    assert (fp - fm) / (2 * eps) == pytest.approx(ga[0, 1], rel=1e-6)


def test_relu_activation_argument_is_the_default():
    X, y = _data()
    kw = dict(width=3, lrs=[1e-2, 1e-3], optimizer="adam", steps=30)
    a = train_ensemble(X, y, 0.2, rng=np.random.default_rng(4), **kw)
    b = train_ensemble(X, y, 0.2, rng=np.random.default_rng(4), activation=(1.0, 0.0), **kw)
    assert np.array_equal(a.objective, b.objective) and np.array_equal(a.W1, b.W1)

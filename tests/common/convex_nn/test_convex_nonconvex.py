"""Torch non-convex baseline: objective in paper scaling, determinism, descent."""

import numpy as np
import pytest

from common.convex_nn import (
    network_forward,
    network_objective,
    solve_convex,
    to_network,
    train_ensemble,
    train_nonconvex,
)


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam"])
def test_trainer_descends_and_matches_numpy_objective(problem, optimizer):
    X, y, _ = problem
    lr = {"gd": 1e-2, "sgd": 1e-2, "adam": 1e-2}[optimizer]
    bs = None if optimizer == "gd" else 8
    res = train_nonconvex(X, y, 8, 0.1, optimizer=optimizer, lr=lr, iterations=60,
                          batch_size=bs, seed=3, progress=False)  # fmt: skip
    assert res.history.shape == (61,)
    assert res.history[-1] < res.history[0]
    assert res.objective == pytest.approx(network_objective(X, y, res.W1, res.w2, 0.1), rel=1e-12)
    again = train_nonconvex(X, y, 8, 0.1, optimizer=optimizer, lr=lr, iterations=60,
                            batch_size=bs, seed=3, progress=False)  # fmt: skip
    np.testing.assert_array_equal(res.history, again.history)


def test_convex_optimum_is_not_beaten_by_gd():
    """With all patterns, p* is the global optimum: GD started there cannot improve it."""
    from common.arrangements import enumerate_patterns

    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((12, 1)), np.ones((12, 1))])
    y = rng.standard_normal(12)
    D = enumerate_patterns(X)
    beta = 0.5
    res = solve_convex(X, y, D, beta, formulation="relu", solver="cvxpy")
    W1, w2 = to_network(res)
    tr = train_nonconvex(X, y, W1.shape[0], beta, lr=1e-3, iterations=50, W1_init=W1,
                         w2_init=w2, progress=False)  # fmt: skip
    assert tr.history[0] == pytest.approx(res.objective, rel=1e-6)
    assert tr.history.min() >= res.objective * (1 - 1e-7)


# ----------------------------------------------------------------------------- ensembles
def _data(n=12, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.c_[rng.standard_normal((n, d - 1)), np.ones(n)]
    return X, rng.standard_normal(n)


def _gradient(X, y, beta, W1, w2, **kw):
    """The objective's gradient, read off one unit gradient-descent step of the trainer."""
    run = train_ensemble(X, y, W1.shape[1], beta, lrs=[1.0] * len(W1), steps=1, init=(W1, w2),
                         progress=False, **kw)  # fmt: skip
    return W1 - run.W1, w2 - run.w2


@pytest.mark.parametrize("activation", ["relu", ("leaky", 0.1), "abs", (2.0, 0.5)])
def test_objective_and_gradient_match_numpy(activation):
    X, y = _data()
    rng = np.random.default_rng(3)
    W1, w2 = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4))
    run = train_ensemble(X, y, 4, 0.3, lrs=[1e-9, 1e-9], steps=1, init=(W1, w2),
                         activation=activation, progress=False)  # fmt: skip
    for s in range(2):
        ref = network_objective(X, y, W1[s], w2[s], 0.3, activation=activation)
        assert run.trace[s, 0] == pytest.approx(ref, rel=1e-13)
    gW, ga = _gradient(X, y, 0.3, W1, w2, activation=activation)
    eps = 1e-6
    for s, j, k in [(0, 1, 2), (1, 3, 0), (0, 0, 1)]:
        Wp, Wm = W1[s].copy(), W1[s].copy()
        Wp[j, k] += eps
        Wm[j, k] -= eps
        fd = network_objective(X, y, Wp, w2[s], 0.3, activation=activation)
        fd -= network_objective(X, y, Wm, w2[s], 0.3, activation=activation)
        assert fd / (2 * eps) == pytest.approx(gW[s, j, k], rel=1e-6, abs=1e-8)
    ap, am = w2[1].copy(), w2[1].copy()
    ap[2] += eps
    am[2] -= eps
    fd = network_objective(X, y, W1[1], ap, 0.3, activation=activation)
    fd -= network_objective(X, y, W1[1], am, 0.3, activation=activation)
    assert fd / (2 * eps) == pytest.approx(ga[1, 2], rel=1e-6)


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam"])
def test_members_train_as_separate_networks(optimizer):
    """Members grouped by learning rate (here out of order) train exactly as alone."""
    X, y = _data()
    rng = np.random.default_rng(2)
    W1, w2 = rng.standard_normal((3, 5, 3)) / 2, rng.standard_normal((3, 5)) / 2
    lrs = [1e-2, 3e-3, 1e-2]
    kw = {"optimizer": optimizer, "steps": 25, "progress": False}
    kw["batch_size"] = 4 if optimizer == "sgd" else None
    ens = train_ensemble(X, y, 5, 0.1, lrs=lrs, init=(W1, w2), **kw)
    for s in range(3) if optimizer != "sgd" else ():
        one = train_ensemble(X, y, 5, 0.1, lrs=[lrs[s]], init=(W1[s : s + 1], w2[s : s + 1]), **kw)
        np.testing.assert_allclose(ens.trace[s], one.trace[0], rtol=1e-12)
        np.testing.assert_allclose(ens.W1[s], one.W1[0], rtol=1e-10, atol=1e-14)
    assert ens.trace.shape == (3, 26) and np.all(ens.trace[:, -1] < ens.trace[:, 0])
    assert ens.objective == pytest.approx(ens.trace[:, -1], rel=1e-14)


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam"])
def test_zero_neurons_stay_zero(optimizer):
    """Padding a network with zero neurons does not change its training (any optimizer)."""
    X, y = _data()
    rng = np.random.default_rng(3)
    W1, w2 = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3))
    W1p = np.concatenate([W1, np.zeros((2, 2, 3))], axis=1)
    w2p = np.concatenate([w2, np.zeros((2, 2))], axis=1)
    kw = {"lrs": [1e-3, 3e-3], "optimizer": optimizer, "steps": 30, "seed": 5, "progress": False}
    kw["batch_size"] = 4 if optimizer == "sgd" else None
    a = train_ensemble(X, y, 3, 0.2, init=(W1, w2), **kw)
    b = train_ensemble(X, y, 5, 0.2, init=(W1p, w2p), **kw)
    np.testing.assert_allclose(a.objective, b.objective, rtol=1e-12)
    assert np.all(b.W1[:, 3:] == 0) and np.all(b.w2[:, 3:] == 0)


def test_divergence_is_reported_as_inf():
    X, y = _data()
    run = train_ensemble(X, 10 * y, 4, 0.0, lrs=[1e-3, 10.0], steps=200, trace_steps=[1, 50, 200],
                         progress=False)  # fmt: skip
    assert np.isfinite(run.objective[0]) and np.isinf(run.objective[1])
    assert list(run.diverged) == [False, True] and np.isinf(run.grad_norm[1])
    assert run.trace.shape == (2, 3) and np.isinf(run.trace[1, -1])
    assert np.all(run.W1[1] == 0)


def test_vector_output_l1_penalty_and_momentum():
    X, _ = _data()
    rng = np.random.default_rng(4)
    Y = rng.standard_normal((12, 3))
    W1, w2 = rng.standard_normal((1, 4, 3)), rng.standard_normal((1, 4, 3))
    kw = {"lrs": [1e-2], "steps": 20, "init": (W1, w2), "progress": False}
    run = train_ensemble(X, Y, 4, 0.5, output_penalty="l1", **kw)
    fit = 0.5 * np.sum((np.maximum(X @ W1[0].T, 0) @ w2[0] - Y) ** 2)
    pen = np.sum(W1**2) + np.sum(np.abs(w2[0]).sum(1) ** 2)
    assert run.trace[0, 0] == pytest.approx(fit + 0.25 * pen, rel=1e-13)
    assert run.w2.shape == (1, 4, 3) and run.trace[0, -1] < run.trace[0, 0]
    heavy = train_ensemble(X, Y, 4, 0.5, output_penalty="l1", momentum=0.9, **kw)
    assert not np.allclose(heavy.W1, run.W1)


def test_callback_sees_the_trace_steps():
    X, y = _data()
    seen = []
    train_ensemble(X, y, 3, 0.1, lrs=[1e-2], steps=10, trace_steps=[0, 4, 10], progress=False,
                   callback=lambda t, W1, w2: seen.append((t, tuple(W1.shape))))  # fmt: skip
    assert seen == [(0, (1, 3, 3)), (4, (1, 3, 3)), (10, (1, 3, 3))]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"lrs": [-1.0]}, "lrs"),
        ({"lrs": []}, "lrs"),
        ({"m": 0}, "width"),
        ({"steps": 0}, "steps"),
        ({"batch_size": 100}, "batch_size"),
        ({"batch_size": 4}, "full-batch"),
        ({"momentum": 1.0}, "momentum"),
        ({"optimizer": "adam", "momentum": 0.5}, "momentum"),
        ({"output_penalty": "l3"}, "output_penalty"),
        ({"dtype": "float16"}, "dtype"),
        ({"trace_steps": [3, 2]}, "trace_steps"),
        ({"trace_steps": [0, 5]}, "trace_steps"),
        ({"init": (np.zeros((1, 2, 3)), np.zeros((1, 2)))}, "init"),
        ({"init": (np.full((1, 3, 3), np.nan), np.zeros((1, 3)))}, "NaN"),
    ],
)
def test_ensemble_bad_inputs(kwargs, match):
    X, y = _data()
    args = {"m": 3, "lrs": [1e-3], "optimizer": "gd", "steps": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        train_ensemble(X, y, beta=0.1, **args)


def test_ensemble_bad_data():
    X, y = _data()
    with pytest.raises(ValueError, match="beta"):
        train_ensemble(X, y, 2, -1.0, lrs=[1e-3])
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train_ensemble(X, y, 2, 0.1, lrs=[1e-3])


@pytest.mark.parametrize(
    ("activation", "c", "output_penalty", "loss"),
    [
        ("relu", None, "l2", "squared"),
        (("leaky", 0.1), None, "l2", "huber"),
        ("abs", 3, "l1", "squared"),
        ((2.0, 0.5), None, "l2", "logistic"),
        ((-0.5, 1.5), 2, "l2", "squared"),
    ],
)
def test_closed_form_gradient_matches_autograd(activation, c, output_penalty, loss):
    """The trainer's closed-form gradient (read off one unit GD step) equals autograd through
    network_forward and the loss's torch value, with the penalty, in float64."""
    import torch

    from common.convex_nn.losses import as_loss

    X, y = _data(n=10)
    rng = np.random.default_rng(6)
    y = np.sign(y) if loss == "logistic" else (y if c is None else rng.standard_normal((10, c)))
    shape2 = (2, 4) if c is None else (2, 4, c)
    W1, w2 = rng.standard_normal((2, 4, 3)), rng.standard_normal(shape2)
    gW, g2 = _gradient(X, y, 0.3, W1, w2, activation=activation, loss=loss,
                       output_penalty=output_penalty)  # fmt: skip
    A, B = torch.tensor(W1, requires_grad=True), torch.tensor(w2, requires_grad=True)
    pred = network_forward(torch.tensor(X), A, B, activation)
    pen = (B**2).sum() if output_penalty == "l2" else (B.abs().sum(2) ** 2).sum()
    F = as_loss(loss).torch_value(pred, torch.tensor(y).expand_as(pred)) + 0.15 * (
        (A**2).sum() + pen
    )
    F.backward()
    np.testing.assert_allclose(gW, A.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g2, B.grad.numpy(), rtol=1e-12, atol=1e-12)

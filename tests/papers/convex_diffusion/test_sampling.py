"""Langevin sampler, torch trainer and the gated multivariate program."""

import numpy as np
import pytest
import torch

from papers.convex_diffusion import (
    affine_stationary_variance,
    fit_gated_sm,
    fit_score,
    init_networks,
    langevin_sample,
    network_objective,
    sample_gates,
    train_networks,
)


def test_affine_chain_has_the_discretised_stationary_variance():
    a, step, n = 2.0, 0.2, 20000
    smp = langevin_sample(lambda x: -a * (x - 1.0), n, step, 200, seed=0)
    exact = affine_stationary_variance(-a, step)
    assert exact == pytest.approx(1 / (a * (1 - step * a / 4)))
    assert abs(smp.var() - exact) < 4 * exact * np.sqrt(2 / n)
    assert abs(smp.var() - 1 / a) > 4 * exact * np.sqrt(2 / n)  # O(step) bias is visible
    assert abs(smp.mean() - 1.0) < 4 * np.sqrt(exact / n)


def test_langevin_vectorised_over_chains_2d():
    smp = langevin_sample(lambda x: -x, 50, 0.1, 10, seed=1, init=np.zeros((50, 2)))
    assert smp.shape == (50, 2)


def test_langevin_bad_input():
    with pytest.raises(ValueError, match="step must be positive"):
        langevin_sample(lambda x: -x, 10, -0.1, 10, 0)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        langevin_sample(lambda x: -x, 0, 0.1, 10, 0)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        langevin_sample(lambda x: -x, 5, 0.1, 2.5, 0)
    with pytest.raises(TypeError, match="score must be callable"):
        langevin_sample(None, 5, 0.1, 2, 0)
    with pytest.raises(ValueError, match="score returned shape"):
        langevin_sample(lambda x: x[:1], 5, 0.1, 2, 0)
    with pytest.raises(FloatingPointError, match="diverged"):
        with np.errstate(over="ignore", invalid="ignore"):
            langevin_sample(lambda x: x**3, 5, 1.0, 200, 0, init=np.full(5, 10.0))


def test_langevin_explosion_is_reported_before_it_leaves_the_floats():
    m = fit_score(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), 0.4)  # slope -0.3: stable for step < 40/3
    with pytest.raises(FloatingPointError, match=r"diverged at step 4 of 50 .*step=1000"):
        langevin_sample(m.score, 5, 1e3, 50, 0)  # returned |x| ~ 1e108
    with pytest.raises(FloatingPointError, match="diverged"):
        langevin_sample(m.score, 5, 14.0, 5000, 0)  # rho = -1.1: returned |x| ~ 1e208
    assert np.all(np.abs(langevin_sample(m.score, 5, 13.0, 5000, 0)) < 100)  # rho = -0.95
    far = langevin_sample(lambda x: -(x - 1e12), 100, 1e-3, 20000, 0, init=np.zeros(100))
    assert np.all(far > 9.9e11)  # a stable chain's long approach to a far mode is no explosion


def test_closed_form_derivative_matches_autograd():
    net = init_networks(3, 7, torch.Generator().manual_seed(2))
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    s = net.score(x)
    for e in range(3):
        (g,) = torch.autograd.grad(s[e].sum(), x, retain_graph=True)
        torch.testing.assert_close(g, net.derivative(x.detach())[e])


def test_adam_lowers_the_objective_per_run():
    x = np.linspace(-1, 1, 6)
    net = init_networks(4, 10, torch.Generator().manual_seed(0))
    beta = np.array([0.2, 0.2, 0.5, 0.5])
    before = network_objective(net, torch.as_tensor(beta), torch.as_tensor(x)).numpy()
    _, trace = train_networks(net, beta, np.array([1e-3, 1e-2, 1e-3, 1e-2]), x, steps=200)
    assert np.all(trace[-1] < before)


def test_gated_program():
    rng = np.random.default_rng(0)
    th = rng.uniform(0, 2 * np.pi, 8)
    X = np.c_[np.cos(th), np.sin(th)]
    gates = sample_gates(X, 4, rng)
    assert gates.shape == (4, 3)
    fit = fit_gated_sm(X, gates, 2.0)
    assert fit.status == "optimal" and fit.score(X).shape == (8, 2)
    # zero network is feasible: the optimum is at most 0
    assert fit.objective <= 1e-9
    with pytest.raises(ValueError, match="unbounded"):
        fit_gated_sm(X, gates, 1e-3)
    with pytest.raises(ValueError, match="gates must be finite with shape"):
        fit_gated_sm(X, gates[:, :2], 1.0)
    with pytest.raises(ValueError, match="X must be"):
        fit_gated_sm(X[:, 0], gates, 1.0)

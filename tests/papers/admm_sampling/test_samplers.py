"""Samplers against the exact recursion (Monte Carlo), closed-form limits and bad input."""

import numpy as np
import pytest

from papers.admm_sampling import (
    METHODS,
    exact_law,
    graph,
    linear_regression_data,
    logistic_regression_data,
    sample,
    stationary_law,
)


@pytest.fixture(scope="module")
def small():
    return linear_regression_data(4, 20)[0]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("kind", "neighbours"), [("cycle", "correct"), ("complete", "code_bug")])
def test_monte_carlo_matches_exact_law(small, method, kind, neighbours):
    """10 000 chains: every agent's sample mean and covariance at iterations 1, 3, 6 lie
    within 5 standard errors of the exact recursion's (an independent implementation: the
    samplers update agent by agent, the recursion uses the stacked matrix form)."""
    a, n = graph(kind, 4), 10_000
    xs = sample(small, a, method, 6, n, seed=7, neighbours=neighbours)
    law = exact_law(small, a, method, 6, neighbours=neighbours)
    for k in (1, 3, 6):
        mean, cov = law.mean[k], law.cov[k]
        sd = np.sqrt(np.einsum("nii->ni", cov))
        np.testing.assert_array_less(np.abs(xs[k].mean(axis=0) - mean), 5 * sd / np.sqrt(n))
        emp = np.einsum("tni,tnj->nij", xs[k] - mean, xs[k] - mean) / n
        se = np.sqrt((cov * cov + np.einsum("nii,njj->nij", cov, cov)) / n)
        np.testing.assert_array_less(np.abs(emp - cov), 5 * se + 1e-12)
    avg = xs[6].mean(axis=1)
    sd = np.sqrt(np.diag(law.cov_avg[6]))
    np.testing.assert_array_less(np.abs(avg.mean(axis=0) - law.mean_avg[6]), 5 * sd / np.sqrt(n))


def test_admm_without_noise_converges_to_the_map(small):
    xs = sample(small, graph("cycle", 4), "admm", 1500, 3, seed=0)
    np.testing.assert_allclose(
        xs[-1], np.broadcast_to(small.posterior_mean, xs[-1].shape), atol=1e-8
    )


def test_empty_graph_is_the_local_map_after_one_step(small):
    for method in ("admm", "d_admms"):
        xs = sample(small, graph("empty", 4), method, 3, 5, seed=1)
        np.testing.assert_allclose(xs[1:], np.broadcast_to(small.local_map, xs[1:].shape))


@pytest.mark.parametrize("kind", ["cycle", "complete", "star"])
@pytest.mark.parametrize("neighbours", ["correct", "code_bug"])
def test_stationary_mean_is_the_posterior_mean(small, kind, neighbours):
    for rho in (1.0, 20.0):
        law = stationary_law(small, graph(kind, 4), "d_admms", rho, neighbours=neighbours)
        np.testing.assert_allclose(law.mean, np.broadcast_to(small.posterior_mean, law.mean.shape))


def test_stationary_law_is_the_limit_of_the_recursion(small):
    a = graph("cycle", 4)
    for method in ("d_admms", "d_sgld", "d_sghmc"):
        limit = stationary_law(small, a, method)
        law = exact_law(small, a, method, 3000)
        np.testing.assert_allclose(law.cov[-1], limit.cov, atol=1e-9)
        np.testing.assert_allclose(law.mean_avg[-1], limit.mean_avg, atol=1e-9)


def test_sampler_output_shape_and_seeding(small):
    a = graph("cycle", 4)
    xs = sample(small, a, "d_sghmc", 5, 3, seed=4)
    assert xs.shape == (6, 3, 4, 2)
    np.testing.assert_array_equal(xs, sample(small, a, "d_sghmc", 5, 3, seed=4))
    assert not np.array_equal(xs, sample(small, a, "d_sghmc", 5, 3, seed=5))
    far = sample(
        small, a, "d_admms", 0, 20_000, init_mean=[-1.0, 2.0], init_cov=np.diag([4.0, 0.0])
    )
    np.testing.assert_allclose(far[0].mean(axis=(0, 1)), [-1.0, 2.0], atol=0.05)
    assert np.all(far[0, ..., 1] == 2.0)


def test_logistic_samplers_run_and_learn():
    target, _ = logistic_regression_data(4, 30)
    for method in METHODS:
        xs = sample(target, graph("cycle", 4), method, 30, 8, seed=0)
        assert xs.shape == (31, 8, 4, 3) and np.all(np.isfinite(xs))
    acc = target.accuracy(sample(target, graph("cycle", 4), "d_admms", 10, 8, seed=0)[-1])
    assert acc.mean() > 0.85


def test_bad_sampler_input(small):
    a = graph("cycle", 4)
    with pytest.raises(ValueError, match="method"):
        sample(small, a, "sgld", 3, 2)
    with pytest.raises(ValueError, match="neighbours"):
        sample(small, a, "admm", 3, 2, neighbours="true")
    with pytest.raises(ValueError, match="rho"):
        sample(small, a, "d_admms", 3, 2, rho=0.0)
    with pytest.raises(ValueError, match="rho"):
        exact_law(small, a, "d_admms", 3, rho=np.nan)
    with pytest.raises(ValueError, match="n_iter"):
        sample(small, a, "d_admms", -1, 2)
    with pytest.raises(ValueError, match="n_trials"):
        sample(small, a, "d_admms", 3, 0)
    with pytest.raises(ValueError, match="adjacency has 5 agents"):
        sample(small, graph("cycle", 5), "d_admms", 3, 2)
    with pytest.raises(ValueError, match="unknown keys"):
        sample(small, a, "d_sgld", 3, 2, hyper={"step": 0.1})
    with pytest.raises(ValueError, match="eta"):
        sample(small, a, "d_sgld", 3, 2, hyper={"eta": -0.1})
    with pytest.raises(ValueError, match="init_mean"):
        sample(small, a, "d_sgld", 3, 2, init_mean=[0.0, np.nan])
    with pytest.raises(ValueError, match="init_cov"):
        sample(small, a, "d_sgld", 3, 2, init_cov=-np.eye(2))
    with pytest.raises(TypeError, match="LinearGaussianTarget"):
        exact_law(logistic_regression_data(4, 5)[0], a, "admm", 3)
    with pytest.raises(TypeError, match="target"):
        sample("data", a, "admm", 3, 2)
    with pytest.raises(ValueError, match="D-ULA"):
        stationary_law(small, a, "d_ula")

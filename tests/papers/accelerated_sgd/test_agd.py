"""Methods: parameter table, equivalences, deterministic rate, divergence handling."""

import warnings

import numpy as np
import pytest

from papers.accelerated_sgd import (
    iterations_to,
    least_squares,
    loglog_slope,
    parameters,
    population_least_squares,
    run,
    spectral_design,
)
from papers.accelerated_sgd.agd import _estimating_sequence, _momentum, _Oracle, _sgd


def _spectral(kappa=50.0, n=200, d=10, seed=0):
    rng = np.random.default_rng(seed)
    return least_squares(*spectral_design(n, np.logspace(-np.log10(kappa), 0, d), rng))


def _iterates(problem, step, params, n, batch=1, seed=7, v_grad="stochastic"):
    oracle = _Oracle(problem, batch, [np.random.default_rng(seed)])
    W0 = np.zeros((1, problem.d))
    return np.stack(list(step(oracle, params, W0, n, v_grad=v_grad)))


@pytest.mark.parametrize("variant", ["v1", "corrected", "deterministic"])
@pytest.mark.parametrize("mu", [0.0, 0.02])
def test_alpha0_solves_its_equation(variant, mu):
    p = parameters(mu, 2.0, 7.0, variant)
    a = p.alpha0
    assert 0 < a < 1
    assert a**2 == pytest.approx(p.eta * ((1 - a) * p.gamma0 + a * mu) / p.c, rel=1e-12)
    gam = p.gammas(5)
    assert np.allclose(p.alphas(5) ** 2, p.eta * gam[1:] / p.c, rtol=1e-12)


def test_parameter_table():
    mu, L, rho = 0.01, 1.0, 9.0
    v1, corr, det = (parameters(mu, L, rho, v) for v in ("v1", "corrected", "deterministic"))
    assert v1.eta == corr.eta == 1 / (rho * L) and det.eta == 1 / L
    assert v1.alpha0 == pytest.approx(np.sqrt(mu / (rho * L)))
    assert corr.alpha0 == pytest.approx(np.sqrt(mu / L) / rho)
    assert det.alpha0 == pytest.approx(np.sqrt(mu / L))
    a = v1.alpha0
    assert v1.beta == pytest.approx((1 - a) / (1 + a))
    assert np.allclose(v1.alphas(10), a)  # gamma_0 = mu keeps alpha constant
    # convex starts: gamma_0 = 2 rho L, 2 rho^2 L, L; alpha_0^2 = 2 (1 - alpha_0) for v1
    c1, c2, c3 = (parameters(0.0, L, rho, v) for v in ("v1", "corrected", "deterministic"))
    assert (c1.gamma0, c2.gamma0, c3.gamma0) == (2 * rho * L, 2 * rho**2 * L, L)
    assert c1.alpha0 == pytest.approx(np.sqrt(3) - 1)  # not the thesis's sqrt(2) - 1
    assert c3.alpha0 == pytest.approx((np.sqrt(5) - 1) / 2)


def test_v1_estimating_sequence_with_stochastic_v_is_the_momentum_form():
    p = _spectral()
    params = parameters(p.mu, p.L, p.rho(2), "v1")
    a = _iterates(p, _estimating_sequence, params, 60, batch=2)
    b = _iterates(p, _momentum, params, 60, batch=2)
    assert np.allclose(a, b, rtol=1e-10, atol=1e-12)


def test_corrected_coupling_at_kappa_one_is_sgd():
    p = population_least_squares(20, seed=1)
    params = parameters(1.0, 1.0, p.rho1, "corrected")
    assert params.alpha0 == pytest.approx(params.eta)
    a = _iterates(p, _estimating_sequence, params, 100)
    b = _iterates(p, _sgd, params, 100)
    assert np.allclose(a, b, rtol=1e-12, atol=1e-14)
    assert np.array_equal(
        run(p, "sgd", 50, 1, params, 3).gap.shape,
        run(p, "sagd_general", 50, 1, params, 3).gap.shape,
    )


def _nesterov_reference(S, w_star, L, mu, n):
    """Nesterov's constant-momentum scheme for strongly convex quadratics, written out."""
    beta = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    w_prev = w = y = np.zeros_like(w_star)
    gaps = [0.5 * w_star @ S @ w_star]
    for _ in range(n):
        w_prev, w = w, y - S @ (y - w_star) / L
        y = w + beta * (w - w_prev)
        gaps.append(0.5 * (w - w_star) @ S @ (w - w_star))
    return np.array(gaps)


@pytest.mark.parametrize("seed", range(4))
def test_agd_matches_reference_and_meets_its_bound(seed):
    rng = np.random.default_rng(seed)
    kappa = 10 ** rng.uniform(0.5, 3)
    p = _spectral(kappa, n=100, d=12, seed=seed)
    tr = run(p, "agd", 300)
    assert np.allclose(tr.gap, _nesterov_reference(p.S, p.w_star, p.L, p.mu, 300), rtol=1e-8)
    k = np.arange(301)
    bound = (1 - np.sqrt(p.mu / p.L)) ** k * (tr.gap[0] + 0.5 * p.mu * p.w_star @ p.w_star)
    keep = bound >= 1e-20 * tr.gap[0]  # below: float64 rounding of w - w*
    assert keep.sum() > 20
    assert np.all(tr.gap[keep] <= bound[keep] * (1 + 1e-10))


def test_semi_stochastic_bound_holds_in_expectation():
    p = _spectral(20.0, n=100, d=8, seed=3)
    params = parameters(p.mu, p.L, p.rho1, "v1")
    tr = run(p, "sagd_general", 300, 1, params, list(range(40)), v_grad="full")
    bound = params.bound(tr.gap[0, 0], p.w_star @ p.w_star, 300)
    assert np.all(tr.gap.mean(axis=0) <= bound)


def test_seeds_are_independent_streams_and_vectorised():
    p = _spectral()
    batch = run(p, "sagd", 40, 3, None, [5, 9])
    alone = run(p, "sagd", 40, 3, None, 9)
    assert np.allclose(batch.gap[1], alone.gap, rtol=1e-12)
    assert batch.gap.shape == (2, 41) and alone.gap.shape == (41,)
    assert np.all(batch.rho_empirical > 1) and alone.rho_empirical <= p.rho(3) * 3


def test_exact_gradient_has_empirical_rho_one():
    p = _spectral()
    tr = run(p, "sgd", 20, None)
    assert tr.rho_empirical == pytest.approx(1.0)
    assert iterations_to(run(p, "sgd", 5000, None).gap, 1e-6) < 5000


def test_v1_momentum_diverges_cleanly():
    p = population_least_squares(400, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = run(p, "sagd", 1200, 1, None, [0, 1])
    assert np.all(tr.diverged)
    assert np.all(np.isinf(tr.gap[:, -1]))
    assert np.all(iterations_to(tr.gap, 1e-6) == np.inf)


def test_rates_helpers():
    k = np.arange(1, 50.0)
    slope, half = loglog_slope(k, 3 * k**-2)
    assert slope == pytest.approx(-2) and half == pytest.approx(0, abs=1e-8)
    assert np.array_equal(iterations_to([[1.0, 0.5, 1e-7], [1.0, 0.9, 0.8]], 1e-6), [2, np.inf])
    with pytest.raises(ValueError, match="at least 3"):
        loglog_slope([1, 2], [1, 2])
    with pytest.raises(ValueError, match="tol must be > 0"):
        iterations_to([1.0, 0.1], 0.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((0.1, 1.0, 2.0, "v2"), {}, ValueError, "variant must be one of"),
        ((0.1, 1.0, 0.5), {}, ValueError, "rho must be >= 1"),
        ((2.0, 1.0, 1.0), {}, ValueError, "mu must be <= L"),
        ((np.nan, 1.0, 1.0), {}, ValueError, "mu must be >= 0"),
        ((0.1, -1.0, 1.0), {}, ValueError, "L must be > 0"),
        ((0.1, 1.0, np.inf), {}, ValueError, "rho must be > 0 and finite"),
        ((0.1, 1.0, "2"), {}, TypeError, "rho must be a real number"),
        ((0.1, 1.0, 1.0), {"gamma0": 0.01}, ValueError, "gamma0 must be >= mu"),
        ((0.5, 1.0, 1.0), {"eta": 3.0}, ValueError, "eta must be <="),
    ],
)
def test_parameters_reject_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        parameters(*args, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"method": "adam"}, ValueError, "method must be one of"),
        ({"n_steps": -1}, ValueError, "n_steps must be >= 0"),
        ({"n_steps": 2.5}, TypeError, "n_steps must be an integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"v_grad": "exact"}, ValueError, "v_grad must be"),
        ({"seed": True}, TypeError, "seed must be an int"),
        ({"seed": []}, TypeError, "seed must be an int"),
        ({"seed": [1, -2]}, ValueError, "seed must be >= 0"),
        ({"params": {"eta": 1.0}}, TypeError, "params must be a Parameters"),
        ({"w0": np.ones(3)}, ValueError, "w0 must be a finite vector"),
        ({"w0": np.full(10, np.nan)}, ValueError, "w0 must be a finite vector"),
    ],
)
def test_run_rejects_bad_input(kwargs, exc, match):
    p = _spectral()
    args = {"problem": p, "method": "sgd", "n_steps": 5, **kwargs}
    with pytest.raises(exc, match=match):
        run(**args)


def test_run_rejects_a_non_problem():
    with pytest.raises(TypeError, match="problem must be a LeastSquares"):
        run(np.eye(3), "sgd", 5)

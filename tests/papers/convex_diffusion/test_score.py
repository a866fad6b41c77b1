"""The univariate SM/DSM programs against closed forms, an LP, torch networks and common.lasso."""

import itertools

import numpy as np
import pytest
import torch

from common.lasso import lasso_path
from papers.convex_diffusion import (
    affine_objective,
    critical_beta,
    fit_score,
    gaussian_threshold,
    init_networks,
    network_objective,
    recession_beta,
)
from papers.convex_diffusion.score import dsm_problem, sm_status

X5 = np.arange(-2.0, 3.0)
BIMODAL = np.array([-2.4, -2.1, -1.9, -1.6, 1.5, 1.8, 2.2, 2.6])


@pytest.mark.parametrize("activation", ["relu", "abs"])
@pytest.mark.parametrize("x", [X5, BIMODAL, np.array([0.0, 0.0, 1.0, 2.0, 3.5])])
def test_critical_beta_closed_form_equals_recession_lp(x, activation):
    assert critical_beta(x, activation) == pytest.approx(recession_beta(x, activation), abs=1e-9)


def test_critical_beta_counts_multiplicity():
    assert critical_beta(np.array([0.0, 0.0, 1.0, 2.0])) == 0.5
    assert critical_beta(X5) == pytest.approx(0.2)


def test_unbounded_below_critical_beta():
    with pytest.raises(ValueError, match=r"critical beta 0\.2.*unbounded below"):
        fit_score(X5, 0.19)
    assert sm_status(X5, 0.1) == "unbounded"
    assert sm_status(X5, 0.3) == "optimal"


def test_affine_regime_matches_closed_form_and_certificate():
    thr = gaussian_threshold(X5)
    assert thr == pytest.approx(0.25)  # derived by hand for (-2..2): see README
    for beta in (thr * 1.01, 0.5, 0.9):
        m = fit_score(X5, beta)
        j, v, c = affine_objective(X5, beta)
        assert m.objective == pytest.approx(j, abs=1e-8)
        np.testing.assert_allclose(m.score(X5), v * X5 + c, atol=1e-6)
        assert m.kinks.size == 0
    below = fit_score(X5, thr * 0.97)
    assert below.objective < affine_objective(X5, thr * 0.97)[0] - 1e-6
    assert below.kinks.size > 0 and np.all(np.isin(below.kinks, X5))


def test_score_is_linear_between_data():
    m = fit_score(BIMODAL, 0.2)
    for a, b in itertools.pairwise(BIMODAL):
        t = np.linspace(a, b, 7)
        s = m.score(t)
        np.testing.assert_allclose(s, np.linspace(s[0], s[-1], 7), atol=1e-9)


def test_convex_value_lower_bounds_random_networks():
    """Every network (any weights, torch's derivative convention) is feasible: J_nc >= J_cvx."""
    x = BIMODAL
    for beta in (0.15, 0.4):
        cvx = fit_score(x, beta).objective
        net = init_networks(200, 20, torch.Generator().manual_seed(1))
        net.alpha *= 5
        vals = network_objective(net, torch.full((200,), beta), torch.as_tensor(x)).numpy()
        assert vals.min() >= cvx - 1e-9


def test_without_linear_atom_keeps_the_optimum_and_makes_a_laplace_tail():
    m = fit_score(X5, 0.4)
    r = m.without_linear_atom()
    np.testing.assert_allclose(r.score(X5), m.score(X5), atol=1e-12)
    assert r.slopes()[0] == 0.0 and r.slopes()[1] == pytest.approx(m.v)
    assert r.score(np.array([-50.0]))[0] == pytest.approx(r.score(np.array([-2.0]))[0])


def test_dsm_matches_torch_network_and_common_lasso():
    rng = np.random.default_rng(0)
    x, eps, sigma, beta = rng.standard_normal(5), rng.standard_normal((5, 6)), 0.3, 0.1
    m = fit_score(x, beta, method="dsm", noise=(sigma, eps))
    A, y, _, _, xt = dsm_problem(x, "relu", sigma, eps)
    path = lasso_path(A, y, lambdas=[beta], standardize=False, tol=1e-12)
    z = path.coefs[0]
    ref = 0.5 * np.mean((y - A @ z - path.intercepts[0]) ** 2) + beta * np.abs(z).sum()
    assert m.objective == pytest.approx(ref, rel=1e-7)
    assert np.all(np.isin(m.kinks, xt))
    # the ReLU-only realisation as a balanced torch network has the same DSM objective
    r = m.without_linear_atom()
    k = r.z.size
    net = init_networks(1, k, torch.Generator().manual_seed(0))
    root = torch.as_tensor(np.sqrt(np.abs(r.z)))
    net.alpha[0] = torch.as_tensor(np.sign(r.z)) * root
    net.w[0] = torch.as_tensor(r.s, dtype=torch.float64) * root
    net.b[0] = -torch.as_tensor(r.s * r.t, dtype=torch.float64) * root
    net.c[0] = r.c
    val = network_objective(net, torch.tensor([beta]), torch.as_tensor(xt), torch.as_tensor(y))
    assert float(val[0]) == pytest.approx(m.objective, rel=1e-7)


def test_bad_input():
    with pytest.raises(ValueError, match="x must be 1-D"):
        fit_score(np.ones((3, 2)), 0.5)
    with pytest.raises(ValueError, match="x contains NaN"):
        fit_score(np.array([0.0, np.nan, 1.0]), 0.5)
    with pytest.raises(ValueError, match="beta must be positive"):
        fit_score(X5, -1.0)
    with pytest.raises(TypeError, match="beta must be a real"):
        fit_score(X5, True)
    with pytest.raises(ValueError, match="activation must be one of"):
        fit_score(X5, 0.5, activation="tanh")
    with pytest.raises(ValueError, match="method must be one of"):
        fit_score(X5, 0.5, method="ssm")
    with pytest.raises(ValueError, match="noise is only used"):
        fit_score(X5, 0.5, noise=(0.1, np.zeros((5, 2))))
    with pytest.raises(ValueError, match="needs noise"):
        fit_score(X5, 0.5, method="dsm")
    with pytest.raises(ValueError, match=r"noise eps must have shape \(n, K\)"):
        fit_score(X5, 0.5, method="dsm", noise=(0.1, np.zeros((4, 2))))
    with pytest.raises(ValueError, match="noise sigma must be positive"):
        fit_score(X5, 0.5, method="dsm", noise=(0.0, np.zeros((5, 2))))
    with pytest.raises(ValueError, match="t contains NaN"):
        fit_score(X5, 0.5).score(np.array([np.inf]))


def test_data_scale_outside_the_band_is_refused_naming_x():
    """x * 1e150 gave a CVXPY SolverError; x * 1e8 CLARABEL's status 'optimal' with an objective
    445 times the true one; inside the band the programs are scale-equivariant."""
    x7 = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 0.5, 3.0])
    eps = np.random.default_rng(0).standard_normal((5, 3))
    for call in (
        lambda: fit_score(X5 * 1e150, 0.4),
        lambda: fit_score(X5 * 1e150, 0.1, method="dsm", noise=(0.3e150, eps)),
        lambda: sm_status(X5 * 1e150, 0.4),
    ):
        with pytest.raises(
            ValueError, match=r"^x spans 4e\+150 \(max - min\), outside \[0.01, 100\]"
        ):
            call()
    with pytest.raises(ValueError, match=r"^x spans 5e\+08 .* fit x / a instead"):
        fit_score(x7 * 1e8, 0.4)
    with pytest.raises(ValueError, match=r"^x spans 5e-08 "):
        fit_score(x7 * 1e-8, 0.4)
    ref = fit_score(x7, 0.4)
    big = fit_score(x7 * 16.0, 0.4)  # range 80: inside the band
    assert big.objective == pytest.approx(ref.objective / 256, rel=1e-9)
    np.testing.assert_allclose(big.score(x7 * 16.0), ref.score(x7) / 16, rtol=1e-7, atol=1e-9)

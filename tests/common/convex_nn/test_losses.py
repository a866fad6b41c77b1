"""Every registered loss's oracles agree with each other: value, gradient, conjugate, Lipschitz
constant, and the numpy / JAX / torch / CVXPY versions of the value. (The losses against
CLARABEL, through every solver that runs them, are in ``test_solver_suite.py``.)"""

from pathlib import Path

import numpy as np
import pytest

from common.convex_nn import LOSSES, Huber, Logistic, Loss, Squared, solve_convex
from common.convex_nn.losses import as_loss
from common.convex_nn.solvers import support_table

LOSS_OBJECTS = [*LOSSES.values(), Huber(0.3), Logistic(offset=0.7)]
IDS = [str(lo) for lo in LOSS_OBJECTS]


def _data(loss, seed=0, n=30, c=2):
    rng = np.random.default_rng(seed)
    pred = 2.0 * rng.standard_normal((n, c))
    y = rng.standard_normal((n, c))
    if isinstance(loss, Logistic):
        y = np.where(y > 0, 1.0, -1.0)
    return pred, y


@pytest.mark.parametrize("loss", LOSS_OBJECTS, ids=IDS)
def test_gradient_matches_finite_differences(loss):
    pred, y = _data(loss)
    g = loss.gradient(pred, y)
    E = np.random.default_rng(1).standard_normal(pred.shape)
    h = 1e-6
    fd = (loss.value(pred + h * E, y) - loss.value(pred - h * E, y)) / (2 * h)
    assert abs(fd - np.sum(g * E)) <= 1e-6 * max(1.0, abs(fd))


@pytest.mark.parametrize("loss", LOSS_OBJECTS, ids=IDS)
def test_conjugate_fenchel_young(loss):
    """f(z) + f*(u) >= <u, z>, with equality at u = grad f(z); f* is +inf off its domain."""
    pred, y = _data(loss)
    u = loss.gradient(pred, y)
    assert float(loss.value(pred, y) + loss.conjugate(u, y)) == pytest.approx(
        float(np.sum(u * pred)), rel=1e-10, abs=1e-10
    )
    rng = np.random.default_rng(2)
    for _ in range(20):
        z = pred + rng.standard_normal(pred.shape)
        assert float(loss.value(z, y) + loss.conjugate(u, y)) >= float(np.sum(u * z)) - 1e-9
    # dual_value is -f*(-v), finite on the scaled dual points the certificates use
    for s in (0.0, 0.3, 1.0):
        v = -s * u
        assert float(loss.dual_value(v, y)) == pytest.approx(-float(loss.conjugate(-v, y)))
    if not loss.quadratic:
        assert float(loss.conjugate(-10.0 * np.abs(u) - 10.0, y)) == np.inf


@pytest.mark.parametrize("loss", LOSS_OBJECTS, ids=IDS)
def test_lipschitz_constant_bounds_the_gradient(loss):
    pred, y = _data(loss)
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(200):
        a = pred + rng.standard_normal(pred.shape)
        b = a + 0.1 * rng.standard_normal(pred.shape)
        num = np.linalg.norm(loss.gradient(a, y) - loss.gradient(b, y))
        worst = max(worst, num / np.linalg.norm(a - b))
    assert worst <= loss.lipschitz * (1 + 1e-12)
    assert worst >= 0.5 * loss.lipschitz  # and the constant is not loose
    assert loss.quadratic == isinstance(loss, Squared)


@pytest.mark.parametrize("loss", LOSS_OBJECTS, ids=IDS)
def test_backends_agree(loss):
    """numpy, JAX (what the solvers trace), torch (the non-convex baseline) and CVXPY (the
    reference) compute the same value."""
    import cvxpy as cp
    import jax
    import jax.numpy as jnp
    import torch

    pred, y = _data(loss)
    ref = float(loss.value(pred, y))
    with jax.enable_x64(True):
        assert float(loss.value(jnp.asarray(pred), jnp.asarray(y), xp=jnp)) == pytest.approx(ref)
        assert float(
            loss.dual_value(jnp.asarray(-0.5 * loss.gradient(pred, y)), jnp.asarray(y), xp=jnp)
        ) == pytest.approx(float(loss.dual_value(-0.5 * loss.gradient(pred, y), y)))
    assert float(loss.torch_value(torch.as_tensor(pred), torch.as_tensor(y))) == pytest.approx(ref)
    assert float(loss.cvxpy(cp.Constant(pred[:, 0]), y[:, 0]).value) == pytest.approx(
        float(loss.value(pred[:, 0], y[:, 0]))
    )


@pytest.mark.parametrize("formulation", ["gated", "relu"])
def test_logistic_offset_is_a_fixed_intercept(formulation):
    """``Logistic(offset=b)`` is the loss at ``pred + b``: the fast solver and CLARABEL agree on
    its program, a vector output's per-output offsets are its columns' programs, and the zero
    network is optimal at large beta with the intercept-only value."""
    from .conftest import make_problem

    X, y, D = make_problem(c=2)
    Y = np.where(y > 0, 1.0, -1.0)
    lo = Logistic(offset=0.7)
    assert float(lo.value(np.zeros(3), np.ones(3))) == pytest.approx(3 * np.log1p(np.exp(-0.7)))
    fast = solve_convex(X, Y[:, 0], D, 0.5, formulation=formulation, loss=lo, tol=1e-6)
    ref = solve_convex(X, Y[:, 0], D, 0.5, formulation=formulation, loss=lo, solver="clarabel",
                       tol=1e-5)  # fmt: skip
    assert fast.converged and ref.converged
    assert fast.objective == pytest.approx(ref.objective, rel=1e-5)
    plain = solve_convex(X, Y[:, 0], D, 0.5, formulation=formulation, loss="logistic", tol=1e-6)
    assert abs(plain.objective - fast.objective) > 1e-3  # the offset changes the program
    both = Logistic(offset=(0.7, -0.4))
    assert both.column(1) == Logistic(offset=-0.4) and lo.column(1) is lo
    vec = solve_convex(X, Y, D, 0.5, formulation=formulation, loss=both, solver="clarabel",
                       tol=1e-5)  # fmt: skip
    col1 = solve_convex(X, Y[:, 1], D, 0.5, formulation=formulation, loss=both.column(1),
                        solver="clarabel", tol=1e-5)  # fmt: skip
    assert vec.converged
    assert vec.objective == pytest.approx(ref.objective + col1.objective, rel=1e-5)
    big = solve_convex(X, Y[:, 0], D, 1e4, formulation=formulation, loss=lo)
    assert big.n_active == 0
    assert big.objective == pytest.approx(float(lo.value(np.zeros(len(Y)), Y[:, 0])))
    with pytest.raises(ValueError, match="offset must be a finite"):
        Logistic(offset=np.nan)


def test_huber_between_its_regimes():
    h = Huber(0.5)
    r = np.array([0.1, -0.2, 2.0, -3.0])
    quad, lin = 0.5 * (0.01 + 0.04), 0.5 * (2.0 - 0.25) + 0.5 * (3.0 - 0.25)
    assert float(h.value(r, 0 * r)) == pytest.approx(quad + lin)
    assert np.array_equal(h.gradient(r, 0 * r), [0.1, -0.2, 0.5, -0.5])
    with pytest.raises(ValueError, match="delta"):
        Huber(0.0)
    with pytest.raises(TypeError, match="delta"):
        Huber("1")


def test_loss_names_and_objects():
    assert as_loss("huber") == Huber(1.0) and as_loss(Huber(2.0)).delta == 2.0
    with pytest.raises(ValueError, match="loss must be one of"):
        as_loss("hinge")
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="labels y in"):
        solve_convex(X, np.arange(4.0), np.ones((1, 4), bool), 1.0, loss=Logistic())
    # a loss without oracles is refused by every solver, naming what it lacks
    with pytest.raises(ValueError, match="does not support loss"):
        solve_convex(X, np.arange(4.0), np.ones((1, 4), bool), 1.0, loss=Loss())


def test_readme_support_table_is_the_registry():
    """The README's table is generated from the registry (python -m common.convex_nn.solvers)."""
    readme = Path(__file__).resolve().parents[3] / "common" / "convex_nn" / "README.md"
    assert support_table() in readme.read_text()

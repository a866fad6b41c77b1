"""The working set's interior point: cone arithmetic, scaling updates, and solutions vs CLARABEL."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.convex_nn import interior_point as ip
from common.convex_nn.working_set import _Restricted, _restricted_clarabel


def _interior(rng, B, k, margin=0.1):
    u = rng.normal(size=(B, k))
    u[:, 0] = np.linalg.norm(u[:, 1:], axis=1) + rng.uniform(margin, 1.0, B)
    return u


def _mv(A, x):
    return np.einsum("bij,bj->bi", A, x)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), k=st.integers(2, 8), margin=st.sampled_from([1e-6, 0.1, 1.0]))
def test_cone_arithmetic(seed, k, margin):
    """NT scaling maps z and s to the same lambda; the product-form update equals the direct
    scaling of the new pair; Jordan division inverts the product; the step reaches the boundary."""
    rng = np.random.default_rng(seed)
    B = 4
    s, z = _interior(rng, B, k, margin), _interior(rng, B, k, margin)
    jflip = np.concatenate([[1.0], -np.ones(k - 1)])
    e = np.zeros((B, k))
    e[:, 0] = 1.0
    wb, eta, lam = ip._update_scaling(e, np.ones(B), s, z)  # from W = I: the NT scaling
    W = eta[:, None, None] * ip._hyperbolic(wb)
    Wi = ip._hyperbolic(wb * jflip) / eta[:, None, None]
    scale = np.abs(lam).max()
    assert np.allclose(_mv(W, z), lam, atol=1e-9 * scale)
    assert np.allclose(_mv(Wi, s), lam, atol=1e-9 * scale)
    assert np.allclose(W @ Wi, np.eye(k), atol=1e-8 * np.abs(W).max() * np.abs(Wi).max())
    # an update from the current scaling is again an NT scaling of the new pair: W' z2 =
    # W'^{-1} s2 = lambda', and it equals the one computed from the identity
    s2, z2 = _interior(rng, B, k), _interior(rng, B, k)
    wn, en, ln = ip._update_scaling(wb, eta, _mv(Wi, s2), _mv(W, z2))
    Wn = en[:, None, None] * ip._hyperbolic(wn)
    Win = ip._hyperbolic(wn * jflip) / en[:, None, None]
    assert np.allclose(_mv(Wn, z2), ln, rtol=1e-6, atol=1e-8 * np.abs(ln).max())
    assert np.allclose(_mv(Win, s2), ln, rtol=1e-6, atol=1e-8 * np.abs(ln).max())
    w_d, e_d, l_d = ip._update_scaling(e, np.ones(B), s2, z2)
    assert np.allclose(wn, w_d, rtol=1e-6, atol=1e-6) and np.allclose(en, e_d, rtol=1e-6)
    assert np.allclose(ln, l_d, rtol=1e-6, atol=1e-8 * np.abs(l_d).max())
    v = rng.normal(size=(B, k))
    assert np.allclose(ip._soc_prod(lam, ip._soc_div(lam, v)), v, atol=1e-8 * np.abs(v).max())
    a = ip._soc_max_step(lam, v)
    for b in range(B):
        if np.isfinite(a[b]):
            inside, outside = lam[b] + 0.999 * a[b] * v[b], lam[b] + 1.001 * a[b] * v[b]
            assert inside[0] >= np.linalg.norm(inside[1:]) - 1e-12
            assert outside[0] < np.linalg.norm(outside[1:])
        else:
            far = lam[b] + 1e6 * v[b]
            assert far[0] >= np.linalg.norm(far[1:])


def _random_program(seed, B, d, n=60, rows=(0, 12)):
    rng = np.random.default_rng(seed)
    K = rng.normal(size=(n, B * d))
    y = rng.normal(size=n) * 3
    counts = rng.integers(rows[0], rows[1] + 1, size=B)
    Glin = rng.normal(size=(int(counts.sum()), d))
    bid = np.repeat(np.arange(B), counts)
    beta = 0.2 * float(np.max(np.linalg.norm((K.T @ y).reshape(B, d), axis=1)))
    return _Restricted(K.T @ K, K.T @ y, Glin, bid), beta, 0.5 * float(y @ y)


def _objective(pr, beta, W):
    w = W.ravel()
    return 0.5 * w @ pr.H @ w - pr.c @ w + beta * np.linalg.norm(W, axis=1).sum()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("B", "d"), [(1, 3), (5, 4), (12, 6)])
def test_matches_clarabel(seed, B, d):
    """Same optimum as CLARABEL to 1e-8 (relative), feasible rows, converged; blocks without
    rows (no linear constraints) included."""
    pr, beta, f0 = _random_program(seed, B, d)
    res = ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, B, offset=f0, tol=1e-10)
    W_ref, _, ok = _restricted_clarabel(pr, beta, 1e-10)
    assert ok and res.converged
    f, f_ref = _objective(pr, beta, res.w) + f0, _objective(pr, beta, W_ref) + f0
    assert abs(f - f_ref) <= 1e-8 * f_ref
    if pr.Glin.size:
        assert np.min(np.einsum("rd,rd->r", pr.Glin, res.w[pr.bid])) >= -1e-9
    assert res.iterations <= 40


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("B", "d", "n"), [(12, 6, 30), (40, 4, 60), (30, 5, 20)])
def test_woodbury_equals_dense(seed, B, d, n):
    """Wide quadratics (2n <= Bd) given by their factor K take the Woodbury solves: the same
    iterates as the dense Cholesky (iteration count within 1, blocks to 1e-7), and CLARABEL's
    optimum."""
    rng = np.random.default_rng(seed)
    K = rng.normal(size=(n, B * d))
    y = rng.normal(size=n) * 3
    counts = rng.integers(0, 8, size=B)
    Glin = rng.normal(size=(int(counts.sum()), d))
    bid = np.repeat(np.arange(B), counts)
    beta = 0.1 * float(np.max(np.linalg.norm((K.T @ y).reshape(B, d), axis=1)))
    assert ip.woodbury_pays(n, B * d)
    f0 = 0.5 * float(y @ y)
    # the working set's tolerance (at 1e-10 the *dense* solve of seed 3 stops unconverged on
    # its singular K^T K, while the Woodbury one converges)
    dense = ip.cone_group_lasso(K.T @ K, K.T @ y, beta, Glin, bid, B, offset=f0, tol=1e-9)
    wood = ip.cone_group_lasso(None, K.T @ y, beta, Glin, bid, B, K=K, offset=f0, tol=1e-9)
    assert dense.converged and wood.converged
    assert abs(dense.iterations - wood.iterations) <= 1
    assert np.max(np.abs(dense.w - wood.w)) <= 1e-7 * max(1.0, np.max(np.abs(dense.w)))
    pr = _Restricted(K.T @ K, K.T @ y, Glin, bid)
    W_ref, _, ok = _restricted_clarabel(pr, beta, 1e-10)
    f, f_ref = _objective(pr, beta, wood.w) + f0, _objective(pr, beta, W_ref) + f0
    assert ok and abs(f - f_ref) <= 1e-8 * f_ref


@pytest.mark.parametrize("seed", range(3))
def test_breakdown_returns_best_feasible_iterate(seed, monkeypatch):
    """A solve whose Newton system cannot be factored near the optimum (the scalings then reach
    ~1e8) returns its best feasible iterate, flagged ``reduced``, if that iterate is within
    ``REDUCED * tol``; a breakdown far from the optimum stays ``converged=False``."""
    pr, beta, f0 = _random_program(seed, 12, 6)
    full = ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, 12, offset=f0, tol=1e-10)
    assert full.converged and not full.reduced
    newton = ip._Newton

    def breaking_at(k):
        calls = []

        def make(*a):
            calls.append(1)
            if len(calls) > k:
                raise np.linalg.LinAlgError("simulated breakdown")
            return newton(*a)

        return make

    # one iteration short of convergence: the best iterate is within 1e3 * tol
    monkeypatch.setattr(ip, "_Newton", breaking_at(full.iterations - 1))
    late = ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, 12, offset=f0, tol=1e-10)
    assert late.converged and late.reduced
    f, f_full = _objective(pr, beta, late.w) + f0, _objective(pr, beta, full.w) + f0
    assert abs(f - f_full) <= 1e-6 * f_full
    monkeypatch.setattr(ip, "_Newton", breaking_at(3))
    early = ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, 12, offset=f0, tol=1e-10)
    assert not early.converged and not early.reduced


@pytest.mark.parametrize("seed", range(3))
def test_woodbury_on_a_torch_device(seed):
    """``device=`` runs the factorisations in torch (here on the CPU; ``"cuda"`` on a GPU), the
    Woodbury capacitances and the dense KKT matrix: the same iterates as numpy / LAPACK to
    round-off; unknown or unusable devices are refused naming ``device``."""
    pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    n, B, d = 30, 14, 5
    K = rng.normal(size=(n, B * d))
    y = rng.normal(size=n) * 3
    counts = rng.integers(0, 8, size=B)
    Glin = rng.normal(size=(int(counts.sum()), d))
    bid = np.repeat(np.arange(B), counts)
    beta = 0.1 * float(np.max(np.linalg.norm((K.T @ y).reshape(B, d), axis=1)))
    f0 = 0.5 * float(y @ y)
    ref = ip.cone_group_lasso(None, K.T @ y, beta, Glin, bid, B, K=K, offset=f0, tol=1e-9)
    dev = ip.cone_group_lasso(None, K.T @ y, beta, Glin, bid, B, K=K, offset=f0, tol=1e-9,
                              device="cpu")  # fmt: skip
    assert ref.converged and dev.converged and abs(ref.iterations - dev.iterations) <= 1
    assert np.max(np.abs(ref.w - dev.w)) <= 1e-7 * max(1.0, np.max(np.abs(ref.w)))
    # the dense path (2n > Bd): formed in numpy, factored by torch
    pr, beta2, f2 = _random_program(seed, 12, 6)
    ref2 = ip.cone_group_lasso(pr.H, pr.c, beta2, pr.Glin, pr.bid, 12, offset=f2, tol=1e-9)
    dev2 = ip.cone_group_lasso(pr.H, pr.c, beta2, pr.Glin, pr.bid, 12, offset=f2, tol=1e-9,
                               device="cpu")  # fmt: skip
    assert ref2.converged and dev2.converged and abs(ref2.iterations - dev2.iterations) <= 1
    assert np.max(np.abs(ref2.w - dev2.w)) <= 1e-7 * max(1.0, np.max(np.abs(ref2.w)))
    with pytest.raises(ValueError, match="device='gpux'"):
        ip.cone_group_lasso(None, K.T @ y, beta, Glin, bid, B, K=K, device="gpux")


def test_cuda_device_refused_without_cuda():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match=r"device='cuda'.*is_available"):
        ip.check_device("cuda")


def test_iteration_limit_and_bad_input():
    pr, beta, _ = _random_program(0, 5, 4)
    res = ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, 5, max_iter=2)
    assert not res.converged and res.iterations == 2
    with pytest.raises(ValueError, match="H must be"):
        ip.cone_group_lasso(pr.H[:-1], pr.c, beta, pr.Glin, pr.bid, 5)
    with pytest.raises(ValueError, match="bid must"):
        ip.cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid[::-1], 5)
    with pytest.raises(ValueError, match="finite"):
        ip.cone_group_lasso(pr.H, np.full_like(pr.c, np.nan), beta, pr.Glin, pr.bid, 5)
    with pytest.raises(ValueError, match="beta must"):
        ip.cone_group_lasso(pr.H, pr.c, -1.0, pr.Glin, pr.bid, 5)


def test_cholesky_solver():
    """The lean LAPACK/BLAS Cholesky shared with the gated Newton: solves, overwrites its
    input, and refuses a matrix that is not positive definite."""
    from common.convex_nn._blas import cholesky_solver

    rng = np.random.default_rng(0)
    K = rng.normal(size=(40, 30))
    A = K.T @ K + 0.1 * np.eye(30)
    r = rng.normal(size=30)
    x = cholesky_solver(A.copy())(r)
    assert np.allclose(A @ x, r, atol=1e-10 * np.abs(r).max())
    indefinite = A - 2.0 * np.abs(np.linalg.eigvalsh(A)).max() * np.eye(30)
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        cholesky_solver(indefinite)

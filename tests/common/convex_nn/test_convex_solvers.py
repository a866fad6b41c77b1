"""Fast JAX solvers vs the CVXPY reference, certificates, orderings (paper scaling)."""

import warnings

import numpy as np
import pytest

from common.convex_nn import (
    active_neuron_residual,
    constraint_violation,
    dual_constraint_values,
    duality_gap,
    solve_convex,
)

from .conftest import make_problem

BETA = 0.5
ACTS = ["relu", ("leaky", 0.1), "abs"]


def _rel(a, b):
    return abs(a - b) / abs(b)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("formulation", ["gated", "relu"])
def test_fast_matches_cvxpy(problem, formulation, activation):
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation=formulation, solver="cvxpy",
                       activation=activation)  # fmt: skip
    res = solve_convex(X, y, D, BETA, formulation=formulation, activation=activation,
                       max_iter=100_000)  # fmt: skip
    assert ref.converged and res.converged
    assert _rel(res.objective, ref.objective) <= 1e-6
    assert ref.certificate <= 1e-6 and res.certificate <= 1e-6
    assert res.lower_bound <= ref.objective * (1 + 1e-9)
    if formulation == "relu":
        assert res.constraint_violation <= 1e-5
        assert ref.constraint_violation <= 1e-7
    assert res.U.shape == (D.shape[0], X.shape[1]) == res.V.shape


@pytest.mark.parametrize("formulation", ["gated", pytest.param("relu", marks=pytest.mark.slow)])
def test_vector_output_decouples(formulation):
    X, Y, D = make_problem(c=2)
    ref = solve_convex(X, Y, D, BETA, formulation=formulation, solver="cvxpy")
    res = solve_convex(X, Y, D, BETA, formulation=formulation, max_iter=100_000)
    assert res.U.shape == (D.shape[0], X.shape[1], 2)
    assert _rel(res.objective, ref.objective) <= 1e-6
    parts = [
        solve_convex(X, Y[:, k], D, BETA, formulation=formulation, solver="cvxpy").objective
        for k in range(2)
    ]
    assert _rel(sum(parts), ref.objective) <= 1e-7


def test_logistic_gated_matches_cvxpy(problem):
    X, y, D = problem
    ys = np.where(y > 0, 1.0, -1.0)
    # CLARABEL's exponential-cone solution has a relative KKT residual of ~2.4e-6 here, so
    # it is converged at 1e-5, not at the default 1e-6 (converged follows the certificate)
    ref = solve_convex(X, ys, D, BETA, formulation="gated", solver="cvxpy", loss="logistic",
                       tol=1e-5)  # fmt: skip
    assert ref.converged and ref.certificate <= 1e-5
    res = solve_convex(X, ys, D, BETA, formulation="gated", loss="logistic", tol=1e-8)
    assert res.converged
    assert _rel(res.objective, ref.objective) <= 1e-6
    assert res.certificate_kind == "relative_duality_gap"  # through the logistic conjugate
    assert res.lower_bound <= ref.objective * (1 + 1e-12)


def test_scs_agrees_loosely(problem):
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="relu", solver="clarabel")
    scs = solve_convex(X, y, D, BETA, formulation="relu", solver="scs")
    assert scs.solver == "cvxpy:SCS"
    assert _rel(scs.objective, ref.objective) <= 1e-4


def test_float32_runs(problem):
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="gated", solver="cvxpy")
    res = solve_convex(X, y, D, BETA, formulation="gated", dtype=np.float32)
    assert res.dtype == "float32"
    assert _rel(res.objective, ref.objective) <= 1e-3


def test_certificates_vanish_at_optimum_and_not_elsewhere(problem):
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="relu", solver="cvxpy")
    exact = duality_gap(X, y, D, BETA, ref.U, ref.V, formulation="relu")
    assert exact.relative_gap <= 1e-6
    assert exact.dual_constraint <= BETA * (1 + 1e-5)
    assert active_neuron_residual(X, y, D, BETA, ref.U, ref.V) <= 1e-4
    # perturbed (still feasible: scaled) point
    bad = duality_gap(X, y, D, BETA, 0.5 * ref.U, 0.5 * ref.V, formulation="relu")
    assert bad.relative_gap > 1e-2
    assert active_neuron_residual(X, y, D, BETA, 0.5 * ref.U, 0.5 * ref.V) > 1e-2
    # zero point: dual constraint violated
    vals = dual_constraint_values(X, y, D, formulation="relu")
    assert vals.shape == (D.shape[0],) and vals.max() > BETA
    g = solve_convex(X, y, D, BETA, formulation="gated", solver="cvxpy")
    assert duality_gap(X, y, D, BETA, g.U, formulation="gated").relative_gap <= 1e-6
    assert duality_gap(X, y, D, BETA, 0 * g.U, formulation="gated").relative_gap > 1e-2


def test_dual_constraint_relu_below_gated(problem):
    X, _, D = problem
    r = np.random.default_rng(5).standard_normal(X.shape[0])
    relu = dual_constraint_values(X, r, D, formulation="relu")
    gated = dual_constraint_values(X, r, D, formulation="gated")
    assert np.all(relu <= gated + 1e-10)


def test_dual_constraint_matches_sampling_d2():
    """Moreau/NNLS value equals a dense sweep over unit u in K (d = 2)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 2))
    r = rng.standard_normal(8)
    from common.arrangements import enumerate_patterns

    D = enumerate_patterns(X)
    vals = dual_constraint_values(X, r, D, formulation="relu")
    th = np.linspace(0, 2 * np.pi, 200_001)
    U = np.stack([np.cos(th), np.sin(th)], 1)
    Z = X @ U.T
    for i in range(D.shape[0]):
        inK = np.all((2.0 * D[i][:, None] - 1.0) * Z >= 0, axis=0)
        f = np.abs(r @ (D[i][:, None] * Z))[inK]
        assert f.max() <= vals[i] + 1e-9  # NNLS value is the exact maximum
        assert abs(f.max() - vals[i]) <= 1e-4 * max(1.0, vals[i])


def test_orderings_gated_le_relu_and_nested(problem):
    X, y, D = problem
    vals = {}
    for k in (3, 6, D.shape[0]):
        for form in ("gated", "relu"):
            vals[form, k] = solve_convex(X, y, D[:k], BETA, formulation=form,
                                         solver="cvxpy").objective  # fmt: skip
    for k in (3, 6, D.shape[0]):
        assert vals["gated", k] <= vals["relu", k] * (1 + 1e-7)
    for form in ("gated", "relu"):
        assert vals[form, 6] <= vals[form, 3] * (1 + 1e-7)
        assert vals[form, D.shape[0]] <= vals[form, 6] * (1 + 1e-7)


def test_iteration_limit_is_reported(problem):
    X, y, D = problem
    with pytest.warns(RuntimeWarning, match="max_iter"):
        res = solve_convex(X, y, D, BETA, formulation="gated", max_iter=3)
    assert not res.converged
    with pytest.warns(RuntimeWarning, match="max_iter=1 rounds"):
        res = solve_convex(X, y, D, BETA, formulation="relu", max_iter=1)  # working set
    assert not res.converged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_convex(X, y, D, BETA, formulation="relu", solver="al", max_iter=5)
    assert not res.converged


def test_constraint_violation_helper(problem):
    X, _, D = problem
    U = np.random.default_rng(0).standard_normal((D.shape[0], X.shape[1]))
    assert constraint_violation(X, D, U) > 0
    assert constraint_violation(X, D, 0 * U) == 0


def test_column_generation_reaches_full_optimum():
    from common.arrangements import enumerate_patterns
    from common.convex_nn import column_generation

    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((15, 2)), np.ones((15, 1))])
    y = rng.standard_normal(15)
    D = enumerate_patterns(X)
    full = solve_convex(X, y, D, BETA, formulation="relu", solver="cvxpy")
    cg = column_generation(X, y, D, BETA, initial=5, add_per_round=5)
    assert cg.converged and len(cg.working_set) < D.shape[0]
    assert cg.max_dual_constraint <= BETA * (1 + 1e-5)
    assert _rel(cg.result.objective, full.objective) <= 1e-7
    assert all(a >= b - 1e-9 for a, b in zip(cg.history, cg.history[1:], strict=False))


def test_gated_newton_phase_exact_and_guarded(problem, monkeypatch):
    """R-FISTA + active-set Newton reaches the R-FISTA optimum with a far smaller gap; a
    wrong Newton result is rejected by the full-program certificate and R-FISTA continues."""
    from common.convex_nn import fast
    from common.convex_nn.certificates import gated_gap
    from common.convex_nn.problem import masks

    X, y, D = problem
    M, Y = masks(D), y[:, None]
    plain = fast.fista(X, Y, M, BETA, newton=False, tol=1e-8)
    newt = fast.fista(X, Y, M, BETA, newton=True, tol=1e-8)
    assert plain.converged and newt.converged
    assert gated_gap(X, Y, M, newt.W, BETA) <= 1e-8
    assert np.allclose(newt.W, plain.W, atol=1e-4 * np.abs(plain.W).max())
    monkeypatch.setattr(fast, "newton_active_set", lambda X, y, M, W, beta: 2.0 * W)
    guarded = fast.fista(X, Y, M, BETA, newton=True, tol=1e-8)
    assert guarded.converged and gated_gap(X, Y, M, guarded.W, BETA) <= 1e-8


def test_working_set_fallback_and_pricing(problem, monkeypatch):
    """If our interior point fails, CLARABEL takes over and the result is the same."""
    from common.convex_nn import working_set as ws
    from common.convex_nn.interior_point import IPResult

    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="relu", solver="cvxpy")
    first = solve_convex(X, y, D, BETA, formulation="relu", solver="working_set")

    def broken(H, c, beta, Glin, bid, B, **kw):
        return IPResult(np.zeros((B, X.shape[1])), 3, False)

    monkeypatch.setattr(ws, "cone_group_lasso", broken)
    second = solve_convex(X, y, D, BETA, formulation="relu", solver="working_set")
    for res in (first, second):
        assert res.converged and res.certificate <= 1e-6
        assert _rel(res.objective, ref.objective) <= 1e-6
    with pytest.raises(ValueError, match="does not support formulation='gated'"):
        solve_convex(X, y, D, BETA, formulation="gated", solver="working_set")
    with pytest.raises(ValueError, match=r"does not support loss='logistic'.*'squared'"):
        solve_convex(X, np.where(y > 0, 1.0, -1.0), D, BETA, solver="working_set", loss="logistic")


def test_working_set_too_large_falls_back_to_al(problem):
    """A restricted program above max_vars is not solved densely: "fast" continues with the
    matrix-free AL from the working-set iterate, an explicit "working_set" says why it stopped."""
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="relu", solver="cvxpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_convex(X, y, D, BETA, solver_opts={"max_vars": 2}, tol=1e-5,
                           max_iter=50_000)  # fmt: skip
    assert res.solver == "al"
    assert _rel(res.objective, ref.objective) <= 1e-4
    with pytest.warns(RuntimeWarning, match="exceeded max_vars"):
        res = solve_convex(X, y, D, BETA, solver="working_set", solver_opts={"max_vars": 2})
    assert not res.converged and res.lower_bound <= ref.objective


def _group_lasso_instance(seed=3, n=40, d=3, B=6, frac=0.3):
    """A group Lasso ``K = [C[:, b] * X]`` (signed row weights) with its CVXPY optimum at
    ``beta = frac * max_b ||K_b^T y||``."""
    import cvxpy as cp

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    C = rng.standard_normal((n, B))
    K = np.concatenate([C[:, b : b + 1] * X for b in range(B)], axis=1)
    y = K[:, :5] @ rng.standard_normal(5) + 0.1 * rng.standard_normal(n)
    beta = frac * max(np.linalg.norm(K[:, b * d : (b + 1) * d].T @ y) for b in range(B))
    w = cp.Variable((B, d))
    prob = cp.Problem(
        cp.Minimize(0.5 * cp.sum_squares(K @ cp.vec(w, order="C") - y)
                    + beta * cp.sum(cp.norm(w, 2, axis=1)))
    )  # fmt: skip
    prob.solve(solver="CLARABEL")
    return X, C, K, y, beta, prob.value, np.linalg.norm(w.value, axis=1)


@pytest.mark.parametrize("float32_fails", [False, True])
def test_group_lasso_newton_reaches_the_optimum(monkeypatch, float32_fails):
    """Newton (float32 Hessian, exact float64 gradients) reaches the CVXPY optimum of a group
    Lasso and returns exact zeros for the blocks that vanish there (by the exact zero test or
    the collapse rule), from a start where every block is non-zero; where the float32 Cholesky
    fails, the float64 redo gives the same."""
    from common.convex_nn import newton

    X, C, K, y, beta, pstar, ref_norms = _group_lasso_instance()
    assert min(ref_norms) < 1e-6 * max(ref_norms)  # some block vanishes at the optimum
    used = []
    factor = newton.cholesky_solver

    def spy(A):
        used.append(A.dtype)
        if float32_fails and A.dtype == np.float32:
            raise np.linalg.LinAlgError("simulated")
        return factor(A)

    monkeypatch.setattr(newton, "cholesky_solver", spy)
    W0 = np.random.default_rng(0).standard_normal((C.shape[1], X.shape[1]))
    out = newton.group_lasso_newton(X, C, y, beta, W0)
    nb = np.linalg.norm(out, axis=1)
    val = 0.5 * np.sum((K @ out.ravel() - y) ** 2) + beta * nb.sum()
    assert val <= pstar * (1 + 1e-7)
    assert list(nb == 0) == list(ref_norms < 1e-6 * max(ref_norms))
    assert used[0] == np.float32 and (np.float64 in used) == float32_fails
    # out of iterations: float32 hands over to float64, which returns its (unconverged) iterate
    grams = []
    gram = newton.block_gram
    monkeypatch.setattr(
        newton, "block_gram", lambda *a, dtype: grams.append(dtype) or gram(*a, dtype=dtype)
    )
    short = newton.group_lasso_newton(X, C, y, beta, W0, max_iter=1)
    assert short is not None and grams == [np.float32, np.float64]
    W0[2] = 0.0
    with pytest.raises(ValueError, match="non-zero"):
        newton.group_lasso_newton(X, C, y, beta, W0)


def test_woodbury_newton_solve_matches_the_dense_hessian():
    """The two-level Woodbury solve (n x n capacitance, L x L Schur complement) inverts the
    same Newton matrix as the dense reduced Hessian, on a wide program (L d > n)."""
    from common.convex_nn import newton

    rng = np.random.default_rng(5)
    n, d, L, beta = 30, 4, 12, 0.7
    X, C, W = rng.standard_normal((n, d)), rng.standard_normal((n, L)), rng.standard_normal((L, d))
    nb = np.linalg.norm(W, axis=1)
    U = W / nb[:, None]
    H = newton.block_gram(X, C, np.zeros(n))[0]
    Hs = newton._reduced_hessian(H, np.arange(L), L, d, beta, nb, U)
    g = rng.standard_normal(L * d)
    step = newton.woodbury_solver(X, X @ X.T, C, beta, nb, U)(g)
    assert np.linalg.norm(Hs @ step - g) <= 1e-10 * np.linalg.norm(g)


@pytest.mark.parametrize("frac", [0.01, 0.002])
def test_wide_group_lasso_newton_reaches_clarabel(monkeypatch, frac):
    """At small beta (more active variables than samples) the active-set Newton runs on the
    Woodbury solve and reaches CLARABEL's optimum from a start where every block is
    non-zero; where the Woodbury factorisation fails, the dense route gives the same."""
    from common.convex_nn import newton

    X, C, K, y, beta, pstar, ref_norms = _group_lasso_instance(seed=4, n=20, d=4, B=12, frac=frac)
    calls, wood = [], newton.woodbury_solver
    monkeypatch.setattr(newton, "woodbury_solver", lambda *a: calls.append(1) or wood(*a))
    W0 = np.random.default_rng(0).standard_normal((1, C.shape[1], X.shape[1]))
    out = newton.newton_active_set(X, y[:, None], C, W0, beta)[0]
    val = 0.5 * np.sum((K @ out.ravel() - y) ** 2) + beta * np.linalg.norm(out, axis=1).sum()
    assert abs(val - pstar) <= 1e-6 * pstar
    active = np.linalg.norm(out, axis=1) > 0
    assert active.sum() * X.shape[1] > X.shape[0] and calls
    # optimality (KKT): ||K_b^T r|| = beta on the active blocks, <= beta on the zero ones
    # (CLARABEL's own zero blocks are only ~1e-6 small: its support is not compared)
    r = y - K @ out.ravel()
    t = np.linalg.norm((K.T @ r).reshape(-1, X.shape[1]), axis=1) / beta
    assert np.allclose(t[active], 1.0, atol=1e-5) and np.all(t[~active] <= 1.0)
    assert np.all(ref_norms[~active] <= 1e-5 * max(ref_norms))

    def broken(*a):
        raise np.linalg.LinAlgError("simulated")

    monkeypatch.setattr(newton, "woodbury_solver", broken)  # the dense route takes over
    dense = newton.newton_active_set(X, y[:, None], C, W0, beta)[0]
    # the same optimum; the iterates agree to the routes' precision (the dense route factors
    # in float32: elementwise 4e-8 apart on one machine, bitwise closer on another)
    dval = 0.5 * np.sum((K @ dense.ravel() - y) ** 2) + beta * np.linalg.norm(dense, axis=1).sum()
    assert abs(dval - val) <= 1e-12 * val
    assert np.linalg.norm(dense - out) <= 1e-6 * np.linalg.norm(out)


def test_gated_newton_reenters_a_missing_block(problem):
    """Dropping an active block from the optimum: the violator re-entry of the Newton phase
    puts it back and the full-program gap closes again."""
    from common.convex_nn import fast
    from common.convex_nn.certificates import gated_gap
    from common.convex_nn.newton import newton_active_set
    from common.convex_nn.problem import masks

    X, y, D = problem
    M, Y = masks(D), y[:, None]
    opt = fast.fista(X, Y, M, BETA, tol=1e-8)
    act = np.flatnonzero(np.linalg.norm(opt.W[0], axis=1) > 0)
    assert act.size >= 2
    W = opt.W.copy()
    W[0, act[0]] = 0.0
    assert gated_gap(X, Y, M, W, BETA) > 1e-4
    Wn = newton_active_set(X, Y, M, W, BETA)
    assert gated_gap(X, Y, M, Wn, BETA) <= 1e-8
    assert np.array_equal(np.linalg.norm(Wn[0], axis=1) > 0, np.linalg.norm(opt.W[0], axis=1) > 0)


def test_warm_started_nnls_is_exact():
    """The Lawson-Hanson projection warm-started at any non-negative multipliers (here: random
    ones, and the exact ones of a nearby vector) equals the cold-started one."""
    from common.convex_nn.certificates import pattern_projections

    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 6))
    D = rng.random((4, 60)) < 0.5
    S = 2.0 * D.T - 1.0
    rows = np.array([0, 1, 2, 3])
    g = rng.standard_normal((4, 6))
    cold, lam = pattern_projections(X, S, g, rows, multipliers=True)
    for start in (rng.random((4, 60)) * (rng.random((4, 60)) < 0.1), lam):
        g2 = g + 0.05 * rng.standard_normal(g.shape)
        ref = pattern_projections(X, S, g2, rows)
        warm = pattern_projections(X, S, g2, rows, start=start)
        assert np.allclose(warm, ref, atol=1e-10)
    assert np.allclose(pattern_projections(X, S, g, rows, start=lam), cold, atol=1e-12)
    with pytest.raises(ValueError, match="start must have shape"):
        pattern_projections(X, S, g, rows, start=lam[:, :10])


def test_pattern_projections_match_scipy_nnls_on_column_subsets():
    """Rows naming a few (repeated, unordered) columns of a wide sign matrix: each projection
    equals the one from scipy's NNLS, ``g + G^T lam`` with ``lam = argmin ||G^T lam + g||``."""
    from scipy.optimize import nnls

    from common.convex_nn.certificates import pattern_projections

    rng = np.random.default_rng(7)
    X = rng.standard_normal((40, 3))
    S = np.asfortranarray(np.where(rng.random((40, 500)) < 0.5, 1.0, -1.0))  # (n, P), F-order
    rows = np.array([417, 3, 3, 250, 0, 499])
    g = rng.standard_normal((rows.size, 3))
    proj = pattern_projections(X, S, g, rows)
    for k, i in enumerate(rows):
        G = S[:, i : i + 1] * X
        lam = nnls(G.T, -g[k])[0]
        assert np.allclose(proj[k], g[k] + G.T @ lam, atol=1e-9)


def test_pricing_cache_bounds_and_exact_values():
    """Pricing with a PricingCache gives the same exact values as without; the cached bounds
    are upper bounds on the exact values at a new residual and equal them at the residual
    they were computed at (the multipliers there are optimal)."""
    from common.arrangements import enumerate_patterns
    from common.convex_nn.pricing import PricingCache, price_blocks

    rng = np.random.default_rng(8)
    X = rng.standard_normal((30, 3))
    D = enumerate_patterns(X)
    D = D[D.any(axis=1)]
    M, S = D.T.astype(float), 2.0 * D.T - 1.0
    r1, r2 = rng.standard_normal(30), rng.standard_normal(30)
    cache = PricingCache()
    first = price_blocks(X, r1, M, S, 0.0, screen=-1.0, cache=cache)  # every block exact
    assert first.exact.all()
    g1 = (M * r1[:, None]).T @ X
    assert np.allclose(cache.bounds(X, S, g1), first.values, atol=1e-9)
    ref = price_blocks(X, r2, M, S, 0.0, screen=-1.0)
    g2 = (M * r2[:, None]).T @ X
    assert np.all(cache.bounds(X, S, g2) >= ref.values - 1e-9)
    again = price_blocks(X, r2, M, S, 0.0, screen=-1.0, cache=cache)  # warm-started NNLS
    assert np.allclose(again.values, ref.values, atol=1e-9)
    lazy = price_blocks(X, r2, M, S, ref.values.max(), cache=PricingCache())  # the maximum only
    assert lazy.t_max == pytest.approx(ref.values.max(), abs=1e-9) and not lazy.exact.all()
    assert np.all(lazy.values >= ref.values - 1e-9)


def test_pricing_skips_the_working_set():
    """Blocks flagged ``present`` (the working set) are priced (they count in ``t_max``) but are
    neither candidates nor counted in ``max_add``: from a warm start at a smaller beta every
    block of the working set violates, and before this they filled all ``max_add`` places
    (a 20-point path's warm rounds then added no new block)."""
    from common.arrangements import enumerate_patterns
    from common.convex_nn.pricing import price_blocks

    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 3))
    D = enumerate_patterns(X)
    D = D[D.any(axis=1)]
    M, S = D.T.astype(float), 2.0 * D.T - 1.0
    r = rng.standard_normal(30)
    every = price_blocks(X, r, M, S, 0.0, screen=-1.0).values  # all exact
    beta = float(np.quantile(every, 0.8))
    top = np.argsort(-every)[:5]  # the five most violated blocks form the working set
    present = np.zeros(every.size, dtype=bool)
    present[top] = True
    P = M.shape[1]
    new_violators = {(int(k % P), 1.0 if k < P else -1.0)
                     for k in np.flatnonzero((every > beta) & ~present)}  # fmt: skip
    assert len(new_violators) > 4
    pr = price_blocks(X, r, M, S, beta, max_add=4, present=present)
    found = {(i, sg) for _, i, sg, _ in pr.candidates}
    assert len(found) == 4 and found <= new_violators
    assert np.all(pr.values >= every - 1e-9)  # exact values or upper bounds, present or not
    assert np.all(pr.values[pr.exact] == pytest.approx(every[pr.exact], abs=1e-9))


@pytest.mark.parametrize("seed", range(3))
def test_warm_working_set_takes_fewer_rounds(seed):
    """Warm-started from the optimum at a 25% larger beta, the working set needs fewer pricing
    rounds than a cold start (its first round adds the new violators: it added none while the
    old working set filled the ``max_add`` places) and reaches the same certified optimum."""
    from benchmarks.convex_solvers import make_problem
    from common.convex_nn.working_set import working_set

    X, y, D = make_problem(120, 6, 30, seed)[:3]
    M, S = D.T.astype(float), 2.0 * D.T - 1.0
    bmax = float(np.max(np.abs(X.T @ y)))
    prev = working_set(X, y[:, None], M, S, 0.05 * bmax)
    warm = working_set(X, y[:, None], M, S, 0.04 * bmax, W0=prev.W)
    cold = working_set(X, y[:, None], M, S, 0.04 * bmax)
    assert warm.converged and cold.converged and warm.rounds < cold.rounds
    assert warm.lower_bound == pytest.approx(cold.lower_bound, rel=2e-6)  # both certified


def test_working_set_device_option(monkeypatch):
    """``solver_opts={"device": ...}`` reaches the interior point's Woodbury solves (torch on
    the CPU here) and gives the default solve's optimum."""
    pytest.importorskip("torch")
    from benchmarks.convex_solvers import make_problem
    from common.convex_nn import interior_point as ip

    X, y, D = make_problem(60, 6, 30, 0)[:3]
    beta = 0.01 * float(np.max(np.abs(X.T @ y)))
    calls = []
    torch_capacitance = ip._capacitance_torch
    monkeypatch.setattr(
        ip, "_capacitance_torch", lambda *a: calls.append(1) or torch_capacitance(*a)
    )
    ref = solve_convex(X, y, D, beta)
    dev = solve_convex(X, y, D, beta, solver_opts={"device": "cpu"})
    assert calls and ref.converged and dev.converged
    assert _rel(dev.objective, ref.objective) <= 1e-8


def test_gated_float32_phase_overflow_falls_back_to_float64(problem):
    """Data near 1e20 overflow the float32 R-FISTA phase (||X||^2 > 3e38); the solver redoes
    it in float64 and reaches the optimum of the equivalent unscaled program."""
    X, y, D = problem
    ref = solve_convex(X, y, D, BETA, formulation="gated")
    big = solve_convex(1e20 * X, y, D, 1e20 * BETA, formulation="gated")
    assert big.converged and np.all(np.isfinite(big.U))
    assert _rel(big.objective, ref.objective) <= 1e-6


def test_float32_fista_does_not_stall_at_rounding_noise():
    """A small standardized problem on which R-FISTA in float32 once stalled: its line search
    compared objective values whose rounding (of the extrapolated prediction) exceeded the
    decrease, failed every trial and let the step size collapse to 1e-31 (gap stuck at 0.5).
    The squared-loss test on ``||A (x_new - y)||^2`` has no such cancellation."""
    from sklearn.preprocessing import StandardScaler

    from common.arrangements import sample_patterns

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = np.maximum(X @ np.array([1.0, -1.0, 0.5]), 0) + 0.05 * rng.standard_normal(40)
    Xd = np.hstack([StandardScaler().fit_transform(X), np.ones((40, 1))])
    D = sample_patterns(Xd, 10, seed=0)
    # float32 R-FISTA alone (the Newton phase is float64 only), to float32's default tol; the
    # stalled run sat at a gap of 0.5
    res = solve_convex(Xd, y, D, 0.1, formulation="gated", dtype=np.float32, max_iter=3000)
    assert res.converged and res.certificate <= 1e-4 and res.iterations < 3000

"""One suite for every registered solver: solver x formulation x loss x dtype on the same small
problems, against CLARABEL's objective and certificate, through the public API.

Tolerances are set by the dtype only (``TOL``: the certificate tolerance each solve is asked
for; CVXPY backends are asked for their reference accuracy ``REF_TOL``). Every certificate is
a relative duality gap (through the loss's conjugate), so a supported combination must
converge, certify ``<= tol``, have a lower bound below CLARABEL's objective, and land within
``tol`` plus CLARABEL's own certified gap (relative) of CLARABEL's objective. Unsupported
combinations must be refused before anything runs, with an error that names the solver and
the request.
"""

import itertools
import warnings

import numpy as np
import pytest

from common.arrangements import enumerate_patterns, sample_patterns
from common.convex_nn import (
    LOSSES,
    SOLVERS,
    Formulation,
    Huber,
    UnsupportedProblemError,
    duality_gap,
    get_solver,
    solve_convex,
)

from .conftest import make_problem

BETA = 0.5
TOL = {"float64": 1e-6, "float32": 1e-4}
# CLARABEL's exponential-cone (logistic) solutions have relative gaps of a few 1e-6
REF_TOL = {"squared": 1e-7, "logistic": 1e-5, "huber": 1e-7}
HUBER = Huber(0.5)  # both regimes are active on the test problem
FORMS = ("gated", "relu")
DTYPES = ("float64", "float32")
LOSS_NAMES = tuple(LOSSES)
SOLVER_NAMES = tuple(SOLVERS)
INSTALLED_CVXPY = None


def _installed(backend):
    global INSTALLED_CVXPY
    if INSTALLED_CVXPY is None:
        import cvxpy

        INSTALLED_CVXPY = set(cvxpy.installed_solvers())
    return backend in INSTALLED_CVXPY


def _problem(loss):
    X, y, D = make_problem()
    if loss == "logistic":
        return X, np.where(y > 0, 1.0, -1.0), D, "logistic"
    return X, y, D, HUBER if loss == "huber" else loss


_REF = {}


def _reference(form, loss):
    if (form, loss) not in _REF:
        X, y, D, lo = _problem(loss)
        _REF[form, loss] = solve_convex(
            X, y, D, BETA, formulation=form, loss=lo, solver="clarabel", tol=REF_TOL[loss]
        )
    return _REF[form, loss]


CASES = list(itertools.product(SOLVER_NAMES, FORMS, LOSS_NAMES, DTYPES))


def _supported(solver, form, loss, dtype):
    lo = HUBER if loss == "huber" else LOSSES[loss]
    return get_solver(solver).accepts(lo, Formulation(form), dtype)


SUPPORTED = [c for c in CASES if _supported(*c)]
REFUSED = [c for c in CASES if not _supported(*c)]


@pytest.mark.parametrize(("form", "loss"), list(itertools.product(FORMS, LOSS_NAMES)))
def test_reference_is_certified(form, loss):
    """CLARABEL's solution is certified by the loss's duality gap (exact NNLS dual values for
    the ReLU program), which a perturbed point does not pass."""
    ref = _reference(form, loss)
    assert ref.converged and ref.certificate <= REF_TOL[loss]
    assert ref.certificate_kind == "relative_duality_gap"
    X, y, D, lo = _problem(loss)
    dg = duality_gap(X, y, D, BETA, ref.U, ref.V, formulation=form, loss=lo)
    assert dg.lower_bound <= ref.objective * (1 + 1e-12)
    assert dg.relative_gap <= REF_TOL[loss]
    bad = duality_gap(X, y, D, BETA, 0.5 * ref.U, 0.5 * ref.V, formulation=form, loss=lo)
    assert bad.relative_gap > 1e-3


@pytest.mark.parametrize(("solver", "form", "loss", "dtype"), SUPPORTED)
def test_supported_solver_reaches_clarabel(solver, form, loss, dtype):
    s = get_solver(solver)
    if hasattr(s, "backend") and not _installed(s.backend):
        pytest.skip(f"CVXPY solver {s.backend} is not installed")
    X, y, D, lo = _problem(loss)
    tol = TOL[dtype]
    if hasattr(s, "backend"):  # a CVXPY backend: as accurate as the reference, no more
        tol = max(tol, REF_TOL[loss])
    kw = {"max_iter": 100_000} if solver in ("al", "admm") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no unconverged-run warnings
        res = solve_convex(X, y, D, BETA, formulation=form, loss=lo, solver=solver,
                           dtype=np.dtype(dtype), tol=tol, **kw)  # fmt: skip
    ref = _reference(form, loss)
    assert res.converged and res.certificate <= tol
    assert res.certificate_kind == "relative_duality_gap"
    assert res.U.shape == ref.U.shape and res.V.shape == ref.V.shape
    assert abs(res.objective - ref.objective) <= (tol + ref.certificate) * abs(ref.objective)
    assert res.lower_bound <= ref.objective * (1 + 1e-12)
    if form == "relu":  # first-order iterates may be infeasible to the tolerance: F < p* then
        assert res.constraint_violation <= tol * np.max(np.abs(y))
    else:
        assert ref.lower_bound <= res.objective * (1 + 1e-12)
        assert np.all(res.V == 0)
    # "fast" solves ReLU programs in float64 (its ReLU solvers are float64 only)
    assert res.dtype == ("float64" if solver == "fast" and form == "relu" else dtype)


@pytest.mark.parametrize(("solver", "form", "loss", "dtype"), REFUSED)
def test_unsupported_combination_is_refused(solver, form, loss, dtype):
    X, y, D, lo = _problem(loss)
    with pytest.raises(UnsupportedProblemError, match=f"solver='{solver}' does not support"):
        solve_convex(X, y, D, BETA, formulation=form, loss=lo, solver=solver,
                     dtype=np.dtype(dtype))  # fmt: skip


def test_every_registered_solver_runs_somewhere():
    """The suite covers every solver of the registry on at least one combination."""
    assert {c[0] for c in SUPPORTED} == set(SOLVERS)
    with pytest.raises(ValueError, match="solver='fista' does not support formulation='relu'"):
        get_solver("fista").check(HUBER, Formulation("relu"), "float64")
    assert issubclass(UnsupportedProblemError, ValueError)


# the default solver on harder problems: enumerated (degenerate, near-duplicate) patterns, where
# a plain augmented Lagrangian stalls, and larger random ones
def _planted(n, d, P, seed):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((n, d - 1)), np.ones((n, 1))])
    w = rng.standard_normal((3, d))
    y = np.maximum(X @ w.T, 0) @ np.array([1.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(n)
    D = sample_patterns(X, P, seed=seed + 10)
    return X, y, D, 0.05 * float(np.max(np.linalg.norm((D * y[None, :]) @ X, axis=1)))


def _enumerated():
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((20, 2)), np.ones((20, 1))])
    y = rng.standard_normal(20)
    return X, y, enumerate_patterns(X), 0.01 * np.abs(X.T @ y).max()


@pytest.mark.parametrize(
    "make",
    [
        _enumerated,
        lambda: _planted(50, 3, 20, 1),
        lambda: _planted(120, 8, 60, 2),
        pytest.param(lambda: _planted(250, 5, 100, 3), marks=pytest.mark.slow),
    ],
    ids=["enumerated", "50x3", "120x8", "250x5"],
)
def test_default_relu_solver_on_harder_problems(make):
    X, y, D, beta = make()
    ref = solve_convex(X, y, D, beta, solver="clarabel")
    res = solve_convex(X, y, D, beta)
    assert res.converged and res.certificate <= 1e-6
    assert abs(res.objective - ref.objective) <= 1e-6 * abs(ref.objective)
    assert res.constraint_violation <= 1e-6 * np.max(np.abs(y))

"""CVXPY reference formulations (small problems, tests, certificates).

Formulated like scnn's ``training_programs.py`` (brief §7.2): group norms with
``cp.norm(..., axis=1)``, cone constraints ``cp.multiply(2D-1, X @ U.T) >= 0``. The solver is
always named explicitly: ``"CLARABEL"`` (default), ``"SCS"``, ``"MOSEK"`` (if installed) or any
other installed conic solver. Float64, tight tolerances. Vector outputs are solved as ``c``
independent problems (the decoupled penalty of brief §1.4). No ``cp.reshape``/``cp.vec`` is
used, so the default-``order`` change across CVXPY versions does not apply.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .losses import Loss, as_loss

__all__ = ["CvxpyProgram", "cvxpy_program", "solve_cvxpy"]

_TOL = {
    "CLARABEL": {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "max_iter": 500},
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200_000},
    "MOSEK": {},
    "ECOS": {"abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10},
}


class CvxpyProgram(NamedTuple):
    """One output's program: the CVXPY problem, its block variables (``V`` is ``None`` for the
    gated program) and its cone constraints (``[]`` for gated)."""

    problem: Any  # cvxpy.Problem (cvxpy is imported on first use: it takes seconds)
    U: Any  # cvxpy.Variable (P, d)
    V: Any  # cvxpy.Variable (P, d) or None
    constraints: list


def cvxpy_program(X, y, M, S, beta, *, relu: bool, loss: Loss | str = "squared") -> CvxpyProgram:
    """The CVXPY program for one output ``y (n,)``; masks ``M`` and cone signs ``S`` are
    ``(n, P)``. The one CVXPY formulation of the package (:func:`solve_cvxpy`, the benchmarks)."""
    import cvxpy as cp

    loss = as_loss(loss)
    P, d = M.shape[1], X.shape[1]
    U = cp.Variable((P, d))
    XU = X @ U.T
    V, cons = None, []
    if relu:
        V = cp.Variable((P, d))
        XV = X @ V.T
        pred = cp.sum(cp.multiply(M, XU - XV), axis=1)
        pen = cp.sum(cp.norm(U, 2, axis=1)) + cp.sum(cp.norm(V, 2, axis=1))
        cons = [cp.multiply(S, XU) >= 0, cp.multiply(S, XV) >= 0]
    else:
        pred = cp.sum(cp.multiply(M, XU), axis=1)
        pen = cp.sum(cp.norm(U, 2, axis=1))
    problem = cp.Problem(cp.Minimize(loss.cvxpy(pred, y) + beta * pen), cons)
    return CvxpyProgram(problem, U, V, cons)


def solve_cvxpy(X, y2, M, S, beta, *, relu: bool, loss: Loss | str = "squared",
                solver="CLARABEL", solver_opts=None, verbose=False):  # fmt: skip
    """Solve the program with CVXPY. ``y2`` is ``(n, c)``; ``M``, ``S`` are ``(n, P)``.

    Returns ``(U, V, gamma_u, gamma_v, status_ok, status)`` with blocks ``(c, P, d)`` and cone
    multipliers ``(c, n, P)`` (``None`` for the gated program).
    """
    import cvxpy as cp

    solver = str(solver).upper()
    if solver not in cp.installed_solvers():
        raise ValueError(
            f"CVXPY solver {solver!r} is not installed; installed: {cp.installed_solvers()}"
        )
    opts = dict(_TOL.get(solver, {}))
    opts.update(solver_opts or {})
    n, d = X.shape
    P = M.shape[1]
    c = y2.shape[1]
    Us, Vs, gus, gvs = [], [], [], []
    ok_all, statuses = True, []
    for k in range(c):
        prog = cvxpy_program(X, y2[:, k], M, S, beta, relu=relu, loss=as_loss(loss).column(k))
        try:
            prog.problem.solve(solver=solver, verbose=verbose, **opts)
        except cp.error.SolverError as exc:  # pragma: no cover - solver failure
            warnings.warn(f"CVXPY/{solver} failed: {exc}", RuntimeWarning, stacklevel=3)
            ok_all = False
            statuses.append("solver_error")
            Us.append(np.zeros((P, d)))
            Vs.append(np.zeros((P, d)))
            gus.append(np.zeros((n, P)))
            gvs.append(np.zeros((n, P)))
            continue
        statuses.append(prog.problem.status)
        ok_all &= prog.problem.status == cp.OPTIMAL
        Us.append(np.asarray(prog.U.value, dtype=np.float64))
        Vs.append(np.asarray(prog.V.value, dtype=np.float64) if relu else np.zeros((P, d)))
        if relu:
            gus.append(np.maximum(np.asarray(prog.constraints[0].dual_value, dtype=np.float64), 0))
            gvs.append(np.maximum(np.asarray(prog.constraints[1].dual_value, dtype=np.float64), 0))
    gu = np.stack(gus) if relu and gus else None
    gv = np.stack(gvs) if relu and gvs else None
    return np.stack(Us), np.stack(Vs), gu, gv, bool(ok_all), statuses

r"""``solve_convex``: one entry point for the gated-ReLU and ReLU convex programs.

Solvers
-------
``"fast"`` (default)
    ``"fista"`` for the gated program; ``"working_set"`` for the ReLU program with squared loss,
    ``"al"`` for it with logistic loss.
``"fista"``
    R-FISTA (JAX, jit, float32/float64; :mod:`common.convex_nn.fast`); for squared loss in
    float64 it runs in float32 to a 1e-2 gap and active-set Newton finishes
    (:mod:`common.convex_nn.newton`), certified on the full program.
``"working_set"``
    Column and row generation with exact restricted interior-point solves (our own, for the
    restricted programs' structure; CLARABEL's native API if it fails) and exact NNLS pricing;
    stops on the certified gap of the *full* program (:mod:`common.convex_nn.working_set`).
    Float64. ``max_iter`` counts rounds.
``"al"`` / ``"admm"``
    Augmented Lagrangian + R-FISTA, and ADMM with exact Woodbury solves (JAX). First-order and
    matrix-free, but slow to reach 1e-6 on degenerate problems (many near-duplicate patterns):
    on the benchmark problem n=500, d=20, P=100 the AL needs thousands of inner iterations and
    ADMM does not reach 1e-5 in 20000.
``"cvxpy"``
    CVXPY with CLARABEL (float64); ``"clarabel"``, ``"scs"``, ``"mosek"`` (if installed) or
    ``"cvxpy:<NAME>"`` name the solver explicitly.

The solvers are objects in a registry (:mod:`common.convex_nn.solvers`) that declare the
losses (:mod:`common.convex_nn.losses`), formulations (:mod:`common.convex_nn.formulations`)
and dtypes they support; ``solve_convex`` validates the input, refuses unsupported requests
with an error naming the solver, the request and what it supports, runs the solver and
certifies its result the same way for every solver.

Every result carries an optimality certificate that is zero at the optimum: the certified
relative duality gap (squared loss; brief §5.2 C4) or, for other losses, the relative
minimum-norm subgradient (KKT residual) of the gated program / the AL stopping metric.

Measured speeds (2 CPU cores, float64) are in ``benchmarks/reference/`` and the README of
``common/convex_nn``-using papers; regenerate with ``snakemake benchmarks``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from common.checks import check_bool, check_real

from .certificates import constraint_violation, duality_gap
from .formulations import Formulation, as_formulation
from .losses import Loss
from .problem import (
    check_beta,
    check_loss,
    check_patterns,
    check_X,
    check_y,
    convex_objective,
)
from .solvers import ConvexProblem, Fast, Settings, Solution, Solver, get_solver

__all__ = ["ConvexResult", "solve_convex"]


@dataclass(frozen=True, eq=False)
class ConvexResult:
    """Solution of a convex program in paper scaling.

    Attributes
    ----------
    objective : float
        Paper-scaling objective at ``(U, V)`` (float64).
    U, V : arrays ``(P, d)`` (scalar output) or ``(P, d, c)``
        Blocks; ``V`` is zero for the gated program.
    converged : bool
        Whether the solver met its tolerance (``False`` on an iteration limit, with a warning).
    iterations : int
        Total (inner) iterations; interior-point iterations are not reported (``-1``).
    constraint_violation : float
        ``max (-(2D_i - I) X w_i)_+`` (0 for gated).
    certificate : float
        Relative duality gap (squared loss) or relative KKT residual; 0 at the optimum.
    certificate_kind : str
    lower_bound : float
        Certified lower bound on the optimal value (squared loss; ``nan`` otherwise).
    solver, formulation, activation, loss : str / tuple
    beta : float
    wall_time : float
        Seconds, including jit compilation on a cold call.
    patterns : bool array ``(P, n)``
    """

    objective: float
    U: np.ndarray
    V: np.ndarray
    converged: bool
    iterations: int
    constraint_violation: float
    certificate: float
    certificate_kind: str
    lower_bound: float
    solver: str
    formulation: str
    activation: tuple
    loss: str
    beta: float
    wall_time: float
    patterns: np.ndarray = field(repr=False)
    dtype: str = "float64"

    @property
    def n_active(self) -> int:
        """Number of exactly non-zero blocks (the width of :func:`to_network` at ``tol=0``).

        Interior-point (CVXPY) solutions have round-off blocks that are tiny but not zero;
        count those with ``to_network(result, tol=...)`` and a tolerance of your choice.
        """
        nu = np.linalg.norm(self.U, axis=1) > 0
        nv = np.linalg.norm(self.V, axis=1) > 0
        return int(np.sum(nu) + np.sum(nv))


# data whose largest entries lie in this band are solved as given (bit-identical to before);
# outside it X and y are rescaled by powers of two (exact) and the solution mapped back
_SCALE_BAND = (1e-3, 1e3)


def _pow2(v: float) -> float:
    return float(2.0 ** round(np.log2(v))) if v > 0 else 1.0


def _rescaling(X, y, beta, squared: bool) -> tuple[float, float]:
    """Powers of two ``(a, b)`` with ``X = a X'``, ``y = b y'`` (``b = 1`` for logistic loss).

    With ``u = (b / a) u'`` the program in ``(X', y', beta / (a b))`` has objective
    ``F = b^2 F'`` and the same relative certificate (cones are scale invariant). Refuses, naming
    the argument, scales whose objective or blocks float64 cannot represent.
    """
    xmax = float(np.max(np.abs(X)))
    ymax = float(np.max(np.abs(y))) if squared else 1.0
    lo, hi = _SCALE_BAND
    if lo <= xmax <= hi and (ymax == 0 or lo <= ymax <= hi):
        return 1.0, 1.0
    a, b = _pow2(xmax), _pow2(ymax)
    f0 = 0.5 * float(np.sum((y / b) ** 2)) * b * b  # objective at zero, in the user's units
    if squared and ymax > 0 and not 1e-290 <= f0 < np.finfo(float).max / 4:
        raise ValueError(
            f"y has entries of magnitude up to {ymax:.3e}: the objective 0.5*||y||^2 = {f0:.3e} "
            "is not representable in float64 (max|y| must lie in about [1e-145, 1e150]); "
            "rescale y"
        )
    if xmax == 0:
        raise ValueError("X is all zeros: every pattern's block is unidentifiable; check X")
    if not 2.0**-900 <= b / a <= 2.0**900:
        raise ValueError(
            f"X has entries of magnitude up to {xmax:.3e} against max|y| = {ymax:.3e}: the "
            "blocks (of size ~max|y|/max|X|) are not representable in float64; rescale X"
        )
    bs = beta / (a * b)
    if not (np.isfinite(bs) and bs >= np.finfo(float).tiny):
        raise ValueError(
            f"beta={beta:.3e} is out of float64 range relative to the data scale "
            f"(max|X| = {xmax:.3e}, max|y| = {ymax:.3e}): beta / (max|X| max|y|) = {bs:.3e}"
        )
    return a, b


def solve_convex(
    X,
    y,
    patterns,
    beta,
    *,
    formulation: str | Formulation = "relu",
    solver: str | Solver = "fast",
    activation="relu",
    loss: str | Loss = "squared",
    dtype=np.float64,
    tol: float | None = None,
    max_iter: int | None = None,
    constraint_tol: float | None = None,
    solver_opts: dict | None = None,
    verbose: bool = False,
) -> ConvexResult:
    r"""Solve the gated-ReLU or ReLU convex program in paper scaling.

    .. math::
        \min\ \ell\Big(\sum_i M_iX(u_i-v_i),\,y\Big)+\beta\sum_i(\|u_i\|_2+\|v_i\|_2)
        \quad(\text{ReLU: } u_i,v_i\in K_i;\ \text{gated: } v_i=0),

    with :math:`M_i=aD_i+b(I-D_i)` for the activation slopes ``(a, b)``.

    Parameters
    ----------
    X : array (n, d)
    y : array (n,) or (n, c)
        Targets; labels in {-1, +1} for ``loss="logistic"`` (one-vs-all per column).
    patterns : bool array (P, n)
        Activation patterns (rows), e.g. from :func:`common.arrangements.sample_patterns`.
    beta : float > 0
        Weight-decay strength in paper scaling (scnn: ``beta = n * lambda``). ``beta = 0`` is
        refused by every solver (the unregularised program has a void duality-gap certificate
        and, for logistic loss, possibly no minimiser).
    formulation : {"relu", "gated"} or Formulation
    solver : str or Solver
        ``"fast"``, ``"fista"``, ``"working_set"``, ``"al"``, ``"admm"``, ``"cvxpy"``,
        ``"clarabel"``, ``"scs"``, ``"mosek"``, ``"cvxpy:<NAME>"`` (the registry
        :data:`common.convex_nn.solvers.SOLVERS`); a solver asked for a loss, formulation or
        dtype it does not support raises :class:`~common.convex_nn.solvers.UnsupportedProblemError`
        (a ValueError).
    activation : "relu", "abs", "leaky_relu", ("leaky", kappa) or (a, b)
    loss : {"squared", "logistic", "huber"} or Loss
    dtype : numpy float dtype for the fast solvers (CVXPY is always float64).
    tol : float, optional
        Relative certificate tolerance; default 1e-6 (float64), 1e-4 (float32). Every solver,
        CVXPY included, reports ``converged=True`` only if the certificate is ``<= tol`` (and
        its own stopping test passed); otherwise it warns.
    max_iter : int, optional
        Iteration limit: FISTA iterations (default 10000), total inner AL / ADMM iterations
        (20000), working-set rounds (50).
    constraint_tol : float, optional
        AL: tolerated worst per-sample constraint violation, relative to ``max|y|``
        (default ``tol / 10``).
    solver_opts : dict, optional
        Extra options for CVXPY's ``solve`` or the fast solver (e.g. ``{"delta": 1.0}`` for
        ``"al"``, ``{"max_add": 20}`` or ``{"device": "cuda"}`` for ``"working_set"``);
        keys the solver that runs does not take are refused (ValueError listing its options;
        CVXPY's are passed on unchecked).

    Returns
    -------
    ConvexResult
        In the user's units. Data whose largest entries ``max|X|`` or ``max|y|`` (squared loss)
        lie outside [1e-3, 1e3] are solved rescaled by powers of two (``X = a X'``,
        ``y = b y'``, ``beta' = beta / (a b)``, ``U = (b / a) U'``, objective ``b^2 F'``;
        the relative certificate is unchanged); scales float64 cannot represent are refused
        with a ``ValueError`` naming ``X``, ``y`` or ``beta``.
    """
    prob, slv, settings = _validated(
        X, y, patterns, beta, formulation, solver, activation, loss, dtype, tol, max_iter,
        constraint_tol, solver_opts, verbose,
    )  # fmt: skip
    # badly scaled data: solve in units where max|X|, max|y| ~ 1, map back at the end
    scales = _rescaling(prob.X, prob.y, prob.beta, prob.loss.quadratic)
    user_beta = prob.beta
    if scales != (1.0, 1.0):
        prob = _rescaled(prob, *scales)
    t0 = time.perf_counter()
    sol = slv.solve(prob, settings)
    wall = time.perf_counter() - t0
    return _result(prob, sol, settings.tol, scales, user_beta, wall)


def _validated(X, y, patterns, beta, formulation, solver, activation, loss, dtype, tol,
               max_iter, constraint_tol, solver_opts, verbose):  # fmt: skip
    """Checked arguments as ``(ConvexProblem, Solver, Settings)``; ValueError / TypeError
    naming the argument otherwise, :class:`UnsupportedProblemError` for a solver that does
    not take the request."""
    X = check_X(X)
    n = X.shape[0]
    y = check_y(y, n)
    D = check_patterns(patterns, n)
    beta = check_beta(beta)
    if beta == 0:
        raise ValueError(
            "beta must be > 0 for solve_convex, got beta=0.0: without weight decay the program "
            "is unregularised (logistic loss may have no minimiser) and its duality-gap "
            "certificate is void; pass a small positive beta"
        )
    form = as_formulation(formulation, activation)
    loss = check_loss(loss, y)
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    slv = get_solver(solver)
    slv.check(loss, form, str(dt))
    if not isinstance(solver_opts, dict | None):
        raise TypeError(f"solver_opts must be a dict or None, got {type(solver_opts).__name__}")
    known = slv.options(loss, form, str(dt))
    unknown = sorted(set(solver_opts or {}) - known) if known is not None else []
    if unknown:
        runs = ""
        if isinstance(slv, Fast):
            runs = f" (it runs {slv.choose(loss, form, str(dt))[0].name!r} here)"
        raise ValueError(
            f"solver_opts {unknown} are not options of solver={slv.name!r} for this "
            f"program{runs}; its options: {sorted(known)}"
        )
    if tol is None:
        tol = 1e-6 if dt == np.float64 else 1e-4
    if isinstance(tol, bool) or not isinstance(tol, float | int | np.floating | np.integer):
        raise TypeError(f"tol must be a positive number, got {type(tol).__name__}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    if max_iter is not None and (
        isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1
    ):
        raise ValueError(f"max_iter must be a positive int, got {max_iter!r}")
    if constraint_tol is not None:
        constraint_tol = check_real(constraint_tol, "constraint_tol", 0.0, np.inf)
    verbose = check_bool(verbose, "verbose")
    prob = ConvexProblem(X, y, y.reshape(n, -1), D, form.masks(D), form.signs(D), beta, loss,
                         form, str(dt))  # fmt: skip
    return prob, slv, Settings(tol, max_iter, constraint_tol, dict(solver_opts or {}), verbose)


def _rescaled(prob: ConvexProblem, a: float, b: float) -> ConvexProblem:
    """The program in ``X' = X / a``, ``y' = y / b``, ``beta' = beta / (a b)``."""
    X, y = prob.X / a, prob.y / b
    return replace(prob, X=X, y=y, y2=y.reshape(X.shape[0], -1), beta=prob.beta / (a * b))


def _certificate(prob: ConvexProblem, sol: Solution, U, V, obj: float, tol: float):
    """``(relative duality gap, lower bound)`` of a solution, the same for every solver and
    loss (the dual point ``-grad f`` through the loss's conjugate; brief §5, C4)."""
    if sol.lower_bound is not None:  # the solver certified its own bound (working set)
        return abs(obj - sol.lower_bound) / max(abs(obj), 1e-300), sol.lower_bound
    form = prob.formulation
    X, y, D, beta, ab = prob.X, prob.y, prob.D, prob.beta, form.activation
    dg = duality_gap(
        X, y, D, beta, U, V, formulation=form.name, activation=ab, gamma_u=sol.gamma_u,
        gamma_v=sol.gamma_v, loss=prob.loss,
    )  # fmt: skip
    if form.constrained and dg.relative_gap > tol and D.shape[0] * X.shape[0] <= 2_000_000:
        # multiplier bounds can be loose; the exact NNLS value is always tighter
        exact = duality_gap(X, y, D, beta, U, V, formulation=form.name, activation=ab,
                            loss=prob.loss)  # fmt: skip
        dg = exact if exact.lower_bound > dg.lower_bound else dg
    return abs(dg.relative_gap), dg.lower_bound


def _result(prob, sol, tol, scales, user_beta, wall) -> ConvexResult:
    """Certify a solver's solution and map it back to the user's units."""
    U = np.transpose(sol.U3, (1, 2, 0))  # blocks to (P, d) / (P, d, c)
    V = np.transpose(sol.V3, (1, 2, 0))
    if prob.y.ndim == 1:
        U, V = U[..., 0], V[..., 0]
    if not (np.all(np.isfinite(U)) and np.all(np.isfinite(V))):
        raise FloatingPointError(
            f"solve_convex: solver {sol.solver!r} returned non-finite blocks (max|X| = "
            f"{np.max(np.abs(prob.X)):.3e}, max|y| = {np.max(np.abs(prob.y)):.3e}, beta = "
            f"{prob.beta:.3e} in solver units); try solver='cvxpy' or report the data"
        )
    form = prob.formulation
    obj = convex_objective(prob.X, prob.y, prob.D, U, V, prob.beta, activation=form.activation,
                           loss=prob.loss)  # fmt: skip
    viol = constraint_violation(prob.X, prob.D, U, V) if form.constrained else 0.0
    cert, lb = _certificate(prob, sol, U, V, obj, tol)
    kind = "relative_duality_gap"
    converged = sol.converged
    # converged means: the reported certificate meets tol (whatever the solver stopped on)
    if converged and not cert <= tol:
        warnings.warn(
            f"{sol.solver}: the solver reported success but the certificate "
            f"({kind}) is {cert:.3e} > tol={tol:.1e}; converged=False",
            RuntimeWarning,
            stacklevel=3,
        )
        converged = False
    a, b = scales
    if (a, b) != (1.0, 1.0):  # back to the user's units: u = (b/a) u', F = b^2 F', A u = b A' u'
        U, V = U * (b / a), V * (b / a)
        obj, lb, viol = obj * b**2, lb * b**2, viol * b
    return ConvexResult(
        objective=obj,
        U=U,
        V=V,
        converged=bool(converged),
        iterations=int(sol.iterations),
        constraint_violation=float(viol),
        certificate=float(cert),
        certificate_kind=kind,
        lower_bound=float(lb),
        solver=sol.solver,
        formulation=form.name,
        activation=tuple(form.activation),
        loss=str(prob.loss),
        beta=user_beta,
        wall_time=wall,
        patterns=prob.D,
        dtype=sol.dtype,
    )

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

Every result carries an optimality certificate that is zero at the optimum: the certified
relative duality gap (squared loss; brief §5.2 C4) or, for other losses, the relative
minimum-norm subgradient (KKT residual) of the gated program / the AL stopping metric.

Measured speeds (2 CPU cores, float64) are in ``benchmarks/reference/`` and the README of
``common/convex_nn``-using papers; regenerate with ``snakemake benchmarks``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import fast
from .certificates import constraint_violation, duality_gap
from .problem import (
    activation_coefficients,
    check_beta,
    check_loss,
    check_patterns,
    check_X,
    check_y,
    convex_objective,
    masks,
)
from .working_set import working_set

__all__ = ["ConvexResult", "solve_convex"]

_FAST = {"fast", "fista", "al", "admm", "working_set"}
_CVX = {"cvxpy": "CLARABEL", "clarabel": "CLARABEL", "scs": "SCS", "mosek": "MOSEK"}


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


def _resolve_solver(solver: str, formulation: str, squared: bool) -> tuple[str, str | None]:
    if not isinstance(solver, str):
        raise TypeError(f"solver must be a string, got {type(solver).__name__}")
    s = solver.lower()
    if s in _FAST:
        if s == "fast":
            s = "fista" if formulation == "gated" else ("working_set" if squared else "al")
        if s == "fista" and formulation == "relu":
            raise ValueError("solver='fista' solves the gated program; use 'al' for relu")
        if s in ("al", "admm", "working_set") and formulation == "gated":
            raise ValueError(f"solver={s!r} solves the relu program; use 'fista' for gated")
        if s in ("admm", "working_set") and not squared:
            raise ValueError(f"solver={s!r} supports loss='squared' only; use 'al'")
        return s, None
    if s in _CVX:
        return "cvxpy", _CVX[s]
    if s.startswith("cvxpy:"):
        return "cvxpy", solver.split(":", 1)[1].upper()
    raise ValueError(
        f"solver must be 'fast', 'fista', 'al', 'admm', 'working_set', 'cvxpy', 'clarabel', "
        f"'scs', 'mosek' or "
        f"'cvxpy:<NAME>', got {solver!r}"
    )


def _gated_kkt_residual(X, y2, M, W, beta):
    """Relative min-norm subgradient of the logistic gated program at ``W (c, P, d)``."""
    Z = np.einsum("nd,cpd->ncp", X, W)
    pred = np.einsum("ncp,np->nc", Z, M)
    dpred = -y2 / (1.0 + np.exp(y2 * pred))  # d/dpred log(1 + exp(-y pred))
    g = np.einsum("nc,np,nd->cpd", dpred, M, X)
    g0 = np.einsum("nc,np,nd->cpd", -0.5 * y2, M, X)
    nw = np.linalg.norm(W, axis=-1)
    ng = np.linalg.norm(g, axis=-1)
    act = np.linalg.norm(g + beta * W / np.maximum(nw, 1e-300)[..., None], axis=-1)
    inact = np.maximum(ng - beta, 0.0)
    scale = max(beta, float(np.linalg.norm(g0, axis=-1).max()), 1e-300)
    active = nw > 1e-8 * max(float(nw.max()), 1e-300)  # interior-point zeros are ~1e-10
    return float(np.max(np.where(active, act, inact)) / scale)


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


def _relu_kkt_residual(X, y2, M, W, gamma, beta):
    """Relative min-norm subgradient of the Lagrangian of the logistic ReLU program at stacked
    blocks ``W (c, 2P, d)`` with cone multipliers ``gamma (c, n, 2P)`` (``M`` the ``(n, 2P)``
    signed masks ``[M, -M]``, ``S`` folded into ``gamma``' columns by the caller)."""
    Z = np.einsum("nd,cpd->ncp", X, W)
    pred = np.einsum("ncp,np->nc", Z, M)
    dpred = -y2 / (1.0 + np.exp(y2 * pred))
    g = np.einsum("nc,np,nd->cpd", dpred, M, X) - np.einsum("cnp,nd->cpd", gamma, X)
    g0 = np.einsum("nc,np,nd->cpd", -0.5 * y2, M, X)
    nw = np.linalg.norm(W, axis=-1)
    ng = np.linalg.norm(g, axis=-1)
    act = np.linalg.norm(g + beta * W / np.maximum(nw, 1e-300)[..., None], axis=-1)
    inact = np.maximum(ng - beta, 0.0)
    scale = max(beta, float(np.linalg.norm(g0, axis=-1).max()), 1e-300)
    active = nw > 1e-8 * max(float(nw.max()), 1e-300)
    return float(np.max(np.where(active, act, inact)) / scale)


def _exact_certifier(X, y, D, beta, ab, P):
    """Exact relative gap of the ReLU program at stacked blocks ``W (c, 2P, d)``."""

    def certify(W):
        U = np.transpose(W[:, :P], (1, 2, 0))
        V = np.transpose(W[:, P:], (1, 2, 0))
        if y.ndim == 1:
            U, V = U[..., 0], V[..., 0]
        return abs(duality_gap(X, y, D, beta, U, V, formulation="relu", activation=ab).relative_gap)

    return certify


def solve_convex(
    X,
    y,
    patterns,
    beta,
    *,
    formulation: str = "relu",
    solver: str = "fast",
    activation="relu",
    loss: str = "squared",
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
    formulation : {"relu", "gated"}
    solver : str
        ``"fast"``, ``"fista"``, ``"working_set"``, ``"al"``, ``"admm"``, ``"cvxpy"``,
        ``"clarabel"``, ``"scs"``, ``"mosek"``, ``"cvxpy:<NAME>"``.
    activation : "relu", "abs", "leaky_relu", ("leaky", kappa) or (a, b)
    loss : {"squared", "logistic"}
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
        ``"al"``, ``{"max_add": 20}`` for ``"working_set"``).

    Returns
    -------
    ConvexResult
        In the user's units. Data whose largest entries ``max|X|`` or ``max|y|`` (squared loss)
        lie outside [1e-3, 1e3] are solved rescaled by powers of two (``X = a X'``,
        ``y = b y'``, ``beta' = beta / (a b)``, ``U = (b / a) U'``, objective ``b^2 F'``;
        the relative certificate is unchanged); scales float64 cannot represent are refused
        with a ``ValueError`` naming ``X``, ``y`` or ``beta``.
    """
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
    if formulation not in ("relu", "gated"):
        raise ValueError(f"formulation must be 'relu' or 'gated', got {formulation!r}")
    loss = check_loss(loss, y)
    ab = activation_coefficients(activation)
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    kind, cvx_name = _resolve_solver(solver, formulation, loss == "squared")
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
    # badly scaled data: solve in units where max|X|, max|y| ~ 1, map back at the end
    a_sc, b_sc = _rescaling(X, y, beta, loss == "squared")
    rescaled = (a_sc, b_sc) != (1.0, 1.0)
    beta_user = beta
    if rescaled:
        X, y, beta = X / a_sc, y / b_sc, beta / (a_sc * b_sc)
    P = D.shape[0]
    M = masks(D, ab)  # (n, P)
    S = 2.0 * D.T.astype(np.float64) - 1.0  # (n, P)
    y2 = y.reshape(n, -1)
    relu = formulation == "relu"
    opts = dict(solver_opts or {})
    gamma_u = gamma_v = None
    t0 = time.perf_counter()
    ws, W0 = None, None
    if kind == "working_set":
        ws = working_set(
            X, y2, M, S, beta, tol=tol, constraint_tol=constraint_tol,
            max_rounds=max_iter or 50, verbose=verbose, **opts,
        )  # fmt: skip
        if ws.too_large and solver.lower() == "fast":
            # high-dimensional data: dense restricted solves would cost O((B d)^3); continue
            # matrix-free with the augmented Lagrangian from the working-set iterate
            kind, opts, W0 = "al", {}, ws.W
    if kind == "cvxpy":
        from .reference import solve_cvxpy

        U3, V3, gamma_u, gamma_v, ok, statuses = solve_cvxpy(
            X, y2, M, S, beta, relu=relu, loss=loss, solver=cvx_name, solver_opts=opts,
            verbose=verbose,
        )  # fmt: skip
        converged, iters, solver_name = ok, -1, f"cvxpy:{cvx_name}"
        if not ok:
            warnings.warn(f"CVXPY/{cvx_name} status {statuses}", RuntimeWarning, stacklevel=2)
        metric = np.nan
        if relu and loss != "squared":
            Sb = np.concatenate([S, S], axis=1)
            G = np.concatenate([gamma_u, gamma_v], axis=2) * Sb[None]  # (c, n, 2P)
            metric = _relu_kkt_residual(
                X, y2, np.concatenate([M, -M], axis=1), np.concatenate([U3, V3], axis=1), G, beta
            )
    elif kind == "fista":
        res = fast.fista(
            X, y2, M, beta, loss=loss, tol=tol, max_iter=max_iter or 10_000, dtype=dt, **opts
        )
        U3, V3 = res.W, np.zeros_like(res.W)
        converged, iters, metric, solver_name = res.converged, res.iterations, res.metric, "fista"
    elif kind == "working_set":
        if not ws.converged:
            why = ws.status
            warnings.warn(
                f"working_set: stopped ({why}) without a certified gap <= tol={tol:.1e}",
                RuntimeWarning, stacklevel=2,
            )  # fmt: skip
        U3, V3 = ws.W[:, :P], ws.W[:, P:]
        converged, iters, solver_name = ws.converged, ws.iterations, kind
    else:
        Mb = np.concatenate([M, -M], axis=1)
        Sb = np.concatenate([S, S], axis=1)
        if kind == "admm":
            res = fast.admm(
                X, y2, Mb, Sb, beta, tol=tol, constraint_tol=constraint_tol,
                max_iter=max_iter or 20_000, dtype=dt, **opts,
            )  # fmt: skip
        else:
            if loss == "squared" and beta > 0:
                opts.setdefault("certify", _exact_certifier(X, y, D, beta, ab, P))
            res = fast.augmented_lagrangian(
                X, y2, Mb, Sb, beta, loss=loss, tol=tol, constraint_tol=constraint_tol,
                max_iter=max_iter or 20_000, dtype=dt, W0=W0, **opts,
            )  # fmt: skip
        U3, V3 = res.W[:, :P], res.W[:, P:]
        gamma_u, gamma_v = res.gamma[:, :, :P], res.gamma[:, :, P:]
        gamma_u = np.transpose(gamma_u, (1, 0, 2))  # (c, n, P)
        gamma_v = np.transpose(gamma_v, (1, 0, 2))
        converged, iters, metric, solver_name = res.converged, res.iterations, res.metric, kind
    wall = time.perf_counter() - t0
    # blocks to (P, d) / (P, d, c)
    U = np.transpose(U3, (1, 2, 0))
    V = np.transpose(V3, (1, 2, 0))
    if y.ndim == 1:
        U, V = U[..., 0], V[..., 0]
    if not (np.all(np.isfinite(U)) and np.all(np.isfinite(V))):
        raise FloatingPointError(
            f"solve_convex: solver {solver_name!r} returned non-finite blocks (max|X| = "
            f"{np.max(np.abs(X)):.3e}, max|y| = {np.max(np.abs(y)):.3e}, beta = {beta:.3e} in "
            "solver units); try solver='cvxpy' or report the data"
        )
    obj = convex_objective(X, y, D, U, V, beta, activation=ab, loss=loss)
    viol = constraint_violation(X, D, U, V) if relu else 0.0
    if kind == "working_set":
        cert = abs(obj - ws.lower_bound) / max(abs(obj), 1e-300)
        kind_c, lb = "relative_duality_gap", ws.lower_bound
    elif loss == "squared":
        dg = duality_gap(
            X, y, D, beta, U, V, formulation=formulation, activation=ab,
            gamma_u=gamma_u, gamma_v=gamma_v,
        )  # fmt: skip
        if relu and dg.relative_gap > tol and D.shape[0] * n <= 2_000_000:
            # multiplier bounds can be loose; the exact NNLS value is always tighter
            exact = duality_gap(X, y, D, beta, U, V, formulation=formulation, activation=ab)
            dg = exact if exact.lower_bound > dg.lower_bound else dg
        cert, kind_c, lb = abs(dg.relative_gap), "relative_duality_gap", dg.lower_bound
    else:
        if formulation == "gated" and not np.isfinite(metric):
            metric = _gated_kkt_residual(X, y2, M, U3[:, :, :], beta)
        cert, kind_c, lb = float(metric), "relative_kkt_residual", np.nan
    # converged means: the reported certificate meets tol (whatever the solver stopped on)
    if converged and not cert <= tol:
        warnings.warn(
            f"{solver_name}: the solver reported success but the certificate "
            f"({kind_c}) is {cert:.3e} > tol={tol:.1e}; converged=False",
            RuntimeWarning,
            stacklevel=2,
        )
        converged = False
    if rescaled:  # back to the user's units: u = (b/a) u', F = b^2 F', A u = b A' u'
        U, V = U * (b_sc / a_sc), V * (b_sc / a_sc)
        obj, lb, viol = obj * b_sc**2, lb * b_sc**2, viol * b_sc
        beta = beta_user
    return ConvexResult(
        objective=obj,
        U=U,
        V=V,
        converged=bool(converged),
        iterations=int(iters),
        constraint_violation=float(viol),
        certificate=float(cert),
        certificate_kind=kind_c,
        lower_bound=float(lb),
        solver=solver_name,
        formulation=formulation,
        activation=tuple(ab),
        loss=loss,
        beta=beta,
        wall_time=wall,
        patterns=D,
        dtype=str(dt) if kind not in ("cvxpy", "working_set") else "float64",
    )

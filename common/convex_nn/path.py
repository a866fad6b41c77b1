r"""``solve_path``: the convex programs along a regularization path, warm-started and screened.

For decreasing :math:`\beta_1>\beta_2>\dots` each program is solved on the patterns that
survive a **sequential gap-safe screening** rule (squared loss), the ReLU program starting
from the previous solution (the working set from its non-zero blocks and their boundary
rows; the gated program is solved cold, which measured faster: :func:`_warm_start`), and
every result is certified on the *full* program.

Why the rule is safe for both programs. The dual of either program (squared loss) is
:math:`\max_v\ v^\top y-\tfrac12\|v\|^2` subject to :math:`t_{i\sigma}(v)\le\beta` for each
signed block, with :math:`t_{i\sigma}(v)=\|X^\top M_iv\|` (gated) or
:math:`\|\Pi_{K_i}(\sigma X^\top M_iv)\|` (ReLU: the projection onto the block's cone
:math:`K_i`). The dual objective is 1-strongly concave, so any dual-feasible :math:`v` with
duality gap :math:`G` lies within :math:`\rho=\sqrt{2G}` of the (unique) dual optimum
:math:`v^\star`. A projection onto a convex cone is 1-Lipschitz, hence in both programs
:math:`t_{i\sigma}(v^\star)\le\|X^\top M_iv\|+\|M_iX\|_2\,\rho`; where this is
:math:`<\beta`, the block is zero in *every* optimal solution (a non-zero block needs
:math:`t_{i\sigma}(v^\star)=\beta`). At :math:`\beta_k` the dual point is the previous residual
scaled to feasibility, :math:`v=\min(1,\beta_k/\max_i\|X^\top M_ir\|)\,r`, and :math:`G` is the
gap of the previous solution on the new program. A pattern is dropped when all its blocks
(both signs, every output) pass the test. The certificate on the full program double-checks
it: a screened solve whose full certificate misses ``tol`` is redone on all patterns.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np

from common.checks import check_bool

from .certificates import duality_gap
from .formulations import as_formulation
from .losses import Loss
from .pricing import PricingCache, price_blocks
from .problem import check_patterns, check_X, check_y, convex_objective
from .solve import ConvexResult, solve_convex

__all__ = ["PathResult", "solve_path"]


class PathResult(list):
    """The :class:`ConvexResult` of each ``beta``, in the order the betas were given (a
    ``list``), with ``betas``, ``screened`` (bool ``(len(betas), P)``: the patterns the
    gap-safe rule removed at each beta; all False where the solve was redone on every
    pattern, or where the rule removed them all: zero is then optimal) and ``wall_time``
    (seconds for the whole path)."""

    def __init__(self, results, betas, screened, wall_time):
        super().__init__(results)
        self.betas = np.asarray(betas, dtype=float)
        self.screened = np.asarray(screened, dtype=bool)
        self.wall_time = float(wall_time)


def _check_betas(betas) -> np.ndarray:
    try:
        b = np.asarray(betas, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"betas must be a 1-D sequence of positive numbers, got {betas!r}"
        ) from exc
    if b.ndim != 1 or b.size == 0:
        raise ValueError(
            f"betas must be a non-empty 1-D sequence of positive numbers, got {betas!r}"
        )
    if not np.all(np.isfinite(b)) or np.any(b <= 0):
        raise ValueError(f"betas must be positive and finite (beta=0 has no certificate), got {b}")
    return b


def _dual_bounds(X, r, M, S, beta, op_norms, constrained, rho_of):
    """Per-block upper bounds ``(2P,)`` on the dual-constraint values at ``r`` (exact where
    they decide the rule; u then v blocks) and the feasibility scaling ``s`` of ``r``."""
    if not constrained:
        t = np.linalg.norm((M * r[:, None]).T @ X, axis=1)
        return np.concatenate([t, t]), min(1.0, beta / max(float(t.max()), 1e-300))
    cache = PricingCache()
    t_max = price_blocks(X, r, M, S, beta, cache=cache).t_max  # the exact maximum
    s = min(1.0, beta / max(t_max, 1e-300))
    # exact values wherever the bound alone cannot screen the block
    level = max((beta - float(op_norms.max()) * rho_of(s)) / s, 0.0)
    return price_blocks(X, r, M, S, beta, screen=level, cache=cache).values, s


def _screen(X, Y, M, S, prev: ConvexResult, beta, op_norms, constrained) -> np.ndarray:
    """Boolean ``(P,)``: patterns whose blocks are all zero at the optimum for ``beta``
    (the gap-safe rule of the module docstring, from the solution ``prev`` at a larger beta)."""
    P, d = prev.U.shape[:2]
    U, V = prev.U.reshape(P, d, -1), prev.V.reshape(P, d, -1)
    R = Y - np.einsum("np,nd,pdc->nc", M, X, U - V)
    pen = beta * float(np.sum(np.linalg.norm(U, axis=1)) + np.sum(np.linalg.norm(V, axis=1)))
    primal = 0.5 * float(np.sum(R * R)) + pen
    drop = np.ones(P, dtype=bool)
    # outputs decouple: the dual point scales each residual column to feasibility
    scaled = [
        _dual_bounds(X, R[:, k], M, S, beta, op_norms, constrained,
                     lambda s, k=k: _radius(R, Y, primal, k, s))
        for k in range(R.shape[1])
    ]  # fmt: skip
    svec = np.array([s for _, s in scaled])
    dual = float(np.sum(svec * np.sum(R * Y, axis=0) - 0.5 * svec**2 * np.sum(R * R, axis=0)))
    rho = np.sqrt(2.0 * max(primal - dual, 0.0))
    for t, s in scaled:
        drop &= np.all((s * t + np.tile(op_norms, 2) * rho < beta).reshape(2, P), axis=0)
    return drop


def _radius(R, Y, primal, k, s):
    """Gap-safe radius if output ``k`` is scaled by ``s`` and the others are left as they are
    (a lower bound on each other output's contribution: only used to pick exact values)."""
    rk, yk = R[:, k], Y[:, k]
    return np.sqrt(2.0 * max(primal - (s * rk @ yk - 0.5 * s * s * rk @ rk), 0.0))


def _embed(res: ConvexResult, keep, P):
    """Blocks of a solve on the patterns ``keep`` as ``(P, ...)`` arrays."""
    U = np.zeros((P, *res.U.shape[1:]))
    V = np.zeros_like(U)
    U[keep], V[keep] = res.U, res.V
    return U, V


def _warm_start(prev: ConvexResult | None, keep, constrained: bool):
    """Solver options starting from ``prev``'s blocks on the kept patterns (ReLU only).

    The gated program is solved cold: from the previous solution R-FISTA stops at once (its
    gap is already below Newton's 1e-2 threshold) and Newton, started on the previous active
    set, needs more rounds of violator re-entry than from a cold 1e-2 R-FISTA iterate. At
    (500, 20, 100), the six smallest betas of the benchmark path: 9.3 s warm against 6.6 s
    cold (one process, loaded machine).
    """
    if prev is None or not constrained:
        return {}
    U, V = prev.U[keep], prev.V[keep]
    U3 = np.moveaxis(U.reshape(U.shape[0], U.shape[1], -1), 2, 0)  # (c, P', d)
    V3 = np.moveaxis(V.reshape(V.shape[0], V.shape[1], -1), 2, 0)
    return {"W0": np.concatenate([U3, V3], axis=1) if constrained else U3}


def solve_path(
    X,
    y,
    patterns,
    betas,
    *,
    formulation="relu",
    loss: str | Loss = "squared",
    activation="relu",
    solver="fast",
    dtype=np.float64,
    tol: float | None = None,
    max_iter: int | None = None,
    screening: bool = True,
    solver_opts: dict | None = None,
    verbose: bool = False,
) -> PathResult:
    """Solve the program of :func:`solve_convex` at every ``beta`` of ``betas``.

    The betas are solved in decreasing order (any order may be given: they are sorted and the
    results returned in the order given), each warm-started from the previous solution and,
    with ``screening=True`` (ReLU program, squared loss, ``solver="fast"``; the gated program
    is not screened: new pattern counts recompile its JAX kernels), restricted to the patterns the
    sequential gap-safe rule keeps (see the module docstring). Each result is a certified
    :class:`ConvexResult` of the *full* program at its beta (``patterns`` all ``P`` rows, its
    ``certificate`` the full program's relative duality gap). Other arguments as
    :func:`solve_convex`; solvers other than ``"fast"`` run cold (no warm start) at each beta.
    ``solver_opts`` go to every solve (e.g. ``{"device": "cuda"}`` for the ReLU working set's
    interior point), beside the warm start.
    """
    X = check_X(X)
    y = check_y(y, X.shape[0])
    D = check_patterns(patterns, X.shape[0])
    b = _check_betas(betas)
    form = as_formulation(formulation, activation)
    screening = check_bool(screening, "screening")
    if not isinstance(solver_opts, dict | None):
        raise TypeError(f"solver_opts must be a dict or None, got {type(solver_opts).__name__}")
    warm = solver == "fast"
    # gated: no screening, a smaller pattern set recompiles the JAX kernels (quick benchmark:
    # 20-point path 17.6 s against 0.06 s for the hardest single solve)
    screen = screening and warm and str(loss) == "squared" and form.constrained
    M, S = form.masks(D), form.signs(D)
    Y = y.reshape(X.shape[0], -1)
    # ||M_i X||_2, the Lipschitz constant of each block's dual-constraint value
    op_norms = np.array([np.linalg.norm(M[:, i : i + 1] * X, 2) for i in range(D.shape[0])])
    kw = dict(formulation=form, loss=loss, solver=solver, dtype=dtype, tol=tol,
              max_iter=max_iter, verbose=verbose, solver_opts=dict(solver_opts or {}))  # fmt: skip
    order = np.argsort(-b, kind="stable")
    out: list = [None] * b.size
    screened = np.zeros((b.size, D.shape[0]), dtype=bool)
    prev = None
    t0 = time.perf_counter()
    for j in order:
        beta = float(b[j])
        drop = (
            _screen(X, Y, M, S, prev, beta, op_norms, form.constrained)
            if screen and prev is not None
            else None
        )
        # every pattern screened: zero is optimal, and the solve on all of them (from zero)
        # certifies it in its first round; no empty program is built
        keep = np.ones(D.shape[0], bool) if drop is None or drop.all() else ~drop
        res = _solve_kept(X, y, D, beta, keep, prev, form, kw)
        if drop is not None and drop.any() and not res.converged:
            keep = np.ones(D.shape[0], bool)  # the certificate refused the screened solve
            res = _solve_kept(X, y, D, beta, keep, prev, form, kw)
        screened[j] = ~keep
        out[j] = prev = res
    return PathResult(out, b, screened, time.perf_counter() - t0)


def _solve_kept(X, y, D, beta, keep, prev, form, kw) -> ConvexResult:
    """One program on the patterns ``keep``, warm-started from ``prev``, certified on all."""
    kw = dict(kw)
    if kw["solver"] == "fast":
        kw["solver_opts"] = {**kw["solver_opts"], **_warm_start(prev, keep, form.constrained)}
    if keep.all():
        return solve_convex(X, y, D, beta, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # judged on the full program below
        res = solve_convex(X, y, D[keep], beta, **kw)
    U, V = _embed(res, keep, D.shape[0])
    dg = duality_gap(X, y, D, beta, U, V, formulation=form.name, activation=form.activation,
                     loss=res.loss)  # fmt: skip
    obj = convex_objective(X, y, D, U, V, beta, activation=form.activation, loss=res.loss)
    cert = abs(obj - dg.lower_bound) / max(abs(obj), 1e-300)
    tol = kw["tol"]
    if tol is None:
        tol = 1e-6 if np.dtype(kw["dtype"]) == np.float64 else 1e-4
    ok = bool(res.converged and cert <= tol)
    return replace(res, U=U, V=V, objective=obj, patterns=D, certificate=float(cert),
                   lower_bound=float(dg.lower_bound), converged=ok)  # fmt: skip

r"""Working-set method for the ReLU program (squared loss): exact, certified, and fast.

The optimum of the cone-constrained group Lasso uses few blocks (tens out of hundreds), and
each active block touches few of its ``n`` cone constraints (at most ``d - 1`` on a face).
So the program is solved on a *working set* of blocks and constraint rows, grown until the full
program's optimality certificate closes:

1. **Pricing** (column generation). At the residual :math:`r`, block :math:`(i,\sigma)` is
   priced by its exact dual-constraint value :math:`t_{i\sigma}=\|\Pi_{K_i}(\sigma X^\top M_ir)\|`
   (C2, Lawson--Hanson NNLS; :func:`common.convex_nn.pricing.price_blocks`, shared with
   :func:`common.convex_nn.column_generation`). Upper bounds (the gated value
   :math:`\|X^\top M_ir\|\ge t_{i\sigma}`, or the value at the block's cached multipliers)
   order the candidates, so exact values are computed only until the maximum is known or
   ``max_add`` violators are found; each NNLS is warm-started at the block's cached
   multipliers.
2. **Restricted solve.** The program on the working blocks and rows (an SOCP with a dense
   ``(Bd)^2`` quadratic) is solved by our interior point for exactly this structure
   (:mod:`common.convex_nn.interior_point`), or by CLARABEL's native API if that fails; new
   blocks enter with the ``3d`` rows closest to their cone boundary at their NNLS projection.
3. **Row generation / pruning.** Cone rows violated by the restricted solution are added (the
   ``4d`` worst per block and round); blocks at zero are dropped.
4. **Certificate.** :math:`v=\min(1,\beta/\max t)\,r` is dual feasible for the *full* program,
   so :math:`d(v)\le p^\star`; the method stops when the relative gap is ``<= tol`` and every
   one of the ``n`` rows of every block holds to ``constraint_tol * max|y|``.

Vector outputs decouple (brief §1.4) and are solved column by column. Cost per round:
pricing :math:`O(\#\text{priced}\cdot\text{NNLS}(n,d))` plus one interior-point solve in
:math:`O(k(Bd)^3)`, with ``B`` the working blocks (not ``P``); once the working set is wide
(``2n <= Bd``, small beta) the restricted quadratic is passed as its factor
``K = [sigma_b M_i X]`` and each interior-point iteration costs :math:`O(n^2Bd)` (Woodbury,
:func:`common.convex_nn.interior_point.woodbury_pays`). Measured on 2 cores
(``benchmarks/convex_solvers.py``): n=500, d=20, P=100 in 0.65-1.0 s (CLARABEL on the full
program through CVXPY: 25-33 s).
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from common.checks import check_int, check_real

from .certificates import certified_lower_bound
from .interior_point import check_device, cone_group_lasso, woodbury_pays
from .newton import block_gram
from .pricing import PricingCache, price_blocks
from .problem import check_array

__all__ = ["WorkingSetResult", "working_set"]


class WorkingSetResult(NamedTuple):
    W: np.ndarray  # (c, 2P, d): u-blocks then v-blocks
    converged: bool
    iterations: int  # interior-point iterations, all rounds and outputs
    rounds: int
    lower_bound: float  # certified, sum over outputs
    constraint_violation: float
    too_large: bool  # stopped because the restricted program exceeded max_vars variables
    status: str = "certified"  # why it stopped, in words (for the caller's warning)


class _Restricted(NamedTuple):
    """Restricted program ``min 0.5 w^T H w - c^T w + beta sum_b ||w_b||`` s.t. ``Glin[r] .
    w_{bid[r]} >= 0``, over the working blocks ``w_b`` (``H = K^T K``, ``c = K^T y``)."""

    H: np.ndarray | None  # (B d, B d), or None when given by its factor K
    c: np.ndarray  # (B d,)
    Glin: np.ndarray  # (nl, d): rows g_r, constraint g_r . w_{bid[r]} >= 0
    bid: np.ndarray  # (nl,) sorted
    K: np.ndarray | None = None  # (n, B d) with H = K^T K, when n < B d


def _restricted_data(X, y, M, S, blocks, rows) -> _Restricted:
    pats = np.array([i for i, _ in blocks])
    sgs = np.array([sg for _, sg in blocks])
    Glin = np.concatenate([S[R, i : i + 1] * X[R] for (i, _), R in zip(blocks, rows, strict=True)])
    bid = np.repeat(np.arange(len(blocks)), [R.size for R in rows])
    n, d = X.shape
    if woodbury_pays(n, len(blocks) * d):  # K = [sigma_b M_i X] is wide: Woodbury solves
        K = ((sgs * M[:, pats])[:, :, None] * X[:, None, :]).reshape(n, -1)
        return _Restricted(None, K.T @ y, Glin, bid, K)
    H, c = block_gram(X, sgs * M[:, pats], y)
    return _Restricted(H, c, Glin, bid)


def _restricted_clarabel(pr: _Restricted, beta, tol):
    """Restricted program by CLARABEL's native API (the robust fallback): variables
    ``(w, t)``, cone rows then one second-order cone ``(t_b, w_b)`` per block."""
    import clarabel
    import scipy.sparse as sp

    nl, d = pr.Glin.shape
    B = pr.c.shape[0] // d
    nv = B * d + B
    Hu = np.triu(pr.H if pr.K is None else pr.K.T @ pr.K)
    hi, hj = np.nonzero(Hu)
    Pm = sp.csc_matrix((Hu[hi, hj], (hi, hj)), shape=(nv, nv))
    q = np.concatenate([-pr.c, np.full(B, beta)])
    wi = np.arange(B * d).reshape(B, d)
    soc0 = nl + np.arange(B) * (d + 1)
    rows = np.concatenate(
        [np.repeat(np.arange(nl), d), soc0, (soc0[:, None] + 1 + np.arange(d)).ravel()]
    )
    cols = np.concatenate([wi[pr.bid].ravel(), B * d + np.arange(B), wi.ravel()])
    vals = np.concatenate([-pr.Glin.ravel(), -np.ones(B), -np.ones(B * d)])
    m = nl + B * (d + 1)
    A = sp.csc_matrix((vals, (rows, cols)), (m, nv))
    cones = ([clarabel.NonnegativeConeT(nl)] if nl else []) + [clarabel.SecondOrderConeT(d + 1)] * B
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = tol
    sol = clarabel.DefaultSolver(Pm, q, A, np.zeros(m), cones, st).solve()
    ok = str(sol.status) in ("Solved", "AlmostSolved")
    W = np.asarray(sol.x)[: B * d].reshape(B, d) if ok else np.zeros((B, d))
    return W, int(sol.iterations), ok


def _restricted(X, y, M, S, blocks, rows, beta, tol, device=None):
    """Our interior point (:mod:`.interior_point`), CLARABEL if it fails: ``(W, it, ok)``."""
    pr = _restricted_data(X, y, M, S, blocks, rows)
    res = cone_group_lasso(pr.H, pr.c, beta, pr.Glin, pr.bid, len(blocks), K=pr.K,
                           offset=0.5 * (y @ y), tol=tol, feastol=max(tol, 1e-8),
                           device=device)  # fmt: skip
    if res.converged:
        return res.w, res.iterations, True
    W, it, ok = _restricted_clarabel(pr, beta, tol)
    return W, res.iterations + it, ok


def _initial_set(X, S, W0, n_rows, xnorm):
    """Working blocks and rows from a warm start ``W0 (2P, d)`` (u then v blocks): its non-zero
    blocks, each with the ``n_rows`` cone rows closest to their boundary at ``W0``."""
    P = S.shape[1]
    blocks, rows = [], []
    for k in np.flatnonzero(np.linalg.norm(W0, axis=1) > 0):
        i, sg = (k, 1.0) if k < P else (k - P, -1.0)
        z = S[:, i] * (X @ W0[k]) / xnorm
        blocks.append((int(i), sg))
        rows.append(np.sort(np.argsort(z, kind="stable")[: min(X.shape[0], n_rows)]))
    return blocks, rows, W0[np.linalg.norm(W0, axis=1) > 0]


def _dense_size(n, nvars):
    """Order of the dense system an interior-point iteration factors: ``n`` (Woodbury) or
    ``nvars``."""
    return n if woodbury_pays(n, nvars) else nvars


def _solve_column(X, y, M, S, beta, tol, ctol_abs, max_rounds, max_add, ipm_tol, max_vars,
                  verbose, W0=None, device=None):  # fmt: skip
    n, d = X.shape
    P = M.shape[1]
    xnorm = np.maximum(np.linalg.norm(X, axis=1), 1e-300)
    n_init_rows = 3 * d
    blocks: list[tuple[int, float]] = []
    rows: list[np.ndarray] = []
    W = np.zeros((0, d))
    if W0 is not None:
        blocks, rows, W = _initial_set(X, S, W0, n_init_rows, xnorm)
    r = y - sum((sg * M[:, i] * (X @ W[b]) for b, (i, sg) in enumerate(blocks)), np.zeros(n))
    its, lower, converged, viol, too_large = 0, 0.0, False, 0.0, False
    status = f"max_iter={max_rounds} rounds"
    cache = PricingCache()
    for rnd in range(1, max_rounds + 1):
        t0 = time.perf_counter()
        present = np.zeros(2 * P, dtype=bool)
        present[[i if sg > 0 else P + i for i, sg in blocks]] = True
        pr = price_blocks(X, r, M, S, beta, rtol=0.1 * tol, max_add=max_add, cache=cache,
                          present=present)  # fmt: skip
        # pricing may stop early once max_add violators are found; the largest of its values
        # (exact where computed, upper bounds elsewhere) bounds the true maximum, so the lower
        # bound stays certified (it equals the exact maximum when pricing ran to the end)
        t_max, cands = float(pr.values.max(initial=0.0)), pr.candidates
        primal = 0.5 * float(r @ r) + beta * float(np.sum(np.linalg.norm(W, axis=1)))
        lower = certified_lower_bound(r, y, t_max, beta)
        gap = (primal - lower) / max(abs(primal), 1e-300)
        # cone rows of the working blocks, on all n samples
        add_rows, viol = 0, 0.0
        for b, (i, _) in enumerate(blocks):
            z = S[:, i] * (X @ W[b])
            viol = max(viol, float(-z.min()))
            bad = np.setdiff1d(np.flatnonzero(z < -ctol_abs), rows[b])
            if bad.size:
                rows[b] = np.union1d(rows[b], bad[np.argsort(z[bad])][: 4 * d])
                add_rows += bad.size
        if verbose:
            print(f"working set round {rnd}: blocks {len(blocks)}, gap {gap:.2e}, "
                  f"violation {viol:.1e}, rows added {add_rows}, violators {len(cands)}, pricing "
                  f"{time.perf_counter() - t0:.2f}s")  # fmt: skip
        if gap <= tol and add_rows == 0 and rnd > 1:
            converged = True
            break
        if rnd == max_rounds:
            break
        for _, i, sg, p in cands:  # none of them in the working set (``present``)
            # rows closest to the boundary at the block's NNLS projection (active ones first)
            z = S[:, i] * (X @ p) / xnorm
            blocks.append((i, sg))
            rows.append(np.sort(np.argsort(z, kind="stable")[: min(n, n_init_rows)]))
        if not blocks:
            converged = True  # zero is optimal (every t <= beta) -- caught above for rnd > 1
            break
        if _dense_size(n, len(blocks) * d) > max_vars:
            too_large = True  # the dense restricted solve would cost O((B d)^3)
            status = (f"the restricted program's dense system exceeded max_vars={max_vars} "
                      f"in round {rnd}")  # fmt: skip
            blocks = blocks[: W.shape[0]]  # the last solved working set
            break
        Wn, it, ok = _restricted(X, y, M, S, blocks, rows, beta, ipm_tol, device)
        its += it
        if not ok:
            status = f"the restricted solve failed in round {rnd} (interior point and CLARABEL)"
            blocks, rows = blocks[: W.shape[0]], rows[: W.shape[0]]  # keep the last iterate
            break
        W = Wn
        r = y - sum(sg * M[:, i] * (X @ W[b]) for b, (i, sg) in enumerate(blocks))
        nb = np.linalg.norm(W, axis=1)
        keep = np.flatnonzero(nb > 1e-6 * max(float(nb.max()), 1e-300))
        blocks = [blocks[k] for k in keep]
        rows = [rows[k] for k in keep]
        W = W[keep]
    out = np.zeros((2 * P, d))
    for b, (i, sg) in enumerate(blocks):
        out[i if sg > 0 else P + i] = W[b]
    return out, converged, its, rnd, lower, viol, too_large, "certified" if converged else status


def working_set(X, y2, M, S, beta, *, tol=1e-6, constraint_tol=None, max_rounds=50,
                max_add=None, ipm_tol=1e-9, max_vars=4000, W0=None, device=None,
                verbose=False) -> WorkingSetResult:  # fmt: skip
    r"""Solve the ReLU program (squared loss) by the working-set method of the module docstring.

    ``y2`` is ``(n, c)``; ``M`` (masks) and ``S`` (cone signs ``2D^T - 1``) are ``(n, P)``.
    ``tol`` is the certified relative duality gap on the full program, ``constraint_tol`` the
    tolerated cone violation relative to ``max|y|`` (default ``tol / 10``), ``max_add`` the
    blocks added per round (default ``max(10, min(d, 20))``: the restricted program is dense
    in its ``B d`` variables), ``ipm_tol`` the interior-point tolerance. If the dense system of
    the restricted program would exceed order ``max_vars`` (``B d``, or ``n`` once the Woodbury
    solves take over at ``2n <= Bd``; its factorization costs the cube, e.g. for image data),
    the method stops with ``too_large=True`` and
    ``converged=False``, returning its last iterate. ``W0 (c, 2P, d)`` (u then v blocks, e.g.
    the solution at a nearby ``beta``: :func:`common.convex_nn.solve_path`) warm-starts it:
    its non-zero blocks form the first working set, with the ``3d`` rows closest to their cone
    boundary, and its residual is priced first. ``device`` (a torch device such
    as ``"cuda"``) runs the interior point's Woodbury factorisations there (the phase that
    dominates at small beta; :func:`common.convex_nn.interior_point.cone_group_lasso`);
    ``None``: numpy / LAPACK.
    """
    device = check_device(device)
    X = np.ascontiguousarray(X, dtype=np.float64)
    d = X.shape[1]
    c = y2.shape[1]
    ctol = (
        0.1 * tol
        if constraint_tol is None
        else check_real(constraint_tol, "constraint_tol", 0.0, np.inf)
    )
    ctol_abs = ctol * max(float(np.max(np.abs(y2))), 1e-300)
    max_add = max(10, min(d, 20)) if max_add is None else check_int(max_add, "max_add", 1)
    max_rounds, max_vars = (
        check_int(max_rounds, "max_rounds", 1),
        check_int(max_vars, "max_vars", 1),
    )
    ipm_tol = check_real(ipm_tol, "ipm_tol", 0.0, np.inf)
    if W0 is not None:
        W0 = check_array(W0, "W0", (3,))
        if W0.shape != (c, 2 * M.shape[1], d):
            raise ValueError(f"W0 must have shape (c, 2P, d) = {(c, 2 * M.shape[1], d)} (u then "
                             f"v blocks per output), got {W0.shape}")  # fmt: skip
    W = np.zeros((c, 2 * M.shape[1], d))
    conv, its, rounds, lower, viol, big = True, 0, 0, 0.0, 0.0, False
    status = "certified"
    for k in range(c):
        Wk, ok, it, rnd, lb, vk, too_large, why = _solve_column(
            X, np.asarray(y2[:, k], float), M, S, beta, tol, ctol_abs, max_rounds, max_add,
            ipm_tol, max_vars, verbose, None if W0 is None else W0[k],
            device,
        )  # fmt: skip
        big |= too_large
        if not ok and status == "certified":
            status = why if c == 1 else f"output {k}: {why}"
        W[k] = Wk
        conv &= ok
        its += it
        rounds = max(rounds, rnd)
        lower += lb
        viol = max(viol, vk)
        if too_large:
            break
    return WorkingSetResult(W, bool(conv), its, rounds, lower, viol, big, status)

r"""Pricing for column generation over the ReLU program's blocks (brief §5.2, C2).

At a dual point :math:`r` (the residual, for squared loss), the signed block
:math:`(i,\sigma)`, :math:`\sigma=\pm1` (the ``u`` and ``v`` block of pattern :math:`i`), is
priced by its exact dual-constraint value
:math:`t_{i\sigma}=\|\Pi_{K_i}(\sigma X^\top M_ir)\|` (Lawson--Hanson NNLS,
:func:`common.convex_nn.certificates.pattern_projections`); it violates the dual constraint
when :math:`t_{i\sigma}>\beta(1+\text{rtol})`. Exact values are computed in decreasing order of
an upper bound, the gated value :math:`\|X^\top M_ir\|\ge t_{i\sigma}` or, for blocks priced
before (``cache``), the value at their previous multipliers, and only as far as the caller
needs. The one pricing function of the package: the working-set solver
(:mod:`common.convex_nn.working_set`) and :func:`common.convex_nn.column_generation` use it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .certificates import pattern_projections

__all__ = ["Pricing", "price_blocks"]


class Pricing(NamedTuple):
    values: np.ndarray  # (2P,) exact value where `exact`, else the upper bound; u then v blocks
    exact: np.ndarray  # (2P,) bool
    t_max: float  # see price_blocks
    candidates: list  # [(value, pattern, sigma, projection)], value > beta (1 + rtol), desc.


def price_blocks(
    X, r, M, S, beta, *, rtol=0.0, max_add=None, screen=None, cache=None, chunk=16
) -> Pricing:
    r"""Price the ``2P`` signed blocks at ``r (n,)``; ``M`` masks, ``S`` cone signs, ``(n, P)``.

    How far the exact computation goes (in decreasing order of the upper bounds):

    * ``screen=None, max_add=k`` (the working set): until the maximum is known, or ``k``
      violators are found while the maximum found exceeds the level; ``t_max`` is the largest
      exact value computed;
    * ``screen=None, max_add=None``: until the maximum is known and every violator is exact;
      ``t_max`` is the exact maximum;
    * ``screen=s``: exactly the blocks whose bound exceeds ``s`` (``s >= beta (1 + rtol)``
      finds every violator); ``t_max`` is the maximum of ``values`` (exact or bound).

    ``cache`` (a dict, updated) holds each priced block's NNLS multipliers: they tighten its
    bound next time and warm-start its NNLS. Candidates are the violators found, most violated
    first (at most ``max_add``).
    """
    P = M.shape[1]
    level = beta * (1.0 + rtol)
    g = (M * r[:, None]).T @ X  # (P, d)
    keys = [(i, sg) for sg in (1.0, -1.0) for i in range(P)]
    ub = _upper_bounds(X, S, g, keys, cache)
    values, exact = ub.copy(), np.zeros(2 * P, dtype=bool)
    order = np.argsort(-ub, kind="stable")
    t_max, cands = 0.0, []
    for s in range(0, order.size, chunk):
        ks = order[s : s + chunk]
        if screen is not None:
            ks = ks[ub[ks] > screen]
            if ks.size == 0:
                break
        elif ub[ks[0]] <= t_max and (max_add is not None or ub[ks[0]] <= level):
            break  # every remaining block is bounded by the maximum (and the level)
        pats = np.array([keys[k][0] for k in ks])
        sgs = np.array([keys[k][1] for k in ks])
        start = _warm_starts(ks, keys, cache, X.shape[0])
        proj, lams = pattern_projections(
            X, S, sgs[:, None] * g[pats], pats, multipliers=True, start=start
        )
        vals = np.linalg.norm(proj, axis=1)
        values[ks], exact[ks] = vals, True
        t_max = max(t_max, float(vals.max()))
        if cache is not None:
            for j, k in enumerate(ks):
                supp = np.flatnonzero(lams[j])
                cache[keys[k]] = (supp, lams[j, supp])
        found = zip(vals, pats, sgs, proj, strict=True)
        cands += [(float(v), int(i), float(sg), p) for v, i, sg, p in found if v > level]
        if max_add is not None and len(cands) >= max_add and t_max > level:
            break
    if screen is not None:
        t_max = float(values.max())
    cands.sort(key=lambda c: -c[0])
    return Pricing(values, exact, t_max, cands if max_add is None else cands[:max_add])


def _upper_bounds(X, S, g, keys, cache) -> np.ndarray:
    """The gated values ``||X^T M_i r||``, tightened by the cached multipliers'
    ``||sigma g_i + G_i^T lam||`` (any ``lam >= 0`` bounds the projection's norm)."""
    gn = np.linalg.norm(g, axis=1)
    ub = np.concatenate([gn, gn])
    if cache:
        for k, (i, sg) in enumerate(keys):
            if (i, sg) in cache:
                idx, lam = cache[i, sg]
                ub[k] = min(ub[k], float(np.linalg.norm(sg * g[i] + (S[idx, i] * lam) @ X[idx])))
    return ub


def _warm_starts(ks, keys, cache, n) -> np.ndarray:
    """NNLS starts for the blocks ``ks``: their cached multipliers, zeros otherwise."""
    start = np.zeros((ks.size, n))
    if cache is not None:
        for j, k in enumerate(ks):
            if keys[k] in cache:
                idx, lam = cache[keys[k]]
                start[j, idx] = lam
    return start

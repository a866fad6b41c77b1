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

__all__ = ["Pricing", "PricingCache", "price_blocks"]


class Pricing(NamedTuple):
    values: np.ndarray  # (2P,) exact value where `exact`, else the upper bound; u then v blocks
    exact: np.ndarray  # (2P,) bool
    t_max: float  # see price_blocks
    candidates: list  # [(value, pattern, sigma, projection)], value > beta (1 + rtol), desc.


class PricingCache:
    """Per signed block (``k < P``: the ``u`` block of pattern ``k``, else the ``v`` block of
    pattern ``k - P``), the NNLS multipliers of its last exact pricing, stored by their support
    (``idx``, ``lam``: ``(2P, w)``, zero-padded; ``w`` the largest support seen)."""

    def __init__(self):
        self.idx = np.zeros((0, 1), dtype=np.int64)
        self.lam = np.zeros((0, 1))

    def store(self, ks: np.ndarray, lams: np.ndarray, n_blocks: int) -> None:
        """Record the multipliers ``lams (K, n)`` of the blocks ``ks``."""
        if self.idx.shape[0] != n_blocks:
            self.idx = np.zeros((n_blocks, 1), dtype=np.int64)
            self.lam = np.zeros((n_blocks, 1))
        supp = lams > 0
        w = int(supp.sum(axis=1).max(initial=0))
        if w > self.idx.shape[1]:
            grow = w - self.idx.shape[1]
            self.idx = np.pad(self.idx, ((0, 0), (0, grow)))
            self.lam = np.pad(self.lam, ((0, 0), (0, grow)))
        # the support first (stable), then zeros: the first w columns hold every multiplier
        order = np.argsort(~supp, axis=1, kind="stable")[:, : self.idx.shape[1]]
        self.idx[ks] = order
        self.lam[ks] = np.take_along_axis(lams, order, axis=1)

    def bounds(self, X, S, g) -> np.ndarray:
        """Per block, ``||sigma g_i + G_i^T lam||`` at the stored ``lam`` (``lam >= 0``: an
        upper bound on ``||Pi_{K_i}(sigma g_i)||``; the gated value where nothing is stored)."""
        P = g.shape[0]
        if self.idx.shape[0] != 2 * P:
            return np.full(2 * P, np.inf)
        pats = np.arange(2 * P) % P
        sg = np.where(np.arange(2 * P) < P, 1.0, -1.0)
        coef = S[self.idx, pats[:, None]] * self.lam  # (2P, w)
        v = sg[:, None] * g[pats] + np.einsum("kw,kwd->kd", coef, X[self.idx])
        return np.linalg.norm(v, axis=1)

    def starts(self, ks: np.ndarray, n: int) -> np.ndarray:
        """NNLS starts ``(K, n)`` for the blocks ``ks``: their stored multipliers (or zeros)."""
        start = np.zeros((ks.size, n))
        if self.idx.shape[0]:
            np.put_along_axis(start, self.idx[ks], self.lam[ks], axis=1)
        return start


def price_blocks(
    X, r, M, S, beta, *, rtol=0.0, max_add=None, screen=None, cache=None, chunk=16, present=None
) -> Pricing:
    r"""Price the ``2P`` signed blocks at ``r (n,)``; ``M`` masks, ``S`` cone signs, ``(n, P)``.

    How far the exact computation goes (in decreasing order of the upper bounds):

    * ``screen=None, max_add=k`` (the working set): until the maximum is known, or ``k``
      violators are found while the maximum found exceeds the level; ``t_max`` is the largest
      exact value computed; blocks flagged in ``present`` (bool ``(2P,)``, the working set)
      are priced like the others but are neither candidates nor counted in ``k`` (from a warm
      start they all violate the new ``beta`` and would fill the ``k`` places);
    * ``screen=None, max_add=None``: until the maximum is known and every violator is exact;
      ``t_max`` is the exact maximum;
    * ``screen=s``: exactly the blocks whose bound exceeds ``s`` (``s >= beta (1 + rtol)``
      finds every violator); ``t_max`` is the maximum of ``values`` (exact or bound).

    Exact values are computed in batches of ``chunk`` blocks, doubling up to ``64 chunk``
    (fewer calls when the bounds are loose and many blocks need the NNLS). ``cache`` (a
    :class:`PricingCache`, updated) holds each priced block's NNLS multipliers: they tighten
    its bound next time and warm-start its NNLS. Candidates are the violators found, most
    violated first (at most ``max_add``).
    """
    P = M.shape[1]
    level = beta * (1.0 + rtol)
    g = (M * r[:, None]).T @ X  # (P, d)
    gn = np.linalg.norm(g, axis=1)
    ub = np.concatenate([gn, gn])  # the gated values ||X^T M_i r||
    if cache is not None:
        ub = np.minimum(ub, cache.bounds(X, S, g))
    values, exact = ub.copy(), np.zeros(2 * P, dtype=bool)
    order = np.argsort(-ub, kind="stable")
    t_max, cands, s, size = 0.0, [], 0, chunk
    while s < order.size:
        ks = order[s : s + size]
        s, size = s + size, min(2 * size, 64 * chunk)
        if screen is not None:
            ks = ks[ub[ks] > screen]
            if ks.size == 0:
                break
        elif ub[ks[0]] <= t_max and (max_add is not None or ub[ks[0]] <= level):
            break  # every remaining block is bounded by the maximum (and the level)
        pats, sgs = ks % P, np.where(ks < P, 1.0, -1.0)  # block k: pattern k mod P, u then v
        start = None if cache is None else cache.starts(ks, X.shape[0])
        proj, lams = pattern_projections(
            X, S, sgs[:, None] * g[pats], pats, multipliers=True, start=start
        )
        vals = np.linalg.norm(proj, axis=1)
        values[ks], exact[ks] = vals, True
        t_max = max(t_max, float(vals.max()))
        if cache is not None:
            cache.store(ks, lams, 2 * P)
        new = np.ones(ks.size, bool) if present is None else ~present[ks]
        found = zip(vals, pats, sgs, proj, new, strict=True)
        cands += [(float(v), int(i), float(sg), p) for v, i, sg, p, nw in found if nw and v > level]
        if max_add is not None and len(cands) >= max_add and t_max > level:
            break
    if screen is not None:
        t_max = float(values.max())
    cands.sort(key=lambda c: -c[0])
    return Pricing(values, exact, t_max, cands if max_add is None else cands[:max_add])

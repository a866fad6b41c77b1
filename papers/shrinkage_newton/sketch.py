"""Gaussian sketches of a data matrix, as agents' row blocks.

Newton sketch: with ``B = D^{1/2} A / sqrt(n)`` (``(n, d)``; least squares / ridge: ``D = I``)
the Hessian is ``B^T B + lam I``. Agent ``i`` draws ``S_i`` (``(m, n)``, entries
``N(0, 1/m)``, so ``E S_i^T S_i = I``) and uses ``(S_i B)^T (S_i B)`` as its curvature. In the
``(q, m, d)`` block convention of :mod:`papers.shrinkage_newton.resolvent` (local Gram
``X_i^T X_i / m``) the block is ``X_i = sqrt(m) S_i B``: its rows are i.i.d.
``N(0, B^T B)``, so the averaging theory applies exactly.

Two ways to draw them, equal in law: ``form="explicit"`` forms every ``S_i B`` (cost
``q m n d``); ``form="rotation"`` uses the thin SVD ``B = U diag(sv) V^T``: ``S_i U`` has i.i.d.
``N(0, 1/m)`` entries for orthonormal ``U`` (rotation invariance of the Gaussian), so
``S_i B = (S_i U) diag(sv) V^T`` is drawn at cost ``q m d^2``, independent of ``n``.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["gaussian_sketch_blocks"]


def gaussian_sketch_blocks(
    B, m: int, q: int, rng: np.random.Generator, *, form: str = "explicit", chunk: int = 32
):
    """``(q, m, d)`` blocks ``sqrt(m) S_i B`` for ``q`` independent Gaussian sketches ``S_i``.

    ``form``: ``"explicit"`` (``chunk`` sketches formed at a time, to bound memory) or
    ``"rotation"`` (same law, drawn through the SVD of ``B``; module docstring)."""
    if form not in ("explicit", "rotation"):
        raise ValueError(f"unknown form {form!r}; choose 'explicit' or 'rotation'")
    B = np.asarray(B, dtype=np.float64)
    if B.ndim != 2 or min(B.shape) < 1:
        raise ValueError(f"B must be a non-empty (n, d) matrix, got shape {B.shape}")
    if not np.isfinite(B).all():
        raise ValueError("B must be finite (no NaN or inf)")
    for name, v in (("m", m), ("q", q), ("chunk", chunk)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    n, d = B.shape
    if form == "rotation":
        _, sv, vt = np.linalg.svd(B, full_matrices=False)
        return rng.standard_normal((q, m, sv.size)) @ (sv[:, None] * vt)
    out = np.empty((q, m, d))
    for start in range(0, q, chunk):
        stop = min(q, start + chunk)
        S = rng.standard_normal((stop - start, m, n))  # sqrt(m) S_i: standard normal entries
        np.matmul(S, B, out=out[start:stop])
    return out

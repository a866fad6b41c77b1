"""Averaging local regularised inverses: the naive estimator, its bias, and the shrinkage fix.

``q`` agents each hold ``m`` rows ``X_i`` (an array ``blocks`` of shape ``(q, m, d)``) and
form the local Gram ``G_i = X_i^T X_i / m``. The target is the resolvent
``R = (Sigma + lam I)^{-1}`` of the population Gram ``Sigma``. Each agent returns
``c_i (G_i + t_i I)^{-1}`` with a scale ``c_i`` and a shift ``t_i`` that depend on the
method, and the centre averages them with weights ``w_i``:

- ``naive``: ``c = 1, t = lam`` (plain averaging; biased, the bias does not vanish in q);
- ``shrinkage``: ``s = 1 - d_lam / m``, ``c = s, t = s lam``, i.e.
  ``(X_i^T X_i / (m - d_lam) + lam I)^{-1}`` (``d_lam``: the population effective
  dimension, known or broadcast; ``d_lam = d`` when ``lam = 0``);
- ``shrinkage_fixed_point``: as ``shrinkage`` with each agent's own ``s_i`` from the
  fixed point ``s = 1 - d_i(s lam) / m`` of its local spectrum (:func:`local_fixed_point_s`);
- ``lambda_only``: ``c = 1, t = s lam`` (only the regulariser shrunk: the negative control);
- ``determinantal``: ``c = 1, t = lam``, weights ``det(G_i + lam I)`` (Derezinski & Mahoney
  2019, determinantal averaging).

The formulas are reconstructions (see the README): the deterministic equivalent
``lam (G + lam I)^{-1} ~ kappa (Sigma + kappa I)^{-1}`` with ``lam = kappa (1 - d_kappa / m)``
gives the naive limit ``(kappa / lam) (Sigma + kappa I)^{-1}`` and, at ``lam -> 0``, the
relative bias ``gamma / (1 - gamma)`` with ``gamma = d / m``.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.optimize import brentq

__all__ = [
    "METHODS",
    "averaged_inverse",
    "deterministic_equivalent_kappa",
    "effective_dimension",
    "local_coefficients",
    "local_directions",
    "local_fixed_point_s",
    "local_grams",
    "local_inverses",
    "naive_limit",
    "predicted_naive_error",
    "shrinkage_coeff",
]

METHODS = ("naive", "shrinkage", "shrinkage_fixed_point", "lambda_only", "determinantal")


def _lam(lam) -> float:
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real):
        raise TypeError(f"lam must be a real number, got {lam!r}")
    lam = float(lam)
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be finite and >= 0, got {lam}")
    return lam


def _m(m) -> int:
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"m must be a positive integer, got {m!r}")
    return int(m)


def _eigs(eigs) -> np.ndarray:
    eigs = np.asarray(eigs, dtype=np.float64)
    if eigs.ndim != 1 or eigs.size == 0:
        raise ValueError(f"eigs must be a non-empty 1-D array, got shape {eigs.shape}")
    if not np.isfinite(eigs).all() or (eigs < 0).any():
        raise ValueError("eigs must be finite and >= 0 (eigenvalues of a covariance)")
    return eigs


def effective_dimension(eigs, lam: float) -> float:
    """``d_lam = tr(Sigma (Sigma + lam I)^{-1}) = sum_j sigma_j / (sigma_j + lam)``.

    At ``lam = 0`` this is the number of positive eigenvalues (the rank)."""
    eigs, lam = _eigs(eigs), _lam(lam)
    if lam == 0:
        return float(np.count_nonzero(eigs > 0))
    return float(np.sum(eigs / (eigs + lam)))


def shrinkage_coeff(d_lam: float, m: int) -> float:
    """``s = 1 - d_lam / m``; needs ``0 <= d_lam < m`` (more local rows than dimensions)."""
    m = _m(m)
    if isinstance(d_lam, bool) or not isinstance(d_lam, numbers.Real) or not np.isfinite(d_lam):
        raise ValueError(f"d_lam must be a finite real number, got {d_lam!r}")
    if not 0 <= d_lam < m:
        raise ValueError(f"d_lam must satisfy 0 <= d_lam < m = {m}, got {d_lam}")
    return 1.0 - float(d_lam) / m


def deterministic_equivalent_kappa(eigs, lam: float, m: int) -> float:
    """The root ``kappa >= lam`` of ``lam = kappa (1 - d_kappa / m)``.

    ``kappa(1 - d_kappa/m)`` is increasing in ``kappa`` when ``d < m``, so the root is unique;
    ``lam = 0`` gives ``kappa = 0`` (use :func:`naive_limit` for the ``lam -> 0`` limit)."""
    eigs, lam, m = _eigs(eigs), _lam(lam), _m(m)
    rank = np.count_nonzero(eigs > 0)
    if lam == 0:
        if rank >= m:
            raise ValueError(f"lam = 0 needs rank(Sigma) = {rank} < m = {m}")
        return 0.0

    def g(kappa: float) -> float:
        return kappa * (1.0 - np.sum(eigs / (eigs + kappa)) / m) - lam

    hi = 2.0 * lam
    while g(hi) <= 0:
        hi *= 2.0
    return float(brentq(g, lam, hi, xtol=1e-15 * hi, rtol=4 * np.finfo(float).eps, maxiter=500))


def naive_limit(eigs, lam: float, m: int) -> np.ndarray:
    """The eigenvalues of the ``q -> inf`` limit of naive averaging, on ``Sigma``'s eigenvectors.

    ``(kappa / lam) / (sigma_j + kappa)``; at ``lam = 0`` the limit ``1 / ((1 - d/m) sigma_j)``
    (needs ``sigma_j > 0``)."""
    eigs, lam, m = _eigs(eigs), _lam(lam), _m(m)
    if lam == 0:
        if (eigs <= 0).any():
            raise ValueError("lam = 0 needs eigs > 0 (an invertible Sigma)")
        gamma = eigs.size / m
        if gamma >= 1:
            raise ValueError(f"lam = 0 needs d = {eigs.size} < m = {m}")
        return 1.0 / ((1.0 - gamma) * eigs)
    kappa = deterministic_equivalent_kappa(eigs, lam, m)
    return (kappa / lam) / (eigs + kappa)


def predicted_naive_error(eigs, lam: float, m: int) -> float:
    """Predicted relative operator-norm error of naive averaging as ``q -> inf``.

    ``(sigma_min + lam) max_j |limit_j - 1 / (sigma_j + lam)|`` (the limit and the target
    commute); ``gamma / (1 - gamma)`` at ``lam = 0``."""
    limit = naive_limit(eigs, lam, m)
    eigs = np.asarray(eigs, dtype=np.float64)
    return float((eigs.min() + lam) * np.max(np.abs(limit - 1.0 / (eigs + lam))))


def _blocks(blocks) -> np.ndarray:
    blocks = np.asarray(blocks)
    if blocks.ndim != 3 or min(blocks.shape) < 1:
        raise ValueError(f"blocks must have shape (q, m, d) with q, m, d >= 1, got {blocks.shape}")
    if not np.issubdtype(blocks.dtype, np.number) or np.iscomplexobj(blocks):
        raise TypeError(f"blocks must be a real array, got dtype {blocks.dtype}")
    blocks = blocks.astype(np.float64, copy=False)
    if not np.isfinite(blocks).all():
        raise ValueError("blocks must be finite (no NaN or inf)")
    return blocks


def local_grams(blocks) -> np.ndarray:
    """The local Grams ``X_i^T X_i / m``, shape ``(q, d, d)``, all agents at once."""
    blocks = _blocks(blocks)
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, naming blocks
        grams = np.matmul(blocks.transpose(0, 2, 1), blocks) / blocks.shape[1]
    if not np.isfinite(grams).all():
        raise ValueError(
            f"blocks (entries up to {np.abs(blocks).max():.3g} in magnitude) have local Gram "
            "matrices X_i^T X_i / m that overflow float64; rescale blocks"
        )
    return grams


def _grams(grams) -> np.ndarray:
    grams = np.asarray(grams, dtype=np.float64)
    if grams.ndim != 3 or grams.shape[1] != grams.shape[2] or min(grams.shape) < 1:
        raise ValueError(f"grams must have shape (q, d, d), got {grams.shape}")
    if not np.isfinite(grams).all():
        raise ValueError("grams must be finite (no NaN or inf)")
    return grams


def local_fixed_point_s(X_i, lam: float, *, tol: float = 1e-13, max_iter: int = 100):
    """Each agent's estimate of ``s``: the root of ``s = 1 - d_i(s lam) / m``.

    ``d_i(t) = tr(G_i (G_i + t I)^{-1})`` is the local effective dimension. ``X_i``: one
    agent's ``(m, d)`` rows (returns a float) or a ``(q, m, d)`` block array (returns ``q``
    values, solved together). In ``t = s lam`` the equation reads ``phi(t) = 1 - d_i(t)/m -
    t/lam = 0`` with ``phi`` concave and ``phi(lam) < 0``, so Newton's method from ``t = lam``
    decreases monotonically to the unique positive root. ``lam = 0`` gives ``1 - rank/m``.
    Raises if no positive root exists (``rank(G_i) >= m`` and too small ``lam``).
    """
    X = np.asarray(X_i)
    single = X.ndim == 2
    blocks = _blocks(X[None] if single else X)
    lam = _lam(lam)
    s = _fixed_point_from_eigs(
        np.linalg.eigvalsh(local_grams(blocks)), blocks.shape[1], lam, tol, max_iter
    )
    return float(s[0]) if single else s


def _fixed_point_from_eigs(
    eigs: np.ndarray, m: int, lam: float, tol: float = 1e-13, max_iter: int = 100
) -> np.ndarray:
    """Batched monotone Newton for :func:`local_fixed_point_s` on eigenvalues ``(q, d)``."""
    eigs = np.clip(eigs, 0.0, None)
    eigs = np.where(eigs > 1e-12 * eigs.max(axis=1, keepdims=True), eigs, 0.0)
    if lam == 0:
        s = 1.0 - np.count_nonzero(eigs, axis=1) / m
    else:
        t = np.full(eigs.shape[0], lam)
        for _ in range(max_iter):
            ratio = eigs / (eigs + t[:, None])
            phi = 1.0 - ratio.sum(axis=1) / m - t / lam
            dphi = (ratio / (eigs + t[:, None])).sum(axis=1) / m - 1.0 / lam
            step = phi / dphi
            t = t - step
            if np.all(np.abs(step) <= tol * t):
                break
        else:
            raise RuntimeError(f"local fixed point of s did not converge in {max_iter} steps")
        s = t / lam
    if (s <= 0).any():
        raise ValueError(
            "local fixed point s <= 0 for some agent: its local Gram has rank >= m; "
            "use more rows per agent (m) or a larger lam"
        )
    return s


def local_coefficients(
    grams, m: int, lam: float, method: str, d_lam: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per agent, ``(scale c_i, shift t_i, weight w_i)`` of ``c_i (G_i + t_i I)^{-1}``.

    The weights sum to 1. ``d_lam`` (the population effective dimension) is needed by
    ``shrinkage`` and ``lambda_only`` when ``lam > 0``; at ``lam = 0`` it defaults to ``d``."""
    grams, m, lam = _grams(grams), _m(m), _lam(lam)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    q, d = grams.shape[:2]
    ones = np.ones(q)
    weights = ones / q
    if method in ("shrinkage", "lambda_only"):
        if d_lam is None:
            if lam > 0:
                raise ValueError(f"method {method!r} with lam > 0 needs d_lam (known or broadcast)")
            d_lam = d
        s = shrinkage_coeff(d_lam, m)
        scale = s * ones if method == "shrinkage" else ones
        return scale, s * lam * ones, weights
    if method == "shrinkage_fixed_point":
        s = _fixed_point_from_eigs(np.linalg.eigvalsh(grams), m, lam)
        return s, s * lam, weights
    if method == "determinantal":
        sign, logdet = np.linalg.slogdet(grams + lam * np.eye(d))
        if (sign <= 0).any():
            raise ValueError("determinantal averaging needs every G_i + lam I to be invertible")
        a = np.exp(logdet - logdet.max())
        weights = a / a.sum()
    return ones, lam * ones, weights


def _solve(grams: np.ndarray, shift: np.ndarray, rhs: np.ndarray | None, m: int) -> np.ndarray:
    """``(G_i + t_i I)^{-1}`` (``rhs=None``) or ``(G_i + t_i I)^{-1} rhs``, batched; ``G_i``
    the Gram of ``m`` rows."""
    d = grams.shape[1]
    if m < d and np.any(shift == 0):
        # rank <= m < d: singular, though LAPACK may not see an exactly zero pivot
        raise ValueError(f"a local Gram of m = {m} rows in d = {d} is singular at lam = 0; "
                         "use lam > 0 or m > d")  # fmt: skip
    shifted = grams + shift[:, None, None] * np.eye(d)
    try:
        if rhs is None:
            return np.linalg.inv(shifted)
        return np.linalg.solve(shifted, np.broadcast_to(rhs, grams.shape[:2])[..., None])[..., 0]
    except np.linalg.LinAlgError as exc:
        raise ValueError("a shifted local Gram is singular; use lam > 0 or m > d") from exc


def _local_solve(grams, m, lam, method, d_lam, rhs):
    """``c_i (G_i + t_i I)^{-1} rhs`` for every agent at once (``rhs=None``: the inverses)."""
    scale, shift, weights = local_coefficients(grams, m, lam, method, d_lam)
    out = _solve(np.asarray(grams, dtype=np.float64), shift, rhs, m)
    return scale.reshape((-1,) + (1,) * (out.ndim - 1)) * out, weights


def local_inverses(grams, m: int, lam: float, method: str, d_lam: float | None = None):
    """The agents' estimates ``c_i (G_i + t_i I)^{-1}`` ``(q, d, d)`` and weights ``w_i``."""
    return _local_solve(grams, m, lam, method, d_lam, None)


def local_directions(grams, m: int, lam: float, method: str, g, d_lam: float | None = None):
    """The agents' directions ``c_i (G_i + t_i I)^{-1} g``, shape ``(q, d)``, and weights ``w_i``.

    One batched solve per agent (no inverse formed)."""
    g = np.asarray(g, dtype=np.float64)
    d = np.shape(grams)[-1]
    if g.shape != (d,) or not np.isfinite(g).all():
        raise ValueError(f"g must be a finite vector of shape ({d},), got shape {g.shape}")
    return _local_solve(grams, m, lam, method, d_lam, g)


def averaged_inverse(
    blocks, lam: float, method: str = "naive", d_lam: float | None = None, *, chunk: int = 64
):
    """Estimate ``(Sigma + lam I)^{-1}`` from ``q`` agents' rows ``blocks`` ``(q, m, d)``.

    All local solves are batched (``chunk`` agents per LAPACK call, which keeps the
    temporaries in cache). ``method``: one of :data:`METHODS` (module docstring); ``d_lam``:
    the effective dimension for ``shrinkage`` / ``lambda_only`` at ``lam > 0``.
    Returns the ``(d, d)`` weighted average of the local estimates.
    """
    blocks = _blocks(blocks)
    if isinstance(chunk, bool) or not isinstance(chunk, numbers.Integral) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    grams = local_grams(blocks)
    scale, shift, weights = local_coefficients(grams, blocks.shape[1], lam, method, d_lam)
    coef = weights * scale
    out = np.zeros(grams.shape[1:])
    for start in range(0, grams.shape[0], chunk):
        part = slice(start, start + chunk)
        out += np.einsum(
            "i,ijk->jk", coef[part], _solve(grams[part], shift[part], None, blocks.shape[1])
        )
    return out

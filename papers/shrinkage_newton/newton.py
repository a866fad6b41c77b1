"""Distributed Newton with averaged local directions (naive, shrinkage, determinantal).

Objective ``F(x) = (1/n) sum_j l(a_j^T x; b_j) + (lam/2) ||x||^2`` with the rows split into
``q`` blocks of ``m`` rows (``blocks``: ``(q, m, d)``, ``targets``: ``(q, m)``). Each round:
one all-reduce of the exact gradient ``g``; every agent solves with its local curvature
``G_i = A_i^T D_i A_i / m`` (logistic: ``D = sigma(z)(1 - sigma(z))``; least squares:
``D = I``) as :mod:`papers.shrinkage_newton.resolvent` prescribes for the method; the
centre averages the directions and steps ``x <- x - mu Delta`` (``mu = 1``, or Armijo
backtracking on ``F`` when ``line_search``).

Methods: those of :data:`~papers.shrinkage_newton.resolvent.METHODS` (``shrinkage`` and
``lambda_only`` use the oracle ``d_lam(t) = tr(Gbar (Gbar + lam I)^{-1})`` of the global
curvature ``Gbar`` at the current iterate), plus ``exact`` (the global Newton step) and
``shrinkage_dimension`` (``s = 1 - d/m``, no effective dimension needed).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from papers.shrinkage_newton.resolvent import (
    METHODS,
    _lam,
    local_directions,
    local_grams,
    local_inverses,
)

__all__ = [
    "LOSSES",
    "NEWTON_METHODS",
    "NewtonTrace",
    "distributed_newton",
    "iteration_eigenvalues",
    "objective",
    "reference_optimum",
]

LOSSES = ("logistic", "least_squares")
NEWTON_METHODS = ("exact", *METHODS, "shrinkage_dimension")


@dataclass(frozen=True)
class NewtonTrace:
    """``gaps[t] = F(x_t) - F*`` for ``t = 0..n_rounds`` (``inf`` after a non-finite iterate).

    ``f_star`` is certified by ``star_grad_norm = ||grad F(x*)||``: with ``lam > 0``,
    ``F(x*) - min F <= star_grad_norm^2 / (2 lam)`` (``star_gap_bound``)."""

    gaps: np.ndarray
    f_star: float
    star_grad_norm: float
    star_gap_bound: float
    x: np.ndarray


def _check(loss, blocks, targets, lam):
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {LOSSES}")
    blocks = np.asarray(blocks, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if blocks.ndim != 3 or min(blocks.shape) < 1:
        raise ValueError(f"blocks must have shape (q, m, d), got {blocks.shape}")
    if targets.shape != blocks.shape[:2]:
        raise ValueError(
            f"targets must have shape (q, m) = {blocks.shape[:2]}, got {targets.shape}"
        )
    if not (np.isfinite(blocks).all() and np.isfinite(targets).all()):
        raise ValueError("blocks and targets must be finite (no NaN or inf)")
    if loss == "logistic" and not np.isin(targets, (0.0, 1.0)).all():
        raise ValueError("logistic targets must be 0 or 1")
    lam = _lam(lam)
    if lam == 0 and loss == "logistic":
        raise ValueError("lam must be > 0 for the logistic loss (the optimum may not exist)")
    return blocks, targets, lam


def _parts(loss, blocks, targets, x):
    """Per-row loss, derivative and curvature at ``z = A x``."""
    z = blocks @ x
    if loss == "logistic":
        p = np.exp(-np.logaddexp(0.0, -z))  # sigma(z), stable
        return np.logaddexp(0.0, z) - targets * z, p - targets, p * (1.0 - p)
    r = z - targets
    return 0.5 * r**2, r, np.ones_like(z)


def objective(loss: str, blocks, targets, lam: float, x) -> float:
    """``F(x)`` over all rows of all blocks."""
    blocks, targets, lam = _check(loss, blocks, targets, lam)
    return _value(loss, blocks, targets, lam, np.asarray(x, dtype=np.float64))


def _value(loss, blocks, targets, lam, x) -> float:
    return float(_parts(loss, blocks, targets, x)[0].mean() + 0.5 * lam * x @ x)


def _grad_grams(loss, blocks, targets, lam, x):
    """The exact gradient and the local curvatures ``(q, d, d)``."""
    _, dl, curv = _parts(loss, blocks, targets, x)
    q, m, _ = blocks.shape
    g = np.einsum("im,imd->d", dl, blocks) / (q * m) + lam * x
    weighted = blocks * curv[..., None]
    grams = np.matmul(blocks.transpose(0, 2, 1), weighted) / m
    return g, grams


def _resolve(method, gbar, lam, d_lam=None):
    """The averaging method and ``d_lam`` behind a Newton method name (oracle ``d_lam`` of
    the global curvature ``gbar`` unless given)."""
    d = gbar.shape[0]
    if method == "shrinkage_dimension":
        return "shrinkage", float(d)
    if method in ("shrinkage", "lambda_only") and lam > 0 and d_lam is None:
        eigs = np.clip(np.linalg.eigvalsh(gbar), 0.0, None)
        d_lam = float(np.sum(eigs / (eigs + lam)))
    return method, d_lam


def _direction(method, grams, m, lam, g):
    gbar = grams.mean(axis=0)
    if method == "exact":
        return np.linalg.solve(gbar + lam * np.eye(g.size), g)
    method, d_lam = _resolve(method, gbar, lam)
    local, weights = local_directions(grams, m, lam, method, g, d_lam)
    return weights @ local


def reference_optimum(loss: str, blocks, targets, lam: float, *, tol: float = 1e-13):
    """``(x*, F*, ||grad F(x*)||)`` by exact Newton (backtracking far from the optimum, full
    steps once the Newton decrement is below ``1e-12``), run to machine precision.

    Raises ``RuntimeError`` when the gradient norm does not fall below ``1e-8`` within 100
    iterations (not converged); otherwise reports the reached norm as the certificate."""
    blocks, targets, lam = _check(loss, blocks, targets, lam)
    x = np.zeros(blocks.shape[2])
    f = _value(loss, blocks, targets, lam, x)
    best = (np.inf, x, f)
    for _ in range(100):
        g, grams = _grad_grams(loss, blocks, targets, lam, x)
        gnorm = float(np.linalg.norm(g))
        if gnorm < best[0]:
            best = (gnorm, x, f)
        elif gnorm <= 1e-8:  # no further progress: machine precision reached
            break
        if gnorm <= tol:
            break
        step = _direction("exact", grams, blocks.shape[1], lam, g)
        if g @ step <= 1e-12:
            x = x - step
            f = _value(loss, blocks, targets, lam, x)
        else:
            x, f = _backtrack(loss, blocks, targets, lam, x, f, g, step)
    gnorm, x, f = best
    if gnorm > 1e-8:
        raise RuntimeError(
            f"reference optimum not certified: ||grad F|| = {gnorm:.3g} > 1e-8 after 100 Newton "
            f"steps (blocks' entries up to {np.abs(blocks).max():.3g}, lam = {lam:g}; the "
            "certificate is absolute): rescale blocks to entries of order 1, or raise lam"
        )
    return x, f, gnorm


def _backtrack(loss, blocks, targets, lam, x, f, g, step):
    mu, slope = 1.0, float(g @ step)
    for _ in range(60):
        x_new = x - mu * step
        f_new = _value(loss, blocks, targets, lam, x_new)
        if f_new <= f - 1e-4 * mu * slope:
            return x_new, f_new
        mu *= 0.5
    return x, f  # no decrease possible at machine precision


def distributed_newton(
    loss: str,
    blocks,
    targets,
    lam: float,
    method: str = "shrinkage",
    n_rounds: int = 10,
    *,
    line_search: bool = False,
    reference: tuple | None = None,
) -> NewtonTrace:
    """Run ``n_rounds`` of distributed Newton from ``x = 0``; returns :class:`NewtonTrace`.

    ``loss``: ``"logistic"`` (targets in {0, 1}) or ``"least_squares"``; ``method``: one of
    :data:`NEWTON_METHODS`; ``lam``: the ridge weight (> 0 for logistic); ``reference``: the
    output of :func:`reference_optimum` for these data (computed when not given)."""
    if method not in NEWTON_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {NEWTON_METHODS}")
    if isinstance(n_rounds, bool) or not isinstance(n_rounds, numbers.Integral) or n_rounds < 0:
        raise ValueError(f"n_rounds must be an integer >= 0, got {n_rounds!r}")
    blocks, targets, lam = _check(loss, blocks, targets, lam)
    if reference is None:
        reference = reference_optimum(loss, blocks, targets, lam)
    _, f_star, star_grad = reference
    m = blocks.shape[1]
    x = np.zeros(blocks.shape[2])
    f = _value(loss, blocks, targets, lam, x)
    gaps = np.full(n_rounds + 1, np.inf)
    gaps[0] = f - f_star
    for t in range(1, n_rounds + 1):
        g, grams = _grad_grams(loss, blocks, targets, lam, x)
        step = _direction(method, grams, m, lam, g)
        if line_search:
            x, f = _backtrack(loss, blocks, targets, lam, x, f, g, step)
        else:
            x = x - step
            f = _value(loss, blocks, targets, lam, x) if np.isfinite(x).all() else np.inf
        if not np.isfinite(f):
            break
        gaps[t] = f - f_star
    bound = star_grad**2 / (2 * lam) if lam > 0 else np.nan
    return NewtonTrace(gaps, f_star, star_grad, bound, x)


def iteration_eigenvalues(blocks, lam: float, method: str, d_lam: float | None = None):
    """Least squares: the eigenvalues of ``I - P H``, the error's iteration matrix.

    ``H = Gbar + lam I`` (``Gbar``: the mean local Gram), ``P``: the averaged preconditioner of
    ``method`` (``exact``: ``H^{-1}``); ``P H`` is similar to ``H^{1/2} P H^{1/2}``, so the
    eigenvalues are real. The iteration with unit step diverges when one exceeds 1 in modulus."""
    blocks = np.asarray(blocks, dtype=np.float64)
    _check("least_squares", blocks, np.zeros(blocks.shape[:2]), lam)
    m, d = blocks.shape[1], blocks.shape[2]
    if method not in NEWTON_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {NEWTON_METHODS}")
    if method == "exact":
        return np.zeros(d)
    grams = local_grams(blocks)
    gbar = grams.mean(axis=0)
    evals, evecs = np.linalg.eigh(gbar + lam * np.eye(d))
    root = (evecs * np.sqrt(evals)) @ evecs.T
    method, d_lam = _resolve(method, gbar, lam, d_lam)
    local, weights = local_inverses(grams, m, lam, method, d_lam)
    P = np.einsum("i,ijk->jk", weights, local)
    return np.sort(1.0 - np.linalg.eigvalsh(root @ P @ root))

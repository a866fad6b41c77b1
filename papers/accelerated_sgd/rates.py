"""Reading rates off trajectories: iterations to a tolerance, log-log slopes."""

from __future__ import annotations

import numpy as np
from scipy import stats

from papers.accelerated_sgd.agd import _positive

__all__ = ["iterations_to", "loglog_slope"]


def iterations_to(gap, tol: float) -> np.ndarray:
    """The first k with ``gap[..., k] <= tol * gap[..., 0]`` along the last axis;
    ``inf`` where the run never got there (diverged or too few steps)."""
    gap = np.asarray(gap, dtype=np.float64)
    tol = _positive(tol, "tol")
    if gap.ndim == 0 or gap.shape[-1] == 0:
        raise ValueError(f"gap must have at least one iterate along its last axis, got {gap.shape}")
    hit = gap <= tol * gap[..., :1]
    first = np.argmax(hit, axis=-1).astype(np.float64)
    return np.where(hit.any(axis=-1), first, np.inf)


def loglog_slope(x, y) -> tuple[float, float]:
    """Least-squares slope of ``log y`` on ``log x`` and the half-width of its 95% t
    interval; points that are not finite and positive are left out (at least 3 must stay)."""
    x, y = np.ravel(np.asarray(x, dtype=float)), np.ravel(np.asarray(y, dtype=float))
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same size, got {x.size} and {y.size}")
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0:
        raise ValueError("need at least 3 finite positive points at 2 or more x values")
    fit = stats.linregress(np.log(x[ok]), np.log(y[ok]))
    half = stats.t.ppf(0.975, int(ok.sum()) - 2) * fit.stderr
    return float(fit.slope), float(half)

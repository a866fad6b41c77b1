"""Unadjusted (plain, not annealed) Langevin dynamics driven by a learned score.

``x_t = x_{t-1} + (step / 2) s(x_{t-1}) + sqrt(step) z_t``, ``z_t ~ N(0, I)``, run for all chains
at once (one vectorised score call per step).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["affine_stationary_variance", "langevin_sample"]

#: a chain explodes when its largest ``|x|`` grows by ``GROWTH`` or more on every step of a run
#: and by over ``BLOWUP`` in all, the run's first step not counted (a far start may jump once;
#: a stable chain approaching a far mode then grows by at most ``t``-fold in ``t`` steps)
GROWTH, BLOWUP = 1.02, 1e6


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def langevin_sample(
    score: Callable[[np.ndarray], np.ndarray],
    n_samples: int,
    step: float,
    n_steps: int,
    seed: int,
    init=None,
) -> np.ndarray:
    """The last state of ``n_samples`` independent Langevin chains after ``n_steps`` steps.

    ``score`` maps an array of states (``(n_samples,)`` for 1-D, ``(n_samples, d)``) to an
    array of the same shape. ``init`` (default: standard normal) gives the starting states
    and fixes the dimension. Raises ``FloatingPointError`` if a chain leaves the floats or
    explodes (``GROWTH``, ``BLOWUP``): the step is too large for the score's slope, or the
    density is improper."""
    if not callable(score):
        raise TypeError("score must be callable")
    n_samples = _positive_int(n_samples, "n_samples")
    n_steps = _positive_int(n_steps, "n_steps")
    if isinstance(step, bool) or not isinstance(step, int | float | np.floating | np.integer):
        raise TypeError(f"step must be a real number, got {type(step).__name__}")
    if not np.isfinite(step) or step <= 0:
        raise ValueError(f"step must be positive and finite, got {step}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    if init is None:
        x = rng.standard_normal(n_samples)
    else:
        x = np.array(init, dtype=np.float64)
        if x.ndim not in (1, 2) or x.shape[0] != n_samples or not np.all(np.isfinite(x)):
            raise ValueError(f"init must be finite with shape ({n_samples},) or ({n_samples}, d)")
    half, root = 0.5 * step, np.sqrt(step)
    size, grown = float(np.max(np.abs(x))), 0.0  # grown: the current run's growth (0: no run)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        for i in range(n_steps):
            drift = np.asarray(score(x), dtype=np.float64)
            if drift.shape != x.shape:
                raise ValueError(f"score returned shape {drift.shape} for states {x.shape}")
            x = x + half * drift + root * rng.standard_normal(x.shape)
            prev, size = size, float(np.max(np.abs(x)))
            grown = (grown * size / prev if grown else 1.0) if size >= GROWTH * prev else 0.0
            if not np.isfinite(size) or grown > BLOWUP:
                raise FloatingPointError(
                    f"Langevin chains diverged at step {i + 1} of {n_steps} (largest |x| "
                    f"{size:.3g}): step={step:g} is too large for the score, or the density "
                    "is improper"
                )
    return x


def affine_stationary_variance(slope: float, step: float) -> float:
    """Stationary variance of the *discretised* chain for ``s(x) = slope (x - mu)``,
    ``slope < 0``: an AR(1) with ``rho = 1 + step slope / 2``, variance
    ``step / (1 - rho^2) = 1 / (-slope (1 + step slope / 4))`` (the continuous ``-1/slope``
    to first order in ``step``; needs ``|rho| < 1``)."""
    rho = 1.0 + 0.5 * step * slope
    if slope >= 0 or abs(rho) >= 1:
        raise ValueError(f"the chain has no stationary law for slope={slope}, step={step}")
    return step / (1.0 - rho * rho)

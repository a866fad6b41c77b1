"""Input checks shared by the lasso API (and the estimators built on it), the convex core and
the pattern samplers.

Each returns the checked value in a canonical type or raises a ValueError/TypeError whose
message names the argument (``name``), never a deep library traceback.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_generator", "as_matrix", "as_vector", "check_bool", "check_int", "check_real"]


def as_matrix(X, name: str = "X") -> np.ndarray:
    """``X`` as a finite 2-D float64 array, or a ValueError/TypeError naming ``name``."""
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric 2-D array") from exc
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def as_vector(v, n: int, name: str) -> np.ndarray:
    """``v`` as a finite float64 vector of length ``n``."""
    try:
        v = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric 1-D array") from exc
    if v.ndim != 1 or v.shape[0] != n:
        raise ValueError(f"{name} must be 1-D of length {n} (rows of X), got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return v


def check_int(value, name: str, minimum: int) -> int:
    """``value`` as an int ``>= minimum``; any integer type (numpy's too), not bool or float."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str, low: float, high: float, *, closed: str = "neither") -> float:
    """``value`` as a float in the interval from ``low`` to ``high``.

    ``closed``: which ends belong to it, ``"neither"``, ``"left"``, ``"right"`` or ``"both"``.
    NaN and non-numbers (bool included) are refused with an error naming ``name``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    v = float(value)
    lo_ok = v >= low if closed in ("left", "both") else v > low
    hi_ok = v <= high if closed in ("right", "both") else v < high
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        raise ValueError(f"{name} must lie in {left}{low:g}, {high:g}{right}, got {value!r}")
    return v


def check_bool(value, name: str) -> bool:
    """``value`` as a bool (Python's or numpy's; not 0/1 or a string)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_generator(random_state) -> np.random.Generator:
    """``random_state`` (None, an int seed >= 0 or a Generator, used as given) as a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None and (
        isinstance(random_state, bool | np.bool_)
        or not isinstance(random_state, numbers.Integral)
        or random_state < 0
    ):
        raise TypeError(
            f"random_state must be None, an int >= 0 or a numpy Generator, got {random_state!r}"
        )
    return np.random.default_rng(random_state)

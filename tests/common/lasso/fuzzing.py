"""Helpers of the fuzz tests of the lasso API and of the estimators built on it."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

FUZZ = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
NAN, INF = float("nan"), float("inf")


def mixed(n: int) -> np.ndarray:
    """An object array mixing numbers and strings (not numeric)."""
    return np.array([1, "a"] * (n // 2), dtype=object)


def fuzz_data(seed: int, n: int = 12, p: int = 3):
    """A small valid regression problem ``(X, y, rng)``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, X[:, 0] + 0.5 * rng.standard_normal(n), rng


def with_value(a: np.ndarray, value) -> np.ndarray:
    """A float copy of ``a`` with its first entry set to ``value`` (NaN, inf, ...)."""
    a = np.array(a, dtype=np.float64)
    a.flat[0] = value
    return a


def expect_error(call, names: tuple[str, ...]) -> None:
    """``call()`` raises ValueError/TypeError whose message names one of ``names``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. DataConversionWarning on the way to the error
        with pytest.raises((ValueError, TypeError)) as info:
            call()
    msg = str(info.value)
    assert any(name in msg for name in names), f"message does not name {names}: {msg!r}"

"""Datasets that need no download: generated, shipped with scikit-learn, or local.

- :func:`planted_relu` and :func:`sparse_linear` generate synthetic data;
- :func:`sklearn_dataset` returns a real dataset that scikit-learn ships inside
  its wheel (no network access);
- :func:`require_path` guards every loader of larger data from a user-given
  local path and fails with a message that says what was expected and where to
  set it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = [
    "SKLEARN_DATASETS",
    "planted_relu",
    "require_path",
    "sklearn_dataset",
    "split_rows",
    "standardize_columns",
]

#: Real datasets bundled with scikit-learn (loaded from its package data).
SKLEARN_DATASETS = ("diabetes", "breast_cancer", "iris", "wine", "digits")


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator (see common.seeds.numpy_rng), got {type(rng).__name__}"
        )
    return rng


def _check_positive(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def sklearn_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` as float64 / int-or-float arrays for a dataset scikit-learn ships."""
    from sklearn import datasets

    if name not in SKLEARN_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available offline: {SKLEARN_DATASETS}")
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def standardize_columns(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Centre and scale columns with the training statistics (constant columns kept at 0)."""
    X_train = np.asarray(X_train, dtype=np.float64)
    if X_train.ndim != 2:
        raise ValueError(f"X_train must be 2-D, got shape {X_train.shape}")
    if not np.isfinite(X_train).all():
        raise ValueError("X_train holds NaN or inf")
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale[scale == 0] = 1.0
    out = [(X_train - mean) / scale]
    for X in others:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != X_train.shape[1]:
            raise ValueError(f"expected shape (*, {X_train.shape[1]}), got {X.shape}")
        out.append((X - mean) / scale)
    return tuple(out)


def split_rows(
    X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random split ``(X_train, X_test, y_train, y_test)`` from a derived ``rng``."""
    _check_rng(rng)
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y have different lengths: {len(X)} and {len(y)}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    n_test = round(test_fraction * len(X))
    if n_test == 0 or n_test == len(X):
        raise ValueError(f"test_fraction={test_fraction} leaves an empty split of {len(X)} rows")
    perm = rng.permutation(len(X))
    test, train = perm[:n_test], perm[n_test:]
    return X[train], X[test], y[train], y[test]


def planted_relu(
    n: int, d: int, width: int, rng: np.random.Generator, noise: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian inputs and targets from a random two-layer ReLU teacher of ``width`` neurons."""
    _check_positive(n=n, d=d, width=width)
    _check_rng(rng)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((width, d)) / np.sqrt(d)
    a = rng.standard_normal(width)
    y = np.maximum(X @ W.T, 0.0) @ a + noise * rng.standard_normal(n)
    return X, y


def require_path(path: str | os.PathLike | None, what: str, config_key: str) -> Path:
    """Return ``path`` as a :class:`Path` if it exists, else raise a clear error.

    ``what`` describes the expected content (e.g. "the CIFAR-10 python batches
    folder"), ``config_key`` the place in ``workflows/config.yaml`` to set it.
    """
    if path is None or str(path) == "":
        raise FileNotFoundError(
            f"{what} is needed but no path was given: set {config_key} in workflows/config.yaml "
            f"(or pass it on the command line). Nothing is downloaded at run time."
        )
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(
            f"{what} was expected at {p} ({config_key}), but that path does not exist"
        )
    return p

"""Data generators for the simulations (after ptLasso's ``R/simulate.R`` and vignettes).

Every generator takes a numpy ``Generator`` and draws :math:`x \\sim N(0, I_p)`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "binomial_example_beta",
    "boosting_data",
    "cate_data",
    "draw_groups",
    "gaussian_example_beta",
    "multiresponse_data",
    "shared_support_beta",
    "target_grouped_data",
]


def draw_groups(
    rng: np.random.Generator,
    beta: np.ndarray,
    n_per_group: int,
    *,
    family: str = "gaussian",
    sigma: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, groups)`` with ``n_per_group`` rows per group and linear predictor ``x'beta_k``.

    ``beta`` is ``(K, p)``, one row of coefficients per group (intercepts 0). Gaussian:
    ``y = x'beta_k + sigma * eps``; binomial: ``y ~ Bernoulli(sigmoid(x'beta_k))``.
    """
    beta = np.asarray(beta, dtype=np.float64)
    if beta.ndim != 2:
        raise ValueError(f"beta must be (n_groups, p), got shape {beta.shape}")
    if n_per_group < 1:
        raise ValueError(f"n_per_group must be >= 1, got {n_per_group}")
    k, p = beta.shape
    groups = np.repeat(np.arange(k), n_per_group)
    X = rng.standard_normal((groups.size, p))
    eta = np.einsum("ij,ij->i", X, beta[groups])
    if family == "gaussian":
        y = eta + sigma * rng.standard_normal(groups.size)
    elif family == "binomial":
        y = (rng.uniform(size=groups.size) < 1 / (1 + np.exp(-eta))).astype(np.float64)
    else:
        raise ValueError(f"family must be 'gaussian' or 'binomial', got {family!r}")
    return X, y, groups


def shared_support_beta(
    n_groups: int,
    p: int,
    *,
    n_common: int,
    n_individual: int,
    common: float | np.ndarray,
    individual: float,
) -> np.ndarray:
    """Coefficients ``(K, p)``: features ``0..n_common-1`` shared by all groups, then
    ``n_individual`` features of each group's own, the rest zero.

    ``common`` is one value for every group or a length-K vector (group k's common
    coefficient, as in the Gaussian quick-start data).
    """
    if n_common + n_groups * n_individual > p:
        raise ValueError(f"{n_common} + {n_groups} x {n_individual} features exceed p={p}")
    beta = np.zeros((n_groups, p))
    beta[:, :n_common] = np.broadcast_to(np.asarray(common, float), (n_groups,))[:, None]
    for k in range(n_groups):
        start = n_common + k * n_individual
        beta[k, start : start + n_individual] = individual
    return beta


def gaussian_example_beta(n_groups: int = 5, p: int = 120) -> np.ndarray:
    """``gaussian.example.data``: features 1-10 common with coefficient 3k in group k
    (k = 1..K), 10 own features per group with coefficient 3, the rest noise."""
    return shared_support_beta(
        n_groups,
        p,
        n_common=10,
        n_individual=10,
        common=3.0 * np.arange(1, n_groups + 1),
        individual=3.0,
    )


def binomial_example_beta(p: int = 40) -> np.ndarray:
    """``binomial.example.data``: K = 3, 5 common features with group-specific values and
    5 own features per group with 0.9 times them."""
    common = np.array(
        [[-0.5, 0.5, 0.3, -0.9, 0.1], [-0.3, 0.9, 0.1, -0.1, 0.2], [0.1, 0.2, -0.1, 0.2, 0.3]]
    )
    beta = np.zeros((3, p))
    beta[:, :5] = common
    for k in range(3):
        beta[k, 5 + 5 * k : 10 + 5 * k] = 0.9 * common[k]
    return beta


def cate_data(
    rng: np.random.Generator, n: int, p: int = 20, *, shared: bool = True, noise: float = 10.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, w, tau)`` of the ptLasso CATE vignette.

    ``m(x) = x'b`` with ``b = 2`` on features 1-10; ``w ~ Bernoulli(1/2)``;
    shared support: ``tau(x) = 1.5 m(x) + x'(u * b)``, ``u ~ U(0.5, 1)`` per feature;
    otherwise ("null" variant) ``tau(x) = x'c`` with ``c = u * 2`` on features 11-20 only;
    ``y = m(x) + w tau(x) + noise * eps``.
    """
    if p < 20:
        raise ValueError(f"p must be >= 20 (two blocks of 10 features), got {p}")
    X = rng.standard_normal((n, p))
    b = np.zeros(p)
    b[:10] = 2.0
    u = rng.uniform(0.5, 1.0, size=10)
    c = np.zeros(p)
    if shared:
        c[:10] = 1.5 * b[:10] + u * b[:10]
    else:
        c[10:20] = 2.0 * u
    w = (rng.uniform(size=n) < 0.5).astype(np.float64)
    tau = X @ c
    y = X @ b + w * tau + noise * rng.standard_normal(n)
    return X, y, w, tau


def multiresponse_data(
    rng: np.random.Generator, n: int, p: int = 500, *, sigma: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` of ptLasso's multi-response Gaussian vignette: two responses sharing
    features 1-5 (coefficient 1), response 1 with 0.5 on features 6-10, response 2 with
    0.5 on features 11-15; ``Y = X B + sigma * eps``."""
    if p < 15:
        raise ValueError(f"p must be >= 15, got {p}")
    X = rng.standard_normal((n, p))
    B = np.zeros((p, 2))
    B[:5] = 1.0
    B[5:10, 0] = 0.5
    B[10:15, 1] = 0.5
    return X, X @ B + sigma * rng.standard_normal((n, 2))


def target_grouped_data(
    rng: np.random.Generator,
    n_per_class: int = 100,
    p: int = 50,
    *,
    n_classes: int = 5,
    n_common: int = 10,
    n_individual: int = 5,
    shift_common: float = 0.2,
    shift_individual: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of ptLasso's target-grouped (multinomial) vignette: class k's rows have
    features 1..n_common shifted by ``linspace(-shift_common, shift_common, K)[k]`` and
    their own ``n_individual`` features shifted by ``linspace(-shift_individual, ...)[k]``."""
    if n_common + n_classes * n_individual > p:
        raise ValueError(f"{n_common} + {n_classes} x {n_individual} features exceed p={p}")
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = rng.standard_normal((y.size, p))
    common = np.linspace(-shift_common, shift_common, n_classes)
    own = np.linspace(-shift_individual, shift_individual, n_classes)
    for k in range(n_classes):
        start = n_common + k * n_individual
        X[y == k, :n_common] += common[k]
        X[y == k, start : start + n_individual] += own[k]
    return X, y


def boosting_data(
    rng: np.random.Generator,
    n_per_group: int,
    p: int,
    *,
    n_groups: int = 3,
    n_common: int = 50,
    n_individual: int = 50,
    common: float = 2.0,
    individual: float = 1.0,
    sigma: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, groups)`` of ptLasso's grouped nonlinear-basis vignette:
    ``y = 1(X > 0) beta_k + sigma * eps`` with ``beta_k`` = ``common`` on the first
    ``n_common`` features and ``individual`` on group k's own block of ``n_individual``."""
    beta = shared_support_beta(
        n_groups,
        p,
        n_common=n_common,
        n_individual=n_individual,
        common=common,
        individual=individual,
    )
    groups = np.repeat(np.arange(n_groups), n_per_group)
    X = rng.standard_normal((groups.size, p))
    eta = np.einsum("ij,ij->i", (X > 0).astype(np.float64), beta[groups])
    return X, eta + sigma * rng.standard_normal(groups.size), groups

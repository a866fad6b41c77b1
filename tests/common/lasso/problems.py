"""Test problems shared by the lasso tests."""

import numpy as np


def problem(seed=0, n=120, p=30, family="gaussian"):
    """A lasso problem ``(X, y, offset, penalty_factor)`` with 5 true features, columns of
    various scales and means, two unpenalised columns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.uniform(-1, 1, p)
    beta = np.zeros(p)
    beta[:5] = [1.0, -0.8, 0.6, 0.5, -0.4]
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.7 * eta))).astype(float)
    offset = 0.3 * rng.standard_normal(n)
    pf = rng.uniform(0.5, 2.0, p)
    pf[:2] = 0.0
    return X, y, offset, pf

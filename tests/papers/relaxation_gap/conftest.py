"""A small exact-p* problem shared by the library tests."""

import numpy as np
import pytest

from papers.relaxation_gap import exact_optimum


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((14, 3))
    y = rng.standard_normal(14)
    beta = 0.05 * float(np.max(np.abs(X.T @ y)))
    return X, y, beta, exact_optimum(X, y, beta)

"""Shared small problems for the convex_nn tests (fixed shapes, so jit compiles once)."""

import numpy as np
import pytest

from common.arrangements import sample_patterns

N, D_IN, GATES = 24, 3, 12


def make_problem(seed=0, n=N, d=D_IN, gates=GATES, c=None):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.standard_normal((n, d - 1)), np.ones((n, 1))])  # bias column (B1)
    y = rng.standard_normal(n) if c is None else rng.standard_normal((n, c))
    D = sample_patterns(X, gates, seed=seed + 1)
    return X, y, D


@pytest.fixture(scope="session")
def problem():
    return make_problem()

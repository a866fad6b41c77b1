"""Regularization paths: one certified solve per beta.

PLACEHOLDER body (helper h16path): a sequential loop over :func:`solve_convex`, written so the
estimators can be developed against the agreed signature; the warm-started path of issue #16
(helper h16speed) replaces this body at merge.
"""

from __future__ import annotations

import numpy as np

from .solve import ConvexResult, solve_convex

__all__ = ["solve_path"]


def solve_path(
    X,
    y,
    patterns,
    betas,
    *,
    formulation="relu",
    loss="squared",
    activation="relu",
    solver="fast",
    dtype=np.float64,
    tol=None,
    max_iter=None,
) -> list[ConvexResult]:
    """Solve the program at every ``beta`` in ``betas`` (in the given order); one
    :class:`ConvexResult` per beta. Placeholder: independent cold solves."""
    return [
        solve_convex(
            X,
            y,
            patterns,
            b,
            formulation=formulation,
            loss=loss,
            activation=activation,
            solver=solver,
            dtype=dtype,
            tol=tol,
            max_iter=max_iter,
        )
        for b in np.atleast_1d(np.asarray(betas, dtype=np.float64))
    ]

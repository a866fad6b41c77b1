"""The Lasso of :mod:`.lasso` by R-FISTA in JAX, for the large deep dictionaries of full scale.

:func:`fista_lasso` solves ``min 1/2 ||A z + xi 1 - y||^2 + beta ||z||_1`` with
:func:`common.convex_nn.fast.fista` (CPU or GPU) to a certified relative duality gap; the
dictionaries come from :func:`.features.relu_dictionary`. A module of its own so that only the
full-scale experiment imports JAX.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.convex_nn.fast import fista
from papers.lasso_mirrors.lasso import (
    LassoSolution,
    _as_beta,
    _as_matrix,
    _as_response,
    lasso_objective,
)

__all__ = ["FistaSolution", "fista_lasso"]


@dataclass(frozen=True)
class FistaSolution(LassoSolution):
    """A :class:`LassoSolution` with its certificate: ``gap`` is the relative duality gap
    ``(P - D) / P`` at ``z`` (``D`` a dual feasible value, so ``P - p* <= gap * P``);
    ``converged`` whether it reached the requested tolerance within ``max_iter``."""

    gap: float
    converged: bool
    iterations: int


def fista_lasso(A, y, beta, tol: float = 1e-8, max_iter: int = 100_000) -> FistaSolution:
    """``min_{z, xi} 1/2 ||A z + xi 1 - y||^2 + beta ||z||_1`` by R-FISTA with a duality-gap
    stop (:func:`common.convex_nn.fast.fista`: restarts, a Newton finish on the active
    columns, JAX on its default device), stopping at relative gap ``tol``.

    The free bias is eliminated by centring ``A``'s columns and ``y`` (``xi = mean(y - A z)``);
    the program is then a group Lasso with one-column blocks on the constant feature ``1``
    masked by the centred columns. An unconverged run is returned with ``converged=False``
    and its gap (and a ``RuntimeWarning`` from the solver)."""
    y = np.asarray(y, dtype=np.float64)
    A = _as_matrix(A, y)
    y = _as_response(y, A.shape[0])
    beta = _as_beta(beta, allow_zero=False)
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.floating) or not 0 < tol < 1:
        raise ValueError(f"tol must be a number in (0, 1), got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    Ac, yc = A - A.mean(axis=0), y - y.mean()
    res = fista(np.ones((y.size, 1)), yc[:, None], Ac, beta, tol=tol, max_iter=int(max_iter))
    z = res.W[0, :, 0]
    xi = float(np.mean(y - A @ z))
    obj = lasso_objective(A, y, z, xi, beta)
    return FistaSolution(z, xi, obj, float(res.metric), bool(res.converged), int(res.iterations))

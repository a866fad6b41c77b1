"""Multivariate SM as a convex program over gated score networks (our formulation, D5).

For gates ``g_i`` (fixed hyperplanes) the gated network ``s(x) = sum_j 1[g_{i(j)}'(x, 1) >= 0]
alpha_j (w_j'x + b_j) + c`` has Jacobian trace ``sum_i D_i(x) tr(Z_i[:, :d])`` with
``Z_i = sum_{j in i} alpha_j (w_j, b_j)'`` (``d x (d+1)``), and weight decay
``beta/2 (|alpha|^2 + |w|^2 + b^2) >= beta ||Z_i||_*`` (equality at a balanced SVD
factorisation). The mean-normalised SM objective becomes::

    (1/n) sum_l [ |sum_i D_i(l) Z_i (x_l, 1) + c|^2 / 2 + sum_i D_i(l) tr Z_i[:, :d] ]
        + beta sum_i ||Z_i||_*

exact for gated networks with these gates (biases penalised with the weights here), a
relaxation for ReLU networks. Solved by CVXPY + CLARABEL; unbounded below for small beta, as
in 1-D.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["GatedScore", "fit_gated_sm", "sample_gates"]


def _check_X(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X must be (n, d) with n >= 2, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    return X


def sample_gates(X, n_gates: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_gates, d + 1)`` Gaussian gates with distinct patterns on ``X``; the first is the
    all-ones gate (the affine part)."""
    X = _check_X(X)
    if isinstance(n_gates, bool) or not isinstance(n_gates, int) or n_gates < 1:
        raise ValueError(f"n_gates must be a positive integer, got {n_gates!r}")
    d = X.shape[1]
    gates, seen = [np.r_[np.zeros(d), 1.0]], {tuple(np.ones(X.shape[0], bool))}
    for _ in range(100 * n_gates):
        if len(gates) == n_gates:
            break
        g = rng.standard_normal(d + 1)
        key = tuple(np.c_[X, np.ones(X.shape[0])] @ g >= 0)
        if key not in seen and any(key):
            seen.add(key)
            gates.append(g)
    return np.array(gates)


@dataclass(frozen=True)
class GatedScore:
    """A fitted gated score ``s(x) = sum_i 1[g_i'(x,1) >= 0] Z_i (x, 1) + c``."""

    gates: np.ndarray
    Z: np.ndarray  # (P, d, d + 1)
    c: np.ndarray
    beta: float
    objective: float
    status: str

    def score(self, pts) -> np.ndarray:
        pts = np.asarray(pts, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != self.c.size or not np.all(np.isfinite(pts)):
            raise ValueError(f"points must be finite with shape (N, {self.c.size})")
        xa = np.c_[pts, np.ones(pts.shape[0])]
        D = (xa @ self.gates.T >= 0).astype(float)  # (N, P)
        return np.einsum("np,pdk,nk->nd", D, self.Z, xa) + self.c


def fit_gated_sm(X, gates, beta: float, raise_unbounded: bool = True) -> GatedScore:
    """Solve the gated SM program (module docstring). Below the (data- and gate-dependent)
    critical beta CLARABEL reports the program unbounded: a ``ValueError`` naming beta, or
    with ``raise_unbounded=False`` a result with that status and objective ``-inf``."""
    import cvxpy as cp  # imported where used: the package imports light (plots, claims)

    X = _check_X(X)
    gates = np.asarray(gates, dtype=np.float64)
    n, d = X.shape
    if gates.ndim != 2 or gates.shape[1] != d + 1 or not np.all(np.isfinite(gates)):
        raise ValueError(f"gates must be finite with shape (P, {d + 1})")
    if isinstance(beta, bool) or not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be positive and finite, got {beta!r}")
    xa = np.c_[X, np.ones(n)]
    D = (xa @ gates.T >= 0).astype(float)  # (n, P)
    Zs = [cp.Variable((d, d + 1)) for _ in range(gates.shape[0])]
    c = cp.Variable(d)
    S = sum(cp.multiply(Z @ xa.T, np.tile(D[:, i], (d, 1))) for i, Z in enumerate(Zs))
    S = S + cp.reshape(c, (d, 1), order="F") @ np.ones((1, n))
    trace = sum(D[:, i].sum() * cp.trace(Z[:, :d]) for i, Z in enumerate(Zs)) / n
    obj = cp.sum_squares(S) / (2 * n) + trace + beta * sum(cp.normNuc(Z) for Z in Zs)
    prob = cp.Problem(cp.Minimize(obj))
    with warnings.catch_warnings():  # an inaccurate solve is reported through its status
        warnings.filterwarnings("ignore", message="Solution may be inaccurate")
        prob.solve(solver=cp.CLARABEL)
    if prob.status != "optimal":
        if raise_unbounded:
            raise ValueError(
                f"beta={beta:g}: the gated SM program is {prob.status} (unbounded below for "
                "beta under its critical value); increase beta"
            )
        nan = np.full((gates.shape[0], d, d + 1), np.nan)
        return GatedScore(gates, nan, np.full(d, np.nan), float(beta), -np.inf, str(prob.status))
    Z = np.array([z.value for z in Zs])
    return GatedScore(gates, Z, np.asarray(c.value), float(beta), float(prob.value), "optimal")

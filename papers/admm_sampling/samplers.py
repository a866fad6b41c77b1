"""Distributed samplers: D-ADMMS (proposed), consensus ADMM, D-SGLD, D-SGHMC and D-ULA.

Every sampler runs all trials (independent chains) and all agents at once on arrays of
shape ``(n_trials, n_agents, d)``; the only Python loop is over iterations.

- ``"d_admms"`` / ``"admm"``: decentralised consensus ADMM with penalty ``rho``,
  ``x_i <- argmin f_i(x) + <p_i, x> + rho sum_{j in N_i} ||x - (x_i + x_j)/2 + w_i||^2``,
  ``p_i <- p_i + rho sum_{j in N_i} (x_i - x_j)``, where D-ADMMS draws
  ``w_i ~ N(0, I / (2 rho^2))`` (the released code's noise scale) and ADMM sets ``w = 0``.
  ``neighbours="code_bug"`` uses the released code's neighbour indices ``0 .. d_i - 1`` in the
  primal step (see :func:`~papers.admm_sampling.graphs.neighbour_matrix`).
- ``"d_sgld"``: ``x_i <- sum_j W_ij x_j - eta grad f_i(x_i) + sqrt(2 eta) xi``.
- ``"d_sghmc"``: ``v_i <- v_i - eta (gamma v_i + grad f_i(x_i)) + sqrt(2 gamma eta) xi``,
  ``x_i <- sum_j W_ij x_j + eta v_i``.
- ``"d_ula"``: ``x_i <- x_i - beta_k sum_{j in N_i} (x_i - x_j) - alpha_k N grad f_i(x_i)
  + sqrt(2 alpha_k) zeta``, ``zeta ~ N(0, N I)``, ``alpha_k = alpha_0 / (b_1 + k)^delta_2``,
  ``beta_k = beta_0 / (b_2 + k)^delta_1``.

``W`` is the Metropolis matrix. Gradients are full local gradients (no minibatches), as in
the released code. Hyperparameters default to the code's values (:func:`hyperparameters`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from papers.admm_sampling.graphs import (
    check_adjacency,
    laplacian,
    metropolis_weights,
    neighbour_matrix,
)
from papers.admm_sampling.targets import LinearGaussianTarget, LogisticTarget

__all__ = ["METHODS", "check_sampler_args", "hyperparameters", "initial_law", "sample"]

METHODS = ("d_admms", "admm", "d_sgld", "d_sghmc", "d_ula")


def hyperparameters(method: str, target, adjacency) -> dict[str, float]:
    """The released code's step sizes for ``method`` on ``target`` and this graph.

    D-SGLD ``eta`` 0.009 (linear) / 0.0003 (logistic); D-SGHMC ``(eta, gamma)`` (0.1, 7) /
    (0.02, 30); D-ULA ``alpha_0 = 0.00082``, ``beta_0 = 0.48``, ``b_1 = b_2 = 230`` and
    ``(delta_1, delta_2)`` = (0.55, 0.05) linear complete, (0.9, 0.9) logistic complete,
    (0.05, 0.05) on other graphs. ADMM and D-ADMMS take only ``rho`` (an argument).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    logistic = isinstance(target, LogisticTarget)
    a = check_adjacency(adjacency)
    complete = a.shape[0] > 1 and bool(np.all(a + np.eye(a.shape[0]) == 1.0))
    if method == "d_sgld":
        return {"eta": 0.0003 if logistic else 0.009}
    if method == "d_sghmc":
        return {"eta": 0.02, "gamma": 30.0} if logistic else {"eta": 0.1, "gamma": 7.0}
    if method == "d_ula":
        delta = (0.9, 0.9) if logistic else (0.55, 0.05)
        d1, d2 = delta if complete else (0.05, 0.05)
        return {
            "alpha_0": 0.00082,
            "beta_0": 0.48,
            "b_1": 230.0,
            "b_2": 230.0,
            "delta_1": d1,
            "delta_2": d2,
        }
    return {}


def initial_law(d: int, init_mean=None, init_cov=None) -> tuple[np.ndarray, np.ndarray]:
    """The law ``N(init_mean, init_cov)`` of every agent's first sample (default ``N(0, I)``),
    validated."""
    mean = np.zeros(d) if init_mean is None else np.asarray(init_mean, dtype=np.float64)
    cov = np.eye(d) if init_cov is None else np.asarray(init_cov, dtype=np.float64)
    if mean.shape != (d,) or not np.all(np.isfinite(mean)):
        raise ValueError(f"init_mean must be a finite vector of length {d}, got shape {mean.shape}")
    if cov.shape != (d, d) or not np.all(np.isfinite(cov)) or not np.allclose(cov, cov.T):
        raise ValueError(f"init_cov must be a finite symmetric ({d}, {d}) matrix")
    if np.linalg.eigvalsh(cov).min() < -1e-12:
        raise ValueError("init_cov must be positive semidefinite")
    return mean, cov


def check_sampler_args(target, adjacency, method, n_iter, rho, neighbours, hyper):
    """Validate the arguments shared by :func:`sample` and the exact recursion; returns the
    adjacency array and the complete hyperparameters."""
    if not isinstance(target, LinearGaussianTarget | LogisticTarget):
        raise TypeError(f"target must be a LinearGaussianTarget or LogisticTarget, got {target!r}")
    a = check_adjacency(adjacency)
    if a.shape[0] != target.n_agents:
        raise ValueError(
            f"adjacency has {a.shape[0]} agents but the target has {target.n_agents} data blocks"
        )
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 0:
        raise ValueError(f"n_iter must be a non-negative integer, got {n_iter!r}")
    if not np.isfinite(rho) or rho <= 0:
        raise ValueError(f"rho must be positive and finite, got {rho!r}")
    neighbour_matrix(a, neighbours)  # validates the mode
    params = hyperparameters(method, target, a)
    unknown = sorted(set(hyper or {}) - set(params))
    if unknown:
        raise ValueError(f"hyper has unknown keys {unknown} for {method}; known: {sorted(params)}")
    params.update(hyper or {})
    for key, value in params.items():
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"hyper[{key!r}] must be positive and finite, got {value!r}")
    return a, params


def _mix(mat: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``(mat @ x)`` over the agent axis of ``x`` (..., n_agents, d)."""
    return np.einsum("ij,...jd->...id", mat, x)


def sample(
    target,
    adjacency,
    method: str,
    n_iter: int,
    n_trials: int,
    rho: float = 5.0,
    seed: int | np.random.Generator = 0,
    neighbours: str = "correct",
    hyper: Mapping[str, float] | None = None,
    init_mean=None,
    init_cov=None,
) -> np.ndarray:
    """Run ``method`` for ``n_iter`` iterations on ``n_trials`` independent chains.

    Returns the iterates, shape ``(n_iter + 1, n_trials, n_agents, d)``; index 0 is the
    initial draw ``x_i^0 ~ N(init_mean, init_cov)`` (default ``N(0, I)``), independent over
    agents and trials. ``hyper`` overrides the defaults of :func:`hyperparameters`.
    """
    a, params = check_sampler_args(target, adjacency, method, n_iter, rho, neighbours, hyper)
    if isinstance(n_trials, bool) or not isinstance(n_trials, int | np.integer) or n_trials < 1:
        raise ValueError(f"n_trials must be a positive integer, got {n_trials!r}")
    mean, cov = initial_law(target.d, init_mean, init_cov)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    shape = (n_trials, target.n_agents, target.d)
    vals, vecs = np.linalg.eigh(cov)
    x = mean + rng.standard_normal(shape) @ (vecs * np.sqrt(np.clip(vals, 0.0, None))).T
    out = np.empty((n_iter + 1, *shape))
    out[0] = x
    steps = {"d_admms": _admm, "admm": _admm, "d_sgld": _sgld, "d_sghmc": _sghmc, "d_ula": _ula}
    steps[method](target, a, method, rho, neighbours, params, rng, out)
    return out


def _admm(target, a, method, rho, neighbours, params, rng, out):
    deg = a.sum(axis=1)
    nb = neighbour_matrix(a, neighbours)
    lap = laplacian(a)
    q = 2 * rho * deg
    x = out[0]
    p = np.zeros_like(x)
    for k in range(1, out.shape[0]):
        r = -p + rho * (deg[:, None] * x + _mix(nb, x))
        if method == "d_admms":
            w = rng.standard_normal(x.shape) / (np.sqrt(2) * rho)
            r = r - q[:, None] * w
        x = target.solve_local(r, q, start=x)
        p = p + rho * _mix(lap, x)
        out[k] = x


def _sgld(target, a, method, rho, neighbours, params, rng, out):
    w, eta = metropolis_weights(a), params["eta"]
    for k in range(1, out.shape[0]):
        x = out[k - 1]
        out[k] = _mix(w, x) - eta * target.grad(x) + np.sqrt(2 * eta) * rng.standard_normal(x.shape)


def _sghmc(target, a, method, rho, neighbours, params, rng, out):
    w, eta, gamma = metropolis_weights(a), params["eta"], params["gamma"]
    v = rng.standard_normal(out[0].shape)
    for k in range(1, out.shape[0]):
        x = out[k - 1]
        noise = np.sqrt(2 * gamma * eta) * rng.standard_normal(x.shape)
        v = v - eta * (gamma * v + target.grad(x)) + noise
        out[k] = _mix(w, x) + eta * v


def ula_steps(params: Mapping[str, float], k: int) -> tuple[float, float]:
    """D-ULA's ``(alpha_k, beta_k)`` at iteration ``k = 0, 1, ...`` (the code's crossed
    exponent names)."""
    alpha = params["alpha_0"] / (params["b_1"] + k) ** params["delta_2"]
    beta = params["beta_0"] / (params["b_2"] + k) ** params["delta_1"]
    return alpha, beta


def _ula(target, a, method, rho, neighbours, params, rng, out):
    lap, n = laplacian(a), a.shape[0]
    for k in range(1, out.shape[0]):
        x = out[k - 1]
        alpha, beta = ula_steps(params, k - 1)
        zeta = np.sqrt(n) * rng.standard_normal(x.shape)
        out[k] = x - beta * _mix(lap, x) - alpha * n * target.grad(x) + np.sqrt(2 * alpha) * zeta

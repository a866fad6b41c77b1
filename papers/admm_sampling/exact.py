"""Exact laws of the samplers on a Gaussian target, by the linear recursion of their state.

On :class:`~papers.admm_sampling.targets.LinearGaussianTarget` every sampler is an affine
recursion with Gaussian noise, ``z^{k+1} = T_k z^k + c_k + S_k eps^k``, ``eps ~ N(0, I)``, in a
stacked state ``z`` (``x`` alone for D-SGLD and D-ULA, ``(x, p)`` for ADMM and D-ADMMS,
``(x, v)`` for D-SGHMC), built here from the matrix form of the updates (block-diagonal
curvature ``A``, degree matrix ``D``, neighbour matrix ``B``, Laplacian ``L``, Metropolis ``W``,
all Kronecker-multiplied by ``I_d``). For ADMM / D-ADMMS with ``M = A + 2 rho D``::

    T = [[rho M^-1 (D + B),        -M^-1         ],      c = [M^-1 b; rho L M^-1 b],
         [rho^2 L M^-1 (D + B),    I - rho L M^-1]],     S = -sqrt(2) [M^-1 D; rho L M^-1 D].

The state's law stays Gaussian; its mean and covariance are propagated exactly
(``m <- T m + c``, ``P <- T P T^T + S S^T``), which gives every agent's law, and the network
average's, at every iteration without Monte-Carlo error. :func:`stationary_law` iterates the
time-invariant recursions to their fixed point by doubling (``T`` has a unit eigenvalue, since
``sum_i p_i`` is conserved, that the noise never excites, so a Lyapunov solver is not used).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.linalg import block_diag

from papers.admm_sampling.graphs import laplacian, metropolis_weights, neighbour_matrix
from papers.admm_sampling.samplers import check_sampler_args, initial_law, ula_steps
from papers.admm_sampling.targets import LinearGaussianTarget

__all__ = ["ExactLaw", "exact_law", "stationary_law"]


@dataclass(frozen=True)
class ExactLaw:
    """Gaussian laws of the iterates: per agent ``mean`` (..., n_agents, d) and ``cov``
    (..., n_agents, d, d); network average ``mean_avg`` (..., d) and ``cov_avg`` (..., d, d).
    The leading axis is the iteration for :func:`exact_law` and absent for
    :func:`stationary_law`."""

    mean: np.ndarray
    cov: np.ndarray
    mean_avg: np.ndarray
    cov_avg: np.ndarray


System = Callable[[int], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _system(target, a, method, rho, neighbours, params) -> tuple[System, int]:
    """``k -> (T_k, c_k, S_k)`` and the number of state blocks (1 or 2)."""
    n, d = a.shape[0], target.d
    eye_d = np.eye(d)
    big_a = block_diag(*target.A)
    b = target.b.ravel()
    lap = np.kron(laplacian(a), eye_d)
    eye = np.eye(n * d)
    if method in ("d_admms", "admm"):
        deg = np.kron(np.diag(a.sum(axis=1)), eye_d)
        nb = np.kron(neighbour_matrix(a, neighbours), eye_d)
        m_inv = np.linalg.inv(big_a + 2 * rho * deg)
        g = rho * m_inv @ (deg + nb)
        t = np.block([[g, -m_inv], [rho * lap @ g, eye - rho * lap @ m_inv]])
        c = np.concatenate([m_inv @ b, rho * lap @ m_inv @ b])
        scale = 0.0 if method == "admm" else np.sqrt(2.0)  # 2 rho D w, w ~ N(0, I/(2 rho^2))
        s = -scale * np.vstack([m_inv @ deg, rho * lap @ m_inv @ deg])
        return (lambda k: (t, c, s)), 2
    if method == "d_sgld":
        eta = params["eta"]
        t = np.kron(metropolis_weights(a), eye_d) - eta * big_a
        return (lambda k: (t, eta * b, np.sqrt(2 * eta) * eye)), 1
    if method == "d_sghmc":
        eta, gamma = params["eta"], params["gamma"]
        w = np.kron(metropolis_weights(a), eye_d)
        sig = np.sqrt(2 * gamma * eta)
        t = np.block(
            [
                [w - eta**2 * big_a, eta * (1 - eta * gamma) * eye],
                [-eta * big_a, (1 - eta * gamma) * eye],
            ]
        )
        c = np.concatenate([eta**2 * b, eta * b])
        return (lambda k: (t, c, np.vstack([eta * sig * eye, sig * eye]))), 2

    def ula(k: int):
        alpha, beta = ula_steps(params, k)
        t = eye - beta * lap - alpha * n * big_a
        return t, alpha * n * b, np.sqrt(2 * alpha * n) * eye

    return ula, 1


def _initial(target, blocks, method, init_mean, init_cov):
    n, d = target.n_agents, target.d
    mean, cov = initial_law(d, init_mean, init_cov)
    m = np.concatenate([np.tile(mean, n), np.zeros((blocks - 1) * n * d)])
    p = np.zeros((blocks * n * d,) * 2)
    p[: n * d, : n * d] = np.kron(np.eye(n), cov)
    if method == "d_sghmc":  # v^0 ~ N(0, I)
        p[n * d :, n * d :] = np.eye(n * d)
    return m, p


def _marginals(target, m: np.ndarray, p: np.ndarray):
    """Per-agent and network-average laws of the ``x`` block of state laws ``(m, p)``."""
    n, d = target.n_agents, target.d
    mx = m[..., : n * d].reshape(*m.shape[:-1], n, d)
    px = p[..., : n * d, : n * d].reshape(*p.shape[:-2], n, d, n, d)
    idx = np.arange(n)
    cov = np.moveaxis(px[..., idx, :, idx, :], 0, -3)
    return mx, cov, mx.mean(axis=-2), px.mean(axis=(-4, -2))


def _checked(target, adjacency, method, n_iter, rho, neighbours, hyper):
    if not isinstance(target, LinearGaussianTarget):
        raise TypeError(f"the exact law needs a LinearGaussianTarget, got {type(target).__name__}")
    return check_sampler_args(target, adjacency, method, n_iter, rho, neighbours, hyper)


def exact_law(
    target,
    adjacency,
    method: str,
    n_iter: int,
    rho: float = 5.0,
    neighbours: str = "correct",
    hyper: Mapping[str, float] | None = None,
    init_mean=None,
    init_cov=None,
) -> ExactLaw:
    """The exact Gaussian law of every agent's iterate (and of the network average) at
    iterations ``0 .. n_iter`` of :func:`~papers.admm_sampling.samplers.sample` with the same
    arguments; ``mean`` has shape ``(n_iter + 1, n_agents, d)``, ``cov``
    ``(n_iter + 1, n_agents, d, d)``."""
    a, params = _checked(target, adjacency, method, n_iter, rho, neighbours, hyper)
    system, blocks = _system(target, a, method, rho, neighbours, params)
    m, p = _initial(target, blocks, method, init_mean, init_cov)
    ms, ps = [m], [p]
    for k in range(n_iter):
        t, c, s = system(k)
        m = t @ m + c
        p = t @ p @ t.T + s @ s.T
        ms.append(m)
        ps.append((p + p.T) / 2)
    return ExactLaw(*_marginals(target, np.stack(ms), np.stack(ps)))


def stationary_law(
    target,
    adjacency,
    method: str,
    rho: float = 5.0,
    neighbours: str = "correct",
    hyper: Mapping[str, float] | None = None,
    tol: float = 1e-12,
    max_doublings: int = 60,
) -> ExactLaw:
    """The limit law of the iterates as ``k -> infinity`` (from the standard start), by
    doubling: after ``j`` doublings the recursion has run ``2^j - 1`` steps. Raises when the
    law has not settled (relative change > ``tol``) after ``max_doublings`` doublings."""
    if method == "d_ula":
        raise ValueError("D-ULA's steps vary with k: it has no stationary law of this form")
    a, params = _checked(target, adjacency, method, 0, rho, neighbours, hyper)
    system, blocks = _system(target, a, method, rho, neighbours, params)
    t, c, s = system(0)
    m, p = _initial(target, blocks, method, None, None)
    proj = np.eye(m.size)
    if method in ("d_admms", "admm"):  # sum_i p_i = 0 is conserved: keep rounding out of it
        n, d = a.shape[0], target.d
        ones = np.kron(np.ones((n, 1)), np.eye(d)) / np.sqrt(n)
        proj[n * d :, n * d :] -= ones @ ones.T
    # the k-step map: z -> t_pow z + c_acc + noise with covariance q_acc
    t_pow, c_acc, q_acc = proj @ t @ proj, proj @ c, proj @ s @ s.T @ proj
    for _ in range(max_doublings):
        m_new = t_pow @ m + c_acc
        p_new = t_pow @ p @ t_pow.T + q_acc
        change = max(
            np.abs(m_new - m).max() / (1 + np.abs(m_new).max()),
            np.abs(p_new - p).max() / (1 + np.abs(p_new).max()),
        )
        m, p = m_new, (p_new + p_new.T) / 2
        if change <= tol:
            return ExactLaw(*_marginals(target, m, p))
        c_acc = t_pow @ c_acc + c_acc
        q_acc = t_pow @ q_acc @ t_pow.T + q_acc
        t_pow = t_pow @ t_pow
    raise RuntimeError(f"stationary law of {method} at rho={rho} did not settle")

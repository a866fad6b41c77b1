"""Posterior targets split over agents: Bayesian linear and logistic regression.

Agent ``i`` holds a design block ``X_i`` of shape ``(n_i, d)`` (rows are samples) and its
responses ``y_i``; the prior ``N(0, prior_var I)`` is split evenly over the ``N`` agents, so
``f_i(x) = loss_i(x) + ||x||^2 / (2 prior_var N)`` and the target is
``pi(x) ~ exp(-sum_i f_i(x))``, the pooled posterior.

Every method takes iterates of shape ``(..., n_agents, d)`` (trials first) and acts on all
agents at once. ``solve_local(r, q, start)`` is the samplers' local problem
``argmin_x f_i(x) + q_i ||x||^2 / 2 - <r_i, x>`` for every agent (closed form for the linear
target, batched damped Newton for the logistic one).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit, log_expit

__all__ = [
    "LinearGaussianTarget",
    "LogisticTarget",
    "linear_regression_data",
    "logistic_regression_data",
]


def _positive(value, name: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def _parts(X_parts: Sequence, y_parts: Sequence) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if len(X_parts) == 0 or len(X_parts) != len(y_parts):
        raise ValueError(
            f"X_parts and y_parts must be non-empty lists of equal length (one block per "
            f"agent), got {len(X_parts)} and {len(y_parts)}"
        )
    Xs = [np.asarray(X, dtype=np.float64) for X in X_parts]
    ys = [np.asarray(y, dtype=np.float64) for y in y_parts]
    d = Xs[0].shape[-1] if Xs[0].ndim == 2 else -1
    for i, (X, y) in enumerate(zip(Xs, ys, strict=True)):
        if X.ndim != 2 or X.shape[1] != d or X.shape[0] < 1:
            raise ValueError(f"X_parts[{i}] must have shape (n_i, {d}), got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y_parts[{i}] must have shape ({X.shape[0]},), got {y.shape}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError(f"X_parts[{i}] and y_parts[{i}] must be finite")
    return Xs, ys


class _Target:
    """Data split over agents with an evenly split Gaussian prior."""

    def __init__(self, X_parts, y_parts, prior_var: float):
        self.X_parts, self.y_parts = _parts(X_parts, y_parts)
        self.prior_var = _positive(prior_var, "prior_var")
        self.n_agents = len(self.X_parts)
        self.d = self.X_parts[0].shape[1]
        self.X = np.vstack(self.X_parts)
        self.y = np.concatenate(self.y_parts)

    def check_iterate(self, x, name: str = "x") -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim < 2 or x.shape[-2:] != (self.n_agents, self.d):
            raise ValueError(
                f"{name} must have shape (..., {self.n_agents}, {self.d}), got {x.shape}"
            )
        return x


class LinearGaussianTarget(_Target):
    """Bayesian linear regression ``y = X x + N(0, noise_var)``, prior ``N(0, prior_var I)``.

    ``f_i(x) = x^T A_i x / 2 - b_i^T x + const`` with ``A_i = X_i^T X_i / noise_var +
    I / (prior_var N)`` and ``b_i = X_i^T y_i / noise_var``; the pooled posterior is
    ``N(posterior_mean, posterior_cov)``.
    """

    def __init__(self, X_parts, y_parts, noise_var: float, prior_var: float):
        super().__init__(X_parts, y_parts, prior_var)
        self.noise_var = _positive(noise_var, "noise_var")
        eye = np.eye(self.d) / (self.prior_var * self.n_agents)
        self.A = np.stack([X.T @ X / self.noise_var + eye for X in self.X_parts])
        self.b = np.stack(
            [X.T @ y / self.noise_var for X, y in zip(self.X_parts, self.y_parts, strict=True)]
        )
        self.posterior_cov = np.linalg.inv(self.A.sum(axis=0))
        self.posterior_cov = (self.posterior_cov + self.posterior_cov.T) / 2
        self.posterior_mean = self.posterior_cov @ self.b.sum(axis=0)
        self.local_map = np.linalg.solve(self.A, self.b[..., None])[..., 0]

    def grad(self, x) -> np.ndarray:
        """``grad f_i(x_i)`` for every agent; ``x``: (..., n_agents, d)."""
        x = self.check_iterate(x)
        return np.einsum("nij,...nj->...ni", self.A, x) - self.b

    def solve_local(self, r, q, start=None) -> np.ndarray:
        """``argmin_x f_i(x) + q_i ||x||^2 / 2 - <r_i, x>`` in closed form (``start`` unused)."""
        q = np.asarray(q, dtype=np.float64)
        mats = self.A + q[:, None, None] * np.eye(self.d)
        return np.einsum("nij,...nj->...ni", np.linalg.inv(mats), self.b + r)


class LogisticTarget(_Target):
    """Bayesian logistic regression, labels ``y`` in {0, 1}, prior ``N(0, prior_var I)``.

    The posterior's mean and covariance have no closed form; ``posterior_mean`` and
    ``posterior_cov`` are computed by tensor Gauss-Hermite quadrature around the Laplace
    approximation (``quadrature_points`` per dimension; ``d <= 4``), importance-weighted
    by the exact log posterior.
    """

    def __init__(self, X_parts, y_parts, prior_var: float, quadrature_points: int = 20):
        super().__init__(X_parts, y_parts, prior_var)
        if not np.all((self.y == 0) | (self.y == 1)):
            raise ValueError("y_parts must hold labels 0 and 1 only")
        self.quadrature_points = int(quadrature_points)
        self._moments = None
        # blocks zero-padded to a common length; sign +1 for y = 1, -1 for y = 0, 0 padding
        n_max = max(X.shape[0] for X in self.X_parts)
        self._xp = np.zeros((self.n_agents, n_max, self.d))
        self._sign = np.zeros((self.n_agents, n_max))
        for i, (X, y) in enumerate(zip(self.X_parts, self.y_parts, strict=True)):
            self._xp[i, : X.shape[0]] = X
            self._sign[i, : X.shape[0]] = 2 * y - 1

    # -- the local functions, vectorised over trials and agents ---------------------------
    def _z(self, x: np.ndarray) -> np.ndarray:
        """Margins ``X_i x_i`` of every agent's rows: (..., n_agents, n_max)."""
        return (x[..., None, :] @ np.swapaxes(self._xp, -1, -2))[..., 0, :]

    def objective(self, x) -> np.ndarray:
        """``f_i(x_i)`` for every agent; ``x``: (..., n_agents, d) -> (..., n_agents)."""
        x = self.check_iterate(x)
        sign = self._sign
        loss = -np.sum(np.abs(sign) * log_expit(sign * self._z(x)), axis=-1)
        return loss + np.sum(x**2, axis=-1) / (2 * self.prior_var * self.n_agents)

    def grad(self, x) -> np.ndarray:
        """``grad f_i(x_i)`` for every agent."""
        x = self.check_iterate(x)
        sign = self._sign
        resid = -sign * expit(-sign * self._z(x))  # sigmoid(z) - y on real rows, 0 on padding
        return (resid[..., None, :] @ self._xp)[..., 0, :] + x / (self.prior_var * self.n_agents)

    def hess(self, x) -> np.ndarray:
        """``hess f_i(x_i)`` for every agent: (..., n_agents, d, d)."""
        x = self.check_iterate(x)
        s = expit(self._z(x))
        weighted = (np.abs(self._sign) * s * (1 - s))[..., None] * self._xp
        h = np.swapaxes(weighted, -1, -2) @ self._xp
        return h + np.eye(self.d) / (self.prior_var * self.n_agents)

    def solve_local(self, r, q, start, tol: float = 1e-9, max_iter: int = 100) -> np.ndarray:
        """``argmin_x f_i(x) + q_i ||x||^2 / 2 - <r_i, x>`` by batched Newton with
        backtracking (halving) from ``start``; raises if the gradient does not fall below
        ``tol`` (relative) within ``max_iter`` steps."""
        q = np.asarray(q, dtype=np.float64)
        x = np.array(start, dtype=np.float64)

        def phi(v):
            return self.objective(v) + q * np.sum(v**2, axis=-1) / 2 - np.sum(r * v, axis=-1)

        scale = 1.0 + np.abs(r).max()
        f0 = phi(x)
        for _ in range(max_iter):
            g = self.grad(x) + q[:, None] * x - r
            if np.abs(g).max() <= tol * scale:
                return x
            h = self.hess(x) + q[:, None, None] * np.eye(self.d)
            step = np.linalg.solve(h, g[..., None])[..., 0]
            t = np.ones(x.shape[:-1])
            slack = 1e-12 * (1 + np.abs(f0))  # rounding of phi near the minimum
            for _ in range(50):
                f1 = phi(x - t[..., None] * step)
                bad = f1 > f0 - 1e-4 * t * np.sum(g * step, axis=-1) + slack
                if not bad.any():
                    break
                t = np.where(bad, t / 2, t)
            x, f0 = x - t[..., None] * step, f1
        raise RuntimeError(f"logistic local Newton solve did not converge in {max_iter} steps")

    # -- the pooled posterior ----------------------------------------------------------
    def log_posterior(self, x) -> np.ndarray:
        """Unnormalised log posterior at ``x`` of shape (..., d)."""
        x = np.asarray(x, dtype=np.float64)
        z = x @ self.X.T
        loglik = np.sum(log_expit(np.where(self.y == 1, z, -z)), axis=-1)
        return loglik - np.sum(x**2, axis=-1) / (2 * self.prior_var)

    @property
    def posterior_mode(self) -> np.ndarray:
        """The MAP of the pooled posterior (Newton on the summed local functions)."""
        return self._posterior()[0]

    @property
    def posterior_mean(self) -> np.ndarray:
        return self._posterior()[1]

    @property
    def posterior_cov(self) -> np.ndarray:
        return self._posterior()[2]

    def _posterior(self):
        if self._moments is not None:
            return self._moments
        if self.d > 4:
            raise ValueError(f"quadrature posterior moments need d <= 4, got d = {self.d}")
        pooled = LogisticTarget([self.X], [self.y], self.prior_var)
        mode = pooled.solve_local(np.zeros((1, self.d)), np.zeros(1), np.zeros((1, self.d)))[0]
        hess = pooled.hess(mode[None])[0]
        chol = np.linalg.cholesky(np.linalg.inv(hess))
        nodes, weights = np.polynomial.hermite_e.hermegauss(self.quadrature_points)
        grid = np.stack(np.meshgrid(*[nodes] * self.d, indexing="ij"), -1).reshape(-1, self.d)
        logw = np.sum(np.log(np.stack(np.meshgrid(*[weights] * self.d, indexing="ij"), -1)), -1)
        pts = mode + grid @ chol.T
        # weight = quadrature weight * posterior / standard-normal reference density
        logw = logw.ravel() + self.log_posterior(pts) + np.sum(grid**2, axis=-1) / 2
        w = np.exp(logw - logw.max())
        w /= w.sum()
        mean = w @ pts
        cen = pts - mean
        cov = (w[:, None] * cen).T @ cen
        self._moments = (mode, mean, (cov + cov.T) / 2)
        return self._moments

    def accuracy(self, x) -> np.ndarray:
        """Training accuracy on all agents' data of the classifiers ``x`` (..., d), computed
        in blocks of rows (a full ``(..., n_data)`` array of margins would be large)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1] != self.d:
            raise ValueError(f"x must end in ({self.d},), got shape {x.shape}")
        flat = x.reshape(-1, self.d)
        out = np.empty(flat.shape[0])
        for start in range(0, flat.shape[0], 1024):
            block = flat[start : start + 1024]
            out[start : start + 1024] = np.mean((block @ self.X.T >= 0) == (self.y == 1), axis=-1)
        return out.reshape(x.shape[:-1])


def linear_regression_data(n_agents: int, n_samples: int, seed: int = 10, d: int = 2):
    """The released linear-regression data: legacy ``numpy.random.seed(seed)``, ``x_true ~
    N(0, 10 I)``, then per agent ``X_i`` rows ``~ N(0, I)`` and ``y_i = X_i x_true +
    N(0, 4^2)``, in the script's draw order. Returns ``(target, x_true)``."""
    rs = np.random.RandomState(seed)
    lam, xi = 10.0, 4.0
    x_true = rs.multivariate_normal(np.zeros(d), lam * np.eye(d))
    Xs, ys = [], []
    for _ in range(n_agents):
        X = rs.multivariate_normal(np.zeros(d), np.eye(d), size=(n_samples,))
        Xs.append(X)
        ys.append(X @ x_true + rs.normal(0, xi, size=(n_samples,)))
    return LinearGaussianTarget(Xs, ys, noise_var=xi**2, prior_var=lam), x_true


def logistic_regression_data(n_agents: int, n_samples: int, seed: int = 10, d: int = 3):
    """The released logistic-regression data: legacy ``numpy.random.seed(seed)``,
    ``x_true ~ N(0, 10 I)``, per agent ``X_i`` rows ``~ N(0, 20 I)`` and one uniform draw per
    sample, ``y = 1`` when it is ``<= sigmoid(x_true^T X_s)``. Returns ``(target, x_true)``."""
    rs = np.random.RandomState(seed)
    lam = 10.0
    x_true = rs.multivariate_normal(np.zeros(d), lam * np.eye(d))
    Xs, ys = [], []
    for _ in range(n_agents):
        X = rs.multivariate_normal(np.zeros(d), 20 * np.eye(d), size=(n_samples,))
        u = rs.uniform(0.0, 1.0, size=n_samples)
        Xs.append(X)
        ys.append((u <= expit(X @ x_true)).astype(np.float64))
    return LogisticTarget(Xs, ys, prior_var=lam), x_true

"""Interpolating least-squares problems with their exact constants and stochastic oracles.

Both problems are quadratics ``f(w) = 1/2 (w - w*)^T S (w - w*)`` with ``f* = 0`` (the
data are consistent, so the model interpolates) and a stochastic gradient that averages
``b`` single-sample gradients ``x x^T (w - w*)``:

- :func:`least_squares`: the finite sum ``f(w) = ||X w - y||^2 / (2n)`` with minibatches of
  rows drawn uniformly *with replacement*;
- :func:`population_least_squares`: ``x ~ N(0, I_d)`` drawn fresh at every step, so
  ``f(w) = ||w - w*||^2 / 2`` and ``L = mu = 1``.

The strong growth constant (SGC) ``E||grad f(w, z)||^2 <= rho ||grad f(w)||^2`` is exact:
with ``e = w - w*``, ``E||g_1||^2 = e^T M e`` and ``||grad f||^2 = e^T S^2 e`` where
``M = E[||x||^2 x x^T]``, so ``rho_1 = lambda_max(S^+ M S^+)`` on the range of ``S`` (not the
generalised eigenvalue of ``(M, S)``, a weak-growth constant), and a minibatch of ``b``
independent samples has ``rho_b = 1 + (rho_1 - 1) / b``. For the population problem
``M = (d + 2) I``.

Iterates are arrays of shape ``(n_seeds, d)``: every oracle works on a batch of
independent runs at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["LeastSquares", "least_squares", "population_least_squares", "spectral_design"]

#: Relative size below which an eigenvalue of S counts as zero (rank-deficient designs).
_RANK_TOL = 1e-10
#: Relative residual above which y is not consistent with X (no interpolation).
_CONSISTENCY_TOL = 1e-8
#: Band for max |X|: outside it the fourth moments ``E[||x||^2 x x^T]`` behind ``rho1``
#: overflow or underflow float64 (X * 1e200: a LinAlgError in eigh; X * 1e-100: rho1 83% low).
_SCALE_BAND = (1e-70, 1e70)


def _check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _finite_array(value, name: str, ndim: int) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


@dataclass(frozen=True, eq=False)
class LeastSquares:
    """An interpolating least-squares problem (build it with :func:`least_squares` or
    :func:`population_least_squares`).

    ``S`` is the Hessian, ``w_star`` the minimiser (minimum norm when ``S`` is singular),
    ``mu`` / ``L`` the smallest / largest eigenvalue of ``S`` (``mu = 0`` when singular),
    ``L_max`` the largest individual smoothness constant ``max ||x_i||^2`` (``inf`` for the
    population oracle), ``rho1`` the exact SGC constant of one sample.
    """

    S: np.ndarray
    w_star: np.ndarray
    mu: float
    L: float
    L_max: float
    rho1: float
    X: np.ndarray | None = field(default=None, repr=False)

    @property
    def d(self) -> int:
        return self.w_star.size

    @property
    def kappa(self) -> float:
        """``L / mu`` (``inf`` when ``mu = 0``)."""
        return self.L / self.mu if self.mu > 0 else np.inf

    def rho(self, batch_size: int | None = 1) -> float:
        """The exact SGC constant of a minibatch of ``batch_size`` samples (``None``: the
        exact gradient, ``rho = 1``)."""
        if batch_size is None:
            return 1.0
        b = _check_int(batch_size, "batch_size")
        return 1.0 + (self.rho1 - 1.0) / b

    def gap(self, W: np.ndarray) -> np.ndarray:
        """``f(w) - f*`` for each row of ``W`` (shape ``(n_seeds, d)``)."""
        E = W - self.w_star
        SE = E if self.X is None else E @ self.S  # population: S = I
        return 0.5 * np.einsum("sd,sd->s", SE, E)

    def grad(self, W: np.ndarray) -> np.ndarray:
        """The exact gradient at each row of ``W``."""
        E = W - self.w_star
        return E if self.X is None else E @ self.S

    def draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Samples of the given ``shape``: row indices (finite sum, drawn with replacement)
        or the ``x``'s themselves (population; shape ``(*shape, d)``)."""
        if self.X is None:
            return rng.standard_normal((*shape, self.d))
        return rng.integers(0, self.X.shape[0], size=shape)

    def stochastic_grad(self, W: np.ndarray, samples: np.ndarray) -> np.ndarray:
        """The minibatch gradient at each row of ``W`` from that row's samples
        (``samples[s]``: one minibatch from :meth:`draw`, shape ``(b,)`` or ``(b, d)``)."""
        xs = samples if self.X is None else self.X[samples]
        r = np.einsum("sbd,sd->sb", xs, W - self.w_star)
        return np.einsum("sbd,sb->sd", xs, r) / xs.shape[1]


def least_squares(X, y) -> LeastSquares:
    """The finite-sum problem ``||X w - y||^2 / (2n)`` with its exact constants.

    ``y`` must be consistent (``y = X w*`` for some ``w*``, up to rounding): the theory
    needs interpolation. Minibatches are drawn with replacement.
    """
    X = _finite_array(X, "X", 2)
    y = _finite_array(y, "y", 1)
    n = X.shape[0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X {X.shape}, got {y.shape}")
    xmax, (lo, hi) = float(np.abs(X).max()), _SCALE_BAND
    if xmax and not lo <= xmax <= hi:
        raise ValueError(
            f"X: max |X| = {xmax:.3g} is outside [{lo:g}, {hi:g}]: the strong growth constant "
            "needs the fourth moments of X, which float64 cannot hold at that scale; rescale X "
            "(X / a: S, mu, L, L_max divide by a^2, w* multiplies by a, rho1 is unchanged)"
        )
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    residual = np.linalg.norm(X @ w_star - y)
    if residual > _CONSISTENCY_TOL * max(np.linalg.norm(y), 1e-300):
        raise ValueError(
            f"y is not consistent with X (least-squares residual {residual:.3g}): the "
            "problem does not interpolate, so no strong growth constant exists"
        )
    S = X.T @ X / n
    lam, U = np.linalg.eigh(S)
    if lam[-1] <= 0:
        raise ValueError("X must not be all zeros")
    keep = lam > _RANK_TOL * lam[-1]
    row_norms = np.einsum("nd,nd->n", X, X)
    M = (X * row_norms[:, None]).T @ X / n
    Ur = U[:, keep] / lam[keep]  # S^+ restricted to the range of S
    rho1 = float(np.linalg.eigvalsh(Ur.T @ M @ Ur)[-1])
    return LeastSquares(
        S=S,
        w_star=w_star,
        mu=float(lam[0]) if keep.all() else 0.0,
        L=float(lam[-1]),
        L_max=float(row_norms.max()),
        rho1=max(rho1, 1.0),
        X=X,
    )


def population_least_squares(d: int, seed: int = 0) -> LeastSquares:
    """Isotropic Gaussian population least squares in dimension ``d``: ``w* ~ N(0, I_d)``
    from ``seed``, a fresh ``x ~ N(0, I_d)`` per sample; ``L = mu = 1``, ``rho_1 = d + 2``."""
    d = _check_int(d, "d")
    _check_int(seed, "seed", minimum=0)
    w_star = np.random.default_rng(seed).standard_normal(d)
    return LeastSquares(
        S=np.eye(d), w_star=w_star, mu=1.0, L=1.0, L_max=np.inf, rho1=float(d + 2), X=None
    )


def spectral_design(
    n: int, spectrum, rng: np.random.Generator, d: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A design ``X = sqrt(n) Q diag(spectrum)^{1/2} V^T`` and consistent ``y = X w*``.

    ``Q`` (``n x r``) has orthonormal columns and ``V`` (``d x r``, ``d >= r``) too, so
    ``X^T X / n`` has the ``r`` eigenvalues ``spectrum`` (and ``d - r`` zeros);
    ``w* ~ N(0, I_d)``. ``n >= r`` is required.
    """
    lam = _finite_array(spectrum, "spectrum", 1)
    if np.any(lam <= 0):
        raise ValueError("spectrum must be positive")
    r = lam.size
    n = _check_int(n, "n", minimum=r)
    d = r if d is None else _check_int(d, "d", minimum=r)
    Q = np.linalg.qr(rng.standard_normal((n, r)))[0]
    V = np.linalg.qr(rng.standard_normal((d, r)))[0]
    X = np.sqrt(n) * (Q * np.sqrt(lam)) @ V.T
    return X, X @ rng.standard_normal(d)

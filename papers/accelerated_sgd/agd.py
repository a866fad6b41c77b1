"""SGD and stochastic Nesterov acceleration under the strong growth condition.

Methods (``run(problem, method, ...)``), all with a fixed step ``eta`` from
:func:`parameters`:

- ``"sgd"``: ``w_{k+1} = w_k - eta g(w_k)``;
- ``"sagd"``: the momentum form (the paper's Eq. 6, Nesterov's constant step scheme II)::

      w_{k+1} = y_k - eta g(y_k)
      alpha_{k+1}^2 = (1 - alpha_{k+1}) alpha_k^2 + q alpha_{k+1},  q = eta mu / c
      y_{k+1} = w_{k+1} + beta_k (w_{k+1} - w_k)
      beta_k = alpha_k (1 - alpha_k) / (alpha_k^2 + alpha_{k+1})

- ``"sagd_general"``: the estimating-sequence form (the paper's Eq. 5)::

      alpha_k^2 = eta gamma_{k+1} / c,  gamma_{k+1} = (1 - alpha_k) gamma_k + alpha_k mu
      y_k = (alpha_k gamma_k v_k + gamma_{k+1} w_k) / (gamma_k + alpha_k mu)
      w_{k+1} = y_k - eta g(y_k)
      v_{k+1} = ((1 - alpha_k) gamma_k v_k + alpha_k mu y_k - alpha_k G_k) / gamma_{k+1}

  with ``G_k = grad f(y_k)`` (``v_grad="full"``: the semi-stochastic scheme, for which the
  paper's theorems hold) or ``G_k = g(y_k)`` (``v_grad="stochastic"``: the implementable
  method, not covered by the paper's proof with ``c = 1``);
- ``"agd"``: the momentum form with the exact gradient (deterministic AGD).

``c = 1`` is the paper's v1 coupling, ``c = rho`` the corrected one (see :func:`parameters`).
The guarantee of the semi-stochastic scheme is
``E f(w_k) - f* <= lambda_k (f(w_0) - f* + gamma_0/2 ||w_0 - w*||^2)`` with
``lambda_k = prod_{i<k} (1 - alpha_i)`` (:meth:`Parameters.bound`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from papers.accelerated_sgd.problems import LeastSquares, _check_int

__all__ = ["METHODS", "VARIANTS", "Parameters", "Trajectory", "parameters", "run"]

VARIANTS = ("v1", "corrected", "deterministic")
METHODS = ("sgd", "sagd", "sagd_general", "agd")
#: A run whose f - f* grows by this factor over f(w_0) - f* is marked diverged.
DIVERGED = 1e20


def _positive(value, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'} and finite, got {x}")
    return x


def _root(b: float, c: float) -> float:
    """The positive root of ``a^2 + b a - c = 0`` (``c > 0``), computed stably."""
    s = math.sqrt(b * b + 4.0 * c)
    return 2.0 * c / (b + s) if b >= 0 else (s - b) / 2.0


@dataclass(frozen=True)
class Parameters:
    """Step size ``eta``, coupling constant ``c`` (``alpha_k^2 = eta gamma_{k+1} / c``),
    ``mu``, the start ``gamma_0`` and ``alpha_0`` (solved from its equation)."""

    variant: str
    eta: float
    c: float
    mu: float
    gamma0: float
    alpha0: float

    @property
    def q(self) -> float:
        """``eta mu / c``, the fixed point of ``alpha_k^2`` (``alpha_k -> sqrt(q)``)."""
        return self.eta * self.mu / self.c

    @property
    def beta(self) -> float:
        """The first momentum ``beta_0``; ``(1 - alpha) / (1 + alpha)`` when
        ``gamma_0 = mu`` (then ``alpha_k = alpha_0`` for every k)."""
        a0, a1 = self.alphas(2)
        return a0 * (1 - a0) / (a0 * a0 + a1)

    def alphas(self, n: int) -> np.ndarray:
        """``alpha_0, ..., alpha_{n-1}``."""
        out = np.empty(_check_int(n, "n", minimum=0))
        a = self.alpha0
        for k in range(out.size):
            out[k] = a
            a = _root(a * a - self.q, a * a)
        return out

    def gammas(self, n: int) -> np.ndarray:
        """``gamma_0, ..., gamma_n``."""
        alphas = self.alphas(n)
        out = np.empty(alphas.size + 1)
        out[0] = self.gamma0
        for k, a in enumerate(alphas):
            out[k + 1] = (1 - a) * out[k] + a * self.mu
        return out

    def bound(self, gap0, dist0_sq, n: int) -> np.ndarray:
        """``lambda_k (f(w_0) - f* + gamma_0/2 ||w_0 - w*||^2)`` for ``k = 0..n``: the
        guarantee of the semi-stochastic scheme (Theorem R3/R4 of the brief)."""
        lam = np.concatenate([[1.0], np.cumprod(1.0 - self.alphas(n))])
        return lam * (float(gap0) + 0.5 * self.gamma0 * float(dist0_sq))


def parameters(mu, L, rho, variant: str = "v1", gamma0=None, eta=None) -> Parameters:
    """The brief's parameter table.

    ============= ============== ===================== ===================
    variant       eta            coupling c            gamma_0 (mu = 0)
    ============= ============== ===================== ===================
    v1            1 / (rho L)    1                     2 rho L
    corrected     1 / (rho L)    rho                   2 rho^2 L
    deterministic 1 / L          1                     L
    ============= ============== ===================== ===================

    ``gamma0`` defaults to ``mu`` when ``mu > 0`` (constant ``alpha = sqrt(eta mu / c)``,
    momentum ``(1 - alpha) / (1 + alpha)``), else to the table's convex start.
    ``alpha_0`` solves ``alpha^2 = eta ((1 - alpha) gamma_0 + alpha mu) / c``. ``eta``
    replaces the table's step size (e.g. ``1 / L_max`` for SGD).
    """
    mu = _positive(mu, "mu", allow_zero=True)
    L = _positive(L, "L")
    rho = _positive(rho, "rho")
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
    if rho < 1:
        raise ValueError(f"rho must be >= 1, got {rho}")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    table_eta, c, start = {
        "v1": (1 / (rho * L), 1.0, 2 * rho * L),
        "corrected": (1 / (rho * L), rho, 2 * rho * rho * L),
        "deterministic": (1 / L, 1.0, L),
    }[variant]
    if eta is not None:
        eta = _positive(eta, "eta")
    eta = table_eta if eta is None else eta
    if eta * mu > c:
        raise ValueError(f"eta must be <= c / mu = {c / mu:.6g} (alpha would exceed 1), got {eta}")
    if gamma0 is None:
        gamma0 = mu if mu > 0 else start
    gamma0 = _positive(gamma0, "gamma0")
    if gamma0 < mu:
        raise ValueError(f"gamma0 must be >= mu, got gamma0={gamma0}, mu={mu}")
    alpha0 = _root(eta * (gamma0 - mu) / c, eta * gamma0 / c)
    return Parameters(variant, eta, c, mu, gamma0, alpha0)


@dataclass(frozen=True)
class Trajectory:
    """``gap[s, k] = f(w_k) - f*`` for seed s (``inf`` from the step a run diverged on);
    ``rho_empirical[s]``: ``||g_k||^2 / ||grad f(y_k)||^2`` averaged along the run (the
    SGC ratio the trajectory actually met); ``diverged[s]``. 1-D / scalars for one seed."""

    gap: np.ndarray
    rho_empirical: np.ndarray
    diverged: np.ndarray


class _Oracle:
    """Stochastic and exact gradients for a batch of runs; tracks the SGC ratio and stops
    (zero gradient) the runs that diverged. Each run draws its samples from its own
    generator, in blocks of steps (fewer Python calls per step)."""

    #: Samples (floats or indices) drawn per block, over all runs.
    BLOCK = 2**21

    def __init__(self, problem: LeastSquares, batch_size, rngs) -> None:
        self.problem, self.batch_size, self.rngs = problem, batch_size, rngs
        self.alive = np.ones(len(rngs), dtype=bool)
        self.ratio_sum = np.zeros(len(rngs))
        self.ratio_count = np.zeros(len(rngs))
        per_step = len(rngs) * (batch_size or 0) * (problem.d if problem.X is None else 1)
        self.block_len = max(1, min(512, self.BLOCK // max(per_step, 1)))
        self.block, self.used = None, self.block_len

    def _samples(self) -> np.ndarray:
        if self.used == self.block_len:
            shape = (self.block_len, self.batch_size)
            self.block = np.stack([self.problem.draw(rng, shape) for rng in self.rngs])
            self.used = 0
        self.used += 1
        return self.block[:, self.used - 1]

    def exact(self, Y: np.ndarray) -> np.ndarray:
        return self.problem.grad(Y) * self.alive[:, None]

    def stochastic(self, Y: np.ndarray) -> np.ndarray:
        full = self.problem.grad(Y)
        if self.batch_size is None:
            g = full
        else:
            g = self.problem.stochastic_grad(Y, self._samples())
        den = np.einsum("sd,sd->s", full, full)
        ok = self.alive & (den > 0)
        self.ratio_sum[ok] += np.einsum("sd,sd->s", g, g)[ok] / den[ok]
        self.ratio_count[ok] += 1
        return g * self.alive[:, None]


def _sgd(oracle: _Oracle, params: Parameters, W: np.ndarray, n: int, **_) -> Iterator:
    for _k in range(n):
        W = W - params.eta * oracle.stochastic(W)
        yield W


def _momentum(oracle: _Oracle, params: Parameters, W: np.ndarray, n: int, **_) -> Iterator:
    alphas = params.alphas(n + 1)
    Y = W
    for k in range(n):
        W_next = Y - params.eta * oracle.stochastic(Y)
        beta = alphas[k] * (1 - alphas[k]) / (alphas[k] ** 2 + alphas[k + 1])
        Y = W_next + beta * (W_next - W)
        W = W_next
        yield W


def _estimating_sequence(
    oracle: _Oracle, params: Parameters, W: np.ndarray, n: int, v_grad: str
) -> Iterator:
    alphas, gammas, mu = params.alphas(n), params.gammas(n), params.mu
    V = W
    for k in range(n):
        a, g0, g1 = alphas[k], gammas[k], gammas[k + 1]
        Y = (a * g0 * V + g1 * W) / (g0 + a * mu)
        g = oracle.stochastic(Y)
        G = oracle.exact(Y) if v_grad == "full" else g
        W = Y - params.eta * g
        V = ((1 - a) * g0 * V + a * mu * Y - a * G) / g1
        yield W


_STEPS: dict[str, Callable[..., Iterator]] = {
    "sgd": _sgd,
    "sagd": _momentum,
    "sagd_general": _estimating_sequence,
    "agd": _momentum,
}


def _seeds(seed) -> tuple[list[int], bool]:
    single = isinstance(seed, int | np.integer) and not isinstance(seed, bool)
    seeds = [seed] if single else seed
    if isinstance(seeds, str) or not isinstance(seeds, Sequence | np.ndarray) or not len(seeds):
        raise TypeError(f"seed must be an int or a non-empty sequence of ints, got {seed!r}")
    return [_check_int(s, "seed", minimum=0) for s in seeds], single


def run(
    problem: LeastSquares,
    method: str,
    n_steps: int,
    batch_size: int | None = 1,
    params: Parameters | None = None,
    seed: int | Sequence[int] = 0,
    v_grad: str = "stochastic",
    w0=None,
) -> Trajectory:
    """Run ``method`` for ``n_steps`` from ``w0`` (default 0) and return every iterate's
    ``f(w_k) - f*``.

    ``batch_size``: samples per stochastic gradient (``None``: the exact gradient; ``"agd"``
    always uses it). ``params`` default to :func:`parameters` at ``problem``'s ``mu``, ``L``
    and ``rho(batch_size)``, variant ``"v1"`` (``"deterministic"`` with exact gradients).
    ``seed``: an int, or a sequence of ints run as one vectorised batch; seed ``s`` draws
    its samples from ``numpy.random.default_rng(s)`` whatever else is in the batch, and every
    method consumes one minibatch per step, so methods run with the same seed and batch size
    see the same samples. ``v_grad`` (``"stochastic"`` or ``"full"``) is used by
    ``"sagd_general"`` only.
    """
    if not isinstance(problem, LeastSquares):
        raise TypeError(f"problem must be a LeastSquares, got {type(problem).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if v_grad not in ("stochastic", "full"):
        raise ValueError(f"v_grad must be 'stochastic' or 'full', got {v_grad!r}")
    n_steps = _check_int(n_steps, "n_steps", minimum=0)
    if method == "agd":
        batch_size = None
    if batch_size is not None:
        batch_size = _check_int(batch_size, "batch_size")
    if params is None:
        variant = "deterministic" if batch_size is None else "v1"
        params = parameters(problem.mu, problem.L, problem.rho(batch_size), variant)
    if not isinstance(params, Parameters):
        raise TypeError(f"params must be a Parameters, got {type(params).__name__}")
    if method != "sgd" and params.mu == 0 and params.gamma0 == 0:
        raise ValueError("params.gamma0 must be > 0")
    seeds, single = _seeds(seed)
    if w0 is None:
        w0 = np.zeros(problem.d)
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.shape != (problem.d,) or not np.all(np.isfinite(w0)):
        raise ValueError(f"w0 must be a finite vector of shape ({problem.d},), got {w0.shape}")

    oracle = _Oracle(problem, batch_size, [np.random.default_rng(s) for s in seeds])
    W = np.tile(w0, (len(seeds), 1))
    gap = np.empty((len(seeds), n_steps + 1))
    gap[:, 0] = problem.gap(W)
    limit = DIVERGED * np.maximum(gap[:, 0], np.finfo(float).tiny)
    steps = _STEPS[method](oracle, params, W, n_steps, v_grad=v_grad)
    for k, W in enumerate(steps, start=1):
        g = problem.gap(W)
        oracle.alive &= np.isfinite(g) & (g <= limit)
        gap[:, k] = np.where(oracle.alive, g, np.inf)
    rho_emp = oracle.ratio_sum / np.maximum(oracle.ratio_count, 1)
    rho_emp[oracle.ratio_count == 0] = np.nan
    out = Trajectory(gap, rho_emp, ~oracle.alive)
    if single:
        out = Trajectory(gap[0], rho_emp[0], bool(out.diverged[0]))
    return out

"""Univariate score matching (SM) and denoising score matching (DSM) as convex programs.

Score network: ``s(x) = sum_j alpha_j sigma(w_j x + b_j) + c`` (``sigma`` ReLU or absolute
value) with weight decay ``beta/2 (|alpha_j|^2 + |w_j|^2)``. After the usual rescaling
(``beta/2 (alpha^2 + w^2) >= beta |alpha w|``, equality at balance) every neuron is an
*atom* ``z * sigma(s (x - t))`` with ``|s| = 1`` and cost ``beta |z|``.

**SM** (mean-normalised, 1/2 on the square; our reconstruction, see the README)::

    J(s) = (1/n) sum_i [ s(x_i)^2 / 2 + s'(x_i) ] + beta * ||z||_1
         = (1/2n) ||A z + c 1||^2 + (1/n) b' z + beta ||z||_1

with one column of ``A`` per atom (its values at the data) and ``b_a`` the sum over the data
of the atom's derivative. Breakpoints are restricted to the data: an atom with breakpoint
between two data points is, on the data (values *and* derivative count), a convex combination
of the atoms at its two neighbours, and one left of the data is the linear atom ``x``. The
derivative at a kink is a convention, so each data point carries **both atoms of each pair**
(``>=`` counts the point in ``b``, ``>`` does not); the program is then the infimum of the
network problem over every convention. ReLU: ``4n + 1`` columns (two signs, two conventions,
the linear atom); absolute value: ``2n + 1``. Free output constant ``c``.

**Critical beta.** A combination ``f`` of atoms vanishing at every data point has ``f' = 0``
between the data (kinks only at data points), so the derivative sum over the data is bounded
by the weights of the atoms whose kinks carry data, times the multiplicity of each point:
``|b' z| <= m_max ||z||_1`` (``m_max`` the largest number of equal data points). Equality
holds for the atom ``(x - x_max)_+`` counted at ``x_max`` (zero at every data point, derivative
sum ``m_max``). Hence the SM program is bounded below iff ``beta >= m_max / n`` (``1/n`` for
distinct data; ``m_max`` with sum instead of mean normalisation), and unbounded below for
``beta < m_max / n``: the witness ``z -> -K`` on that atom gives ``J = K (beta - m_max / n)``.
:func:`critical_beta` returns it; :func:`recession_beta` computes the same number as a linear
program over the recession cone (any activation) as a check.

**Affine (Gaussian) regime.** With only the linear atom, ``s(x) = v (x - xbar)`` and
``J = sigma^2 v^2 / 2 + v + beta |v|`` (``sigma^2`` the 1/n variance), minimised at
``v = -(1 - beta) / sigma^2`` for ``beta < 1`` (``v = 0`` for ``beta >= 1``): the Gaussian
``N(xbar, sigma^2 / (1 - beta))``. :func:`gaussian_threshold` is the smallest beta at which this
point satisfies the Lasso's KKT conditions for every atom (dual certificate).

**DSM**: plain regression of the labels ``-eps / sigma`` on the noisy inputs ``x_i + sigma
eps``, ``(1/2N) ||y - A z - c||^2 + beta ||z||_1``, over one atom per sign at every noisy input
(no derivative term, no convention) and the linear atom: a Lasso with a free intercept, solved
by CVXPY + CLARABEL (:func:`common.lasso.lasso_path`'s coordinate descent solves the same
Lasso and is the cross-check where it converges; on these nearly collinear ramp columns it
stalls at small beta, see the README).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "METHODS",
    "ScoreModel",
    "affine_objective",
    "critical_beta",
    "dsm_problem",
    "fit_score",
    "gaussian_threshold",
    "recession_beta",
    "sm_atoms",
    "sm_status",
]

ACTIVATIONS = ("relu", "abs")
METHODS = ("sm", "dsm")
#: CLARABEL's tolerances: tight, so that a just-inactive atom reads as zero near thresholds
CLARABEL_OPTS = {
    "tol_gap_abs": 1e-12,
    "tol_gap_rel": 1e-12,
    "tol_feas": 1e-12,
    "tol_ktratio": 1e-10,
}
#: atoms with |weight| below this times max(1, max |weight|) count as inactive
ACTIVE_RTOL = 1e-6
#: the programs are solved in x's units; CLARABEL solves them accurately for a data range
#: ``max(x) - min(x)`` in this band, and fails or silently returns wrong scores outside it
#: (x * 1e3 of 50 Gaussian draws: scores off by 2.5; x * 1e150: a CVXPY SolverError)
SCALE_BAND = (1e-2, 1e2)


def _check_x(x, name: str = "x") -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of real numbers") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (univariate data), got shape {arr.shape}")
    if arr.size < 2:
        raise ValueError(f"{name} needs at least 2 points, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    if np.ptp(arr) == 0:
        raise ValueError(f"{name} has all points equal; the score is not identifiable")
    return arr


def _check_scale(x: np.ndarray) -> None:
    lo, hi = SCALE_BAND
    with np.errstate(over="ignore"):
        spread = float(np.ptp(x))
    if not lo <= spread <= hi:
        raise ValueError(
            f"x spans {spread:.3g} (max - min), outside [{lo:g}, {hi:g}]: CLARABEL does not "
            "solve the program accurately at that scale; fit x / a instead (the programs are "
            "scale-equivariant: with s fitted to x / a, the score of x is s(t / a) / a and the "
            "objective 1 / a^2 times; DSM: noise sigma / a)"
        )


def _check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def _check_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, int | float | np.floating | np.integer):
        raise TypeError(f"beta must be a real number, got {type(beta).__name__}")
    beta = float(beta)
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be positive and finite, got {beta}")
    return beta


def sm_atoms(x, activation: str = "relu"):
    """The SM dictionary on data ``x``: ``(A, b, t, s)`` with ``A`` ``(n, p)`` atom values,
    ``b`` ``(p,)`` derivative sums, breakpoints ``t`` and signs ``s`` (``s = 0`` marks the
    linear atom, last). ReLU atom ``(s (x - t))_+``; absolute-value atom ``|x - t|`` (``s = 1``)."""
    x = _check_x(x)
    _check_choice(activation, "activation", ACTIVATIONS)
    u = np.unique(x)
    diff = x[:, None] - u[None, :]  # (n, k)
    gt, eq, lt = (diff > 0).sum(0), (diff == 0).sum(0), (diff < 0).sum(0)
    cols, bs, ts, ss = [], [], [], []
    if activation == "relu":
        up, down = np.maximum(diff, 0.0), np.maximum(-diff, 0.0)
        # (x - t)_+: derivative 1 right of t; counted at t (>=) or not (>)
        for vals, b, s in ((up, gt + eq, 1), (up, gt, 1), (down, -(lt + eq), -1), (down, -lt, -1)):
            cols.append(vals)
            bs.append(b)
            ts.append(u)
            ss.append(np.full(u.size, s))
    else:
        absd = np.abs(diff)
        for b in (gt + eq - lt, gt - lt - eq):  # sign(0) = +1, then -1
            cols.append(absd)
            bs.append(b)
            ts.append(u)
            ss.append(np.ones(u.size, dtype=int))
    cols.append(x[:, None])
    bs.append(np.array([x.size]))
    ts.append(np.array([0.0]))
    ss.append(np.array([0]))
    return (
        np.hstack(cols),
        np.concatenate(bs).astype(np.float64),
        np.concatenate(ts),
        np.concatenate(ss).astype(int),
    )


def critical_beta(x, activation: str = "relu") -> float:
    """The SM program is unbounded below iff ``beta <`` this: ``m_max / n`` (module docstring).

    For the absolute value the same bound holds (``|x - t|`` is a pair of ReLU atoms with half
    their cost, and the recession LP of :func:`recession_beta` attains ``m_max / n``; tested)."""
    x = _check_x(x)
    _check_choice(activation, "activation", ACTIVATIONS)
    _, counts = np.unique(x, return_counts=True)
    return float(counts.max() / x.size)


def recession_beta(x, activation: str = "relu") -> float:
    """``max { -b'z / n : A z + c 1 = 0, ||z||_1 <= 1 }``, the critical beta as a linear
    program over the recession cone (scipy's HiGHS), independent of the closed form."""
    from scipy.optimize import linprog

    A, b, _, _ = sm_atoms(x, activation)
    n, p = A.shape
    # variables (zp, zm, c), z = zp - zm >= 0 parts
    cost = np.concatenate([b, -b, [0.0]]) / n  # minimise b'z / n
    a_eq = np.hstack([A, -A, np.ones((n, 1))])
    a_ub = np.concatenate([np.ones(2 * p), [0.0]])[None, :]
    bounds = [(0, None)] * (2 * p) + [(None, None)]
    res = linprog(cost, A_ub=a_ub, b_ub=[1.0], A_eq=a_eq, b_eq=np.zeros(n), bounds=bounds)
    if res.status != 0:
        raise RuntimeError(f"recession LP failed: {res.message}")
    return float(-res.fun)


def affine_objective(x, beta) -> tuple[float, float, float]:
    """The SM optimum over affine scores ``v x + c`` (linear atom only): ``(J, v, c)``."""
    x = _check_x(x)
    beta = _check_beta(beta)
    var = float(np.mean((x - x.mean()) ** 2))
    v = -max(1.0 - beta, 0.0) / var
    return 0.5 * var * v * v + v + beta * abs(v), v, -v * float(x.mean())


def gaussian_threshold(x, activation: str = "relu") -> float:
    """Smallest beta from which the affine optimum is the SM optimum (dual certificate).

    At ``r = v (x - xbar)``, ``v = -(1 - beta)/sigma^2``, every atom needs
    ``|p_a - (1 - beta) q_a| <= beta`` with ``p_a = b_a / n``, ``q_a = A_a'(x - xbar)/(n sigma^2)``;
    linear in beta, each holds on an interval containing 1, whose left end is solved for."""
    A, b, _, _ = sm_atoms(x, activation)
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    xc = x - x.mean()
    p_ = b / n
    q = A.T @ xc / (n * np.mean(xc**2))
    # p - q + beta q <= beta  <=>  (p - q) <= beta (1 - q);  -(p - q) <= beta (1 + q)
    lows = [0.0]
    for num, den in ((p_ - q, 1.0 - q), (q - p_, 1.0 + q)):
        pos = den > 1e-12
        lows.extend((num[pos] / den[pos]).tolist())
        bad = (den <= 1e-12) & (num > 1e-12)  # never satisfied for beta < 1
        if np.any(bad):
            return 1.0
    return float(min(max(lows), 1.0))


@dataclass(frozen=True)
class ScoreModel:
    """A fitted score ``s(x) = sum_a z_a sigma(s_a (x - t_a)) + v x + c`` (``v`` the linear atom).

    ``objective`` is the convex program's optimal value; ``kinks`` the breakpoints where the
    slope changes; ``knots`` the points between which ``s`` is linear (data or noisy inputs).
    """

    activation: str
    method: str
    beta: float
    t: np.ndarray
    s: np.ndarray
    z: np.ndarray
    v: float
    c: float
    objective: float
    knots: np.ndarray

    def score(self, t) -> np.ndarray:
        """The score at ``t`` (any shape); the reconstructed network's forward pass."""
        arr = np.asarray(t, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError("t contains NaN or inf")
        flat = arr.reshape(-1, 1)
        d = flat - self.t[None, :]
        act = np.abs(d) if self.activation == "abs" else np.maximum(self.s[None, :] * d, 0.0)
        return (act @ self.z + self.v * flat[:, 0] + self.c).reshape(arr.shape)

    @property
    def kinks(self) -> np.ndarray:
        """Sorted breakpoints with a non-zero slope jump (summed over atoms sharing one)."""
        jump = self.z * (2.0 if self.activation == "abs" else 1.0)
        loc = np.unique(self.t)
        total = np.array([jump[self.t == u].sum() for u in loc])
        tol = ACTIVE_RTOL * max(1.0, float(np.abs(self.z).max(initial=0.0)))
        return loc[np.abs(total) > tol]

    def slopes(self) -> tuple[float, float]:
        """The score's slopes left of and right of every knot (tails of the log-density)."""
        lo, hi = self.knots[0] - 1.0, self.knots[-1] + 1.0
        s = self.score(np.array([lo - 1.0, lo, hi, hi + 1.0]))
        return float(s[1] - s[0]), float(s[3] - s[2])

    def without_linear_atom(self) -> ScoreModel:
        """The same optimum realised by ReLU atoms only: the linear atom's weight moves to
        ``(x - x_min)_+`` (same data values up to the constant, same derivative count under
        ``>=``), so the score is constant left of the data (a Laplace tail)."""
        if self.activation != "relu":
            raise ValueError("without_linear_atom needs activation='relu'")
        x0 = float(self.knots[0])
        return replace(
            self,
            t=np.append(self.t, x0),
            s=np.append(self.s, 1),
            z=np.append(self.z, self.v),
            v=0.0,
            c=self.c + self.v * x0,
        )

    def log_density(self, grid) -> np.ndarray:
        """``int_{grid[0]}^{x} s``, exact on the trapezoids of a sorted ``grid`` whose points
        include every knot, otherwise to the grid's resolution (unnormalised log-density)."""
        g = np.asarray(grid, dtype=np.float64)
        if g.ndim != 1 or g.size < 2 or np.any(np.diff(g) <= 0):
            raise ValueError("grid must be a strictly increasing 1-D array of >= 2 points")
        sc = self.score(g)
        return np.concatenate([[0.0], np.cumsum(0.5 * (sc[1:] + sc[:-1]) * np.diff(g))])

    def density(self, grid) -> np.ndarray:
        """The implied density ``exp(int s)`` normalised on ``grid`` (trapezoid rule)."""
        left, right = self.slopes()
        if not (left < 0 or self.score(self.knots[0] - 1.0) > 0) or not (
            right < 0 or self.score(self.knots[-1] + 1.0) < 0
        ):
            raise ValueError("the score does not decay at both ends: exp(int s) is improper")
        lg = self.log_density(grid)
        w = np.exp(lg - lg.max())
        return w / np.trapezoid(w, grid)


def _linear_first(z, v, c, t, s, up: int, down: int):
    """Move the weight of the atoms equal to the linear atom on the data (the ramp up from
    the smallest knot ``t[up]``, the ramp down from the largest ``t[down]``, with the matching
    derivative count) onto the linear atom: same objective, Gaussian tails (the canonical
    solution; the Lasso is not unique outside the data range)."""
    z = z.copy()
    lo, hi = t[up], t[down]
    v, c = v + z[up] - z[down], c - z[up] * lo + z[down] * hi
    z[[up, down]] = 0.0
    return z, float(v), float(c)


def _sm_problem(x: np.ndarray, beta: float, activation: str):
    import cvxpy as cp  # imported where used: the package imports light (plots, claims)

    A, b, t, s = sm_atoms(x, activation)
    n, p = A.shape
    z, c = cp.Variable(p), cp.Variable()
    obj = cp.sum_squares(A @ z + c) / (2 * n) + b @ z / n + beta * cp.norm1(z)
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver=cp.CLARABEL, **CLARABEL_OPTS)
    return prob, z, c, (A, b, t, s)


def sm_status(x, beta, activation: str = "relu") -> str:
    """CLARABEL's status on the SM program at any ``beta > 0``, without the critical-beta
    check (``"unbounded"`` below it): the solver's own view of boundedness."""
    x = _check_x(x)
    _check_scale(x)
    prob, *_ = _sm_problem(x, _check_beta(beta), activation)
    return str(prob.status)


def _solve_sm(x: np.ndarray, beta: float, activation: str):
    prob, z, c, (A, b, t, s) = _sm_problem(x, beta, activation)
    if prob.status != "optimal":
        raise RuntimeError(f"CLARABEL did not solve the SM program: status {prob.status}")
    zv = np.asarray(z.value)
    value = 0.5 * np.mean((A @ zv + c.value) ** 2) + b @ zv / x.size + beta * np.abs(zv).sum()
    k = np.unique(x).size  # columns: see sm_atoms (closed atoms first)
    down = 2 * k - 1 if activation == "abs" else 3 * k - 1
    zz, v, cc = _linear_first(zv[:-1], zv[-1], c.value, t, s, 0, down)
    return zz, v, cc, t[:-1], s[:-1], float(value)


def _active(model: ScoreModel) -> ScoreModel:
    """Drop atoms with (solver-rounding) weights below ``ACTIVE_RTOL`` of the largest."""
    keep = np.abs(model.z) > ACTIVE_RTOL * max(1.0, float(np.abs(model.z).max(initial=0.0)))
    return replace(model, t=model.t[keep], s=model.s[keep], z=model.z[keep])


def _dsm_dictionary(xt: np.ndarray, activation: str):
    d = xt[:, None] - xt[None, :]
    if activation == "relu":
        cols = [np.maximum(d, 0.0), np.maximum(-d, 0.0)]
        ts, ss = [xt, xt], [np.ones(xt.size, int), -np.ones(xt.size, int)]
    else:
        cols, ts, ss = [np.abs(d)], [xt], [np.ones(xt.size, int)]
    return np.hstack([*cols, xt[:, None]]), np.concatenate(ts), np.concatenate(ss)


def _check_noise(noise, n: int) -> tuple[float, np.ndarray]:
    if not isinstance(noise, tuple | list) or len(noise) != 2:
        raise TypeError("noise must be a pair (sigma, eps) with eps of shape (n, K)")
    sigma = noise[0]
    if isinstance(sigma, bool) or not isinstance(sigma, int | float | np.floating | np.integer):
        raise TypeError(f"noise sigma must be a real number, got {type(sigma).__name__}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"noise sigma must be positive and finite, got {sigma}")
    eps = np.asarray(noise[1], dtype=np.float64)
    if eps.ndim != 2 or eps.shape[0] != n or eps.shape[1] < 1:
        raise ValueError(f"noise eps must have shape (n, K) = ({n}, K), got {eps.shape}")
    if not np.all(np.isfinite(eps)):
        raise ValueError("noise eps contains NaN or inf")
    return float(sigma), eps


def dsm_problem(x, activation: str, sigma: float, eps):
    """The DSM regression on data ``x``: ``(A, y, t, s, xt)``, atoms at the noisy inputs
    ``xt = x_i + sigma eps_ik`` (flattened) with the linear atom last, labels ``-eps/sigma``."""
    xt = (np.asarray(x, dtype=np.float64)[:, None] + sigma * np.asarray(eps)).ravel()
    A, t, s = _dsm_dictionary(xt, activation)
    return A, (-np.asarray(eps) / sigma).ravel(), t, s, xt


def _solve_dsm(x, beta, activation, sigma, eps):
    import cvxpy as cp

    A, y, t, s, xt = dsm_problem(x, activation, sigma, eps)
    z, c = cp.Variable(A.shape[1]), cp.Variable()
    obj = cp.sum_squares(y - A @ z - c) / (2 * y.size) + beta * cp.norm1(z)
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(solver=cp.CLARABEL, **CLARABEL_OPTS)
    if prob.status != "optimal":
        raise RuntimeError(f"CLARABEL did not solve the DSM Lasso: status {prob.status}")
    zfull = np.asarray(z.value)
    value = 0.5 * np.mean((y - A @ zfull - c.value) ** 2) + beta * np.abs(zfull).sum()
    lo, hi = int(np.argmin(xt)), int(np.argmax(xt))
    down = hi if activation == "abs" else xt.size + hi
    zz, v, cc = _linear_first(zfull[:-1], zfull[-1], c.value, t, s, lo, down)
    return zz, v, cc, t, s, float(value), np.sort(xt)


def fit_score(x, beta, activation: str = "relu", method: str = "sm", noise=None) -> ScoreModel:
    """Solve the SM or DSM convex program (module docstring) on univariate data ``x``.

    ``method="sm"``: CVXPY + CLARABEL; raises ``ValueError`` unless ``beta`` exceeds
    :func:`critical_beta` (the program is unbounded below under it).
    ``method="dsm"``: ``noise=(sigma, eps)`` with ``eps`` ``(n, K)`` standard-normal draws;
    the Lasso on the noisy inputs (CLARABEL). Raises ``ValueError`` for data whose range
    ``max(x) - min(x)`` is outside :data:`SCALE_BAND` (rescale it: both programs are exactly
    scale-equivariant, see the message).
    """
    x = _check_x(x)
    _check_scale(x)
    beta = _check_beta(beta)
    _check_choice(activation, "activation", ACTIVATIONS)
    _check_choice(method, "method", METHODS)
    if method == "sm":
        if noise is not None:
            raise ValueError("noise is only used by method='dsm'; pass noise=None for 'sm'")
        crit = critical_beta(x, activation)
        if beta <= crit:
            raise ValueError(
                f"beta={beta:.6g} is at or below the critical beta {crit:.6g} (= largest "
                f"multiplicity / n): the SM program is unbounded below for beta < {crit:.6g} "
                "(and its optimum is not attained uniquely at equality); choose beta > it"
            )
        z, v, c, t, s, value = _solve_sm(x, beta, activation)
        return _active(ScoreModel(activation, "sm", beta, t, s, z, v, c, value, np.unique(x)))
    if noise is None:
        raise ValueError("method='dsm' needs noise=(sigma, eps)")
    sigma, eps = _check_noise(noise, x.size)
    z, v, c, t, s, obj, knots = _solve_dsm(x, beta, activation, sigma, eps)
    return _active(ScoreModel(activation, "dsm", beta, t, s, z, v, c, obj, np.unique(knots)))

"""The convex programs over a dictionary and the map from their solutions to networks.

- :func:`min_norm_interpolation`: the beta -> 0 limit, the minimum-l1 interpolation LP
  ``min ||z||_1 s.t. A z + xi 1 = y``, solved exactly by HiGHS (``scipy.optimize.linprog``);
- :func:`solve_lasso`: ``min 1/2 ||A z + xi 1 - y||^2 + beta ||z||_1`` by CLARABEL (CVXPY;
  the reference) or by the coordinate-descent path of :mod:`common.lasso` (``solver="cd"``);
- :func:`fit_lasso_network`: either program on the dictionary of :mod:`.features`, rebuilt
  as a network (:class:`LassoNetwork`) whose weights give the same predictions and, in the
  non-convex training objective, the same value.

Reconstruction (brief, "Reconstruction"): a coefficient ``z`` of the chain feature with signs
``s_l`` and unscaled offsets ``a'_l`` becomes the width-1 chain with ``gamma = |z|^(1/L)``,
weights ``w_l = s_l gamma``, biases ``b_l = -s_l a'_l gamma^l`` and output weight
``sign(z) gamma``; its penalty ``beta/L sum |w|^L`` is ``beta |z|``. For ``sign`` and
``threshold`` (scale-free inner weights) a coefficient becomes the binary tree that
:func:`.features.sign_tree` builds for its switch pattern, with output weight ``z``; only
output weights are penalised (``beta |alpha|``), our convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from common.lasso import lasso_path
from papers.lasso_mirrors.features import (
    STEP_ACTIVATIONS,
    Dictionary,
    act,
    as_points,
    chain_forward,
    classify_point,
    combine,
    dictionary,
    sign_tree,
    to_threshold,
    tree_forward,
)

__all__ = [
    "Kink",
    "LassoNetwork",
    "LassoSolution",
    "fit_lasso_network",
    "lasso_objective",
    "min_norm_interpolation",
    "rebuild_network",
    "solve_lasso",
]

SOLVERS = ("clarabel", "clarabel_default", "cd")
#: fit_lasso_network solves in the data's units; CLARABEL and HiGHS are accurate (to ~1e-7) when
#: the range of x (chain activations; step features do not scale with x) and max |y| (unless
#: y = 0) lie in this band, and fail or drift outside it (x * 1e12: 8% off; x * 1e300: a CVXPY
#: SolverError; y * 1e8: CLARABEL "infeasible")
SCALE_BAND = (1e-3, 1e3)


def _as_response(y, n: int) -> np.ndarray:
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("y must be a 1-D array of real numbers") from exc
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match x, got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or inf")
    return y


def _check_scale(name: str, measure: str, size: float, rescale: str) -> None:
    lo, hi = SCALE_BAND
    if not lo <= size <= hi:
        raise ValueError(
            f"{name}: {measure} = {size:.3g} is outside [{lo:g}, {hi:g}]: the Lasso and LP "
            f"solvers lose accuracy or fail at that scale; rescale {name} ({rescale})"
        )


def _as_beta(beta, allow_zero: bool) -> float:
    if isinstance(beta, bool) or not isinstance(beta, int | float | np.integer | np.floating):
        raise TypeError(f"beta must be a real number, got {beta!r}")
    beta = float(beta)
    if not np.isfinite(beta) or beta < 0 or (beta == 0 and not allow_zero):
        raise ValueError(f"beta must be finite and {'>=' if allow_zero else '>'} 0, got {beta}")
    return beta


def _as_matrix(A, y) -> np.ndarray:
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != np.shape(y)[0]:
        raise ValueError(f"A must be a matrix with {np.shape(y)[0]} rows, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("A contains NaN or inf")
    return A


@dataclass(frozen=True)
class LassoSolution:
    """Coefficients ``z``, output bias ``xi`` and the optimal value of one program."""

    z: np.ndarray
    xi: float
    objective: float


def lasso_objective(A, y, z, xi, beta) -> float:
    """``1/2 ||A z + xi - y||^2 + beta ||z||_1``."""
    r = A @ z + xi - y
    return float(0.5 * r @ r + beta * np.abs(z).sum())


def min_norm_interpolation(A, y, perturbation=None) -> LassoSolution:
    """``min ||z||_1 s.t. A z + xi 1 = y`` by HiGHS (z = z+ - z-); ``objective`` is the
    minimum norm. ``perturbation`` (length ``p``) is added to the costs of both ``z+`` and
    ``z-`` (a tie-breaker for testing uniqueness); the reported objective is ``||z||_1``."""
    y = np.asarray(y, dtype=np.float64)
    A = _as_matrix(A, y)
    n, p = A.shape
    c = np.concatenate([np.ones(2 * p), [0.0]])
    if perturbation is not None:
        d = np.asarray(perturbation, dtype=np.float64)
        if d.shape != (p,):
            raise ValueError(f"perturbation must have shape ({p},), got {d.shape}")
        c[:p] += d
        c[p : 2 * p] += d
    A_eq = np.hstack([A, -A, np.ones((n, 1))])
    bounds = [(0, None)] * (2 * p) + [(None, None)]
    res = linprog(c, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS did not solve the interpolation LP: {res.message}")
    z = res.x[:p] - res.x[p : 2 * p]
    return LassoSolution(z, float(res.x[-1]), float(np.abs(z).sum()))


def _clarabel(A, y, beta, tight: bool = True) -> tuple[np.ndarray, float]:
    import cvxpy as cp

    z, xi = cp.Variable(A.shape[1]), cp.Variable()
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ z + xi - y) + beta * cp.norm1(z)))
    tols = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12} if tight else {}
    prob.solve(solver=cp.CLARABEL, **tols)
    if prob.status != cp.OPTIMAL:
        raise RuntimeError(f"CLARABEL did not solve the Lasso: status {prob.status}")
    return np.asarray(z.value), float(xi.value)


def _coordinate_descent(A, y, beta) -> tuple[np.ndarray, float]:
    n = A.shape[0]
    lam = beta / n  # glmnet: (1/n) * 1/2 ||r||^2 + lambda ||z||_1
    lmax = float(np.max(np.abs(A.T @ (y - y.mean())))) / n
    lambdas = np.geomspace(max(lmax, lam * 1.0001), lam, 30) if lmax > lam else np.array([lam])
    path = lasso_path(A, y, lambdas=lambdas, standardize=False, tol=1e-14, max_iter=10**6)
    return np.asarray(path.coefs[-1]), float(path.intercepts[-1])


def solve_lasso(A, y, beta, solver: str = "clarabel") -> LassoSolution:
    """``min_{z, xi} 1/2 ||A z + xi 1 - y||^2 + beta ||z||_1`` (beta > 0) by CLARABEL at
    tolerances 1e-12 (``"clarabel"``), at its default tolerances (``"clarabel_default"``, how
    a tiny beta is usually solved) or by coordinate descent (``"cd"``, :mod:`common.lasso`)."""
    y = np.asarray(y, dtype=np.float64)
    A = _as_matrix(A, y)
    beta = _as_beta(beta, allow_zero=False)
    if solver in ("clarabel", "clarabel_default"):
        z, xi = _clarabel(A, y, beta, tight=solver == "clarabel")
    elif solver == "cd":
        z, xi = _coordinate_descent(A, y, beta)
    else:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    return LassoSolution(z, xi, lasso_objective(A, y, z, xi, beta))


# -- the network --------------------------------------------------------------------------
@dataclass(frozen=True)
class Kink:
    """A point where the predictor's slope changes (a jump for ``sign``) and its kind."""

    location: float
    kind: str  # "data point", "reflection" or "other"


@dataclass(frozen=True)
class LassoNetwork:
    """The network rebuilt from a Lasso (or LP) solution: one width-1 chain (ReLU, abs,
    leaky ReLU) or one binary tree (sign, threshold) per nonzero coefficient.

    ``weights``: for chains ``hidden_weights`` and ``hidden_biases`` ``(m, L-1)`` (chain
    ``i``, layer ``l``); for trees ``tree_weights`` and ``tree_biases``, one array per layer
    with the trees on the leading axis (see :func:`.features.sign_tree`); and
    ``output_weights`` ``(m,)``, ``output_bias``. ``objective`` is the convex program's value
    (for ``beta = 0`` the minimum l1 norm); ``coef`` the Lasso coefficients on
    ``dictionary``'s columns.
    """

    activation: str
    depth: int
    beta: float
    dictionary: Dictionary
    coef: np.ndarray
    output_bias: float
    objective: float
    weights: dict

    def predict(self, x) -> np.ndarray:
        """The network's output at the points ``x``, computed from its weights."""
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        if x.ndim != 1 or not np.all(np.isfinite(x)):
            raise ValueError("x must be a 1-D array of finite numbers")
        w = self.weights
        if self.activation in STEP_ACTIVATIONS:
            h = tree_forward(w["tree_weights"], w["tree_biases"], self.activation, x)
        else:
            h = chain_forward(w["hidden_weights"], w["hidden_biases"], self.activation, x)
        return w["output_weights"] @ h + w["output_bias"]

    def penalty(self) -> float:
        """The non-convex regulariser at these weights: ``beta/L sum |w|^L`` over all
        weights (biases free); ``beta sum |alpha|`` for sign and threshold."""
        alpha = self.weights["output_weights"]
        if self.activation in STEP_ACTIVATIONS:
            return float(self.beta * np.abs(alpha).sum())
        w = np.abs(self.weights["hidden_weights"]) ** self.depth
        return float(self.beta / self.depth * (w.sum() + (np.abs(alpha) ** self.depth).sum()))

    def training_objective(self, x, y) -> float:
        """``1/2 ||f(x) - y||^2 +`` :meth:`penalty`, from the weights alone."""
        r = self.predict(x) - np.asarray(y, dtype=np.float64)
        return float(0.5 * r @ r + self.penalty())

    @property
    def kinks(self) -> tuple[Kink, ...]:
        """Where the predictor's slope changes (for sign/threshold: where it jumps), labelled."""
        active = np.flatnonzero(self.coef)
        feats = [self.dictionary.features[i] for i in active]
        if self.activation in STEP_ACTIVATIONS:
            cand = np.array(sorted({t for f in feats for t in f.breakpoints}))
            left = np.concatenate([[cand[0] - 1.0], cand[:-1]]) if cand.size else cand
            jump = self.predict(cand) - self.predict((left + cand) / 2) if cand.size else cand
            pts = cand[np.abs(jump) > 1e-9 * max(1.0, float(np.abs(self.coef).max()))]
        else:
            pts = combine([f.function for f in feats], self.coef[active]).breakpoints(1e-7)
        return tuple(Kink(float(t), classify_point(t, self.dictionary.x)) for t in pts)


def _chains(D: Dictionary, z: np.ndarray, idx: np.ndarray):
    L = D.depth
    W = np.zeros((idx.size, L - 1))
    B = np.zeros((idx.size, L - 1))
    alpha = np.zeros(idx.size)
    for r, i in enumerate(idx):
        f = D.features[i]
        x = D.x
        a = 2.0 * x[f.anchors[1]] - x[f.anchors[0]] if f.reflection_flag else x[f.anchors[0]]
        offsets = [a]  # unscaled: a_1, then f_l(x_{j_l})
        g = act(D.activation, f.signs[0] * (x[list(f.anchors)] - a))  # f_2 at the anchors
        for layer in range(1, L - 1):
            offsets.append(float(g[layer]))
            g = act(D.activation, f.signs[layer] * (g - g[layer]))
        gamma = abs(z[i]) ** (1.0 / L)
        for layer in range(L - 1):
            W[r, layer] = f.signs[layer] * gamma
            B[r, layer] = -f.signs[layer] * offsets[layer] * gamma ** (layer + 1)
        alpha[r] = np.sign(z[i]) * gamma
    return {"hidden_weights": W, "hidden_biases": B, "output_weights": alpha}


def _trees(D: Dictionary, z: np.ndarray, idx: np.ndarray):
    """One tree per coefficient, output weight ``m z`` (``m = -1`` only for the constant
    pattern, which deduplication drops; for threshold it also shifts the output bias)."""
    trees = [sign_tree(D.features[i].breakpoints, D.depth) for i in idx]
    if D.activation == "threshold":
        trees = [(*to_threshold(w, b), m) for w, b, m in trees]
    alpha = np.array([m * z[i] for (_, _, m), i in zip(trees, idx, strict=True)])
    shift = sum(z[i] for (_, _, m), i in zip(trees, idx, strict=True) if m < 0)
    w0, b0, _ = sign_tree((), D.depth)  # the layer shapes, for a net without trees
    tw = [np.stack([t[0][k] for t in trees]) if trees else w[None][:0] for k, w in enumerate(w0)]
    tb = [np.stack([t[1][k] for t in trees]) if trees else b[None][:0] for k, b in enumerate(b0)]
    shift = shift if D.activation == "threshold" else 0.0
    return {"tree_weights": tw, "tree_biases": tb, "output_weights": alpha}, float(shift)


def fit_lasso_network(
    x, y, beta, activation: str = "relu", depth: int = 2, solver: str = "clarabel"
) -> LassoNetwork:
    """Solve the Lasso of ``activation`` networks of ``depth`` layers on the 1-D data
    ``(x, y)`` and rebuild the optimal network.

    ``beta > 0``: the Lasso by ``solver`` (``"clarabel"`` or ``"cd"``); ``beta = 0``: the
    minimum-l1 interpolation LP, exactly (HiGHS), and ``objective`` is the minimum norm.
    Raises ``ValueError`` for data outside :data:`SCALE_BAND` (rescale it, see the message).
    """
    x = as_points(x)
    y = _as_response(y, x.size)
    beta = _as_beta(beta, allow_zero=True)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if activation not in STEP_ACTIVATIONS:
        with np.errstate(over="ignore"):
            span = float(np.ptp(x))
        _check_scale("x", "max - min", span, "x / a with beta / a gives the same predictions")
    if np.any(y):
        rescale = "y / b with beta / b gives predictions / b, objective / b^2 (/ b at beta = 0)"
        _check_scale("y", "max |y|", float(np.max(np.abs(y))), rescale)
    D = dictionary(x, activation, depth)
    sol = (
        min_norm_interpolation(D.matrix, y) if beta == 0 else solve_lasso(D.matrix, y, beta, solver)
    )
    return rebuild_network(D, y, sol, beta)


def rebuild_network(D: Dictionary, y, sol: LassoSolution, beta: float) -> LassoNetwork:
    """The network of a solution ``sol`` of the program on ``D`` (the reconstruction map).

    Coefficients below 1e-9 of the largest are interior-point round-off and become zeros;
    for ``beta > 0`` the objective is re-evaluated at the coefficients kept."""
    z = np.where(np.abs(sol.z) > 1e-9 * np.max(np.abs(sol.z), initial=0.0), sol.z, 0.0)
    y = np.asarray(y, dtype=np.float64)
    objective = sol.objective if beta == 0 else lasso_objective(D.matrix, y, z, sol.xi, beta)
    idx = np.flatnonzero(z)
    if D.activation in STEP_ACTIVATIONS:
        weights, shift = _trees(D, z, idx)
    else:
        weights, shift = _chains(D, z, idx), 0.0
    weights["output_bias"] = sol.xi + shift
    return LassoNetwork(D.activation, D.depth, beta, D, z, sol.xi, objective, weights)

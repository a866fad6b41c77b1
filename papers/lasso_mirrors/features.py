"""The Lasso dictionaries of 1-D networks: features, their breakpoints and kinds.

A feature is the output of one neuron (two layers) or one width-1 chain (deeper nets) with
breakpoints fixed by the data. The dictionaries (brief ``lasso_mirrors.md``, code of
``pilancilab/1d-convex-nn``, which matches arXiv:2403.01046 v2):

- ``relu``, ``leaky_relu``, ``abs``, depth 2: ``sigma(s (x - x_j))``, ``s = +-1`` (``abs``:
  ``s = +1`` only, since ``|-u| = |u|``); ``leaky_relu`` has negative slope
  :data:`LEAKY_SLOPE`;
- ``sign``, depth 2: steps ``sign(x - x_j)`` with ``sign(0) = +1``;
- ``relu``, depth ``L >= 3`` (deep narrow, the authors' recursion ``reludic``):
  ``f_1 = x``, ``f_{l+1} = relu(s_l (f_l(x) - f_l(a_l)))`` with ``a_1 = x_{j_1}`` or, at
  depth ``L >= 4`` with the reflection flag ``k = 1``, ``a_1 = 2 x_{j_2} - x_{j_1}`` (the
  reflection of ``x_{j_1}`` about ``x_{j_2}``), and ``a_l = x_{j_l}`` for ``l >= 2``. The
  authors used ``L = 3, 4``; ``L >= 5`` is the same recursion (our extension). ReLU chains
  are monotone, so deeper layers add data-point breakpoints only;
- ``abs``, depth ``L >= 3`` (our construction for the v3+ claim, brief M7): the same
  recursion with ``|.|`` and no flag: ``| |x - x_{j_1}| - |x_{j_2} - x_{j_1}| |`` has kinks
  at ``x_{j_1}``, ``x_{j_2}`` and the reflection ``2 x_{j_1} - x_{j_2}``; every further
  layer adds reflections of the level point ``x_{j_l}`` about the kinks so far, so depth 4
  has reflections of reflections ``2 a - b`` (``a`` a reflection);
- ``sign`` and ``threshold`` (``1{u >= 0} = (1 + sign u) / 2``), depth ``L``: *binary tree*
  nets (every neuron of layer ``l >= 2`` has its own two children; depth 2 is one neuron).
  On the data a feature is a +-1 (0/1) pattern, constant between data points, switching at
  most ``K = 2^(L-2)`` times, the switches at data points (derived: a sum of two children
  switches where they do, so at most ``2 K``; conversely :func:`sign_tree` builds every
  such pattern). No reflections. The raw dictionary is every pattern starting at -1 (0)
  with at most ``K`` switches: ``sum_{k <= K} C(N-1, k)`` columns (``N`` at depth 2).

Two independent builders: :func:`recursive_columns` evaluates the recursion on arrays (the
matrix; for sign/threshold trees the forward pass of the tree that :func:`sign_tree`
builds), :func:`chain_function` composes exact piecewise-linear functions (breakpoints and
values; the descriptions and the evaluation off the data; for trees the switch pattern
itself). Tests check that they agree.

Columns are deduplicated on the data modulo sign and an added constant (the Lasso has a free
output bias and a sign-free coefficient), and constant columns are dropped. Of a group of
equal columns the simplest is kept: fewest breakpoints that are not data points, then fewest
breakpoints, then the first in the authors' index order.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "DEPTHS",
    "KINDS",
    "LEAKY_SLOPE",
    "Dictionary",
    "Feature",
    "Piecewise",
    "ReluDictionary",
    "as_points",
    "chain_forward",
    "chain_function",
    "classify_point",
    "dictionary",
    "raw_count",
    "recursive_columns",
    "relu_dictionary",
    "sign_tree",
    "tree_forward",
]

LEAKY_SLOPE = 0.1
#: activation -> the largest depth whose dictionary is implemented (None: any depth >= 2)
DEPTHS = {"relu": None, "abs": None, "leaky_relu": 2, "sign": None, "threshold": None}
ACTIVATIONS = tuple(DEPTHS)
STEP_ACTIVATIONS = ("sign", "threshold")
#: the raw dictionary is enumerated column by column; larger ones are refused
MAX_RAW_COLUMNS = 200_000
_REL_TOL = 1e-9
_ROUND_OFF = 1e-12


def act(name: str, u):
    """The activation ``name`` applied elementwise (numpy); ``sign(0) = +1``."""
    if name == "relu":
        return np.maximum(u, 0.0)
    if name == "abs":
        return np.abs(u)
    if name == "leaky_relu":
        return np.where(u >= 0, u, LEAKY_SLOPE * u)
    if name == "sign":
        return np.where(u >= 0, 1.0, -1.0)
    if name == "threshold":
        return np.where(u >= 0, 1.0, 0.0)
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


def check_activation_depth(activation, depth) -> tuple[str, int]:
    if activation not in DEPTHS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer):
        raise TypeError(f"depth must be an integer, got {depth!r}")
    top = DEPTHS[activation]
    if depth < 2 or (top is not None and depth > top):
        allowed = ">= 2" if top is None else f"in 2..{top}"
        raise ValueError(f"depth must be {allowed} for activation {activation!r}, got {depth}")
    return activation, int(depth)


def as_points(x, name: str = "x") -> np.ndarray:
    """``x`` as a finite 1-D float array of distinct points (clear errors otherwise)."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of real numbers") from exc
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1 or a.size < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 points, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    if np.unique(a).size != a.size:
        raise ValueError(f"{name} must hold distinct points")
    return a


# -- exact piecewise-linear functions -------------------------------------------------------
@dataclass(frozen=True)
class Piecewise:
    """A continuous piecewise-linear function of one variable: values at sorted knots and
    the slopes of the two tails."""

    knots: tuple[float, ...]
    values: tuple[float, ...]
    left: float
    right: float

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        t, v = np.asarray(self.knots), np.asarray(self.values)
        out = np.interp(x, t, v)
        out = np.where(x < t[0], v[0] + self.left * (x - t[0]), out)
        return np.where(x > t[-1], v[-1] + self.right * (x - t[-1]), out)

    def slopes(self) -> list[float]:
        """Slopes of the pieces, left tail first."""
        t, v = self.knots, self.values
        inner = [(v[i + 1] - v[i]) / (t[i + 1] - t[i]) for i in range(len(t) - 1)]
        return [self.left, *inner, self.right]

    def breakpoints(self, tol: float = 1e-9) -> tuple[float, ...]:
        """Knots where the slope changes by more than ``tol`` times the largest slope."""
        s = self.slopes()
        scale = max(1.0, max(abs(v) for v in s))
        return tuple(
            float(t) for i, t in enumerate(self.knots) if abs(s[i + 1] - s[i]) > tol * scale
        )

    def then(self, activation: str, sign: float, offset: float) -> Piecewise:
        """``activation(sign * (self - offset))``, exactly (zero crossings become knots)."""
        t = list(self.knots)
        eps = _ROUND_OFF * max(1.0, abs(offset), *(abs(val) for val in self.values))
        v = [sign * (val - offset) for val in self.values]
        v = [0.0 if abs(val) <= eps else val for val in v]  # round-off zeros are zeros
        left, right = sign * self.left, sign * self.right
        kt, kv = [], []
        if left != 0 and v[0] * left > 0:  # the left tail crosses zero before t[0]
            kt.append(t[0] - v[0] / left)
            kv.append(0.0)
        for i in range(len(t)):
            kt.append(t[i])
            kv.append(v[i])
            if i + 1 < len(t) and v[i] * v[i + 1] < 0:
                kt.append(t[i] + (t[i + 1] - t[i]) * v[i] / (v[i] - v[i + 1]))
                kv.append(0.0)
        if right != 0 and v[-1] * right < 0:  # the right tail crosses zero after t[-1]
            kt.append(t[-1] - v[-1] / right)
            kv.append(0.0)
        kt, kv = _merge(kt, kv)
        lv, rv = kv[0] - left, kv[-1] + right  # a value on each tail
        return Piecewise(
            tuple(kt),
            tuple(float(a) for a in act(activation, np.asarray(kv))),
            float(act(activation, kv[0]) - act(activation, lv)),
            float(act(activation, rv) - act(activation, kv[-1])),
        )


def _merge(knots, values):
    """Drop sorted knots within round-off of the previous one (keeping the first)."""
    eps = _ROUND_OFF * max(1.0, *(abs(t) for t in knots))
    keep = [0] + [i for i in range(1, len(knots)) if knots[i] - knots[i - 1] > eps]
    return [knots[i] for i in keep], [values[i] for i in keep]


IDENTITY = Piecewise((0.0,), (0.0,), 1.0, 1.0)


def combine(functions, coefs, const: float = 0.0) -> Piecewise:
    """``sum_k coefs[k] * functions[k] + const`` as one :class:`Piecewise`."""
    knots = sorted({t for f in functions for t in f.knots} or {0.0})
    knots, _ = _merge(knots, knots)
    vals = np.full(len(knots), float(const))
    left = right = 0.0
    for f, c in zip(functions, coefs, strict=True):
        vals += c * f(np.asarray(knots))
        left += c * f.left
        right += c * f.right
    return Piecewise(tuple(knots), tuple(vals.tolist()), left, right)


# -- the recursion ------------------------------------------------------------------------
def _flags(activation: str, depth: int) -> tuple[int, ...]:
    return (0, 1) if (activation == "relu" and depth >= 4) else (0,)


def _index_tuples(n: int, activation: str, depth: int):
    """(signs, anchors, reflection flag) in the authors' column order (k, then s, then j)."""
    layers = depth - 1
    sign_set = (1,) if activation == "abs" else (-1, 1)
    for k in _flags(activation, depth):
        for s in itertools.product(sign_set, repeat=layers):
            for j in itertools.product(range(n), repeat=layers):
                yield s[::-1], j[::-1], k


def _max_switches(n: int, depth: int) -> int:
    return min(2 ** (depth - 2), n - 1)


def _switch_tuples(x: np.ndarray, depth: int):
    """((), anchors, 0) for every switch pattern of a sign/threshold tree: ``anchors`` are
    the indices (into ``x``) of the data points where the pattern switches, in sorted order
    of the points; the pattern starts at -1 (0) left of the first."""
    order = np.argsort(x)
    for k in range(_max_switches(x.size, depth) + 1):
        for gaps in itertools.combinations(range(1, x.size), k):
            yield (), tuple(int(order[g]) for g in gaps), 0


def raw_count(n: int, activation: str, depth: int) -> int:
    """Number of columns before deduplication: 2N, (2N)^2, 2(2N)^(L-1) for ReLU depth 2, 3,
    L >= 4; N^(L-1) for ``abs`` (sign-free); 2N for leaky ReLU; for sign/threshold trees
    ``sum_{k <= K} C(N-1, k)`` with ``K = min(2^(L-2), N-1)`` (N at depth 2)."""
    if activation in STEP_ACTIVATIONS:
        return sum(math.comb(n - 1, k) for k in range(_max_switches(n, depth) + 1))
    signs = 1 if activation == "abs" else 2
    return len(_flags(activation, depth)) * (signs * n) ** (depth - 1)


def sign_tree(switches, depth: int) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """A binary sign tree of ``depth`` layers computing ``+-h``, where ``h(x) = -(-1)^#{t in
    switches: t <= x}`` (at most ``2^(depth-2)`` switches). Returns the weights and biases
    of each layer (layer 1: ``(2^(L-2),)``, the neurons' own inputs; layer ``l >= 2``:
    ``(2^(L-1-l), 2)`` and ``(2^(L-1-l),)``, each neuron reading its two children) and the
    sign ``m`` with ``h = m * tree(x)``.

    Depth 2: one neuron ``sign(x - t)`` (``m = +1``) or the constant ``sign(1)`` (``m = -1``).
    Depth 3: ``sign(sum_k w_k g_k + c)`` over two steps ``g_k = sign(x - t_k)`` with
    ``w_k = h_0 (-1)^k``, ``c = h_0 (1 + sum_k (-1)^k)``, ``h_0 = -1``: the sum is
    ``h_0 (-1)^#switches`` (never 0). Depth ``L >= 4``: ``h = OR(g_1, g_2) =
    sign(g_1 + g_2 + 1)``, where ``g_1``, ``g_2`` are +1 on two groups of the intervals on
    which ``h = +1`` (each group switching at most ``2^(L-3)`` times), built recursively."""
    t = sorted(float(v) for v in switches)
    if len(t) > 2 ** (depth - 2):
        raise ValueError(f"{len(t)} switches exceed the {2 ** (depth - 2)} of depth {depth}")
    return _tree(t, -1.0, depth)


def _tree(t: list[float], start: float, depth: int):
    """Tree for ``start * (-1)^#{t <= x}``: (weights, biases, m)."""
    if depth == 2:
        if not t:
            return [np.zeros(1)], [np.ones(1)], start  # sign(1) = +1
        return [np.ones(1)], [np.array([-t[0]])], -start
    if depth == 3:
        leaves = t + [None] * (2 - len(t))
        w1 = np.array([0.0 if v is None else 1.0 for v in leaves])
        b1 = np.array([1.0 if v is None else -v for v in leaves])
        w = np.array([[0.0 if v is None else start * (-1) ** (k + 1) for k, v in
                       enumerate(leaves)]])  # fmt: skip
        c = start * (1 + sum((-1) ** (k + 1) for k in range(len(t))))
        return [w1, w], [b1, np.array([c])], 1.0
    # the intervals where the pattern is +1, as (first switch, last switch) indices
    bounds = [None, *range(len(t)), None]  # switch index opening / closing each piece
    values = [start * (-1) ** i for i in range(len(t) + 1)]
    pieces = [(bounds[i], bounds[i + 1]) for i in range(len(values)) if values[i] > 0]
    half = 2 ** (depth - 3)
    edges = [p for p in pieces if None in p]
    group_a, cost = list(edges), len(edges)
    rest = []
    for p in pieces:
        if p not in edges:
            if cost + 2 <= half:
                group_a.append(p)
                cost += 2
            else:
                rest.append(p)
    children = []
    for group in (group_a, rest):
        sw = sorted(t[i] for p in group for i in p if i is not None)
        starts_on = any(p[0] is None for p in group)
        children.append(_tree(sw, 1.0 if starts_on else -1.0, depth - 1))
    (wa, ba, ma), (wb, bb, mb) = children
    weights = [np.concatenate([u, v]) for u, v in zip(wa, wb, strict=True)]
    biases = [np.concatenate([u, v]) for u, v in zip(ba, bb, strict=True)]
    return [*weights, np.array([[ma, mb]])], [*biases, np.array([1.0])], 1.0


def chain_forward(weights, biases, activation: str, at) -> np.ndarray:
    """The outputs ``(m, len(at))`` of ``m`` width-1 chains: ``weights``, ``biases``
    ``(m, L-1)``, chain ``j``'s layer ``l`` (the layout of ``LassoNetwork.weights``)."""
    h = np.broadcast_to(np.asarray(at, dtype=np.float64), (weights.shape[0], np.size(at)))
    for layer in range(weights.shape[1]):
        h = act(activation, weights[:, layer, None] * h + biases[:, layer, None])
    return h


def tree_forward(weights, biases, activation: str, at) -> np.ndarray:
    """The outputs ``(m, len(at))`` of ``m`` trees stacked on a leading axis (as
    :func:`sign_tree` returns them, weights ``(m, ...)``); ``activation`` ``"sign"`` or
    ``"threshold"`` (the same tree with its weights converted by :func:`to_threshold`)."""
    at = np.asarray(at, dtype=np.float64)
    h = act(activation, weights[0][..., None] * at + biases[0][..., None])
    for w, b in zip(weights[1:], biases[1:], strict=True):
        h = h.reshape(*w.shape, at.size)
        h = act(activation, (w[..., None] * h).sum(-2) + b[..., None])
    return h[..., 0, :]


def to_threshold(weights, biases):
    """A sign tree's weights for threshold units ``u = (1 + s) / 2``: each neuron reading
    children ``s = 2 u - 1`` gets weights ``2 w`` and bias ``c - sum w``."""
    upper = [(2 * w, b - w.sum(-1)) for w, b in zip(weights[1:], biases[1:], strict=True)]
    return [weights[0], *(w for w, _ in upper)], [biases[0], *(b for _, b in upper)]


def recursive_columns(x, activation: str, depth: int, at=None) -> tuple[np.ndarray, list]:
    """Every raw column ``f_L`` of the recursion at the points ``at`` (default: ``x``),
    vectorised; also the list of (signs, anchors, flag) tuples in column order. For
    sign/threshold the columns are the forward passes of the trees of :func:`sign_tree`."""
    x = np.asarray(x, dtype=np.float64)
    at = x if at is None else np.asarray(at, dtype=np.float64)
    if raw_count(x.size, activation, depth) > MAX_RAW_COLUMNS:
        raise ValueError(
            f"depth {depth} with {x.size} points gives {raw_count(x.size, activation, depth)} "
            f"raw columns, above the {MAX_RAW_COLUMNS} this builder enumerates"
        )
    if activation in STEP_ACTIVATIONS:
        tuples = list(_switch_tuples(x, depth))
        cols = []
        for _, anchors, _ in tuples:
            w, b, m = sign_tree(x[list(anchors)], depth)
            if activation == "threshold":
                w, b = to_threshold(w, b)
                out = tree_forward(w, b, activation, at)
                cols.append(out if m > 0 else 1.0 - out)  # (1 + m s) / 2
            else:
                cols.append(m * tree_forward(w, b, activation, at))
        return np.column_stack(cols), tuples
    tuples = list(_index_tuples(x.size, activation, depth))
    s = np.array([t[0] for t in tuples], dtype=np.float64)  # (p, L-1)
    j = np.array([t[1] for t in tuples], dtype=int)
    k = np.array([t[2] for t in tuples], dtype=int)
    return _chain_columns(x, activation, s, j, k, at[:, None]), tuples


def _first_anchors(x: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``a_1`` of every chain: ``x_{j_1}``, or ``2 x_{j_2} - x_{j_1}`` where the flag is set."""
    return np.where(k == 1, 2.0 * x[j[:, 1 % j.shape[1]]] - x[j[:, 0]], x[j[:, 0]])


def _chain_columns(x, activation, s, j, k, at) -> np.ndarray:
    """The chains with signs ``s``, anchors ``j`` ``(p, L-1)`` and flags ``k`` ``(p,)`` at
    the points ``at`` (``(m, 1)``: the same points for every chain; ``(m, p)``: per chain)."""
    a1 = _first_anchors(x, j, k)
    f = act(activation, s[None, :, 0] * (at - a1[None, :]))
    fa = [act(activation, s[:, 0] * (x[j[:, l]] - a1)) for l in range(1, j.shape[1])]
    for layer in range(1, j.shape[1]):
        off = fa[layer - 1]
        f = act(activation, s[None, :, layer] * (f - off[None, :]))
        fa = [act(activation, s[:, layer] * (g - off)) for g in fa]
    return f


def chain_function(x, activation: str, signs, anchors, flag: int) -> Piecewise:
    """The feature of one index tuple as an exact :class:`Piecewise` (the functional form)."""
    x = np.asarray(x, dtype=np.float64)
    a = _first_anchor(x, anchors, flag)
    f = IDENTITY.then(activation, signs[0], a)
    for layer in range(1, len(signs)):
        off = float(f(x[anchors[layer]]))
        f = f.then(activation, signs[layer], off)
    return f


def _first_anchor(x: np.ndarray, j, k) -> float:
    return 2.0 * x[j[1]] - x[j[0]] if k == 1 else x[j[0]]


# -- kinds of points ----------------------------------------------------------------------
KINDS = ("data point", "reflection", "reflection of reflection", "other")


def classify_point(t: float, x: np.ndarray) -> str:
    """``"data point"`` if ``t`` is a data point; ``"reflection"`` if it equals some
    ``2 x_j - x_k`` (j != k) but no data point; ``"reflection of reflection"`` if it equals
    ``2 a - b`` with ``a``, ``b`` data points or reflections, but neither; else ``"other"``."""
    tol = _REL_TOL * max(1.0, float(np.max(np.abs(x))))
    if np.min(np.abs(x - t)) <= tol:
        return "data point"
    refl = (2.0 * x[:, None] - x[None, :]).ravel()
    if np.min(np.abs(refl - t)) <= tol:
        return "reflection"
    pts = np.concatenate([x, refl])
    if np.min(np.abs(2.0 * pts[:, None] - pts[None, :] - t)) <= tol:
        return "reflection of reflection"
    return "other"


@dataclass(frozen=True)
class Feature:
    """One dictionary column: how it is built and where its breakpoints are (for
    sign/threshold trees: where the pattern switches; ``anchors`` index those points)."""

    signs: tuple[int, ...]
    anchors: tuple[int, ...]  # indices into the data points x (not sorted)
    reflection_flag: int
    breakpoints: tuple[float, ...]
    kinds: tuple[str, ...]
    function: Piecewise | None  # None for sign/threshold (a switch pattern)
    activation: str

    @property
    def kind(self) -> str:
        """The most remote kind among the breakpoints (order of :data:`KINDS`)."""
        return max(self.kinds, key=KINDS.index, default="data point")

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.function is None:  # -1 (0) left of the first switch, flipping at each
            count = (x[..., None] >= np.asarray(self.breakpoints)).sum(-1)
            s = -((-1.0) ** count)
            return s if self.activation == "sign" else (1.0 + s) / 2.0
        return self.function(x)


@dataclass(frozen=True)
class Dictionary:
    """The deduplicated dictionary at the data ``x``: ``matrix[:, i]`` is ``features[i](x)``."""

    x: np.ndarray
    activation: str
    depth: int
    matrix: np.ndarray
    features: tuple[Feature, ...]
    raw_count: int

    def evaluate(self, points) -> np.ndarray:
        """Every feature at new ``points``: ``(len(points), n_features)``."""
        points = as_points(points, "points") if np.size(points) > 1 else np.atleast_1d(points)
        return np.column_stack([f(points) for f in self.features])

    def kind_counts(self) -> dict[str, int]:
        kinds = [f.kind for f in self.features]
        return {k: kinds.count(k) for k in KINDS}


def _describe(x, activation, signs, anchors, flag) -> Feature:
    if activation in STEP_ACTIVATIONS:
        bp = tuple(float(x[a]) for a in anchors)
        return Feature(signs, anchors, flag, bp, ("data point",) * len(bp), None, activation)
    fn = chain_function(x, activation, signs, anchors, flag)
    bp = fn.breakpoints()
    kinds = tuple(classify_point(t, x) for t in bp)
    return Feature(signs, anchors, flag, bp, kinds, fn, activation)


def dictionary(x, activation: str = "relu", depth: int = 2) -> Dictionary:
    """The deduplicated Lasso dictionary of ``activation`` networks of ``depth`` layers at
    the 1-D points ``x``, with each feature's breakpoints and their kinds."""
    x = as_points(x)
    activation, depth = check_activation_depth(activation, depth)
    cols, tuples = recursive_columns(x, activation, depth)
    scale = max(1.0, float(np.max(np.abs(cols))))
    keys, ok = _canonical_keys(cols, scale)
    groups: dict[bytes, list[int]] = {}
    for i in np.flatnonzero(ok):
        groups.setdefault(keys[i].tobytes(), []).append(int(i))
    keep, feats = [], []
    for members in groups.values():
        described = [_describe(x, activation, *tuples[i]) for i in members]
        best = min(
            range(len(members)),
            key=lambda m: (
                sum(k != "data point" for k in described[m].kinds),
                len(described[m].breakpoints),
                members[m],
            ),
        )
        keep.append(members[best])
        feats.append(described[best])
    order = np.argsort(keep)
    return Dictionary(
        x=x,
        activation=activation,
        depth=depth,
        matrix=cols[:, np.asarray(keep)[order]],
        features=tuple(feats[i] for i in order),
        raw_count=cols.shape[1],
    )


# -- large deep ReLU dictionaries (full scale) ----------------------------------------------
@dataclass(frozen=True)
class ReluDictionary:
    """The deduplicated deep ReLU dictionary as a matrix, without feature descriptions:
    ``reflection[i]`` says whether every raw chain with column ``i`` (modulo sign and
    constant) has a kink at a reflection ``2 x_j - x_k`` that is not a data point, i.e.
    whether :func:`dictionary` labels the feature "reflection"."""

    x: np.ndarray
    depth: int
    matrix: np.ndarray
    reflection: np.ndarray
    raw_count: int


def relu_dictionary(x, depth: int = 4, max_raw_columns: int = MAX_RAW_COLUMNS) -> ReluDictionary:
    """The deduplicated dictionary of ReLU nets of ``depth`` layers at the points ``x``, built
    in chunks of ``N^(L-1)`` raw columns (one per sign pattern and flag) so that at most one
    chunk and the distinct columns are held at a time; for large ``N`` (full scale: ``N = 40``
    at depth 4 has 1,024,000 raw columns) raise ``max_raw_columns`` explicitly.

    The kinds come without building each chain's piecewise-linear function: a ReLU chain is
    monotone, so its layers after the first add kinks at data points only, and a chain has a
    reflection kink exactly when its flag is set, ``a_1 = 2 x_{j_2} - x_{j_1}`` is not a data
    point and the slope changes there (checked by a second difference at ``a_1 +- h``, ``h``
    half the distance to the nearest data point; the slopes are 0 or +-1). A column is a
    reflection feature when every chain producing it (modulo sign and constant) is one: the
    rule by which :func:`dictionary` keeps the simplest chain of a group."""
    x = as_points(x)
    _, depth = check_activation_depth("relu", depth)
    if isinstance(max_raw_columns, bool) or not isinstance(max_raw_columns, int | np.integer):
        raise TypeError(f"max_raw_columns must be an integer, got {max_raw_columns!r}")
    n, layers = x.size, depth - 1
    total = raw_count(n, "relu", depth)
    if total > max_raw_columns:
        raise ValueError(
            f"depth {depth} with {n} points gives {total} raw columns, above "
            f"max_raw_columns={max_raw_columns}"
        )
    j = np.indices((n,) * layers).reshape(layers, -1).T  # every anchor tuple
    scale = max(1.0, 2.0 * float(np.ptp(x)))  # bounds |f| for every chain
    tol = _REL_TOL * max(1.0, float(np.max(np.abs(x))))
    keys = np.zeros((0, n))
    cols = np.zeros((n, 0))
    refl = np.zeros(0, bool)
    for flag in _flags("relu", depth):
        k = np.full(j.shape[0], flag)
        a1 = _first_anchors(x, j, k)
        dist = np.min(np.abs(x[:, None] - a1[None, :]), axis=0)
        for signs in itertools.product((-1.0, 1.0), repeat=layers):
            s = np.broadcast_to(np.asarray(signs), j.shape)
            c = _chain_columns(x, "relu", s, j, k, x[:, None])
            r = np.zeros(j.shape[0], bool)
            if flag:
                h = np.where(dist > tol, dist / 2.0, 1.0)
                at = a1[None, :] + h[None, :] * np.array([-1.0, 0.0, 1.0])[:, None]
                f = _chain_columns(x, "relu", s, j, k, at)
                r = (dist > tol) & (np.abs(f[0] - 2.0 * f[1] + f[2]) > 0.5 * h)
            key, ok = _canonical_keys(c, scale)
            keys = np.concatenate([keys, key[ok]])
            cols = np.concatenate([cols, c[:, ok]], axis=1)
            refl = np.concatenate([refl, r[ok]])
            # one column per key, a non-reflection chain's where there is one
            order = np.lexsort((refl,))
            _, first = np.unique(keys[order], axis=0, return_index=True)
            keep = np.sort(order[first])
            keys, cols, refl = keys[keep], cols[:, keep], refl[keep]
    return ReluDictionary(x=x, depth=depth, matrix=cols, reflection=refl, raw_count=total)


def _canonical_keys(cols: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Keys ``(p, N)``, one row per column, equal for columns equal modulo sign and an added
    constant (relative to ``scale``), and which columns are not constant."""
    c = cols - cols[:1]
    big = np.abs(c) > _REL_TOL * scale
    first = np.argmax(big, axis=0)
    c = c * np.sign(c[first, np.arange(c.shape[1])])
    return (np.round(c / scale, 9) + 0.0).T, big.any(axis=0)

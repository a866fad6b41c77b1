r"""Activation patterns of two-layer ReLU networks (hyperplane arrangements).

A pattern is the diagonal of :math:`D(h)=\operatorname{diag}(\mathbb 1[Xh\ge 0])` for a gate
:math:`h\in\mathbb R^d`; the set of all patterns is the set of cells of the central hyperplane
arrangement :math:`\{h: x_i^\top h = 0\}`. For rows in general position and
:math:`\operatorname{rank}X=r` there are exactly

.. math:: P = 2\sum_{k=0}^{r-1}\binom{n-1}{k}

cells (Cover 1965; Pilanci & Ergen, ICML 2020). Patterns are returned as boolean arrays of
shape ``(P, n)`` (one row per pattern).

* :func:`sample_patterns` draws Gaussian gates (dense, or supported on a random image patch as
  in the convolutional gates of Mishkin, Sahiner & Pilanci, ICML 2022) and deduplicates the
  patterns *stably*: the first occurrence (and its gate) is kept, so the patterns of the first
  ``k`` gates of one stream are a prefix of the patterns of the first ``k' > k`` gates.
  The all-zero pattern is dropped. ``strict=False`` uses :math:`\ge` (Pilanci-Ergen,
  CRONOS); ``strict=True`` uses :math:`>` (scnn).
* :func:`enumerate_patterns` enumerates every cell exactly for small ``d`` (brief
  ``convex-core.md`` §2.4): every cell of an essential central arrangement is a pointed cone
  whose extreme rays are null vectors of ``d-1`` independent rows; near such a ray every sign
  combination of the incident rows is realised. It also returns a strict witness gate for
  each cell (``(2D-I) X h > 0``), built in closed form from the ray and a small perturbation.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence

import numpy as np

from common.checks import check_bool, check_int

__all__ = [
    "arrangement_count",
    "enumerate_patterns",
    "pattern_matrix",
    "sample_gates",
    "sample_patterns",
    "stable_unique_rows",
]


# ----------------------------------------------------------------------------- validation
def _check_X(X, name: str = "X") -> np.ndarray:
    if not isinstance(X, np.ndarray | Sequence) and not hasattr(X, "__array__"):
        raise TypeError(f"{name} must be an array of shape (n, d), got {type(X).__name__}")
    X = np.asarray(X)
    if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise TypeError(f"{name} must be a real numeric array of shape (n, d), got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n, d), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must be non-empty, got shape {X.shape}")
    X = X.astype(np.float64, copy=False)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or inf; expected finite values")
    return X


def _pow2_rows(A: np.ndarray) -> np.ndarray:
    """Each row of ``A`` scaled by a power of two to a largest entry in [0.5, 1): exact, and
    it keeps every hyperplane ``x_i^T h = 0`` and side (zero rows stay zero)."""
    return np.ldexp(A, -np.frexp(np.abs(A).max(axis=1))[1][:, None])


def _check_gate_memory(n_gates: int, d: int, name: str) -> None:
    need = 8 * n_gates * d  # float64 gates (n_gates, d), allocated at once
    have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if need > have:
        raise ValueError(
            f"{name}={n_gates} gates of dimension d={d} need {need / 2**30:.3g} GiB "
            f"(8*{name}*d bytes), more than this machine's {have / 2**30:.3g} GiB of memory; "
            f"use a smaller {name}"
        )


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer | np.random.SeedSequence):
        raise TypeError(
            f"seed must be an int, a numpy SeedSequence or Generator, got {type(seed).__name__}"
        )
    if isinstance(seed, int | np.integer) and seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- helpers
def arrangement_count(n: int, r: int) -> int:
    r"""Number of cells :math:`2\sum_{k<r}\binom{n-1}{k}` of a central arrangement of ``n``
    hyperplanes in general position in :math:`\mathbb R^r` (includes the all-zero pattern
    when it exists, e.g. under a bias column)."""
    n, r = check_int(n, "n", 1), check_int(r, "r", 1)
    return 2 * sum(math.comb(n - 1, k) for k in range(min(r, n)))


def pattern_matrix(X, gates, *, strict: bool = False) -> np.ndarray:
    """Patterns ``1[X h >= 0]`` (or ``> 0`` if ``strict``) for gates ``(M, d)`` -> ``(M, n)``."""
    check_bool(strict, "strict")
    X = _check_X(X)
    G = _check_X(gates, "gates")
    if G.shape[1] != X.shape[1]:
        raise ValueError(f"gates must have shape (M, {X.shape[1]}) to match X, got {G.shape}")
    Z = _pow2_rows(G) @ _pow2_rows(X).T  # the same signs, without overflow near 1e300
    return Z > 0 if strict else Z >= 0


def stable_unique_rows(A: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct row of boolean ``A``, in order."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"A must be 2-D of shape (m, n), got shape {A.shape}")
    if A.dtype != bool:
        if not np.issubdtype(A.dtype, np.number):
            raise TypeError(f"A must be a boolean (or 0/1) array, got dtype {A.dtype}")
        if not np.isin(A, (0, 1)).all():
            raise ValueError("A must be boolean or contain only 0 and 1, got other values")
        A = A.astype(bool)
    if A.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    packed = np.ascontiguousarray(np.packbits(A, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, idx = np.unique(keys, return_index=True)
    return np.sort(idx)


def sample_gates(
    d: int,
    n_gates: int,
    *,
    seed=0,
    gate: str = "dense",
    image_shape: tuple[int, ...] | None = None,
    kernel: int = 3,
) -> np.ndarray:
    """Gate vectors ``(n_gates, d)``.

    ``gate="dense"``: i.i.d. :math:`\\mathcal N(0, I_d)` rows (row ``k`` does not depend on
    ``n_gates``, so streams are nested). ``gate="patch"``: Gaussian weights on a random
    ``kernel x kernel`` (x channels) patch of an image of ``image_shape = (H, W[, C])``
    (row-major, channels last, ``H*W*C == d``), zero elsewhere; every valid corner is equally
    likely (scnn misses the last two offsets, brief §9.5).
    """
    rng = _rng(seed)
    d, n_gates = check_int(d, "d", 1), check_int(n_gates, "n_gates", 1)
    _check_gate_memory(n_gates, d, "n_gates")
    if gate == "dense":
        return rng.standard_normal((n_gates, d))
    if gate != "patch":
        raise ValueError(f"gate must be 'dense' or 'patch', got {gate!r}")
    if image_shape is None:
        side = math.isqrt(d)
        if side * side != d:
            raise ValueError(
                f"gate='patch' needs image_shape=(H, W[, C]) with H*W*C == d; d={d} is not square"
            )
        image_shape = (side, side)
    if isinstance(image_shape, str) or not isinstance(image_shape, Sequence | np.ndarray):
        raise TypeError(
            f"image_shape must be a tuple (H, W[, C]) of ints, got {type(image_shape).__name__}"
        )
    shape = tuple(check_int(s, f"image_shape[{i}]", 1) for i, s in enumerate(image_shape))
    if len(shape) == 2:
        shape = (*shape, 1)
    if len(shape) != 3 or math.prod(shape) != d:
        raise ValueError(f"image_shape must be (H, W[, C]) with H*W*C == d={d}, got {image_shape}")
    H, W, C = shape
    kernel = check_int(kernel, "kernel", 1)
    if kernel > min(H, W):
        raise ValueError(f"kernel must be in [1, min(H, W)={min(H, W)}], got {kernel}")
    G = np.zeros((n_gates, H, W, C))
    rows = rng.integers(0, H - kernel + 1, size=n_gates)
    cols = rng.integers(0, W - kernel + 1, size=n_gates)
    vals = rng.standard_normal((n_gates, kernel, kernel, C))
    for k in range(n_gates):
        G[k, rows[k] : rows[k] + kernel, cols[k] : cols[k] + kernel, :] = vals[k]
    return G.reshape(n_gates, d)


def sample_patterns(
    X,
    n_patterns: int,
    *,
    seed=0,
    gate: str = "dense",
    strict: bool = False,
    return_gates: bool = False,
    drop_zero: bool = True,
    image_shape: tuple[int, ...] | None = None,
    kernel: int = 3,
):
    """Sample activation patterns from random gates, deduplicated stably.

    Parameters
    ----------
    X : array (n, d)
        Data (append a ones column for a regularised bias, convention B1).
    n_patterns : int
        Number of gates drawn. After deduplication ``P <= n_patterns`` patterns remain.
    seed : int, SeedSequence or Generator
        Randomness; use :func:`common.seeds.seed_sequence` for derived seeds.
    gate : {"dense", "patch"}
        Gate distribution, see :func:`sample_gates`.
    strict : bool
        ``False``: ``1[X h >= 0]`` (default); ``True``: ``1[X h > 0]`` (scnn).
    return_gates : bool
        Also return the gate ``(P, d)`` of the first occurrence of each pattern.
    drop_zero : bool
        Drop the all-zero pattern (its block is always zero).

    Returns
    -------
    D : bool array (P, n), and ``G`` (P, d) if ``return_gates``.
    """
    for flag, name in (
        (strict, "strict"),
        (return_gates, "return_gates"),
        (drop_zero, "drop_zero"),
    ):
        check_bool(flag, name)
    X = _check_X(X)
    n, d = X.shape
    _check_gate_memory(check_int(n_patterns, "n_patterns", 1), d, "n_patterns")
    G = sample_gates(d, n_patterns, seed=seed, gate=gate, image_shape=image_shape, kernel=kernel)
    chunk = max(1, int(2**24 // max(n, 1)))
    seen: set[bytes] = set()
    keep: list[int] = []
    for start in range(0, G.shape[0], chunk):
        Z = X @ G[start : start + chunk].T  # (n, m)
        A = (Z > 0) if strict else (Z >= 0)
        packed = np.packbits(A.T, axis=1)
        for j in range(packed.shape[0]):
            key = packed[j].tobytes()
            if key in seen:
                continue
            seen.add(key)
            if drop_zero and not A[:, j].any():
                continue
            keep.append(start + j)
    idx = np.asarray(keep, dtype=np.int64)
    Gk = G[idx]
    D = (X @ Gk.T > 0).T if strict else (X @ Gk.T >= 0).T
    D = np.ascontiguousarray(D.reshape(len(idx), n))
    return (D, Gk) if return_gates else D


# ----------------------------------------------------------------------------- enumeration
def enumerate_patterns(
    X,
    *,
    return_gates: bool = False,
    max_patterns: int = 2_000_000,
    max_work: float = 2e8,
    tol: float = 1e-9,
):
    """Every cell of the arrangement ``{h : x_i^T h = 0}`` (exact, for small ``d``).

    Parameters
    ----------
    X : array (n, d)
    return_gates : bool
        Also return a strict witness gate ``h`` per pattern, with ``(2D-I) X h > 0``.
    max_patterns : int
        Refuse (``ValueError`` stating the count) when the number of cells
        ``2 sum_{k<r} C(n-1, k)`` exceeds this.
    max_work : float
        Refuse when the enumeration work ``C(m, r-1) 2^(r-1) m`` (``m`` distinct hyperplanes),
        plus about 6e3 per strict-feasibility LP for degenerate rays, exceeds this (a unit is
        about 0.5 us on 2 CPU cores).
    tol : float
        Relative threshold below which ``x_i^T h`` counts as zero (degenerate rays), in
        ``(0, 1e-3)``.

    Returns
    -------
    D : bool array (P, n) of open-cell patterns (convention-free: ``>=`` and ``>`` agree),
        including the all-zero pattern when that cell exists; and ``G`` (P, d) if requested.

    Notes
    -----
    Rows that are (positive or negative) multiples of each other, e.g. repeated points,
    define one hyperplane: it is enumerated once and the patterns are mapped back to every
    row (a negative multiple gets the complementary bit). Rank-deficient data are projected
    onto their row space first (same arrangement). Remaining degenerate rays (more than
    ``r-1`` incident hyperplanes, e.g. grids) are handled once each by enumerating sign
    combinations of the incident hyperplanes and keeping those realised by a strictly
    feasible gate (an LP via ``scipy.optimize.linprog``); those LPs count towards
    ``max_work``.
    """
    check_bool(return_gates, "return_gates")
    X = _check_X(X)
    for name, val in (("max_patterns", max_patterns), ("max_work", max_work), ("tol", tol)):
        if isinstance(val, bool) or not isinstance(val, int | float | np.integer | np.floating):
            raise TypeError(f"{name} must be a number, got {type(val).__name__}")
        if not (np.isfinite(val) and val > 0):
            raise ValueError(f"{name} must be a positive finite number, got {val!r}")
    if tol >= 1e-3:  # |x_i^T h| <= 1e3 * tol (unit rows, unit rays) marks a row as incident
        raise ValueError(
            f"tol must be in (0, 1e-3) (from 1e-3 on, every hyperplane counts as incident to every "
            f"ray), got {tol!r}"
        )
    X = _pow2_rows(X)
    n_all = X.shape[0]
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise ValueError(
            "X has all-zero rows; their sign x_i^T h = 0 for every gate, so open cells do not "
            "exist. Drop them or append a bias column."
        )
    # rows that are multiples of each other define the same hyperplane: keep one per
    # direction and map the patterns back (a negative multiple has the complementary bit)
    rep, group, flip = _hyperplanes(X / norms[:, None])
    Xs = rep
    n, d = Xs.shape
    _, s, Vt = np.linalg.svd(Xs, full_matrices=False)
    r = int(np.sum(s > s[0] * max(n, d) * np.finfo(float).eps))
    basis = Vt[:r].T  # (d, r)
    Y = Xs @ basis  # (n, r), same arrangement in R^r
    count = arrangement_count(n, r)
    if count > max_patterns:
        raise ValueError(
            f"enumerate_patterns: the arrangement of n={n} hyperplanes in rank {r} has up to "
            f"{count:.3e} cells (2*sum_(k<{r}) C({n - 1}, k)), above max_patterns={max_patterns}; "
            "use sample_patterns instead"
        )
    work = math.comb(n, r - 1) * 2 ** (r - 1) * n
    if work > max_work:
        raise ValueError(
            f"enumerate_patterns: enumeration would cost ~{work:.3e} operations "
            f"(C({n}, {r - 1}) * 2^{r - 1} * n) for a count of {count} cells, above "
            f"max_work={max_work:.1e}; use sample_patterns instead"
        )
    lp_cost = _LP_COST * max(1.0, n * r / 45.0)  # one LP (measured at n=15, r=3)
    seen: dict[bytes, np.ndarray] = {}
    order: list[bytes] = []

    def emit(P_: np.ndarray, H_: np.ndarray) -> None:
        packed = np.packbits(P_, axis=1)
        for j in range(P_.shape[0]):
            key = packed[j].tobytes()
            if key not in seen:
                seen[key] = H_[j]
                order.append(key)

    if r == 1:
        y = Y[:, 0]
        for sgn in (1.0, -1.0):
            emit((sgn * y > 0)[None, :], np.array([[sgn]]))
    else:
        combos = np.array(list(itertools.product((1.0, -1.0), repeat=r - 1)))  # (2^(r-1), r-1)
        subsets = itertools.combinations(range(n), r - 1)
        batch = max(1, int(2**22 // (n * 2**r)))
        degenerate: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        while True:
            S = np.array(list(itertools.islice(subsets, batch)), dtype=np.int64)
            if S.size == 0:
                break
            S = S.reshape(-1, r - 1)
            XS = Y[S]  # (N, r-1, r)
            _, sv, vt = np.linalg.svd(XS, full_matrices=True)
            ok = sv[:, -1] > tol * sv[:, 0]
            if not ok.any():
                continue
            S, XS, ray = S[ok], XS[ok], vt[ok, -1, :]  # ray (N, r)
            proj = ray @ Y.T  # (N, n)
            inc = np.abs(proj) <= 1e3 * tol
            inS = np.zeros_like(inc)
            np.put_along_axis(inS, S, True, axis=1)
            extra = (inc & ~inS).any(axis=1)
            for k in np.flatnonzero(extra):
                # a ray with m > r-1 incident rows is found once per (r-1)-subset of them:
                # keep it once (keyed by its incident set; both signs are tried below)
                key = np.packbits(inc[k]).tobytes()
                if key in degenerate:
                    continue
                m = int(inc[k].sum())
                if m > 16:
                    raise ValueError(
                        f"enumerate_patterns: a ray of the arrangement has {m} incident "
                        "hyperplanes (highly degenerate data); perturb X or use sample_patterns"
                    )
                work += 2 * 2**m * lp_cost
                if work > max_work:
                    raise ValueError(
                        f"enumerate_patterns: degenerate data (rays with up to {m} incident "
                        f"hyperplanes) need sign-combination LPs costing ~{work:.3e} "
                        f"operations, above max_work={max_work:.1e}; perturb X or use "
                        "sample_patterns"
                    )
                degenerate[key] = (ray[k], np.flatnonzero(inc[k]))
            good = ~extra
            S, XS, ray, proj = S[good], XS[good], ray[good], proj[good]
            if S.shape[0] == 0:
                continue
            pinv = np.linalg.pinv(XS)  # (N, r, r-1)
            for sgn in (1.0, -1.0):
                base = sgn * proj  # (N, n)
                for c in combos:
                    delta = pinv @ c  # (N, r)
                    dproj = delta @ Y.T  # (N, n)
                    np.put_along_axis(dproj, S, 0.0, axis=1)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        ratio = np.where(
                            np.abs(dproj) > 0, np.abs(base) / np.abs(dproj), np.inf
                        ).min(axis=1)
                    eps = 0.5 * np.minimum(ratio, 1.0)
                    H = sgn * ray + eps[:, None] * delta
                    Z = H @ Y.T
                    emit(Z > 0, H)
        for ray, inc in degenerate.values():
            for sgn in (1.0, -1.0):
                base = (sgn * ray) @ Y.T
                for c in itertools.product((1.0, -1.0), repeat=inc.size):
                    sign = np.sign(base)
                    sign[inc] = c
                    h = _strict_witness(Y, sign)
                    if h is not None:
                        emit((Y @ h > 0)[None, :], h[None, :])
    D = np.array(
        [np.unpackbits(np.frombuffer(k, dtype=np.uint8), count=n).astype(bool) for k in order]
    ).reshape(len(order), n)
    D = np.ascontiguousarray(D[:, group] ^ flip[None, :]).reshape(len(order), n_all)
    if not return_gates:
        return D
    G = np.array([seen[k] for k in order]).reshape(len(order), r) @ basis.T
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    return D, G


# work units: the ray loop costs ~0.5 us per unit of C(n, r-1) 2^(r-1) n (measured at n=60,
# r=4: 8.2 s for 1.6e7); one HiGHS strict-feasibility LP takes ~3 ms, about 6e3 units
_LP_COST = 6e3


def _hyperplanes(Xs: np.ndarray, decimals: int = 12):
    """Distinct hyperplanes of unit rows ``Xs``: ``(rep, group, flip)`` with
    ``Xs[i] = (-1)^flip[i] * rep[group[i]]`` (to ~1e-12).

    Rows are compared up to sign (the sign that makes the first clearly non-zero entry
    positive), rounded to ``decimals`` and deduplicated exactly (``np.unique``); rows that
    differ by more than the rounding stay separate hyperplanes and are handled as degenerate
    rays (correct, only slower). Representatives are first occurrences, unchanged and in
    order, so data without repeated hyperplanes are enumerated exactly as before.
    """
    n = Xs.shape[0]
    lead = np.argmax(np.abs(Xs) > 1e-6, axis=1)
    sgn = np.sign(Xs[np.arange(n), lead])
    R = np.round(Xs * sgn[:, None], decimals) + 0.0  # + 0.0: -0.0 -> 0.0
    _, first, inv = np.unique(R, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # representatives in order of first occurrence
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    group = rank[np.asarray(inv).ravel()]
    reps = first[order]
    return Xs[reps], group, sgn != sgn[reps][group]


def _strict_witness(Y: np.ndarray, sign: np.ndarray) -> np.ndarray | None:
    """LP: max t s.t. sign_i y_i^T h >= t, |h|_inf <= 1. Returns h if t > 0, else None."""
    from scipy.optimize import linprog

    n, r = Y.shape
    A = np.hstack([-(sign[:, None] * Y), np.ones((n, 1))])
    res = linprog(
        np.r_[np.zeros(r), -1.0],
        A_ub=A,
        b_ub=np.zeros(n),
        bounds=[(-1, 1)] * r + [(None, 1)],
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-9:
        return None
    return res.x[:r]

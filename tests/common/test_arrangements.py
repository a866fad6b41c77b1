"""Tests for common.arrangements: sampling, exact enumeration, counts, conventions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.arrangements import (
    arrangement_count,
    enumerate_patterns,
    pattern_matrix,
    sample_gates,
    sample_patterns,
    stable_unique_rows,
)


def _keys(D):
    return {bytes(r) for r in np.packbits(np.asarray(D, bool), axis=1)}


@pytest.mark.parametrize(("n", "d"), [(8, 1), (10, 2), (12, 3), (15, 4), (14, 5)])
def test_enumeration_count_matches_formula(n, d):
    X = np.random.default_rng(n * d).standard_normal((n, d))
    D, G = enumerate_patterns(X, return_gates=True)
    assert D.shape == (arrangement_count(n, d), n)
    assert len(_keys(D)) == D.shape[0]  # distinct
    # strict witnesses: (2D - I) X h > 0 for every pattern
    margins = (2.0 * D - 1.0) * (X @ G.T).T
    assert margins.min() > 0


def test_enumeration_bias_column_includes_zero_pattern():
    rng = np.random.default_rng(1)
    X = np.hstack([rng.standard_normal((9, 2)), np.ones((9, 1))])
    D = enumerate_patterns(X)
    assert D.shape[0] == arrangement_count(9, 3)
    assert (~D.any(axis=1)).sum() == 1


def test_sampled_patterns_are_subset_of_enumerated():
    X = np.random.default_rng(2).standard_normal((16, 4))
    E = _keys(enumerate_patterns(X))
    S = sample_patterns(X, 4000, seed=3)
    assert _keys(S) <= E
    assert S.shape[0] <= len(E)


def test_degenerate_data_duplicates_and_rank_deficiency():
    rng = np.random.default_rng(3)
    X0 = rng.standard_normal((6, 3))
    X = np.vstack([X0, X0[:2]])  # duplicate points: same arrangement as X0
    assert enumerate_patterns(X).shape[0] == arrangement_count(6, 3)
    Xr = rng.standard_normal((10, 2)) @ rng.standard_normal((2, 4))  # rank 2 in R^4
    assert enumerate_patterns(Xr).shape[0] == arrangement_count(10, 2)


def test_enumeration_refuses_huge_arrangements():
    X = np.random.default_rng(0).standard_normal((2000, 30))
    with pytest.raises(ValueError, match=r"cells"):
        enumerate_patterns(X)


def test_sampling_is_stable_nested_and_deduplicated():
    X = np.random.default_rng(4).standard_normal((20, 3))
    D1, G1 = sample_patterns(X, 50, seed=7, return_gates=True)
    D2, G2 = sample_patterns(X, 400, seed=7, return_gates=True)
    assert np.array_equal(D2[: len(D1)], D1)  # prefix property
    assert np.array_equal(G2[: len(G1)], G1)
    assert len(_keys(D2)) == len(D2)
    assert D2.any(axis=1).all()  # all-zero pattern dropped
    assert np.array_equal(D2, (X @ G2.T >= 0).T)  # gates reproduce patterns


def test_strict_flag_on_tie():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # a gate orthogonal to row 0 gives a tie there
    G = np.array([[0.0, 1.0]])
    D_ge = (X @ G.T >= 0).T
    D_gt = (X @ G.T > 0).T
    assert D_ge[0, 0] and not D_gt[0, 0]
    Xz = np.vstack([X, np.zeros((1, 2))])  # zero row: always a tie
    assert sample_patterns(Xz, 20, seed=0)[:, -1].all()
    assert not sample_patterns(Xz, 20, seed=0, strict=True)[:, -1].any()


def test_patch_gates():
    G = sample_gates(25, 200, seed=0, gate="patch", image_shape=(5, 5), kernel=3)
    nz = (G != 0).reshape(200, 5, 5)
    assert (nz.sum(axis=(1, 2)) == 9).all()
    # every valid corner is reachable (scnn misses the last offsets)
    rows = {int(np.argmax(m.any(axis=1))) for m in nz}
    assert rows == {0, 1, 2}
    X = np.random.default_rng(0).standard_normal((10, 25))
    D = sample_patterns(X, 50, seed=0, gate="patch")
    assert D.shape[1] == 10


def test_stable_unique_rows():
    A = np.array([[1, 0], [0, 1], [1, 0], [0, 0], [0, 1]], bool)
    assert list(stable_unique_rows(A)) == [0, 1, 3]


@pytest.mark.parametrize(
    ("args", "exc"),
    [
        ((np.ones(5), 3), ValueError),
        ((np.array([[np.nan, 1.0]]), 3), ValueError),
        ((np.ones((3, 2)), 0), ValueError),
        ((np.ones((3, 2)), 2.5), TypeError),
        ((np.array([["a", "b"]]), 3), TypeError),
    ],
)
def test_sample_patterns_bad_input(args, exc):
    with pytest.raises(exc):
        sample_patterns(*args)


def test_bad_gate_type():
    with pytest.raises(ValueError, match="gate"):
        sample_patterns(np.ones((3, 4)), 3, gate="sparse")


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(3, 12),
    d=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_property_enumeration_vs_sampling(n, d, seed):
    X = np.random.default_rng(seed).standard_normal((n, d))
    D = enumerate_patterns(X)
    assert D.shape[0] == arrangement_count(n, d)
    # complementary pairs: D in set iff ~D in set
    keys = _keys(D)
    assert _keys(~D) == keys
    S = sample_patterns(X, 64, seed=seed)
    assert _keys(S) <= keys


# ----------------------------------------------------------------------------- repeated rows
def _brute_force_patterns(X):
    """Every open cell by brute force: each sign vector, kept if an LP finds a strict gate."""
    import itertools

    from common.arrangements import _strict_witness

    n = X.shape[0]
    out = []
    for signs in itertools.product((1.0, -1.0), repeat=n):
        if _strict_witness(X, np.asarray(signs)) is not None:
            out.append(np.asarray(signs) > 0)
    return np.array(out).reshape(len(out), n)


def test_enumeration_repeated_rows_is_fast_and_exact():
    # issue #14 item 3: 3 distinct rows each repeated 5 times (an 8-cell arrangement) ran
    # past 90 s: the degenerate ray was re-added for every subset of the repeated rows
    import time

    X0 = np.random.default_rng(0).standard_normal((3, 3))
    X = np.repeat(X0, 5, axis=0)
    t0 = time.perf_counter()
    D, G = enumerate_patterns(X, return_gates=True)
    assert time.perf_counter() - t0 < 5.0
    assert D.shape == (8, 15)
    assert _keys(D) == _keys(np.repeat(enumerate_patterns(X0), 5, axis=1))
    margins = (2.0 * D - 1.0) * (X @ G.T).T
    assert margins.min() > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enumeration_multiples_match_brute_force(seed):
    # positive multiples (same hyperplane, same side) and negative multiples (same
    # hyperplane, complementary bit) of rows, plus exact repeats
    rng = np.random.default_rng(seed)
    X0 = rng.standard_normal((4, 3))
    X = np.vstack([X0, 3.0 * X0[0], X0[1], -0.5 * X0[2], X0[0] * 1e-3])
    D = enumerate_patterns(X)
    assert len(_keys(D)) == D.shape[0]
    assert _keys(D) == _keys(_brute_force_patterns(X))
    assert D.shape[0] == arrangement_count(4, 3)


def test_enumeration_degenerate_grid_matches_brute_force():
    # a grid with a bias column: rays with 3 incident hyperplanes (the LP path)
    X = np.array([[a, b, 1.0] for a in (-1, 0, 1) for b in (0, 1)])
    assert _keys(enumerate_patterns(X)) == _keys(_brute_force_patterns(X))


def test_enumeration_work_guard_counts_degenerate_lps():
    X = np.array([[a, b, 1.0] for a in (-1, 0, 1) for b in (-1, 0, 1)])
    with pytest.raises(ValueError, match="max_work"):
        enumerate_patterns(X, max_work=1e5)  # the ray loop alone is ~5e3 units: the LPs count


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"max_work": 0}, ValueError, "max_work"),
        ({"max_patterns": -1}, ValueError, "max_patterns"),
        ({"tol": float("nan")}, ValueError, "tol"),
        ({"tol": "1e-9"}, TypeError, "tol"),
    ],
)
def test_enumeration_bad_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        enumerate_patterns(np.eye(3), **kwargs)


# ----------------------------------------------------------------------------- input checks
@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e200, 1e300])
def test_enumeration_is_scale_invariant(scale):
    X = np.random.default_rng(5).standard_normal((12, 3))
    assert _keys(enumerate_patterns(X * scale)) == _keys(enumerate_patterns(X))
    # rows rescaled by powers of two: bit-identical patterns and gates
    Dp, Gp = enumerate_patterns(np.ldexp(X, 700), return_gates=True)
    D, G = enumerate_patterns(X, return_gates=True)
    assert np.array_equal(Dp, D) and np.array_equal(Gp, G)


def test_pattern_matrix_signs_survive_scales_near_overflow():
    # X and gates near 1e300: products overflowed to +-inf and their sums to NaN, and NaN >= 0
    # is False, so patterns came back silently wrong
    rng = np.random.default_rng(2)
    X, G = rng.standard_normal((30, 4)), rng.standard_normal((8, 4))
    ref = pattern_matrix(X, G)
    assert np.array_equal(pattern_matrix(X * 1e300, G * 1e300), ref)
    assert np.array_equal(pattern_matrix(X * 1e-300, G * 1e-10), ref)


@pytest.mark.parametrize("tol", [1e-3, 0.5, 10.0])
def test_enumeration_refuses_tol_out_of_range(tol):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=r"tol must be in \(0, 1e-3\)"):
        enumerate_patterns(X, tol=tol)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((-1, 5), {}, ValueError, "d must be an integer >= 1"),
        ((0, 5), {}, ValueError, "d must be an integer >= 1"),
        ((2.5, 5), {}, TypeError, "d must be an int"),
        ((5, 2.5), {}, TypeError, "n_gates must be an int"),
        ((5, True), {}, TypeError, "n_gates must be an int"),
        ((5, "3"), {}, TypeError, "n_gates must be an int"),
        ((5, 0), {}, ValueError, "n_gates must be an integer >= 1"),
        ((16, 5), {"gate": "patch", "kernel": 2.5}, TypeError, "kernel must be an int"),
        ((16, 5), {"gate": "patch", "kernel": "3"}, TypeError, "kernel must be an int"),
        ((16, 5), {"gate": "patch", "kernel": 0}, ValueError, "kernel must be an integer >= 1"),
        ((16, 5), {"gate": "patch", "kernel": 5}, ValueError, r"kernel must be in"),
        ((16, 5), {"gate": "patch", "image_shape": (4, 4.5)}, TypeError, r"image_shape\[1\]"),
        ((16, 5), {"gate": "patch", "image_shape": (-4, -4)}, ValueError, r"image_shape\[0\]"),
        ((16, 5), {"gate": "patch", "image_shape": 16}, TypeError, "image_shape must be"),
        ((16, 5), {"gate": "patch", "image_shape": "ab"}, TypeError, "image_shape must be"),
    ],
)
def test_sample_gates_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sample_gates(*args, **kwargs)


def test_sample_gates_accepts_numpy_ints():
    G = sample_gates(np.int64(16), np.int64(4), gate="patch", image_shape=np.array([4, 4]))
    assert G.shape == (4, 16)


@pytest.mark.parametrize(
    ("A", "exc", "match"),
    [
        (np.array([1, 0, 1]), ValueError, "A must be 2-D"),
        (np.zeros((2, 2, 2), bool), ValueError, "A must be 2-D"),
        (np.array([[0.5, 0.0], [0.7, 0.0]]), ValueError, "only 0 and 1"),
        (np.array([["a", "b"]]), TypeError, "A must be a boolean"),
    ],
)
def test_stable_unique_rows_bad_input(A, exc, match):
    with pytest.raises(exc, match=match):
        stable_unique_rows(A)


def test_stable_unique_rows_accepts_0_1_numbers():
    A = np.array([[1, 0], [0, 1], [1, 0]])
    assert list(stable_unique_rows(A)) == list(stable_unique_rows(A.astype(float))) == [0, 1]


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        ((2.5, 2), TypeError, "n must be an int"),
        ((5, 1.5), TypeError, "r must be an int"),
        (("3", 2), TypeError, "n must be an int"),
        ((True, 1), TypeError, "n must be an int"),
        ((5, 0), ValueError, "r must be an integer >= 1"),
    ],
)
def test_arrangement_count_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        arrangement_count(*args)


def test_sampling_refuses_impossible_gate_count():
    X = np.ones((3, 4))
    with pytest.raises(ValueError, match=r"n_patterns=1000000000000 gates .* GiB"):
        sample_patterns(X, 10**12)
    with pytest.raises(ValueError, match=r"n_gates=1000000000000 gates .* GiB"):
        sample_gates(4, 10**12)


@pytest.mark.parametrize(
    ("call", "flag"),
    [
        (lambda X, v: sample_patterns(X, 5, strict=v), "strict"),
        (lambda X, v: sample_patterns(X, 5, return_gates=v), "return_gates"),
        (lambda X, v: sample_patterns(X, 5, drop_zero=v), "drop_zero"),
        (lambda X, v: enumerate_patterns(X, return_gates=v), "return_gates"),
        (lambda X, v: pattern_matrix(X, np.ones((2, 3)), strict=v), "strict"),
    ],
)
@pytest.mark.parametrize("value", ["no", None, 1])
def test_flags_must_be_bool(call, flag, value):
    X = np.random.default_rng(0).standard_normal((6, 3))
    with pytest.raises(TypeError, match=f"{flag} must be True or False"):
        call(X, value)
    call(X, np.True_)  # numpy bools are bools

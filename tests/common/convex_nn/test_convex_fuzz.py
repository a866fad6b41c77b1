"""Fuzz the public API of common.convex_nn and common.arrangements with bad arguments.

One argument of a valid call is replaced by a bad value (wrong shape, dtype, NaN/inf,
wrong type, out of range); the call must raise ValueError or TypeError whose message names
that argument -- never another exception, a deep traceback or a hang.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.arrangements import enumerate_patterns, pattern_matrix, sample_patterns
from common.convex_nn import (
    duality_gap,
    network_objective,
    network_predict,
    solve_convex,
    to_network,
)

from .conftest import make_problem

X, Y, D = make_problem()
n, d = X.shape


def _bad_arrays(shape, length_matters=True):
    """Bad replacements for a real array of ``shape`` (a wrong length only if it matters)."""
    good = np.ones(shape)
    nan = good.copy()
    nan.flat[0] = np.nan
    inf = good.copy()
    inf.flat[-1] = -np.inf
    wrong_length = [np.ones((shape[0] + 1, *shape[1:]))] if length_matters else []
    return st.sampled_from(
        [
            *wrong_length,
            nan,
            inf,
            good.astype(complex),
            good.astype(str),
            good.astype(object),
            np.ones((*shape, 2, 2)),  # two dimensions too many
            np.zeros((0, *shape[1:])),  # empty
            None,
            "abc",
            {"a": 1},
        ]
    )


_BAD_SCALARS = st.sampled_from([-1.0, float("nan"), float("inf"), "1", None, [1.0]])


def _call(fn, kwargs, name):
    with pytest.raises((ValueError, TypeError)) as info:
        fn(**kwargs)
    assert name in str(info.value), f"{name!r} not named in: {info.value}"


def _solve(**kw):
    args = {"X": X, "y": Y, "patterns": D, "beta": 0.5}
    args.update(kw)
    return solve_convex(args.pop("X"), args.pop("y"), args.pop("patterns"), args.pop("beta"),
                        max_iter=5, **args)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_solve_convex_bad_arguments(data):
    name = data.draw(
        st.sampled_from(
            [
                "X",
                "y",
                "patterns",
                "beta",
                "tol",
                "max_iter",
                "formulation",
                "solver",
                "loss",
                "activation",
                "dtype",
            ]
        )
    )
    if name in ("X", "y", "patterns"):
        shape = {"X": (n, d), "y": (n,), "patterns": D.shape}[name]
        bad = data.draw(_bad_arrays(shape))
        if name == "patterns" and isinstance(bad, np.ndarray) and bad.dtype == float:
            bad = bad * 2  # all-ones float patterns are valid 0/1 patterns
        if name == "patterns" and isinstance(bad, np.ndarray) and bad.ndim > 2:
            bad = bad.astype(bool)
    elif name == "beta":
        bad = data.draw(_BAD_SCALARS)
    elif name == "tol":  # None is the default
        bad = data.draw(st.sampled_from([-1.0, 0.0, float("nan"), float("inf"), "1", True]))
    elif name == "max_iter":
        bad = data.draw(st.sampled_from([0, -3, 2.5, "10"]))
    elif name == "activation":
        bad = data.draw(st.sampled_from(["tanh", ("leaky",), (1.0, float("nan")), 3, None]))
    elif name == "dtype":
        bad = data.draw(st.sampled_from([np.int32, "complex128", "float16", "nope"]))
    else:
        bad = data.draw(st.sampled_from(["", "RELU?", None, 3]))
    _call(_solve, {name: bad}, name)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_network_functions_bad_arguments(data):
    W1, w2 = np.ones((2, d)), np.ones(2)
    fn = data.draw(st.sampled_from(["objective", "predict"]))
    names = ["X", "W1", "w2"] + (["y", "beta"] if fn == "objective" else [])
    name = data.draw(st.sampled_from(names))
    shapes = {"X": (n, d), "y": (n,), "W1": (2, d), "w2": (2,)}
    free = fn == "predict" and name == "X"  # nothing else has n rows
    bad = data.draw(_BAD_SCALARS if name == "beta" else _bad_arrays(shapes[name], not free))
    if name == "w2" and isinstance(bad, np.ndarray) and bad.ndim == 2 and bad.shape[0] == 2:
        bad = np.ones((2, 3))  # (m, 2) with 1-D y is refused too (issue #14 item 7)
    args = {"X": X, "W1": W1, "w2": w2}
    if fn == "objective":
        args.update(y=Y, beta=0.5)
        _call(network_objective, {**args, name: bad}, name)
    else:
        _call(network_predict, {**args, name: bad}, name)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_certificates_and_maps_bad_arguments(data):
    U = np.zeros((D.shape[0], d))
    name = data.draw(st.sampled_from(["X", "y", "patterns", "beta", "U"]))
    shapes = {"X": (n, d), "y": (n,), "patterns": D.shape, "U": (D.shape[0], d, 1, 1)}
    if name == "beta":
        bad = data.draw(_BAD_SCALARS)
    elif name == "U":
        bad = data.draw(st.sampled_from([np.ones(3), np.full((2, d), np.nan), "U", None]))
    else:
        bad = data.draw(_bad_arrays(shapes[name]))
        if name == "patterns" and isinstance(bad, np.ndarray) and bad.dtype == float:
            bad = bad * 2
        if name == "patterns" and isinstance(bad, np.ndarray) and bad.ndim > 2:
            bad = bad.astype(bool)
    args = {"X": X, "y": Y, "patterns": D, "beta": 0.5, "U": U, **{name: bad}}
    _call(duality_gap, args, name)
    if name == "U":
        _call(to_network, {"result": (bad, None)}, "U")


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_arrangements_bad_arguments(data):
    fn = data.draw(st.sampled_from(["enumerate", "sample", "matrix"]))
    Xa = np.random.default_rng(0).standard_normal((6, 3))
    if fn == "enumerate":
        name = data.draw(st.sampled_from(["X", "max_patterns", "max_work", "tol"]))
        bad = data.draw(_bad_arrays((6, 3), False) if name == "X" else _BAD_SCALARS)
        _call(enumerate_patterns, {"X": Xa, name: bad}, name)
    elif fn == "sample":
        name = data.draw(st.sampled_from(["X", "n_patterns", "seed", "gate"]))
        if name == "X":
            bad = data.draw(_bad_arrays((6, 3), False))
        elif name == "gate":
            bad = data.draw(st.sampled_from(["sparse", None, 3]))
        else:
            bad = data.draw(st.sampled_from([-1, 2.5, "3", None, True]))
        _call(sample_patterns, {"X": Xa, "n_patterns": 5, name: bad}, name)
    else:
        name = data.draw(st.sampled_from(["X", "gates"]))
        shape = (6, 3) if name == "X" else (4, 3)
        bad = data.draw(_bad_arrays(shape, False))
        args = {"X": Xa, "gates": np.ones((4, 3)), name: bad}
        _call(pattern_matrix, args, name)

"""Fuzzing the lasso API with bad input: a ValueError/TypeError naming the argument.

Each example starts from a small valid call and breaks one argument (a bad shape, NaN,
inf, a wrong type or an out-of-range value); the call must fail with ValueError or
TypeError whose message names that argument, never with another exception from deep
inside. A last test feeds valid but odd data (constant, tiny, huge, duplicated columns)
and asks for a finite fit or such an error. Budgets are small (seconds).
"""

import warnings
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.lasso import cv_lasso, lasso_path
from tests.common.lasso.fuzzing import FUZZ, INF, NAN, expect_error, fuzz_data, with_value

# (argument, bad value as a function of the valid data, names the message may use)
PATH_BREAKS = {
    "X_nan": lambda X, y: ({"X": with_value(X, NAN)}, ("X",)),
    "X_inf": lambda X, y: ({"X": with_value(X, -INF)}, ("X",)),
    "X_1d": lambda X, y: ({"X": X[:, 0]}, ("X",)),
    "X_3d": lambda X, y: ({"X": X[None]}, ("X",)),
    "X_empty": lambda X, y: ({"X": X[:, :0]}, ("X",)),
    "X_str": lambda X, y: ({"X": X.astype(str).astype(object) + "x"}, ("X",)),
    "X_rows": lambda X, y: ({"X": X[:-2]}, ("y",)),
    "y_nan": lambda X, y: ({"y": with_value(y, NAN)}, ("y",)),
    "y_2d": lambda X, y: ({"y": np.c_[y, y]}, ("y",)),
    "y_str": lambda X, y: ({"y": ["a"] * len(y)}, ("y",)),
    "offset_inf": lambda X, y: ({"offset": with_value(y, INF)}, ("offset",)),
    "offset_len": lambda X, y: ({"offset": y[:-1]}, ("offset",)),
    "pf_nan": lambda X, y: ({"penalty_factor": with_value(np.ones(X.shape[1]), NAN)}, ("penalty",)),
    "pf_neg": lambda X, y: ({"penalty_factor": -np.ones(X.shape[1])}, ("penalty_factor",)),
    "pf_len": lambda X, y: ({"penalty_factor": np.ones(X.shape[1] + 1)}, ("penalty_factor",)),
    "pf_zero": lambda X, y: ({"penalty_factor": np.zeros(X.shape[1])}, ("penalty_factor",)),
    "pf_str": lambda X, y: ({"penalty_factor": ["x"] * X.shape[1]}, ("penalty_factor",)),
    "lambdas_nan": lambda X, y: ({"lambdas": [1.0, NAN]}, ("lambdas",)),
    "lambdas_up": lambda X, y: ({"lambdas": [0.1, 1.0]}, ("lambdas",)),
    "lambdas_neg": lambda X, y: ({"lambdas": [-1.0]}, ("lambdas",)),
    "lambdas_empty": lambda X, y: ({"lambdas": []}, ("lambdas",)),
    "nlambda_0": lambda X, y: ({"nlambda": 0}, ("nlambda",)),
    "nlambda_float": lambda X, y: ({"nlambda": 5.5}, ("nlambda",)),
    "nlambda_bool": lambda X, y: ({"nlambda": True}, ("nlambda",)),
    "ratio_nan": lambda X, y: ({"lambda_min_ratio": NAN}, ("lambda_min_ratio",)),
    "ratio_one": lambda X, y: ({"lambda_min_ratio": 1}, ("lambda_min_ratio",)),
    "ratio_str": lambda X, y: ({"lambda_min_ratio": "0.1"}, ("lambda_min_ratio",)),
    "tol_neg": lambda X, y: ({"tol": -1.0}, ("tol",)),
    "tol_nan": lambda X, y: ({"tol": NAN}, ("tol",)),
    "tol_inf": lambda X, y: ({"tol": INF}, ("tol",)),
    "max_iter_0": lambda X, y: ({"max_iter": 0}, ("max_iter",)),
    "max_iter_float": lambda X, y: ({"max_iter": 10.0}, ("max_iter",)),
    "family": lambda X, y: ({"family": "poisson"}, ("family",)),
    "family_none": lambda X, y: ({"family": None}, ("family",)),
    "standardize": lambda X, y: ({"standardize": "no"}, ("standardize",)),
    "binomial_labels": lambda X, y: ({"family": "binomial"}, ("y",)),
    "multinomial_labels": lambda X, y: ({"family": "multinomial", "y": y + 0.5}, ("y",)),
}


@pytest.mark.parametrize("key", sorted(PATH_BREAKS))
@FUZZ
@given(st.integers(0, 2**16), st.integers(3, 15))
def test_lasso_path_bad_input(key, seed, n):
    X, y, _ = fuzz_data(seed, n)
    kwargs, names = PATH_BREAKS[key](X, y)
    args = {"X": X, "y": y, "nlambda": 5, **kwargs}
    expect_error(lambda: lasso_path(args.pop("X"), args.pop("y"), **args), names)


CV_BREAKS = {
    "foldid_2": lambda n: ({"foldid": np.arange(n) % 2}, ("foldid",)),
    "foldid_float": lambda n: ({"foldid": np.arange(n) % 3 + 0.5}, ("foldid",)),
    "foldid_len": lambda n: ({"foldid": np.arange(n - 1) % 3}, ("foldid",)),
    "type_measure": lambda n: ({"type_measure": "auc"}, ("type_measure",)),
    "tol": lambda n: ({"tol": 0.0}, ("tol",)),
}


@pytest.mark.parametrize("key", sorted(CV_BREAKS))
@FUZZ
@given(st.integers(0, 2**16))
def test_cv_lasso_bad_input(key, seed):
    X, y, _ = fuzz_data(seed)
    kwargs, names = CV_BREAKS[key](len(y))
    args = {"foldid": np.arange(len(y)) % 3, "nlambda": 5, **kwargs}
    expect_error(lambda: cv_lasso(X, y, **args), names)


PREDICT_BREAKS = {
    "X_nan": lambda X, off: ({"X": with_value(X, NAN)}, ("X",)),
    "X_cols": lambda X, off: ({"X": X[:, :-1]}, ("X",)),
    "X_1d": lambda X, off: ({"X": X[0]}, ("X",)),
    "offset_len": lambda X, off: ({"offset": off[:-1]}, ("offset",)),
    "offset_inf": lambda X, off: ({"offset": with_value(off, INF)}, ("offset",)),
    "kind": lambda X, off: ({"kind": "probability"}, ("kind",)),
    "kind_class_gaussian": lambda X, off: ({"kind": "class"}, ("kind",)),
}


@pytest.mark.parametrize("key", sorted(PREDICT_BREAKS))
@FUZZ
@given(st.integers(0, 2**16))
def test_predict_bad_input(key, seed):
    X, y, rng = fuzz_data(seed)
    off = rng.standard_normal(len(y))
    fit = cv_lasso(X, y, foldid=np.arange(len(y)) % 3, nlambda=5)
    kwargs, names = PREDICT_BREAKS[key](X, off)
    for predict in (fit.predict, fit.path.predict, fit.link, fit.path.link):
        args = {"X": X, "offset": off, **kwargs}
        if predict in (fit.link, fit.path.link) and "kind" in kwargs:
            continue
        expect_error(partial(predict, **args), names)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    st.integers(0, 2**16),
    st.integers(6, 14),
    st.lists(
        st.sampled_from(["normal", "const", "zero", "tiny", "huge", "dup"]), min_size=1, max_size=4
    ),
    st.sampled_from(["gaussian", "binomial"]),
)
def test_odd_but_valid_data_fits_or_fails_cleanly(seed, n, columns, family):
    rng = np.random.default_rng(seed)
    make = {
        "normal": lambda: rng.standard_normal(n),
        "const": lambda: np.full(n, rng.standard_normal()),
        "zero": lambda: np.zeros(n),
        "tiny": lambda: 1e-250 * rng.standard_normal(n),
        "huge": lambda: 1e150 * rng.standard_normal(n),
        "dup": lambda: np.ones(n) * 2.0 + np.arange(n) % 2,
    }
    X = np.column_stack([make[c]() for c in columns])
    y = rng.standard_normal(n) if family == "gaussian" else (np.arange(n) % 2).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning is allowed here
        path = lasso_path(X, y, family=family, nlambda=8)
        assert np.all(np.isfinite(path.link(X)))
        const = np.array([c in ("const", "zero") for c in columns])
        assert np.all(path.coefs[:, const] == 0)
        try:
            fit = cv_lasso(X, y, family=family, foldid=np.arange(n) % 3, nlambda=8)
        except ValueError as exc:  # a training fold with one class (binomial)
            assert "fold" in str(exc)
        else:
            assert np.all(np.isfinite(fit.cvm))

"""Fuzzing the public API with bad input: a ValueError/TypeError naming the argument.

Each example starts from a small valid call and breaks one argument (a bad shape, NaN,
inf, a wrong type or an out-of-range value); the call must fail with ValueError or
TypeError whose message names that argument, never with another exception from deep
inside. Budgets are small (seconds). The lasso path itself is fuzzed in
``tests/common/lasso/test_fuzz.py``.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from papers.pretrained_lasso import PretrainedLasso, PretrainedRLearner
from tests.common.lasso.fuzzing import FUZZ, INF, NAN, expect_error, fuzz_data, mixed, with_value

# PretrainedLasso: constructor arguments (validated in fit) and fit/predict arguments
PARAM_BREAKS = [
    ("alpha", 1.5),
    ("alpha", -0.1),
    ("alpha", NAN),
    ("alpha", "0.5"),
    ("alpha", True),
    ("alpha", {0: 0.5}),
    ("alpha", {0: 0.5, 1: 0.5, 2: INF}),
    ("alpha_grid", [0.0, NAN]),
    ("alpha_grid", [INF]),
    ("alpha_grid", []),
    ("alpha_grid", [[0.1, 0.2]]),
    ("alpha_grid", "abc"),
    ("alpha_type", "both"),
    ("nfolds", 2),
    ("nfolds", 3.0),
    ("nfolds", False),
    ("nfolds", "3"),
    ("nfolds", 10**6),
    ("family", "cox"),
    ("overall_lambda", 1),
    ("type_measure", "auc"),
    ("group_intercepts", "yes"),
    ("penalty_factor", [1.0]),
    ("penalty_factor", [NAN, 1.0, 1.0]),
    ("penalty_factor", [0.0, 0.0, 0.0]),
    ("nlambda", 0),
    ("lambda_min_ratio", 0.0),
    ("standardize", None),
    ("tol", -1.0),
    ("tol", NAN),
    ("max_iter", 0),
    ("max_iter", 1.5),
    ("random_state", -1),
    ("random_state", "seed"),
    ("random_state", 1.5),
]


@pytest.mark.parametrize("case", PARAM_BREAKS, ids=repr)
@FUZZ
@given(st.integers(0, 2**16))
def test_pretrained_lasso_bad_params(case, seed):
    name, value = case
    X, y, _ = fuzz_data(seed, 24)
    groups = np.repeat([0, 1, 2], 8)
    model = PretrainedLasso(**{"nfolds": 3, "alpha_grid": [0.0, 1.0], "nlambda": 5, name: value})
    expect_error(lambda: model.fit(X, y, groups), (name,))


FIT_BREAKS = {
    "X_nan": lambda X, y, g: ((with_value(X, NAN), y, g), ("X",)),
    "X_inf": lambda X, y, g: ((with_value(X, INF), y, g), ("X",)),
    "X_1d": lambda X, y, g: ((X[:, 0], y, g), ("X", "2D")),
    "X_empty": lambda X, y, g: ((X[:0], y[:0], g[:0]), ("sample",)),
    "X_complex": lambda X, y, g: ((X + 1j, y, g), ("Complex",)),
    "y_nan": lambda X, y, g: ((X, with_value(y, NAN), g), ("y",)),
    "y_inf": lambda X, y, g: ((X, with_value(y, INF), g), ("y",)),
    "y_len": lambda X, y, g: ((X, y[:-1], g), ("samples",)),
    "y_2d": lambda X, y, g: ((X, np.c_[y, y], g), ("y",)),
    "y_none": lambda X, y, g: ((X, None, g), ("y",)),
    "groups_len": lambda X, y, g: ((X, y, g[:-1]), ("groups",)),
    "groups_nan": lambda X, y, g: ((X, y, with_value(g, NAN)), ("groups",)),
    "groups_2d": lambda X, y, g: ((X, y, g[:, None]), ("groups",)),
    "groups_mixed": lambda X, y, g: ((X, y, mixed(len(g))), ("groups",)),
    "groups_small": lambda X, y, g: ((X, y, np.arange(len(g)) % 12), ("group", "nfolds")),
}


@pytest.mark.parametrize("key", sorted(FIT_BREAKS))
@FUZZ
@given(st.integers(0, 2**16))
def test_pretrained_lasso_bad_fit_input(key, seed):
    X, y, _ = fuzz_data(seed, 24)
    groups = np.repeat([0, 1, 2], 8)
    args, names = FIT_BREAKS[key](X, y, groups)
    model = PretrainedLasso(nfolds=3, alpha_grid=[0.0, 1.0], nlambda=5, random_state=0)
    expect_error(lambda: model.fit(*args), names)


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = fuzz_data(0, 24)
    groups = np.repeat(["a", "b", "c"], 8)
    return PretrainedLasso(nfolds=3, alpha_grid=[0.0, 1.0], nlambda=5, random_state=0).fit(
        X, y, groups
    )


PREDICT_BREAKS = [
    ({"X": np.zeros((4, 2))}, ("features",)),
    ({"X": np.full((4, 3), NAN)}, ("X",)),
    ({"X": np.zeros(3)}, ("X", "2D")),
    ({"groups": np.array(["a", "z", "a", "a"])}, ("groups",)),
    ({"groups": np.array(["a"] * 3)}, ("groups",)),
    ({"groups": None}, ("groups",)),
    ({"model": "best"}, ("model",)),
    ({"s": "lambda.2se"}, ("s ",)),
    ({"alpha": 0.5}, ("alpha",)),
    ({"kind": "response"}, ("kind",)),
]


@pytest.mark.parametrize("i", range(len(PREDICT_BREAKS)))
@FUZZ
@given(st.integers(0, 2**16))
def test_pretrained_lasso_bad_predict_input(fitted, i, seed):
    kwargs, names = PREDICT_BREAKS[i]
    rng = np.random.default_rng(seed)
    call = {"X": rng.standard_normal((4, 3)), "groups": np.array(["a", "b", "c", "a"]), **kwargs}
    expect_error(lambda: fitted.predict(call.pop("X"), call.pop("groups"), **call), names)


RLEARNER_PARAMS = [
    ("alpha", 2.0),
    ("alpha", NAN),
    ("alpha", "x"),
    ("alpha_grid", [NAN]),
    ("alpha_grid", [-0.5]),
    ("nfolds", np.float64(3)),
    ("nfolds", True),
    ("nfolds", 1),
    ("nuisance_lambda", "lambda.best"),
    ("nlambda", -1),
    ("tol", 0),
    ("max_iter", 0),
]


@pytest.mark.parametrize("i", range(len(RLEARNER_PARAMS) + 4))
@FUZZ
@given(st.integers(0, 2**16))
def test_rlearner_bad_input(i, seed):
    X, y, _ = fuzz_data(seed, 24)
    w = (np.arange(24) % 2).astype(float)
    if i < len(RLEARNER_PARAMS):
        name, value = RLEARNER_PARAMS[i]
        expect_error(lambda: PretrainedRLearner(**{name: value}), (name,))
        return
    learner = PretrainedRLearner(nfolds=3, alpha_grid=[0.0, 1.0], nlambda=5, random_state=0)
    bad = [
        ((X, y, w + 1), ("w",)),
        ((X, y, with_value(w, NAN)), ("w",)),
        ((with_value(X, INF), y, w), ("X",)),
        ((X, y[:-1], w), ("y",)),
    ][i - len(RLEARNER_PARAMS)]
    expect_error(lambda: learner.fit(*bad[0]), bad[1])

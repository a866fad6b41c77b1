"""Fuzzing the shared public APIs: seeds, datasets, results I/O, config validation.

Random (mostly bad) input must give the documented result or a ValueError / TypeError /
ConfigError that names what was wrong, never a traceback from deep inside a library.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import datasets, seeds
from common.paper import ConfigError, Experiment, Figure, Paper, validate_config
from common.results import Results, load_results, save_results

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@FAST
@given(base=junk, names=st.lists(junk, max_size=3))
def test_seeds_accept_ints_and_names_or_say_what_is_wrong(base, names):
    try:
        value = seeds.derive_seed(base, *names)
    except (TypeError, ValueError) as exc:
        assert "seed" in str(exc)
    else:
        assert 0 <= value < 2**63
        assert value == seeds.derive_seed(base, *names)


@FAST
@given(n=junk, d=junk, width=junk, noise=junk)
def test_planted_relu_refuses_what_it_cannot_draw(n, d, width, noise):
    rng = np.random.default_rng(0)
    try:
        X, y = datasets.planted_relu(n, d, width, rng, noise=noise)
    except (TypeError, ValueError) as exc:
        assert any(k in str(exc) for k in ("n ", "d ", "width", "noise")), str(exc)
    else:
        assert X.shape == (n, d) and np.isfinite(y).all()


@FAST
@given(
    arrays=st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5).map(np.array),
        max_size=3,
    ),
    scalars=st.dictionaries(
        st.from_regex(r"[A-Z]{1,6}", fullmatch=True),
        st.one_of(st.integers(-(10**6), 10**6), st.text(max_size=5), st.booleans()),
        max_size=3,
    ),
)
def test_results_round_trip(tmp_path_factory, arrays, scalars):
    stem = tmp_path_factory.mktemp("r") / "x"
    save_results(stem, Results(arrays, scalars, {"seed": 1}))
    back = load_results(stem)
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k], v)
    assert dict(back.scalars) == scalars


def test_results_refuse_objects(tmp_path):
    with pytest.raises(TypeError, match="dtype object"):
        save_results(tmp_path / "x", Results({"a": np.array([object()])}, {}, {}))
    with pytest.raises(TypeError, match="cannot store"):
        save_results(tmp_path / "x", Results({}, {"a": object()}, {}))


PAPERS = {
    "toy": Paper(
        "toy",
        "Toy",
        "0",
        (Experiment("fit", {"n": 1, "lr": 0.1, "tag": "a"}, {"n": 2, "lr": 0.2, "tag": "b"}),),
        (Figure("f", ("fit",), ""),),
    )
}


@FAST
@given(
    scale=junk | st.sampled_from(["quick", "full"]),
    seed=junk,
    device=junk | st.sampled_from(["cpu", "auto"]),
    override=st.dictionaries(st.sampled_from(["n", "lr", "tag", "other"]), junk, max_size=3),
)
def test_config_validation_accepts_or_names_the_key(scale, seed, device, override):
    config = {"scale": scale, "seed": seed, "device": device}
    config["papers"] = {"toy": {"overrides": {"fit": override}}}
    try:
        validate_config(config, PAPERS)
    except ConfigError as exc:
        assert str(exc).startswith("config")
    else:
        assert scale in ("quick", "full") and device in ("cpu", "auto")
        assert isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63
        for key, value in override.items():
            assert key != "other"
            if key == "n":
                assert isinstance(value, int) and not isinstance(value, bool)
            if key == "lr":
                assert isinstance(value, int | float) and not isinstance(value, bool)
                assert math.isfinite(value)

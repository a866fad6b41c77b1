"""Declarations: inferred parameter types, the generated config schema, clear refusals."""

import copy

import pytest

from common.paper import ConfigError, Experiment, Figure, Paper, config_schema, validate_config

PAPER = Paper(
    slug="toy",
    title="Toy",
    arxiv="0000.00000",
    experiments=(
        Experiment(
            "fit",
            quick={"n": 10, "lr": 0.1, "flag": True, "grid": [1, 2.5], "tag": "a", "path": None},
            full={"n": 100, "lr": 1, "flag": False, "grid": [3], "tag": "b", "path": None},
            schema={"path": {"type": ["string", "null"]}, "n": {"type": "integer", "minimum": 1}},
        ),
    ),
    figures=(Figure("curve", ("fit",), "A curve."),),
)
PAPERS = {"toy": PAPER}
GOOD = {"scale": "quick", "seed": 1, "device": "cpu", "papers": {"toy": {"overrides": {}}}}


def test_types_are_inferred_from_the_defaults_or_declared():
    schema = PAPER.experiment("fit").parameter_schema()
    assert schema["lr"] == {"type": "number"}  # 0.1 and 1: a number
    assert schema["flag"] == {"type": "boolean"}
    assert schema["grid"] == {"type": "array", "items": {"type": "number"}}
    assert schema["tag"] == {"type": "string"}
    assert schema["path"] == {"type": ["string", "null"]}
    assert schema["n"] == {"type": "integer", "minimum": 1}
    inferred = Experiment("e", quick={"k": None}, full={"k": 3}).parameter_schema()
    assert inferred["k"] == {"type": ["integer", "null"]}


def test_a_good_config_passes_and_overrides_resolve():
    validate_config(GOOD, PAPERS)
    cfg = copy.deepcopy(GOOD)
    cfg["papers"]["toy"]["overrides"] = {"fit": {"n": 3, "lr": 2, "path": "/data"}}
    validate_config(cfg, PAPERS)
    params = PAPER.experiment("fit").params("full", {"n": 3})
    assert params == {"n": 3, "lr": 1, "flag": False, "grid": [3], "tag": "b", "path": None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(scale="huge"), "config.scale: 'huge' is not one of ['quick', 'full']"),
        (lambda c: c.update(sclae="quick"), "'sclae' was unexpected"),
        (lambda c: c.update(seed=-1), "config.seed: -1 is less than the minimum of 0"),
        (lambda c: c.update(seed="1; rm -rf ~"), "'1; rm -rf ~' is not of type 'integer'"),
        (lambda c: c.update(device="$(touch x)"), "config.device: '$(touch x)' is not one of"),
        (lambda c: c["papers"].update(no_such_paper={}), "'no_such_paper' was unexpected"),
        (lambda c: c["papers"]["toy"].update(enabled="yes"), "'yes' is not of type 'boolean'"),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fitt={"n": 1}),
            "config.papers.toy.overrides: Additional properties are not allowed ('fitt' was "
            "unexpected); allowed here: ['fit']",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"m": 1}),
            "allowed here: ['flag', 'grid', 'lr', 'n', 'path', 'tag']",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"flag": "no"}),
            "config.papers.toy.overrides.fit.flag: 'no' is not of type 'boolean'",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"n": 2.5}),
            "overrides.fit.n: 2.5 is not of type 'integer'",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"n": 0}),
            "overrides.fit.n: 0 is less than the minimum of 1",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"lr": float("nan")}),
            "overrides.fit.lr: nan is not of type 'number'",
        ),
        (
            lambda c: c["papers"]["toy"]["overrides"].update(fit={"grid": [1, "2"]}),
            "overrides.fit.grid.1: '2' is not of type 'number'",
        ),
    ],
)
def test_bad_config_is_refused_naming_the_key(change, message):
    cfg = copy.deepcopy(GOOD)
    change(cfg)
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, PAPERS)
    assert message in str(exc.value)


def test_schema_lists_every_declared_paper_and_experiment():
    schema = config_schema(PAPERS)
    paper = schema["properties"]["papers"]["properties"]["toy"]
    assert set(paper["properties"]["overrides"]["properties"]) == {"fit"}


def test_bad_declarations_are_refused():
    with pytest.raises(TypeError, match="must be JSON data"):
        Experiment("e", quick={"x": object()}, full={"x": 1}).parameter_schema()
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        Experiment("e", quick={}, full={}, threads=0)
    with pytest.raises(TypeError, match="inputs must be a tuple"):
        Figure("f", "fit", "")
    with pytest.raises(ValueError, match="scale must be 'quick' or 'full'"):
        PAPER.experiment("fit").params("medium")

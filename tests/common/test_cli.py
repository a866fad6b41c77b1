"""The per-paper command line and runner, on the toy paper in ``tests/common/toy_paper``."""

import json

import numpy as np
import pytest

from common import cli
from common.paper import Experiment, Figure, Paper
from tests.common.toy_paper.paper import PAPER


def _config(tmp_path, seed=7, overrides=None):
    path = tmp_path / "config.yaml"
    body = {"scale": "quick", "seed": seed, "device": "cpu"}
    body["papers"] = {"toy": {"overrides": overrides or {}}}
    path.write_text(json.dumps(body))  # JSON is YAML
    return path


def test_run_plot_check_end_to_end(tmp_path):
    argv = ["run", "draw", "--seed", "3", "--out", str(tmp_path / "draw")]
    assert cli.main(PAPER, [*argv, "--config", str(_config(tmp_path))]) == 0
    assert (
        cli.main(PAPER, ["plot", "trace", "--results", str(tmp_path), "--out", str(tmp_path / "f")])
        == 0
    )
    assert (tmp_path / "f.png").stat().st_size > 0 and (tmp_path / "f.pdf").is_file()
    out = tmp_path / "claims.json"
    assert cli.main(PAPER, ["check", "--results", str(tmp_path), "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert [r["status"] for r in doc["claims"]] == ["holds", "does not hold"]
    assert doc["captions"] == {"trace": "The draws."} and doc["title"] == "A toy paper"
    # --strict fails on the claim expected to hold that does not.
    assert (
        cli.main(PAPER, ["check", "--results", str(tmp_path), "--out", str(out), "--strict"]) == 1
    )


def test_direct_run_reproduces_the_build(tmp_path):
    """Without --seed / --params-json a run takes the build config's seed and overrides."""
    config = _config(tmp_path, seed=7, overrides={"draw": {"n": 9}})
    assert (
        cli.main(PAPER, ["run", "draw", "--out", str(tmp_path / "a"), "--config", str(config)]) == 0
    )
    direct = cli.load(["a"], tmp_path)["a"]
    build = cli.run(PAPER, "draw", seed=7, overrides={"n": 9})
    np.testing.assert_array_equal(direct["x"], build["x"])
    assert direct.provenance["base_seed"] == 7
    # Explicit arguments (what the workflow passes) replace the config's.
    argv = ["run", "draw", "--seed", "1", "--params-json", "{}", "--out", str(tmp_path / "b")]
    assert cli.main(PAPER, [*argv, "--config", str(config)]) == 0
    assert cli.load(["b"], tmp_path)["b"]["x"].shape == (50,)


def test_run_is_deterministic_and_scale_dependent():
    a = cli.run(PAPER, "draw", seed=1)
    b = cli.run(PAPER, "draw", seed=1)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert a.scalars == b.scalars
    assert cli.run(PAPER, "draw", seed=2)["mean"] != a["mean"]
    assert cli.run(PAPER, "draw", scale="full")["n"] == 5000
    assert cli.run(PAPER, "draw", overrides={"n": 7})["n"] == 7
    assert a.provenance["config"]["params"] == {"n": 50, "scale": 1.0}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nope"], "has no experiment 'nope'; choose one of ['draw', 'missing']"),
        (["plot", "nope"], "has no figure 'nope'; choose one of ['trace']"),
        (["run", "draw", "--set", "m=1"], "'m' was unexpected)"),
        (["run", "draw", "--set", "m=1"], "allowed here: ['n', 'scale']"),
        (["run", "draw", "--set", "n=2.5"], "overrides.n: 2.5 is not of type 'integer'"),
        (["run", "draw", "--set", "n=2.0"], "2.0 is not of type 'integer'"),
        (["run", "draw", "--set", "n=true"], "True is not of type 'integer'"),
        (["run", "draw", "--set", "scale=big"], "'big' is not of type 'number'"),
        (["run", "draw", "--set", "m"], "--set expects KEY=VALUE"),
        (["run", "draw", "--params-json", "[1]"], "must be a JSON object"),
        (["run", "draw", "--device", "tpu"], "device must be auto, cpu or cuda"),
        (["run", "missing"], "tests.common.toy_paper.experiments must define run_missing()"),
        (["plot", "trace", "--results", "/nonexistent"], "run the experiment first"),
    ],
)
def test_clear_errors(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli.main(
            PAPER, [*argv, *(["--config", str(tmp_path / "none")] if argv[0] == "run" else [])]
        )
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_list_shows_every_parameter_with_type_and_defaults(capsys):
    assert cli.main(PAPER, ["list"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["experiments"]["draw"]["parameters"] == {
        "n": {"type": "integer", "quick": 50, "full": 5000},
        "scale": {"type": "number", "quick": 1.0, "full": 1.0},
    }
    assert manifest["figures"] == {"trace": ["draw"]}


def test_inconsistent_declarations_are_refused():
    with pytest.raises(ValueError, match="needs unknown"):
        Paper("x", "t", "a", PAPER.experiments, (Figure("f", ("other",), ""),))
    with pytest.raises(ValueError, match="differ in keys"):
        Experiment("e", quick={"n": 1}, full={"m": 1})
    with pytest.raises(ValueError, match="schema for unknown parameters"):
        Experiment("e", quick={"n": 1}, full={"n": 1}, schema={"m": {}})
    with pytest.raises(ValueError, match="must match"):
        Experiment("Bad-Name", quick={}, full={})
    with pytest.raises(ValueError, match="duplicate figure names"):
        Paper("x", "t", "a", PAPER.experiments, PAPER.figures * 2)

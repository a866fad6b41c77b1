"""The per-paper command line, on a small paper defined here."""

import json

import numpy as np
import pytest

from common.claims import Claim, at_most
from common.cli import Experiment, FigureSpec, Paper
from common.plotting import figure


def _run(params, ctx):
    x = ctx.rng("draw").standard_normal(params["n"])
    return {"x": x, "mean": float(x.mean()), "n": params["n"]}


def _plot(results):
    fig, axes = figure()
    axes[0, 0].plot(results["draw"]["x"])
    return fig


PAPER = Paper(
    slug="toy",
    title="A toy paper",
    arxiv="0000.00000",
    experiments=(Experiment("draw", _run, quick={"n": 50}, full={"n": 5000}),),
    figures=(FigureSpec("trace", ("draw",), _plot, "The draws."),),
    claims=(
        Claim(
            "mean_small",
            "The sample mean is within 1 of 0.",
            "Sec. 1",
            ("draw",),
            lambda r: at_most(abs(r["draw"]["mean"]), 1.0),
            figure="trace",
        ),
        Claim(
            "mean_tiny",
            "The mean is below 1e-9.",
            "Sec. 2",
            ("draw",),
            lambda r: at_most(abs(r["draw"]["mean"]), 1e-9),
        ),
    ),
)


def test_run_plot_check_end_to_end(tmp_path, capsys):
    assert PAPER.main(["run", "draw", "--seed", "3", "--out", str(tmp_path / "draw")]) == 0
    assert (
        PAPER.main(["plot", "trace", "--results", str(tmp_path), "--out", str(tmp_path / "f")]) == 0
    )
    assert (tmp_path / "f.png").stat().st_size > 0 and (tmp_path / "f.pdf").is_file()
    out = tmp_path / "claims.json"
    assert PAPER.main(["check", "--results", str(tmp_path), "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert [r["status"] for r in doc["claims"]] == ["holds", "does not hold"]
    assert doc["captions"] == {"trace": "The draws."}
    # --strict fails on the claim expected to hold that does not.
    assert PAPER.main(["check", "--results", str(tmp_path), "--out", str(out), "--strict"]) == 1


def test_run_is_deterministic_and_scale_dependent():
    a = PAPER.run("draw", seed=1)
    b = PAPER.run("draw", seed=1)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert a.scalars == b.scalars
    assert PAPER.run("draw", seed=2)["mean"] != a["mean"]
    assert PAPER.run("draw", scale="full")["n"] == 5000
    assert PAPER.run("draw", overrides={"n": 7})["n"] == 7
    assert a.provenance["config"]["params"] == {"n": 50}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nope"], "has no experiment 'nope'; choose one of ['draw']"),
        (["plot", "nope"], "has no figure 'nope'; choose one of ['trace']"),
        (["run", "draw", "--set", "m=1"], "has no parameter 'm'; its parameters are ['n']"),
        (["run", "draw", "--set", "m"], "--set expects KEY=VALUE"),
        (["run", "draw", "--params-json", "[1]"], "must be a JSON object"),
        (["run", "draw", "--device", "tpu"], "device must be auto, cpu or cuda"),
        (["plot", "trace", "--results", "/nonexistent"], "run the experiment first"),
    ],
)
def test_clear_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        PAPER.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_manifest_and_inconsistent_papers():
    assert PAPER.manifest()["figures"] == {"trace": ["draw"]}
    with pytest.raises(ValueError, match="needs unknown"):
        Paper("x", "t", "a", PAPER.experiments, (FigureSpec("f", ("other",), _plot, ""),))
    with pytest.raises(ValueError, match="differ in keys"):
        Experiment("e", _run, quick={"n": 1}, full={"m": 1})

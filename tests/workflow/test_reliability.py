"""Reliability of the build, on a copy of the real workflow with a small paper of its own.

The copy keeps the real ``Snakefile`` machinery (``workflows/common.smk``,
``workflows/build.smk``, the schema, ``common/``) and replaces the paper includes
with one test paper whose experiment sleeps for a moment, so that a build can be
killed while it runs. Checked here:

- a second ``snakemake`` with nothing changed does nothing;
- a change to a paper's ``figures.py`` reruns its plots, not its compute;
- killing a build midway and rerunning completes, with no corrupt outputs;
- two builds from clean give the same claim verdicts and the same numbers.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.results import load_results

pytestmark = pytest.mark.workflow

ROOT = Path(__file__).resolve().parents[2]

TOY_MAIN = '''
"""A test paper for the workflow tests."""
import time

from common.claims import Claim, at_most
from common.cli import Experiment, FigureSpec, Paper
from common.plotting import figure


def _run(params, ctx):
    time.sleep(params["sleep"])
    x = ctx.rng("draw").standard_normal(params["n"])
    return {"x": x, "mean": float(x.mean()), "second_moment": float((x**2).mean())}


def _plot(results):
    fig, axes = figure()
    axes[0, 0].hist(results["draw"]["x"], bins=10)
    return fig


PAPER = Paper(
    slug="toy",
    title="Toy",
    arxiv="0000.00000",
    experiments=(Experiment("draw", _run, {"n": 200, "sleep": 0.0}, {"n": 2000, "sleep": 0.0}),),
    figures=(FigureSpec("hist", ("draw",), _plot, "A histogram."),),
    claims=(
        Claim("mean", "mean near 0", "Sec. 1", ("draw",),
              lambda r: at_most(abs(r["draw"]["mean"]), 0.5), figure="hist"),
    ),
)

if __name__ == "__main__":
    raise SystemExit(PAPER.main())
'''

TOY_SMK = """
register("toy", experiments={"draw": {}}, figures={"hist": ["draw"]})


rule toy:
    input:
        paper_targets("toy"),
"""


@pytest.fixture
def repo(tmp_path):
    """A copy of the workflow whose only paper is the toy paper."""
    dst = tmp_path / "repo"
    for name in ("common", "workflows"):
        shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    for smk in (dst / "workflows").glob("*.smk"):
        if smk.name not in ("common.smk", "build.smk"):
            smk.unlink()
    pkg = dst / "papers" / "toy"
    pkg.mkdir(parents=True)
    (dst / "papers" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(TOY_MAIN)
    (pkg / "figures.py").write_text("# plotting lives in __main__ for this toy\n")
    (dst / "workflows" / "toy.smk").write_text(TOY_SMK)
    shared = ('include: "workflows/common.smk"', 'include: "workflows/build.smk"')
    lines = [
        line
        for line in (ROOT / "Snakefile").read_text().splitlines()
        if not line.startswith("include: ") or line in shared
    ]
    at = lines.index('include: "workflows/build.smk"')
    lines.insert(at, 'include: "workflows/toy.smk"')
    (dst / "Snakefile").write_text("\n".join(lines) + "\n")
    schema = (dst / "workflows" / "config.schema.yaml").read_text()
    toy = '    properties:\n      toy: {$ref: "#/$defs/paper"}\n'
    schema = schema.replace("    properties:\n", toy, 1)  # the first: under `papers`
    (dst / "workflows" / "config.schema.yaml").write_text(schema)
    (dst / "workflows" / "config.yaml").write_text(
        "scale: quick\nseed: 1\ndevice: cpu\npapers:\n  toy: {enabled: true, overrides: {}}\n"
    )
    return dst


def _env(repo):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(repo) + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    return env


def _snakemake(repo, *args, check=True):
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    out = subprocess.run(cmd, cwd=repo, env=_env(repo), capture_output=True, text=True, timeout=300)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout + out.stderr


def _snapshot(repo):
    res = load_results(repo / "results" / "toy" / "draw")
    claims = json.loads((repo / "results" / "toy" / "claims.json").read_text())
    return res.scalars, [(c["id"], c["status"], c["measured"]) for c in claims["claims"]]


def test_build_is_idempotent_deterministic_and_reruns_only_what_changed(repo):
    _snakemake(repo)
    assert (repo / "figures" / "toy" / "hist.png").is_file()
    assert (repo / "figures" / "CLAIMS.md").is_file()
    assert (repo / "results" / "claims_verified.txt").is_file()
    first = _snapshot(repo)

    assert "Nothing to be done" in _snakemake(repo, "-n")

    figures_py = repo / "papers" / "toy" / "figures.py"
    figures_py.write_text(figures_py.read_text() + "# a style change\n")
    plan = _snakemake(repo, "-n")
    assert "plot_figure" in plan and "run_experiment" not in plan

    shutil.rmtree(repo / "results")
    shutil.rmtree(repo / "figures")
    _snakemake(repo)
    assert _snapshot(repo) == first


def test_killed_build_completes_on_rerun_without_corrupt_outputs(repo):
    (repo / "workflows" / "config.yaml").write_text(
        "scale: quick\nseed: 1\ndevice: cpu\n"
        "papers:\n  toy: {enabled: true, overrides: {draw: {sleep: 20}}}\n"
    )
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2"]
    proc = subprocess.Popen(
        cmd,
        cwd=repo,
        env=_env(repo),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = repo / "logs" / "toy" / "draw.log"
    deadline = time.monotonic() + 60
    while not (log.is_file() and "running toy/draw" in log.read_text()):
        assert time.monotonic() < deadline, "the experiment never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole build, mid-experiment
    proc.wait(timeout=30)
    assert not (repo / "results" / "toy" / "draw.json").exists()

    # A SIGKILL leaves Snakemake's lock behind (Ctrl-C does not): unlock, then rerun the
    # incomplete job. This is the recovery documented in README.md.
    (repo / "workflows" / "config.yaml").write_text(
        "scale: quick\nseed: 1\ndevice: cpu\npapers:\n  toy: {enabled: true, overrides: {}}\n"
    )
    assert "cannot be locked" in _snakemake(repo, check=False)
    _snakemake(repo, "--unlock")
    _snakemake(repo, "--rerun-incomplete")
    res = load_results(repo / "results" / "toy" / "draw")
    assert res["x"].shape == (200,)
    assert not list((repo / "results").rglob("*.tmp"))
    assert "Nothing to be done" in _snakemake(repo, "-n")

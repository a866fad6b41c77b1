"""Reliability of the build, on a copy of the real workflow with a small paper of its own.

The copy keeps the real ``Snakefile``, ``workflows/`` and ``common/`` and has one test
paper whose experiment can sleep for a moment, so that a build can be killed while it
runs. Checked here:

- a second ``snakemake`` with nothing changed does nothing;
- each kind of edit (a paper's code, one parameter's default, a caption, a shared module,
  the config) reruns exactly the rules whose output it changes;
- config strings reach the shell only as quoted data;
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

TOY = {
    "paper.py": """
from common.paper import Experiment, Figure, Paper

PAPER = Paper(
    slug="toy",
    title="Toy",
    arxiv="0000.00000",
    experiments=(
        Experiment("draw", {"n": 200, "sleep": 0.0, "label": "x"}, {"n": 2000, "sleep": 0.0,
                   "label": "x"}),
        Experiment("other", {"m": 3}, {"m": 3}),
    ),
    figures=(Figure("hist", ("draw",), "A histogram."), Figure("bar", ("other",), "Bars.")),
)
""",
    "experiments.py": """
import time


def run_draw(params, ctx):
    time.sleep(params["sleep"])
    x = ctx.rng("draw").standard_normal(params["n"])
    return {"x": x, "mean": float(x.mean()), "label": params["label"]}


def run_other(params, ctx):
    return {"y": ctx.rng("other").standard_normal(params["m"])}
""",
    "figures.py": """
from common.plotting import figure


def plot_hist(results):
    fig, axes = figure()
    axes[0, 0].hist(results["draw"]["x"], bins=10)
    return fig


def plot_bar(results):
    fig, axes = figure()
    axes[0, 0].bar(range(3), results["other"]["y"])
    return fig
""",
    "claims.py": """
from common.claims import Claim, at_most

CLAIMS = (
    Claim("mean", "mean near 0", "Sec. 1", ("draw",),
          lambda r: at_most(abs(r["draw"]["mean"]), 0.5), figure="hist"),
)
""",
    "__main__.py": """
from common.cli import main
from papers.toy.paper import PAPER

raise SystemExit(main(PAPER))
""",
    "__init__.py": "",
}
CONFIG = "scale: quick\nseed: 1\ndevice: cpu\npapers:\n  toy: {enabled: true, overrides: {}}\n"


@pytest.fixture
def repo(tmp_path):
    """A copy of the workflow whose only paper is the toy paper."""
    dst = tmp_path / "repo"
    for name in ("common", "workflows"):
        shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "Snakefile", dst / "Snakefile")
    shutil.copytree(
        ROOT / "benchmarks", dst / "benchmarks", ignore=shutil.ignore_patterns("__pycache__")
    )
    pkg = dst / "papers" / "toy"
    pkg.mkdir(parents=True)
    (dst / "papers" / "__init__.py").write_text("")
    for name, text in TOY.items():
        (pkg / name).write_text(text.lstrip())
    (dst / "workflows" / "config.yaml").write_text(CONFIG)
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


def _plan(repo) -> dict[str, int]:
    """The jobs a dry run would run, by rule (from Snakemake's job stats table)."""
    out = _snakemake(repo, "-n")
    if "Nothing to be done" in out:
        return {}
    table = out[out.index("Job stats:") :].splitlines()[3:]
    plan = {}
    for line in table:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        plan[parts[0]] = int(parts[1])
    return plan


def test_build_is_idempotent_and_deterministic(repo):
    _snakemake(repo)
    assert (repo / "figures" / "toy" / "hist.png").is_file()
    assert (repo / "figures" / "CLAIMS.md").is_file()
    assert (repo / "results" / "claims_verified.txt").is_file()
    first = _snapshot(repo)
    assert _plan(repo) == {}
    shutil.rmtree(repo / "results")
    shutil.rmtree(repo / "figures")
    _snakemake(repo)
    assert _snapshot(repo) == first


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


_AFTER_CHECK = {"check_claims": 1, "gallery": 1, "verify_claims": 1, "all": 1}
#: an edit -> the jobs it must rerun, exactly
EDITS = {
    "experiments.py": (
        ("papers/toy/experiments.py", "import time", "import time  # changed"),
        {"run_experiment": 2, "plot_figure": 2, **_AFTER_CHECK},
    ),
    "one parameter's default": (
        ("papers/toy/paper.py", '{"n": 200,', '{"n": 201,'),
        {"run_experiment": 1, "plot_figure": 1, **_AFTER_CHECK},
    ),
    "one experiment's override": (
        ("workflows/config.yaml", "overrides: {}", "overrides: {other: {m: 3}}"),
        {},  # the same value as the default: nothing changes
    ),
    "figures.py": (
        ("papers/toy/figures.py", "bins=10", "bins=12"),
        {"plot_figure": 2, "gallery": 1, "all": 1},
    ),
    "common/plotting.py": (
        ("common/plotting.py", '"""', '"""Changed. '),
        {"plot_figure": 2, "gallery": 1, "all": 1},
    ),
    "claims.py": (
        ("papers/toy/claims.py", "0.5", "0.6"),
        _AFTER_CHECK,
    ),
    "a caption": (
        ("papers/toy/paper.py", "A histogram.", "A histogram of the draws."),
        _AFTER_CHECK,
    ),
    "the title": (("papers/toy/paper.py", 'title="Toy"', 'title="Toy 2"'), _AFTER_CHECK),
    "common/gallery.py": (
        ("common/gallery.py", '"""', '"""Changed. '),
        {"gallery": 1, "verify_claims": 1, "all": 1},
    ),
}


def test_each_kind_of_edit_reruns_exactly_its_rules(repo):
    _snakemake(repo)
    for what, ((path, old, new), expected) in EDITS.items():
        target = repo / path
        before = target.read_text()
        _edit(target, old, new)
        assert _plan(repo) == expected, what
        target.write_text(before)
    # Every file above was rewritten (a new mtime, the old content): nothing reruns.
    assert _plan(repo) == {}, "undoing the edits"
    _edit(repo / "workflows" / "config.yaml", "overrides: {}", "overrides: {other: {m: 4}}")
    assert _plan(repo) == {"run_experiment": 1, "plot_figure": 1, **_AFTER_CHECK}


HOSTILE = [
    "$(touch PWNED_1)",
    "'; touch PWNED_2; echo '",
    '"; touch PWNED_3; echo "',
    "`touch PWNED_4`",
    "x\ntouch PWNED_5",
    "a && touch PWNED_6 || b > PWNED_7",
]


def test_hostile_config_strings_are_data_not_shell(repo):
    """A string parameter arrives verbatim; every other field refuses free text."""
    for i, text in enumerate(HOSTILE):
        config = {"scale": "quick", "seed": 1, "device": "cpu"}
        config["papers"] = {"toy": {"overrides": {"draw": {"label": text}}}}
        (repo / "workflows" / "config.yaml").write_text(json.dumps(config))
        if i:
            shutil.rmtree(repo / "results")
        _snakemake(repo, "results/toy/draw.json")
        assert load_results(repo / "results" / "toy" / "draw")["label"] == text
    for field in ("scale", "device", "seed"):
        config = {"scale": "quick", "seed": 1, "device": "cpu", field: "$(touch PWNED_8)"}
        (repo / "workflows" / "config.yaml").write_text(json.dumps(config))
        assert "is not" in _snakemake(repo, "-n", check=False)
    config = {"scale": "quick", "seed": 1, "device": "cpu"}
    config["papers"] = {"toy": {"overrides": {"draw; touch PWNED_9": {}}}}
    (repo / "workflows" / "config.yaml").write_text(json.dumps(config))
    assert "was unexpected" in _snakemake(repo, "-n", check=False)
    assert not list(repo.rglob("PWNED*"))


def test_killed_build_completes_on_rerun_without_corrupt_outputs(repo):
    (repo / "workflows" / "config.yaml").write_text(
        "scale: quick\nseed: 1\ndevice: cpu\n"
        "papers:\n  toy: {enabled: true, overrides: {draw: {sleep: 20}}}\n"
    )
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "results/toy/draw.json"]
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
    (repo / "workflows" / "config.yaml").write_text(CONFIG)
    assert "cannot be locked" in _snakemake(repo, check=False)
    _snakemake(repo, "--unlock")
    _snakemake(repo, "--rerun-incomplete")
    res = load_results(repo / "results" / "toy" / "draw")
    assert res["x"].shape == (200,)
    assert not list((repo / "results").rglob("*.tmp"))
    assert "Nothing to be done" in _snakemake(repo, "-n")

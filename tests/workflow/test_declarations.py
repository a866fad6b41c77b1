"""Every paper's declaration agrees with its code, and the shipped config with the schema.

A paper is declared once (``papers/<slug>/paper.py``); its code is found by convention.
Checked here, for every paper in the repository: each declared experiment and figure has
its function, nothing in ``experiments.py`` / ``figures.py`` is left undeclared, each claim
names declared experiments and figures, the declaration imports nothing heavy, and the
plot and check jobs import no solver library.
"""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from common import cli
from common.paper import ROOT, discover, validate_config

PAPERS = discover()


def test_every_paper_package_is_declared():
    packages = sorted(p.name for p in (ROOT / "papers").iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(PAPERS)


def _functions(path: Path, prefix: str) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        n.name[len(prefix) :]
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name.startswith(prefix)
    }


@pytest.mark.parametrize("slug", sorted(PAPERS))
def test_declaration_matches_code(slug):
    paper, pkg = PAPERS[slug], ROOT / "papers" / slug
    assert _functions(pkg / "experiments.py", "run_") == {e.name for e in paper.experiments}
    assert _functions(pkg / "figures.py", "plot_") == {f.name for f in paper.figures}
    assert cli.claims(paper)  # claims name declared experiments and figures
    main = (pkg / "__main__.py").read_text()
    assert f"from papers.{slug}.paper import PAPER" in main


def test_reading_the_declarations_imports_nothing_heavy():
    """What the workflow does at start: read every declaration, not the papers' code."""
    code = "import sys; from common.paper import discover; discover(); print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    loaded = set(eval(out.stdout))  # a list literal printed by the child
    assert not loaded & {"numpy", "torch", "jax", "cvxpy", "sklearn", "matplotlib"}


def test_plot_and_check_jobs_import_no_solver_library():
    """The plot and check jobs read stored results: importing a paper's package (its public
    API is lazy), its figures and its claims loads none of torch, JAX, CVXPY (each costs
    seconds per job, and a paper has a job per figure)."""
    modules = [f"papers.{s}.{m}" for s in sorted(PAPERS) for m in ("figures", "claims")]
    code = f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
    code += "print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = set(eval(out.stdout))  # a list literal printed by the child
    assert not loaded & {"torch", "jax", "cvxpy"}


def test_shipped_config_is_valid():
    validate_config(yaml.safe_load((ROOT / "workflows" / "config.yaml").read_text()), PAPERS)


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"diabetes": {"splits": 2.5}}, "overrides.diabetes.splits: 2.5 is not of type 'integer'"),
        ({"diabetes": {"interactions": "no"}}, "'no' is not of type 'boolean'"),
        ({"diabetis": {"splits": 2}}, "('diabetis' was unexpected); allowed here: ['alpha_choice'"),
        ({"diabetes": {"split": 2}}, "('split' was unexpected); allowed here: ["),
    ],
)
def test_dry_run_refuses_a_bad_override_before_any_job(tmp_path, overrides, message):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump({"papers": {"pretrained_lasso": {"overrides": overrides}}}))
    cmd = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(config)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "config.papers.pretrained_lasso.overrides" in text and message in text
    assert "Job stats" not in text


def test_rule_environment_matches_pyproject():
    """The rules' conda environment lists exactly the project's dependencies."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "workflows" / "envs" / "replication.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert [p for p in pip if not p.startswith("-e")] == deps
    assert "python=3.11" in env["dependencies"]

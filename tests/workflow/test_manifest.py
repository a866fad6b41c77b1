"""The workflow and the paper packages agree; the config schema refuses bad configs."""

import ast
import copy
import importlib
import re
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
SHARED = {"common.smk", "build.smk", "benchmarks.smk"}
PAPER_SMK = sorted(p for p in WORKFLOWS.glob("*.smk") if p.name not in SHARED)


def _registration(path: Path) -> dict:
    """The literal arguments of the ``register(...)`` call in a paper's .smk file."""
    text = path.read_text()
    start = text.index("register(")
    depth, end = 0, start
    for i, ch in enumerate(text[start:], start):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == ")":
            end = i + 1
            break
    call = ast.parse(text[start:end], mode="eval").body
    slug = ast.literal_eval(call.args[0])
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    return {"slug": slug, **kwargs}


def test_every_paper_package_has_a_workflow():
    packages = sorted(p.name for p in (ROOT / "papers").iterdir() if (p / "__main__.py").is_file())
    assert packages == sorted(p.stem for p in PAPER_SMK)
    snakefile = (ROOT / "Snakefile").read_text()
    config = yaml.safe_load((WORKFLOWS / "config.yaml").read_text())
    for slug in packages:
        assert f'include: "workflows/{slug}.smk"' in snakefile
        assert slug in config["papers"]


@pytest.mark.parametrize("smk", PAPER_SMK, ids=lambda p: p.stem)
def test_workflow_registration_matches_package(smk):
    reg = _registration(smk)
    assert reg["slug"] == smk.stem
    manifest = importlib.import_module(f"papers.{smk.stem}.__main__").PAPER.manifest()
    assert sorted(reg["experiments"]) == sorted(manifest["experiments"])
    for name, opts in reg["experiments"].items():
        assert bool(opts.get("gpu", False)) == manifest["experiments"][name]["gpu"], name
    assert {k: sorted(v) for k, v in reg["figures"].items()} == {
        k: sorted(v) for k, v in manifest["figures"].items()
    }
    assert re.search(rf"^rule {smk.stem}:", smk.read_text(), flags=re.M)


CONFIG = yaml.safe_load((WORKFLOWS / "config.yaml").read_text())


def test_shipped_config_is_valid():
    validate(copy.deepcopy(CONFIG), str(WORKFLOWS / "config.schema.yaml"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(scale="huge"), "'huge' is not one of ['quick', 'full']"),
        (lambda c: c.update(sclae="quick"), "'sclae' was unexpected"),
        (lambda c: c.update(seed=-1), "-1 is less than the minimum of 0"),
        (lambda c: c.update(device="tpu"), "'tpu' is not one of"),
        (lambda c: c["papers"].update(no_such_paper={}), "'no_such_paper' was unexpected"),
        (
            lambda c: c["papers"][next(iter(c["papers"]))].update(enabled="yes"),
            "'yes' is not of type 'boolean'",
        ),
    ],
)
def test_schema_rejects_bad_config_naming_the_key(change, message):
    cfg = copy.deepcopy(CONFIG)
    change(cfg)
    with pytest.raises(WorkflowError) as exc:
        validate(cfg, str(WORKFLOWS / "config.schema.yaml"))
    assert message in str(exc.value)

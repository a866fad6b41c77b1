import ast
from pathlib import Path

import pytest

from common import codehash


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A minimal repository: one paper importing one common module, which imports another."""
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text("")
    (tmp_path / "common" / "a.py").write_text("from common import b\n")
    (tmp_path / "common" / "b.py").write_text("from .sub import c\n")
    (tmp_path / "common" / "sub").mkdir()
    (tmp_path / "common" / "sub" / "__init__.py").write_text("from .c import Y\nfrom . import d\n")
    (tmp_path / "common" / "sub" / "c.py").write_text("Y = 1\n")
    (tmp_path / "common" / "sub" / "d.py").write_text("W = 1\n")
    (tmp_path / "common" / "unused.py").write_text("Y = 1\n")
    (tmp_path / "common" / "plotting.py").write_text("Z = 1\n")
    pkg = tmp_path / "papers" / "p"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "experiments.py").write_text("import common.a\n")
    (pkg / "figures.py").write_text("from common.plotting import Z\n")
    (pkg / "claims.py").write_text("")
    monkeypatch.setattr(codehash, "ROOT", tmp_path)
    return tmp_path


def _touch(path: Path):
    path.write_text(path.read_text() + "# changed\n")


def test_transitive_common_dependencies(tree):
    deps = codehash.common_dependencies([tree / "papers" / "p" / "experiments.py"])
    names = [str(p.relative_to(tree / "common")) for p in deps]
    assert names == ["__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py", "sub/d.py"]


def test_a_change_reruns_exactly_the_affected_step(tree):
    before = {s: codehash.code_hash("p", s) for s in ("run", "plot", "check")}
    _touch(tree / "common" / "unused.py")
    assert {s: codehash.code_hash("p", s) for s in before} == before
    _touch(tree / "common" / "sub" / "d.py")  # reached through a, b and relative imports
    after = {s: codehash.code_hash("p", s) for s in before}
    assert after["run"] != before["run"] and after["plot"] == before["plot"]
    _touch(tree / "papers" / "p" / "figures.py")  # a style change never reruns compute
    again = {s: codehash.code_hash("p", s) for s in before}
    assert again["run"] == after["run"] and again["plot"] != after["plot"]
    assert again["check"] == before["check"]


def test_a_lazy_package_counts_as_importing_its_submodules(tree):
    """``from common.lazy import X`` of a ``lazy_loader.attach`` package reruns on a change in
    the submodule that defines X (the core's ``common.convex_nn`` is such a package)."""
    lazy = tree / "common" / "lazy"
    lazy.mkdir()
    (lazy / "__init__.py").write_text(
        "import lazy_loader\n\n__getattr__, __dir__, __all__ = lazy_loader.attach(\n"
        "    __name__, submodules=['e'], submod_attrs={'f': ['X']}\n)\n"
    )
    (lazy / "e.py").write_text("E = 1\n")
    (lazy / "f.py").write_text("X = 1\n")
    (tree / "papers" / "p" / "experiments.py").write_text("from common.lazy import X\n")
    deps = codehash.common_dependencies([tree / "papers" / "p" / "experiments.py"])
    names = [str(p.relative_to(tree / "common")) for p in deps]
    assert names == ["__init__.py", "lazy/__init__.py", "lazy/e.py", "lazy/f.py"]
    before = codehash.code_hash("p", "run")
    _touch(lazy / "f.py")
    assert codehash.code_hash("p", "run") != before


def test_bad_arguments(tree):
    with pytest.raises(ValueError, match="no paper package"):
        codehash.code_hash("absent", "run")
    with pytest.raises(ValueError, match="step must be one of"):
        codehash.code_hash("p", "train")


def test_only_module_level_imports_are_followed(tree):
    (tree / "papers" / "p" / "claims.py").write_text("def f():\n    from common import unused\n")
    before = codehash.code_hash("p", "check")
    _touch(tree / "common" / "unused.py")
    assert codehash.code_hash("p", "check") == before


def _function_level_project_imports(path):
    tree = ast.parse(path.read_text())
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and (
                    node.level or (node.module or "").split(".")[0] in ("common", "papers")
                ):
                    yield fn.name, "." * node.level + (node.module or "")
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.split(".")[0] in ("common", "papers"):
                            yield fn.name, alias.name


def test_project_code_imports_shared_modules_at_module_level():
    """What the hash follows is what runs: no project import hides inside a function,
    except the plot command's, which the plot step hashes explicitly."""
    root = Path(codehash.__file__).resolve().parents[1]
    found = {
        (str(path.relative_to(root)), fn, module)
        for pkg in ("common", "papers")
        for path in sorted((root / pkg).rglob("*.py"))
        for fn, module in _function_level_project_imports(path)
    }
    assert found == {("common/cli.py", "_cmd_plot", "common.plotting")}

"""Hashes of the code a workflow step runs, so that a code change reruns exactly it.

Snakemake tracks a rule's text and script, not the library code it imports.
The rules therefore take :func:`code_hash` as a ``params:`` entry. The hash
covers the paper's own modules and, transitively, the ``common`` modules they
import (found by reading ``import`` statements, not by importing), so a change
in ``common/convex_nn`` reruns the convex papers and leaves the others alone.

A package whose ``__init__`` lists its API with ``lazy_loader.attach`` counts as importing
every submodule it lists (any of them may run when a name is first used), as an eager
``__init__`` would. Only module-level imports are followed (those that run when the module is
imported), not imports inside functions: the command line imports the plotting
style only in its ``plot`` command, and a change of style must not rerun the
experiments. The project therefore imports shared code at module level
(``tests/common/test_codehash.py`` checks that nothing in ``common/`` or
``papers/`` imports a project module inside a function, but that one command,
whose step hashes ``common/plotting.py`` explicitly).
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

__all__ = ["code_hash", "common_dependencies", "files_hash"]

ROOT = Path(__file__).resolve().parent.parent


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(path: Path) -> list[str]:
    """The dotted package that ``path`` belongs to, as a list of names."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1]  # a module's package; for ``__init__.py`` the package itself


def _module_level(tree: ast.AST):
    """The nodes that run on import: everything but the bodies of functions."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        )


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in _module_level(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # ``from .x import y`` inside a package
                package = _package_of(path)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_lazy_attach(node.func):
            # a lazy package (``lazy_loader.attach``) may import any submodule it lists
            package = ".".join(_package_of(path))
            for kw in node.keywords:
                if kw.arg in ("submodules", "submod_attrs"):
                    found.update(f"{package}.{name}" for name in ast.literal_eval(kw.value))
    return {m for m in found if m == "common" or m.startswith("common.")}


def _is_lazy_attach(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "attach"
        and isinstance(func.value, ast.Name)
        and func.value.id == "lazy_loader"
    )


def common_dependencies(files: list[Path]) -> list[Path]:
    """Every file under ``common/`` that ``files`` import, directly or transitively."""
    seen: set[Path] = set()
    todo = list(files)
    while todo:
        for module in _imports(todo.pop()):
            # ``import common.a.b`` runs common/__init__, common/a/__init__ and common/a/b.
            parts = module.split(".")
            for k in range(1, len(parts) + 1):
                path = _module_file(".".join(parts[:k]))
                if path is not None and path not in seen:
                    seen.add(path)
                    todo.append(path)
    return sorted(seen)


def files_hash(files: list[Path | str]) -> str:
    """SHA-256 (16 hex digits) of ``files`` (relative to the repository) and the ``common``
    modules they import, directly or transitively."""
    paths = [ROOT / f for f in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ValueError(f"no such files: {missing}")
    digest = hashlib.sha256()
    for path in sorted(set(paths) | set(common_dependencies(paths))):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


#: The paper's own modules that each step runs besides ``__main__.py`` (which brings the
#: runner, ``common.cli``); ``paper.py`` is not code: the rules take the declared values
#: they use (resolved parameters, captions) as params of their own.
_STEP_FILES = {"plot": {"figures.py"}, "check": {"claims.py"}}
_NOT_RUN = {"figures.py", "claims.py", "paper.py"}
#: what ``common.cli`` imports inside one command only
_STEP_EXTRA = {"run": [], "plot": ["common/plotting.py"], "check": []}


def code_hash(paper: str, step: str) -> str:
    """SHA-256 (16 hex digits) of the code that ``step`` of ``paper`` runs.

    ``step`` is ``"run"`` (every module of the paper but ``figures.py``, ``claims.py`` and
    the declaration ``paper.py``), ``"plot"`` (``figures.py``) or ``"check"``
    (``claims.py``); each with ``__main__.py`` and the ``common`` modules they import.
    """
    pkg = ROOT / "papers" / paper
    if not pkg.is_dir():
        raise ValueError(f"no paper package at {pkg}")
    if step not in ("run", "plot", "check"):
        raise ValueError(f"step must be one of ['check', 'plot', 'run'], got {step!r}")
    own = sorted(pkg.rglob("*.py"))
    if step == "run":
        files = [p for p in own if p.name not in _NOT_RUN]
    else:
        files = [p for p in own if p.name in _STEP_FILES[step] | {"__main__.py"}]
    return files_hash([*files, *_STEP_EXTRA[step]])

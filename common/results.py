"""Results I/O: arrays without pickle, scalars and provenance as JSON.

An experiment's output is a pair of files with one stem:

- ``<stem>.npz``: the arrays (``numpy.savez``; loaded with ``allow_pickle=False``);
- ``<stem>.json``: ``{"scalars": {...}, "provenance": {...}}``.

Both are written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a build killed midway never leaves a truncated output
behind: either the old file or the complete new one is there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Results",
    "compare_results",
    "load_results",
    "provenance",
    "save_results",
    "to_jsonable",
]

_PACKAGES = ("numpy", "scipy", "jax", "torch", "cvxpy", "scikit-learn", "glum", "peft", "snakemake")


@dataclass(frozen=True)
class Results:
    """What one experiment produced: arrays, JSON scalars, provenance."""

    arrays: Mapping[str, np.ndarray] = field(default_factory=dict)
    scalars: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        if key in self.arrays:
            return self.arrays[key]
        if key in self.scalars:
            return self.scalars[key]
        known = sorted([*self.arrays, *self.scalars])
        raise KeyError(f"no result named {key!r}; available: {known}")

    def __contains__(self, key: object) -> bool:
        return key in self.arrays or key in self.scalars


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and tuples to plain JSON types; refuse the rest."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot store {type(value).__name__} as JSON: {value!r}")


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would make results private to one user
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_results(stem: str | os.PathLike, results: Results) -> tuple[Path, Path]:
    """Write ``<stem>.npz`` and ``<stem>.json`` atomically; return both paths."""
    stem = Path(stem)
    arrays = {}
    for name, arr in results.arrays.items():
        arr = np.asarray(arr)
        if arr.dtype == object:
            raise TypeError(f"array {name!r} has dtype object; store numbers or strings only")
        arrays[name] = arr
    npz, js = stem.with_suffix(".npz"), stem.with_suffix(".json")
    _atomic_write(npz, lambda fh: np.savez(fh, **arrays))
    doc = {"scalars": to_jsonable(results.scalars), "provenance": to_jsonable(results.provenance)}
    text = json.dumps(doc, indent=2, sort_keys=True, allow_nan=True) + "\n"
    _atomic_write(js, lambda fh: fh.write(text.encode()))
    return npz, js


def load_results(stem: str | os.PathLike) -> Results:
    """Read what :func:`save_results` wrote; clear error when a file is missing."""
    stem = Path(stem)
    npz, js = stem.with_suffix(".npz"), stem.with_suffix(".json")
    for path in (npz, js):
        if not path.is_file():
            raise FileNotFoundError(
                f"results file {path} does not exist; run the experiment first "
                f"(snakemake {path} or python -m papers.<slug> run <experiment>)"
            )
    with np.load(npz, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    doc = json.loads(js.read_text())
    return Results(arrays, doc.get("scalars", {}), doc.get("provenance", {}))


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
        rev = out.stdout.strip() if out.returncode == 0 else "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
        return rev + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(
    *, config: Mapping[str, Any], seed: int, wall_time_s: float, device: str
) -> dict[str, Any]:
    """The provenance record stored next to every result."""
    versions = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return {
        "config": to_jsonable(config),
        "seed": int(seed),
        "wall_time_s": float(wall_time_s),
        "device": device,
        "git_revision": _git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def compare_results(first: str | os.PathLike, second: str | os.PathLike) -> list[str]:
    """How two results folders differ: every experiment's arrays, scalars and resolved
    configuration, exactly (NaN equals NaN); the rest of the provenance (times, versions,
    revision) is not compared. An empty list means the two builds agree."""
    first, second = Path(first), Path(second)
    stems = {p.with_suffix("").name for d in (first, second) for p in d.glob("*.npz")}
    out = []
    for stem in sorted(stems):
        try:
            a, b = load_results(first / stem), load_results(second / stem)
        except FileNotFoundError as exc:
            out.append(f"{stem}: {exc}")
            continue
        for key in sorted(set(a.arrays) | set(b.arrays)):
            if key not in a.arrays or key not in b.arrays or not _same_array(a[key], b[key]):
                out.append(f"{stem}: array {key!r} differs")
        for key in sorted(set(a.scalars) | set(b.scalars)):
            if a.scalars.get(key) != b.scalars.get(key) and not (
                isinstance(a.scalars.get(key), float)
                and np.isnan(a.scalars[key])
                and isinstance(b.scalars.get(key), float)
                and np.isnan(b.scalars[key])
            ):
                out.append(
                    f"{stem}: scalar {key!r}: {a.scalars.get(key)!r} vs {b.scalars.get(key)!r}"
                )
        if a.provenance.get("config") != b.provenance.get("config"):
            out.append(f"{stem}: configuration differs")
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m common.results compare DIR_A DIR_B``: exit 1, listing them, on differences."""
    parser = argparse.ArgumentParser(prog="python -m common.results")
    parser.add_argument("command", choices=("compare",))
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    for folder in (args.first, args.second):
        if not folder.is_dir():
            parser.error(f"{folder} is not a folder")
    diff = compare_results(args.first, args.second)
    for line in diff:
        print(f"differs: {line}")
    print(f"{args.first} vs {args.second}: {len(diff)} difference(s)")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())

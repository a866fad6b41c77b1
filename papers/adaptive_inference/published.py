"""Published-table mode: accuracy/cost tables of well-known model families.

Only aggregate accuracies exist for them, so the exact oracle cannot be computed; the
approximations of :mod:`papers.adaptive_inference.gains` bracket it ("nested" from below,
"union" from above). The packaged table (``data/published_families.csv``) holds values
typed from the papers, each row with its source (paper and table).

CSV columns: ``family, model, accuracy_pct, cost, cost_unit, source``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from papers.adaptive_inference.gains import approximate_gains

__all__ = ["DEFAULT_TABLE", "PublishedFamily", "load_table", "target_gains"]

#: The table shipped with this package.
DEFAULT_TABLE = Path(__file__).resolve().parent / "data" / "published_families.csv"
_COLUMNS = ("family", "model", "accuracy_pct", "cost", "cost_unit", "source")


@dataclass(frozen=True)
class PublishedFamily:
    """One family, sorted by cost: accuracies as fractions."""

    name: str
    models: tuple[str, ...]
    accuracy: np.ndarray
    cost: np.ndarray
    cost_unit: str
    sources: tuple[str, ...]


def _number(row: dict, key: str, where: str) -> float:
    try:
        value = float(row[key])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {key} must be a number, got {row[key]!r}") from exc
    if not np.isfinite(value):
        raise ValueError(f"{where}: {key} must be finite, got {row[key]!r}")
    return value


def load_table(path: str | Path = DEFAULT_TABLE) -> dict[str, PublishedFamily]:
    """The families of a published-table CSV, by family name, each sorted by cost."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"published table {path} not found: give a CSV with columns {', '.join(_COLUMNS)}"
        )
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}; expected {list(_COLUMNS)}")
        rows = list(reader)
    groups: dict[str, list[tuple]] = {}
    for i, row in enumerate(rows, start=2):
        where = f"{path}, line {i}"
        acc, cost = _number(row, "accuracy_pct", where), _number(row, "cost", where)
        if not 0 <= acc <= 100:
            raise ValueError(f"{where}: accuracy_pct must be in [0, 100], got {acc}")
        if cost <= 0:
            raise ValueError(f"{where}: cost must be > 0, got {cost}")
        if not row["source"].strip():
            raise ValueError(f"{where}: every row needs its source (paper and table)")
        groups.setdefault(row["family"], []).append(
            (cost, row["model"], acc / 100, row["cost_unit"], row["source"])
        )
    out = {}
    for name, items in groups.items():
        items.sort(key=lambda t: t[0])
        units = {t[3] for t in items}
        if len(units) != 1:
            raise ValueError(f"{path}: family {name!r} mixes cost units {sorted(units)}")
        out[name] = PublishedFamily(
            name=name,
            models=tuple(t[1] for t in items),
            accuracy=np.array([t[2] for t in items]),
            cost=np.array([t[0] for t in items]),
            cost_unit=units.pop(),
            sources=tuple(t[4] for t in items),
        )
    return out


def target_gains(accuracies, costs, method: str = "nested") -> np.ndarray:
    """For every target model ``t``: the approximate gain of the states ``1..t`` at the
    target's accuracy, ``R_t / cost(A_t)`` (1 for the smallest model)."""
    acc, r = np.asarray(accuracies, dtype=np.float64), np.asarray(costs, dtype=np.float64)
    return np.array(
        [approximate_gains(acc[: t + 1], r[: t + 1], method=method).gain for t in range(acc.size)]
    )

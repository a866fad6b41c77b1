"""Claims: statements a paper makes, checked against our results.

A :class:`Claim` names the statement, where the paper makes it, and a check
that reads results and returns a :class:`Verdict`. The comparison helpers
(:func:`at_most`, :func:`at_least`, :func:`close_to`) build verdicts that carry
the measured value, the expected value or relation, and the tolerance, so that
``CLAIMS.md`` can show the evidence next to the verdict.

A claim may be marked ``expected_to_hold=False`` (withdrawn by the authors, or
refuted in our runs and documented as such); every other claim that does not
hold fails the build (:func:`regressions`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from common.results import Results, to_jsonable

__all__ = [
    "Claim",
    "Status",
    "Verdict",
    "at_least",
    "at_most",
    "close_to",
    "evaluate",
    "not_checkable",
    "regressions",
]


class Status(StrEnum):
    HOLDS = "holds"
    DOES_NOT_HOLD = "does not hold"
    NOT_CHECKABLE = "not checkable here"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check, with its evidence."""

    status: Status
    measured: Any
    expected: str
    tolerance: float | None = None
    detail: str = ""

    @property
    def holds(self) -> bool:
        return self.status is Status.HOLDS


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a paper.

    ``check`` receives the results of the experiments named in ``inputs``,
    keyed by experiment name, and returns a :class:`Verdict`. ``figure`` names
    the figure that shows the evidence, if any (for the gallery).

    ``evidence`` names the parameters that say how strong the evidence is, as
    ``"experiment.parameter"`` (seeds, repetitions, sizes); ``CLAIMS.md`` shows their
    values from the results beside the scale the results were built at. ``timing``
    marks a claim whose measured value is a wall-clock measurement: it differs between
    builds and machines (its verdict must not flip between two builds of one machine).
    """

    id: str
    statement: str
    where: str
    inputs: tuple[str, ...]
    check: Callable[[Mapping[str, Results]], Verdict]
    expected_to_hold: bool = True
    note: str = ""
    figure: str = ""
    evidence: tuple[str, ...] = ()
    timing: bool = False

    def __post_init__(self) -> None:
        for ref in self.evidence:
            exp, dot, key = ref.partition(".")
            if not dot or exp not in self.inputs or not key:
                raise ValueError(
                    f"claim {self.id!r}: evidence {ref!r} must be 'experiment.parameter' "
                    f"with the experiment among its inputs {self.inputs}"
                )


def _number(x: Any, what: str) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be a real number, got {x!r}") from exc
    return value


def _verdict(ok: bool, measured: float, expected: str, tol: float, detail: str) -> Verdict:
    if math.isnan(measured):
        return Verdict(Status.DOES_NOT_HOLD, measured, expected, tol, detail + " (measured NaN)")
    return Verdict(Status.HOLDS if ok else Status.DOES_NOT_HOLD, measured, expected, tol, detail)


def at_most(measured: Any, bound: float, tol: float = 0.0, detail: str = "") -> Verdict:
    """Holds when ``measured <= bound + tol``."""
    m, b = _number(measured, "measured"), _number(bound, "bound")
    return _verdict(m <= b + tol, m, f"<= {b:.6g}", tol, detail)


def at_least(measured: Any, bound: float, tol: float = 0.0, detail: str = "") -> Verdict:
    """Holds when ``measured >= bound - tol``."""
    m, b = _number(measured, "measured"), _number(bound, "bound")
    return _verdict(m >= b - tol, m, f">= {b:.6g}", tol, detail)


def close_to(
    measured: Any, target: float, rtol: float = 0.0, atol: float = 0.0, detail: str = ""
) -> Verdict:
    """Holds when ``|measured - target| <= atol + rtol * |target|``."""
    m, t = _number(measured, "measured"), _number(target, "target")
    tol = atol + rtol * abs(t)
    return _verdict(abs(m - t) <= tol, m, f"= {t:.6g}", tol, detail)


def not_checkable(reason: str) -> Verdict:
    """The claim cannot be checked at this scale or on this machine."""
    return Verdict(Status.NOT_CHECKABLE, None, "", None, reason)


def _evidence(claim: Claim, results: Mapping[str, Results]) -> str:
    """The scale the inputs were built at and the values of the claim's evidence parameters."""
    configs = {name: results[name].provenance.get("config", {}) for name in claim.inputs}
    scales = sorted({str(c.get("scale", "?")) for c in configs.values()})
    parts = [f"{'/'.join(scales)} scale"]
    for ref in claim.evidence:
        exp, _, key = ref.partition(".")
        params = configs[exp].get("params", {})
        if key not in params:
            raise KeyError(f"claim {claim.id!r}: {exp!r} has no parameter {key!r}")
        text = json.dumps(params[key], separators=(",", ":"))
        if len(text) > 30 and isinstance(params[key], list):
            text = f"<{len(params[key])} values>"
        parts.append(f"{key}={text}")
    return ", ".join(parts)


def evaluate(claims: list[Claim], results: Mapping[str, Results]) -> list[dict[str, Any]]:
    """Run every check; a check that raises is reported as not holding, with the error."""
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"claim ids must be unique, got {ids}")
    rows = []
    for claim in claims:
        missing = [name for name in claim.inputs if name not in results]
        if missing:
            raise KeyError(f"claim {claim.id!r} needs results {missing} that were not given")
        try:
            verdict = claim.check({name: results[name] for name in claim.inputs})
            if not isinstance(verdict, Verdict):
                raise TypeError(f"check returned {type(verdict).__name__}, expected Verdict")
        except Exception as exc:  # a broken check is a failing claim, with its reason
            verdict = Verdict(Status.DOES_NOT_HOLD, None, "", None, f"check raised {exc!r}")
        row = {
            "evidence": _evidence(claim, results),
            "timing": claim.timing,
            "id": claim.id,
            "statement": claim.statement,
            "where": claim.where,
            "expected_to_hold": claim.expected_to_hold,
            "note": claim.note,
            "figure": claim.figure,
            **asdict(verdict),
            "status": str(verdict.status),
        }
        rows.append(to_jsonable(row))
    return rows


def regressions(rows: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Claims expected to hold whose verdict is 'does not hold'."""
    return [r for r in rows if r["expected_to_hold"] and r["status"] == str(Status.DOES_NOT_HOLD)]

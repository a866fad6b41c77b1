import math

import numpy as np
import pytest

from common.claims import (
    Claim,
    Status,
    at_least,
    at_most,
    close_to,
    evaluate,
    not_checkable,
    regressions,
)
from common.results import Results


def test_comparisons_hold_and_fail():
    assert at_most(1.0, 1.0).holds and not at_most(1.1, 1.0).holds
    assert at_most(1.05, 1.0, tol=0.1).holds
    assert at_least(2.0, 1.0).holds and not at_least(0.5, 1.0).holds
    assert close_to(1.0 + 1e-9, 1.0, rtol=1e-6).holds and not close_to(1.1, 1.0, rtol=1e-6).holds
    assert close_to(0.0, 1e-12, atol=1e-9).holds


def test_nan_never_holds():
    for verdict in (
        at_most(math.nan, 1.0),
        at_least(math.nan, 0.0),
        close_to(math.nan, 0.0, atol=1),
    ):
        assert verdict.status is Status.DOES_NOT_HOLD and "NaN" in verdict.detail


def test_verdict_carries_evidence():
    v = at_most(np.float64(0.25), 0.5, tol=0.01, detail="max gap")
    assert v.measured == 0.25 and v.expected == "<= 0.5" and v.tolerance == 0.01
    assert v.detail == "max gap"


def _results(value):
    return {"exp": Results(scalars={"v": value})}


def _claims(expected_to_hold=True):
    return [
        Claim(
            "small",
            "v is small",
            "Thm 1",
            ("exp",),
            lambda r: at_most(r["exp"]["v"], 1.0),
            expected_to_hold=expected_to_hold,
        ),
        Claim("na", "needs a GPU", "Fig 2", ("exp",), lambda r: not_checkable("no GPU here")),
    ]


def test_a_claim_can_fail_and_is_a_regression():
    rows = evaluate(_claims(), _results(5.0))
    assert rows[0]["status"] == "does not hold" and rows[0]["measured"] == 5.0
    assert rows[1]["status"] == "not checkable here"
    assert [r["id"] for r in regressions(rows)] == ["small"]


def test_expected_failure_is_reported_but_not_a_regression():
    rows = evaluate(_claims(expected_to_hold=False), _results(5.0))
    assert rows[0]["status"] == "does not hold" and regressions(rows) == []


def test_a_raising_check_does_not_hold():
    claim = Claim("bad", "s", "w", ("exp",), lambda r: r["exp"]["missing"])
    (row,) = evaluate([claim], _results(1.0))
    assert row["status"] == "does not hold" and "missing" in row["detail"]


def test_duplicate_ids_and_missing_inputs_are_refused():
    c = _claims()[0]
    with pytest.raises(ValueError, match="unique"):
        evaluate([c, c], _results(1.0))
    with pytest.raises(KeyError, match="needs results"):
        evaluate([c], {})


def test_evidence_names_the_scale_and_the_declared_parameters():
    prov = {"config": {"scale": "quick", "params": {"seeds": 4, "grid": list(range(20))}}}
    res = {"e": Results({}, {"m": 0.5}, prov)}
    claim = Claim(
        "c", "s", "w", ("e",), lambda r: at_most(r["e"]["m"], 1.0), evidence=("e.seeds", "e.grid")
    )
    (row,) = evaluate([claim], res)
    assert row["evidence"] == "quick scale, seeds=4, grid=<20 values>"
    assert row["timing"] is False
    with pytest.raises(ValueError, match=r"must be 'experiment\.parameter'"):
        Claim("c", "s", "w", ("e",), claim.check, evidence=("other.seeds",))
    bad = Claim("c", "s", "w", ("e",), claim.check, evidence=("e.nope",))
    with pytest.raises(KeyError, match="has no parameter 'nope'"):
        evaluate([bad], res)

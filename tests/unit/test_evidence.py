"""Readable evidence (ADR 0539): every reference of a report resolves to its stored
event, in words, from Python and from ``beatpolice audit show``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import beatpolice
from beatpolice import AppraisalError, appraise
from beatpolice.adapters.cli import main
from beatpolice.projections.appraisal import describe, report_evidence, resolve_evidence
from beatpolice.testing.month_examples import (
    BEIJING,
    enlist,
    mediations,
    record,
    services,
    visits,
)

RECORDED = datetime(2014, 2, 1, tzinfo=UTC)
AS_OF = datetime(2014, 2, 2, tzinfo=BEIJING)


def _station(url: str) -> beatpolice.Station:
    station = beatpolice.connect(url, clock=lambda: RECORDED)
    record(station, enlist("D0001", "薛翠翠"))
    record(station, visits("D0001", "2014-01", 90) + mediations("D0001", "2014-01", 3))
    record(station, services("D0001", "2014-01", 3))
    return station


def test_every_reference_of_a_report_resolves() -> None:
    with _station("memory://") as station:
        report = appraise(station, month="2014-01", as_of=AS_OF)
        found = report_evidence(station, report)

    officer = report.officer("D0001")
    references = {r for listed in officer.evidence.values() for r in listed}
    assert set(found) == references
    follow_up = next(e for e in found.values() if e.kind == "visit follow-up call")
    assert follow_up.household is not None
    assert follow_up.household.startswith("H")
    assert follow_up.verdicts == {"satisfied": "yes"}
    assert follow_up.officer == "D0001"
    assert follow_up.occurred_at is not None
    assert follow_up.occurred_at.month == 1
    assert follow_up.recorded_at == RECORDED
    mediation = next(e for e in found.values() if e.kind == "dispute mediation")
    assert mediation.dispute is not None
    assert mediation.dispute.startswith("DSP")
    positions = sorted(e.position for e in found.values())
    assert len(set(positions)) == len(positions)  # each names one event of the log


def test_describe_says_it_in_words() -> None:
    with _station("memory://") as station:
        report = appraise(station, month="2014-01", as_of=AS_OF)
        visit = next(r for r in report.officer("D0001").evidence["visit"] if "VisitRecorded" in r)
        evidence = resolve_evidence(station, [visit])[visit]

    text = describe(evidence)
    assert text.startswith("household visit by officer D0001 on 2014-01-")
    assert "(recorded 2014-02-01 08:00)" in text
    assert f"household {evidence.household}" in text
    assert text.endswith(f"log position {evidence.position}")


def test_a_reference_that_is_not_one_is_refused() -> None:
    with (
        beatpolice.connect("memory://") as station,
        pytest.raises(AppraisalError, match="reference"),
    ):
        resolve_evidence(station, ["not a reference"])


def test_audit_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with _station(url) as station:
        report = appraise(station, month="2014-01", as_of=AS_OF)
    reference = next(r for r in report.officer("D0001").evidence["mediation"] if "Follow" in r)

    assert main(["audit", "show", reference, "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dispute follow-up call by officer D0001 on 2014-01-")
    assert "parties satisfied: yes" in out

    assert main(["audit", "show", reference, "--db", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dispute"].startswith("DSP")

    missing = reference[:-4] + "0000"
    assert main(["audit", "show", missing, "--db", url]) == 1
    assert "no stored event" in capsys.readouterr().err
    assert main(["audit", "show", "garbage", "--db", url]) == 2

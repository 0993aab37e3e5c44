"""The HTML report is the same page on every backend: summary, trend and evidence included.

The page's station name, beats and registry figures are read from the backend's own
registries, its trend from appraisals of earlier months and its evidence notes from the
backend's log; on memory, SQLite and PostgreSQL the bytes must be the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import beatpolice
from beatpolice.projections.appraisal import report_evidence
from beatpolice.projections.registries import open_registries
from beatpolice.report import RegistrySummary, evidence_notes, render_html, trend_months
from conftest import fixed_clock

AS_OF = datetime(2014, 2, 1, tzinfo=UTC)


def _record(station: beatpolice.Station) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州市公安局", beat="一区")
    station.enlist_officer(badge="D0002", name="王强", station="德州市公安局", beat="二区")
    december = datetime(2013, 12, 9, 23, 30, tzinfo=UTC)
    for n in range(4):
        station.record_visit(
            id=f"W{n}",
            officer="D0001",
            household=f"G{n:03d}",
            occurred_at=december,
            people_match_register=True,
        )
    households = [f"H{n:03d}" for n in range(81)]
    station.plan_visits(officer="D0001", month="2014-01", households=households)
    for n, household in enumerate(households):
        when = datetime(2014, 1, 2, 1, tzinfo=UTC) + timedelta(hours=5 * n)
        station.record_visit(
            id=f"V{n}",
            officer="D0001",
            household=household,
            occurred_at=when,
            people_match_register=True,
        )
        station.follow_up_visit(
            visit=f"V{n}", officer="D0001", occurred_at=when + timedelta(hours=2), satisfied=True
        )


def _page(station: beatpolice.Station) -> str:
    report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    history = [
        beatpolice.appraise(station, month=month, rules="dezhou-2014", as_of=AS_OF)
        for month in trend_months("2014-01")
    ]
    registries = open_registries(station)
    registries.catch_up()
    summary = RegistrySummary.read(registries, month="2014-01", as_of=AS_OF)
    notes = evidence_notes(report_evidence(station, report), time_zone=report.time_zone)
    return render_html(report, summary=summary, history=history, evidence=notes)


def test_the_report_page_is_the_same_bytes_on_every_backend(
    station: beatpolice.Station,
) -> None:
    _record(station)
    page = _page(station)
    with beatpolice.connect("memory://", clock=fixed_clock) as reference:
        _record(reference)
        assert page == _page(reference)
    assert '<strong id="station">德州市公安局</strong>' in page
    assert '<tbody data-beat="一区">' in page
    assert "<title>2013-12: 4</title>" in page  # D0001's December, in the trend
    assert "household visit <strong>V0</strong>" in page  # resolved from this log

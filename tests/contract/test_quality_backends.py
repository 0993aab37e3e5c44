"""Data quality on every backend: the same report, byte for byte; the index kept; the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import beatpolice
from beatpolice.adapters.cli import main
from beatpolice.projections.quality._engine import quality_runner

ZONE = ZoneInfo("Asia/Shanghai")
CLOSED_AT = datetime(2014, 2, 5, 9, tzinfo=ZONE)


class Clock:
    """A recording clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2013, 12, 31, tzinfo=ZONE)

    def __call__(self) -> datetime:
        return self.now


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2014, 1, day, hour, minute, tzinfo=ZONE)


def _month(station: beatpolice.Station, clock: Clock) -> None:
    """D0001 clean; D0002 a burst, a night visit, a late lead and an after-close service."""
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.enlist_officer(badge="D0002", name="苏振", station="德州", beat="二区")
    for day in range(2, 12):
        clock.now = _at(day, 18)
        station.record_visit(
            id=f"V{day}",
            officer="D0001",
            household=f"H{day}",
            occurred_at=_at(day, 9),
            people_match_register=True,
        )
        clock.now = _at(day + 1, 17)
        station.follow_up_visit(
            visit=f"V{day}", officer="D0001", occurred_at=_at(day + 1, 10), satisfied=True
        )
    clock.now = _at(14, 21)
    for n in range(6):
        station.record_visit(
            id=f"B{n}",
            officer="D0002",
            household=f"K{n}",
            occurred_at=_at(14, 15, 8 * n),
            people_match_register=True,
        )
    clock.now = _at(16, 3)
    station.record_visit(
        id="N1",
        officer="D0002",
        household="K9",
        occurred_at=_at(16, 2),
        people_match_register=True,
    )
    clock.now = _at(28, 12)
    station.report_lead(
        id="L1", officer="D0002", kind="information", occurred_at=_at(17, 10), summary="线索"
    )
    clock.now = CLOSED_AT + timedelta(days=1)
    station.record_service(
        id="S1",
        officer="D0002",
        kind="id_card_delivery",
        occurred_at=_at(30, 11),
        acknowledged=True,
    )


def _reference() -> str:
    clock = Clock()
    with beatpolice.connect("memory://", clock=clock) as reference:
        _month(reference, clock)
        return beatpolice.quality(
            reference, month="2014-01", closed_at=CLOSED_AT
        ).model_dump_json()


def test_quality_reports_are_identical_on_every_backend(station_url: str) -> None:
    clock = Clock()
    with beatpolice.connect(station_url, clock=clock) as station:
        _month(station, clock)

        report = beatpolice.quality(station, month="2014-01", closed_at=CLOSED_AT)

    assert report.model_dump_json() == _reference()
    assert report.officer("D0001").findings == []
    assert [f.kind for f in report.officer("D0002").findings] == [
        "burst",
        "late_entry",
        "after_close",
        "night_work",
    ]


def test_the_quality_index_is_kept_and_caught_up_after_reopening(station_url: str) -> None:
    if station_url == "memory://":
        pytest.skip("a memory store does not outlive its station")
    clock = Clock()
    with beatpolice.connect(station_url, clock=clock) as first:
        _month(first, clock)
        before = beatpolice.quality(first, month="2014-01")
    with beatpolice.connect(station_url, clock=clock) as second:
        kept = quality_runner(second).position
        clock.now = _at(20, 12)
        second.record_visit(
            id="V99",
            officer="D0001",
            household="H99",
            occurred_at=_at(20, 10),
            people_match_register=True,
        )
        after = beatpolice.quality(second, month="2014-01")
        rebuilt = quality_runner(second).rebuild()

        again = beatpolice.quality(second, month="2014-01")

    assert kept > 0  # the index was stored, not rebuilt on reopening
    assert after.officer("D0001").records == before.officer("D0001").records + 1
    assert rebuilt.applied > 0
    assert again == after


def test_the_command_line_prints_the_same_report(
    station_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    with beatpolice.connect(station_url, clock=clock) as station:
        _month(station, clock)
    if station_url == "memory://":
        pytest.skip("a memory store does not outlive its process")
    code = main(
        [
            "--db",
            station_url,
            "quality",
            "--month",
            "2014-01",
            "--closed-at",
            CLOSED_AT.isoformat(),
            "--json",
        ]
    )
    printed = json.loads(capsys.readouterr().out)

    assert code == 0
    assert printed == json.loads(_reference())

    assert main(["--db", station_url, "quality", "--month", "2014-01"]) == 0
    table = capsys.readouterr().out
    assert "burst: 6 households visited 2014-01-14 15:00 to 15:40" in table
    assert "1 of 2 officers with findings" in table


def test_the_command_line_refuses_what_it_cannot_run(
    station_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if station_url == "memory://":
        pytest.skip("a memory store does not outlive its process")
    with beatpolice.connect(station_url):
        pass
    for argv in (
        ["quality", "--month", "2014-13"],
        ["quality", "--month", "2014-01", "--rules", "no-such-rules"],
        ["quality", "--month", "2014-01", "--rules", "quality-default@1999.1"],
        ["quality", "--month", "2014-01", "--closed-at", "2014-02-05T09:00:00"],
    ):
        assert main(["--db", station_url, *argv]) == 2, argv
    assert "quality-default" in capsys.readouterr().err

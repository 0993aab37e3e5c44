"""The appraisal counts the officer's day under the rule sets that ask for it, only those.

dezhou-2014@2014.2 counts information collected toward the Information star;
2014.1 stays shipped and decides, and fingerprints, exactly what it did without the
new records; scorecard-example@2014.2 gives points for every new record, surveys per
positive answer; a transferred officer's month counts everything the officer recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import beatpolice

BEIJING = timezone(timedelta(hours=8))
JAN = datetime(2014, 1, 6, 9, 0, tzinfo=BEIJING)
AS_OF = datetime(2014, 2, 10, tzinfo=UTC)


def _visits(station: beatpolice.Station, badge: str, count: int = 60) -> None:
    households = [f"{badge}-H{n}" for n in range(count)]
    station.plan_visits(officer=badge, month="2014-01", households=households)
    for n, household in enumerate(households):
        station.record_visit(
            id=f"V{n}", officer=badge, household=household,
            occurred_at=JAN + timedelta(hours=n), people_match_register=True,
        )  # fmt: skip


def _base(station: beatpolice.Station) -> None:
    station.enlist_officer(badge="D1", name="薛翠翠", station="德州市公安局", beat="一区")
    _visits(station, "D1")
    for n in range(4):
        station.report_lead(
            id=f"L{n}", officer="D1", kind="information", occurred_at=JAN, summary="线索"
        )


def _day(station: beatpolice.Station) -> None:
    station.transfer_officer(
        officer="D1", station="德州市公安局", beat="二区", occurred_at=JAN + timedelta(days=9)
    )
    for n in range(6):  # three before the transfer, three after
        station.collect_information(
            id=f"I{n}", officer="D1", subject="person", category="floating",
            summary="流动人口登记", occurred_at=JAN + timedelta(days=3 * n),
        )  # fmt: skip
    station.record_survey(
        id="SV1", officer="D1", kind="satisfaction", respondents=40, positive=37,
        occurred_at=JAN,
    )  # fmt: skip
    station.record_patrol(
        id="PT1", officer="D1", started_at=JAN, ended_at=JAN + timedelta(hours=2),
        points=["P1"], participants=["grid_worker"], mode="foot",
    )  # fmt: skip
    station.receive_request(
        id="R1", officer="D1", channel="hotline", summary="路灯", occurred_at=JAN
    )
    station.answer_request(
        request="R1", officer="D1", outcome="helped_beyond_remit",
        occurred_at=JAN + timedelta(days=1),
    )  # fmt: skip


def _officer(report: Any, badge: str = "D1") -> Any:
    return report.officer(badge)


def test_version_2014_2_counts_information_collected(station: beatpolice.Station) -> None:
    _base(station)
    _day(station)

    report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    old = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014@2014.1", as_of=AS_OF)

    assert report.rules.version == "2014.2"
    assert "information" in _officer(report).eligible  # 4 leads + 6 items collected
    assert len(_officer(report).evidence["information"]) == 10
    assert "information" not in _officer(old).eligible  # 4 leads, 10 needed
    beatpolice.verify(station, report)
    beatpolice.verify(station, old)


def test_version_2014_1_replays_unchanged_beside_the_new_records(
    station_url: str, clock: Any
) -> None:
    with beatpolice.connect("memory://", clock=clock) as without:
        _base(without)
        before = beatpolice.appraise(
            without, month="2014-01", rules="dezhou-2014@2014.1", as_of=AS_OF
        )
    with beatpolice.connect(station_url, clock=clock) as station:
        _base(station)
        _day(station)
        after = beatpolice.appraise(
            station, month="2014-01", rules="dezhou-2014@2014.1", as_of=AS_OF
        )

    assert _officer(after).fingerprint == _officer(before).fingerprint
    assert _officer(after).metrics == _officer(before).metrics
    assert _officer(after).evidence == _officer(before).evidence
    assert after.rules == before.rules


def test_a_transferred_officer_keeps_every_record_of_the_month(
    station: beatpolice.Station,
) -> None:
    _base(station)
    _day(station)

    report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)

    collected = [ref for ref in _officer(report).evidence["information"] if "Information" in ref]
    assert len(collected) == 6  # before and after the transfer on 15 January
    assert station.officer("D1").beat == "二区"


def test_scorecard_2014_2_gives_points_for_the_day_and_surveys_weigh_most(
    station: beatpolice.Station,
) -> None:
    _base(station)
    _day(station)

    new = beatpolice.appraise(station, month="2014-01", rules="scorecard-example", as_of=AS_OF)
    old = beatpolice.appraise(
        station, month="2014-01", rules="scorecard-example@2014.1", as_of=AS_OF
    )

    gained = Decimal(str(_officer(new).metrics["points"])) - Decimal(
        str(_officer(old).metrics["points"])
    )
    # 6 items + patrol 1 + request answered 2 + beyond remit 1 + 37 satisfied answers
    assert gained == Decimal(6 + 1 + 2 + 1 + 37)
    assert Decimal(str(_officer(new).metrics["points.mass_work"])) - Decimal(
        str(_officer(old).metrics["points.mass_work"])
    ) == Decimal(40)
    beatpolice.verify(station, new)

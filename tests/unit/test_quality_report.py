"""The quality report of a station's month: who is listed, what is read, what evidence says."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import beatpolice
from beatpolice.domain.day_records import DayRecord
from beatpolice.domain.rules.quality import BurstRule, QualityRules
from beatpolice.domain.rules.ruleset import FiveStarRules, Stars, VisitStar

ZONE = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2013, 12, 31, tzinfo=ZONE)

    def __call__(self) -> datetime:
        return self.now


def _burst(station: beatpolice.Station, clock: Clock, badge: str = "D1") -> None:
    clock.now = datetime(2014, 1, 8, 20, tzinfo=ZONE)
    for n in range(5):
        station.record_visit(
            id=f"B{n}", officer=badge, household=f"H{n}",
            occurred_at=datetime(2014, 1, 8, 10, 5 * n, tzinfo=ZONE), people_match_register=True,
        )  # fmt: skip


def _station() -> tuple[beatpolice.Station, Clock]:
    clock = Clock()
    station = beatpolice.connect("memory://", clock=clock)
    station.enlist_officer(badge="D1", name="甲", station="s", beat="b")
    return station, clock


def test_evidence_names_the_events_the_appraisal_names() -> None:
    station, clock = _station()
    station.plan_visits(officer="D1", month="2014-01", households=[f"H{n}" for n in range(5)])
    _burst(station, clock)
    clock.now = datetime(2014, 1, 9, 20, tzinfo=ZONE)
    for n in range(5):
        station.follow_up_visit(
            visit=f"B{n}", officer="D1", occurred_at=datetime(2014, 1, 9, 10, tzinfo=ZONE),
            satisfied=True,
        )  # fmt: skip
    one_household = FiveStarRules(
        name="one", version="1", minimum_households=0, stars=Stars(visit=VisitStar(households=1))
    )

    [finding] = beatpolice.quality(station, month="2014-01").officer("D1").findings
    appraisal = beatpolice.appraise(station, month="2014-01", rules=one_household, as_of=clock.now)

    evidence = appraisal.officer("D1").evidence["visit"]
    assert set(finding.records) == {
        r for r in evidence if r.startswith("beatpolice:VisitRecorded@")
    }


def test_a_retracted_record_leaves_every_signal_and_its_retraction_may_be_after_close() -> None:
    station, clock = _station()
    _burst(station, clock)
    closed_at = datetime(2014, 2, 3, tzinfo=ZONE)
    clock.now = closed_at + timedelta(days=1)
    station.retract_record(
        record="B4", officer="D1", reason="录错", occurred_at=datetime(2014, 1, 9, tzinfo=ZONE)
    )

    officer = beatpolice.quality(station, month="2014-01", closed_at=closed_at).officer("D1")

    assert officer.records == 4
    [finding] = officer.findings  # four households in the hour: no burst any more
    assert finding.kind == "after_close"
    assert [ref.split("@")[0] for ref in finding.records] == ["beatpolice:RecordRetracted"]
    assert finding.records[0].split("/")[1].startswith("B4#")


def test_a_follow_up_of_a_retracted_visit_leaves_with_it() -> None:
    station, clock = _station()
    clock.now = datetime(2014, 1, 3, 12, tzinfo=ZONE)
    station.record_visit(
        id="V1", officer="D1", household="H1", occurred_at=datetime(2014, 1, 3, 10, tzinfo=ZONE),
        people_match_register=True,
    )  # fmt: skip
    station.follow_up_visit(
        visit="V1", officer="D1", occurred_at=datetime(2014, 1, 3, 10, tzinfo=ZONE), satisfied=True
    )
    before = beatpolice.quality(station, month="2014-01").officer("D1")
    station.retract_record(
        record="V1", officer="D1", reason="录错", occurred_at=datetime(2014, 1, 3, 11, tzinfo=ZONE)
    )

    after = beatpolice.quality(station, month="2014-01").officer("D1")

    assert [f.kind for f in before.findings] == ["same_minute_follow_up"]
    assert (after.records, after.findings) == (0, [])


def test_every_officer_enlisted_by_the_months_end_is_listed_and_no_later_one() -> None:
    station, clock = _station()
    clock.now = datetime(2014, 2, 10, tzinfo=ZONE)
    station.enlist_officer(badge="D2", name="乙", station="s", beat="b")

    report = beatpolice.quality(station, month="2014-01")

    assert [o.badge for o in report.officers] == ["D1"]
    idle = report.officer("D1")
    assert (idle.records, idle.entry_lag_median_hours, idle.same_day_share) == (0, None, None)
    assert idle.findings == []


def test_a_month_is_cut_by_field_time_in_the_station_zone() -> None:
    station, clock = _station()
    clock.now = datetime(2014, 2, 1, 1, tzinfo=ZONE)
    station.record_service(
        id="S1",
        officer="D1",
        kind="x",
        occurred_at=datetime(2014, 2, 1, 0, 30, tzinfo=ZONE),
        acknowledged=True,
    )  # fmt: skip  (31 January in UTC)

    assert beatpolice.quality(station, month="2014-01").officer("D1").records == 0
    assert beatpolice.quality(station, month="2014-02").officer("D1").records == 1


def test_a_rule_set_with_a_signal_off_does_not_raise_it() -> None:
    station, clock = _station()
    _burst(station, clock)
    rules = beatpolice.quality(station, month="2014-01").rules
    quiet = QualityRules(name="quiet", version="1", burst=BurstRule(enabled=False))

    report = beatpolice.quality(station, month="2014-01", rules=quiet)

    assert report.findings == []
    assert (report.rules.name, rules.name) == ("quiet", "quality-default")


def test_the_officers_day_records_are_read_each_by_its_field_time() -> None:
    station, clock = _station()
    clock.now = datetime(2014, 1, 10, 3, 30, tzinfo=ZONE)
    station.handle(
        {"type": "record_patrol", "id": "P1", "officer": "D1", "mode": "foot",
         "started_at": "2014-01-10T01:00:00+08:00", "ended_at": "2014-01-10T03:00:00+08:00",
         "points": [], "participants": []}
    )  # fmt: skip
    clock.now = datetime(2014, 1, 20, 18, tzinfo=ZONE)
    station.handle(
        {"type": "collect_information", "id": "I1", "officer": "D1", "subject": "household",
         "household": "H1", "summary": "新入住", "occurred_at": "2014-01-12T10:00:00+08:00"}
    )  # fmt: skip

    officer = beatpolice.quality(station, month="2014-01").officer("D1")

    # the patrol is dated by its end (lag 0.5 h) and a night patrol is real work: no
    # night_work; the information entered eight days late is more than a tenth late
    assert (officer.records, officer.entry_lag_median_hours) == (2, Decimal("0.50"))
    [finding] = officer.findings
    assert finding.kind == "late_entry"
    [ref] = finding.records
    assert ref.startswith(f"beatpolice:InformationCollected@{DayRecord.create_id('D1/I1')}/I1#")


def test_an_officer_enlisted_later_with_records_of_the_month_keeps_the_name() -> None:
    station, clock = _station()
    clock.now = datetime(2014, 2, 2, tzinfo=ZONE)
    station.enlist_officer(badge="D2", name="乙", station="s", beat="b")
    station.record_service(
        id="S1", officer="D2", kind="x", occurred_at=datetime(2014, 1, 31, 10, tzinfo=ZONE),
        acknowledged=True,
    )  # fmt: skip

    report = beatpolice.quality(station, month="2014-01")

    assert [(o.badge, o.name, o.records) for o in report.officers] == [
        ("D1", "甲", 0),
        ("D2", "乙", 1),
    ]

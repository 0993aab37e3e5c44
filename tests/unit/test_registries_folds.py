"""The registry folds alone: events from a memory station, folded into a memory view store.

No file and no database: the events are recorded by a ``memory://`` station, read into a
list, and folded by :class:`Registries` over a :class:`MemoryViewStore` through a
list-based event source, so each test pins down what a registry shows for a handful of
events at fixed instants.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import beatpolice
from beatpolice.adapters.store.views import MemoryViewStore
from beatpolice.domain._base import DomainEvent
from beatpolice.domain.values import Level
from beatpolice.projections.registries import Registries

BEIJING = timezone(timedelta(hours=8))
RECORDED = datetime(2014, 3, 1, tzinfo=UTC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A field time in Beijing time."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def list_source(
    events: list[tuple[int, DomainEvent]],
) -> Any:
    """A page reader over a list: ``(start, limit) -> [(id, event), ...]``."""

    def read(start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        return [(n, event) for n, event in events if n >= start][:limit]

    return read


def fold(
    station: beatpolice.Station, *, time_zone: str = "Asia/Shanghai", page_size: int = 3
) -> Registries:
    """The four registries folded from the station's events, in pages of ``page_size``."""
    events = list(station.events())
    registries = Registries(
        MemoryViewStore(),
        list_source(events),
        last_position=lambda: len(events),
        time_zone=time_zone,
        page_size=page_size,
    )
    assert registries.catch_up() == len(events)
    return registries


@pytest.fixture
def station() -> Iterator[beatpolice.Station]:
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as opened:
        for badge in ("B1", "B2"):
            opened.enlist_officer(
                badge=badge, name=f"民警{badge}", station="新湖派出所", beat="一区"
            )
        yield opened


def visit(
    station: beatpolice.Station, id: str, household: str, when: datetime, **more: Any
) -> None:
    station.record_visit(
        id=id,
        officer=more.pop("officer", "B1"),
        household=household,
        occurred_at=when,
        people_match_register=more.pop("people_match_register", True),
    )


# --- months ---------------------------------------------------------------------------


def test_a_visit_late_on_31_january_in_beijing_counts_in_january(
    station: beatpolice.Station,
) -> None:
    # 2014-01-31T23:30+08:00 is 15:30Z, given here in UTC: January in Asia/Shanghai
    visit(station, "V1", "H1", datetime(2014, 1, 31, 15, 30, tzinfo=UTC))
    registries = fold(station)
    (january,) = registries.officers(month="2014-01", officer="B1")
    (february,) = registries.officers(month="2014-02", officer="B1")
    assert (january.visits, february.visits) == (1, 0)


def test_the_month_is_cut_in_the_stations_zone_not_in_utc(station: beatpolice.Station) -> None:
    # 1 February 01:00 in Beijing is still 31 January in UTC
    visit(station, "V1", "H1", at(2014, 2, 1, 1, 0))
    shanghai = fold(station)
    utc = fold(station, time_zone="UTC")
    assert [r.visits for r in shanghai.officers(month="2014-02", officer="B1")] == [1]
    assert [r.visits for r in utc.officers(month="2014-01", officer="B1")] == [1]
    (household,) = shanghai.households(month="2014-02")
    assert household.visits_this_month == 1


# --- officers -------------------------------------------------------------------------


def test_retracted_records_stop_counting(station: beatpolice.Station) -> None:
    visit(station, "V1", "H1", at(2014, 1, 3, 9, 0))
    visit(station, "V2", "H1", at(2014, 1, 4, 9, 0))
    visit(station, "V3", "H2", at(2014, 1, 5, 9, 0))
    station.report_lead(
        id="L1", officer="B1", kind="information", occurred_at=at(2014, 1, 6, 9), summary="线索"
    )
    station.record_service(
        id="S1",
        officer="B1",
        kind="id_card_delivery",
        occurred_at=at(2014, 1, 7, 9),
        acknowledged=True,
    )
    for record in ("V3", "L1", "S1", "V1"):
        station.retract_record(
            record=record, officer="B1", reason="录入错误", occurred_at=at(2014, 1, 20, 9)
        )
    registries = fold(station)
    (row,) = registries.officers(month="2014-01", officer="B1")
    assert (row.visits, row.households_visited, row.leads, row.services) == (1, 1, 0, 0)
    assert row.services_acknowledged == 0
    assert row.leads_by_kind == {}
    assert row.last_activity == at(2014, 1, 20, 9)
    households = {r.household: r for r in registries.households(month="2014-01")}
    assert households["H1"].visits_total == 1
    assert households["H1"].last_visit == "V2"
    assert households["H2"].visits_total == 0  # seen in a visit, so still listed
    assert households["H2"].last_visit is None


def test_planned_households_visited_count_once_whatever_the_order(
    station: beatpolice.Station,
) -> None:
    visit(station, "V1", "H1", at(2014, 1, 3, 9, 0))
    station.plan_visits(officer="B1", month="2014-01", households=["H1", "H2", "H3"])
    visit(station, "V2", "H1", at(2014, 1, 4, 9, 0))
    visit(station, "V3", "H2", at(2014, 1, 5, 9, 0))
    visit(station, "V4", "H9", at(2014, 1, 5, 10, 0))
    registries = fold(station, page_size=2)
    (row,) = registries.officers(month="2014-01", officer="B1")
    assert (row.households_planned, row.planned_visited, row.households_visited) == (3, 2, 3)
    station.plan_visits(officer="B1", month="2014-01", households=["H3", "H9"])
    registries = fold(station, page_size=2)
    (row,) = registries.officers(month="2014-01", officer="B1")
    assert (row.households_planned, row.planned_visited, row.households_visited) == (2, 1, 3)


# --- households -----------------------------------------------------------------------


def test_households_planned_but_not_visited_are_listed_per_planning_officer(
    station: beatpolice.Station,
) -> None:
    station.plan_visits(officer="B1", month="2014-01", households=["H1", "H2"])
    station.plan_visits(officer="B2", month="2014-01", households=["H2"])
    visit(station, "V1", "H1", at(2014, 1, 3, 9, 0))
    visit(station, "V2", "H2", at(2014, 1, 4, 9, 0), officer="B2")
    visit(station, "V3", "H2", at(2014, 2, 4, 9, 0))  # February: not this month's visit
    registries = fold(station)
    unvisited = registries.households(month="2014-01", unvisited=True)
    assert [(r.household, r.planned_by, r.unvisited_by) for r in unvisited] == [
        ("H2", ("B1", "B2"), ("B1",))
    ]
    assert registries.households(month="2014-01", officer="B2", unvisited=True) == []
    assert [r.household for r in registries.households(month="2014-02", unvisited=True)] == []


def test_a_household_dropped_from_a_plan_stays_listed_without_planners(
    station: beatpolice.Station,
) -> None:
    station.plan_visits(officer="B1", month="2014-01", households=["H1", "H2"])
    station.plan_visits(officer="B1", month="2014-01", households=["H1"])
    registries = fold(station)
    rows = {r.household: r for r in registries.households(month="2014-01")}
    assert set(rows) == {"H1", "H2"}
    assert (rows["H1"].planned_by, rows["H2"].planned_by) == (("B1",), ())


def test_follow_ups_close_open_follow_ups_and_the_last_visit_wins_by_field_time(
    station: beatpolice.Station,
) -> None:
    visit(station, "V2", "H1", at(2014, 1, 9, 9, 0), people_match_register=False)
    visit(station, "V1", "H1", at(2014, 1, 3, 9, 0), officer="B2")  # entered late
    station.follow_up_visit(
        visit="V2", officer="B1", occurred_at=at(2014, 1, 10, 9), satisfied=True
    )
    (row,) = fold(station).households(month="2014-01")
    assert (row.last_visit, row.last_visit_officer, row.people_match_register) == (
        "V2",
        "B1",
        False,
    )
    assert row.open_follow_ups == ("B2|V1",)
    assert (row.visits_this_month, row.visits_total) == (2, 2)


# --- disputes -------------------------------------------------------------------------


def open_dispute(station: beatpolice.Station, id: str, when: datetime, **more: Any) -> None:
    station.open_dispute(
        id=id,
        officer="B1",
        category="邻里纠纷",
        parties=["张三", "李四"],
        occurred_at=when,
        **more,
    )


def mediate(station: beatpolice.Station, id: str, when: datetime, *, ok: bool = True) -> None:
    station.mediate_dispute(
        dispute=id,
        officer="B1",
        participants=["grid_worker"],
        outcome="resolved" if ok else "failed",
        occurred_at=when,
    )


@pytest.fixture
def station_2024() -> Iterator[beatpolice.Station]:
    """A station whose records were entered in October 2024 (field times are not later)."""
    recorded = datetime(2024, 10, 1, tzinfo=UTC)
    with beatpolice.connect("memory://", clock=lambda: recorded) as opened:
        opened.enlist_officer(badge="B1", name="民警", station="新湖派出所", beat="一区")
        yield opened


def test_a_blue_dispute_is_overdue_from_the_end_of_its_third_working_day(
    station_2024: beatpolice.Station,
) -> None:
    station = station_2024
    # Friday 13 September 2024; 16-17 were the Mid-Autumn holiday, 14 a make-up workday
    open_dispute(station, "D1", at(2024, 9, 13, 15, 0))
    open_dispute(station, "D2", at(2024, 9, 13, 15, 0))
    mediate(station, "D2", at(2024, 9, 14, 10, 0))
    registries = fold(station)
    before = registries.disputes(as_of=at(2024, 9, 19, 23, 59))
    due = registries.disputes(as_of=at(2024, 9, 20, 0, 0))
    assert before.overdue == ()
    assert due.overdue == ("D1",)
    rows = {r.dispute: r for r in due.rows}
    assert rows["D1"].due == at(2024, 9, 20, 0, 0)
    assert (rows["D1"].overdue, rows["D2"].overdue, rows["D2"].due) == (True, False, None)
    assert [r.dispute for r in registries.disputes(as_of=due.as_of, only_overdue=True).rows] == [
        "D1"
    ]
    assert registries.disputes().overdue == ()  # no instant, nothing is overdue


def test_not_referred_rate_counts_settled_disputes_never_referred_out(
    station: beatpolice.Station,
) -> None:
    open_dispute(station, "D1", at(2014, 1, 3, 9))  # resolved: counts for the goal
    mediate(station, "D1", at(2014, 1, 4, 9))
    open_dispute(station, "D2", at(2014, 1, 3, 9))  # referred out: against it
    station.refer_dispute(
        dispute="D2", officer="B1", to="街道", reason="上交", occurred_at=at(2014, 1, 4, 9)
    )
    open_dispute(station, "D3", at(2014, 1, 3, 9))  # referred, reopened, resolved: against
    station.refer_dispute(
        dispute="D3", officer="B1", to="街道", reason="上交", occurred_at=at(2014, 1, 4, 9)
    )
    station.reopen_dispute(
        dispute="D3", officer="B1", reason="再起", occurred_at=at(2014, 1, 5, 9)
    )
    mediate(station, "D3", at(2014, 1, 6, 9))
    open_dispute(station, "D4", at(2014, 1, 3, 9))  # open, its mediation failed
    mediate(station, "D4", at(2014, 1, 4, 9), ok=False)
    registry = fold(station).disputes()
    assert (registry.not_referred.numerator, registry.not_referred.denominator) == (1, 3)
    assert registry.not_referred.percent == "33.3"
    assert registry.by_status == {"open": 1, "referred": 1, "resolved": 2}
    assert registry.by_outcome == {"failed": 1, "referred": 1, "resolved": 2}
    rows = {r.dispute: r for r in registry.rows}
    assert (rows["D3"].status, rows["D3"].referrals, rows["D3"].reopen_count) == ("resolved", 1, 1)


def test_count_open_puts_open_disputes_in_the_denominator(station: beatpolice.Station) -> None:
    open_dispute(station, "D1", at(2014, 1, 3, 9))
    mediate(station, "D1", at(2014, 1, 4, 9))
    open_dispute(station, "D2", at(2014, 1, 3, 9))
    registries = fold(station)
    lenient = registries.disputes().not_referred
    strict = registries.disputes(count_open=True).not_referred
    assert (lenient.numerator, lenient.denominator, lenient.percent) == (1, 1, "100.0")
    assert (strict.numerator, strict.denominator, strict.percent) == (1, 2, "50.0")


def test_escalations_are_kept_with_their_reasons(station: beatpolice.Station) -> None:
    open_dispute(station, "D1", at(2014, 1, 3, 9))
    station.escalate_dispute(
        dispute="D1", officer="B2", to_level="red", reason="激化", occurred_at=at(2014, 1, 4, 9)
    )
    (row,) = fold(station).disputes(level=Level.RED).rows
    assert [
        (e.from_level.value, e.to_level.value, e.reason, e.officer) for e in row.escalations
    ] == [("blue", "red", "激化", "B2")]
    assert (row.tier, row.level_since) == ("subdistrict", at(2014, 1, 4, 9))


# --- venues ---------------------------------------------------------------------------


def test_a_rectification_is_overdue_once_its_whole_day_has_passed_in_the_zone(
    station: beatpolice.Station,
) -> None:
    station.register_venue(
        id="P1",
        name="网吧",
        category="internet_cafe",
        address="新湖大街1号",
        officer="B1",
        occurred_at=at(2014, 1, 2, 9),
    )
    findings = [
        {"id": f, "code": "ID-03", "description": "未实名", "rectify_by": "2014-01-20"}
        for f in ("F1", "F2", "F3")
    ]
    station.inspect_venue(
        venue="P1", officer="B1", mode="routine", occurred_at=at(2014, 1, 10, 9), findings=findings
    )
    station.inspect_venue(
        venue="P1", officer="B2", mode="online", occurred_at=at(2014, 1, 5, 9), findings=[]
    )
    station.verify_rectification(
        venue="P1", finding="F1", officer="B1", passed=True, occurred_at=at(2014, 1, 15, 9)
    )
    station.verify_rectification(
        venue="P1", finding="F2", officer="B1", passed=False, occurred_at=at(2014, 1, 15, 9)
    )
    registries = fold(station)
    (on_the_day,) = registries.venues(as_of=at(2014, 1, 20, 23, 59))
    assert on_the_day.overdue_findings == ()
    # 2014-01-20T16:30Z is already 21 January in Asia/Shanghai
    (after,) = registries.venues(as_of=datetime(2014, 1, 20, 16, 30, tzinfo=UTC))
    assert after.overdue_findings == ("F2", "F3")
    assert [(f.finding, f.failed_checks) for f in after.open_findings] == [("F2", 1), ("F3", 0)]
    assert (after.last_inspection_at, after.last_inspection_mode.value) == (  # type: ignore[union-attr]
        at(2014, 1, 10, 9),
        "routine",
    )
    assert after.inspections == {"2014-01": {"online": 1, "routine": 1}}
    assert (after.inspections_total, after.findings_total) == (2, 3)
    assert registries.venues(as_of=at(2014, 1, 20, 12), only_overdue=True) == []


def test_overdue_questions_need_an_aware_instant(station: beatpolice.Station) -> None:
    registries = fold(station)
    with pytest.raises(ValueError, match="as_of"):
        registries.venues(only_overdue=True)
    with pytest.raises(ValueError, match="timezone-aware"):
        registries.disputes(as_of=datetime(2014, 1, 1))

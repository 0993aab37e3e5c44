"""Properties of the data-quality signals, on months recorded through the station's clock.

A clean month (records entered the same day, in daylight, visits at walkable spacing,
follow-up calls days later) is never flagged; each injected pattern is flagged with
the right kind and exactly the injected records as evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice.domain.officer import Officer
from beatpolice.domain.rules.quality import SharedHouseholdRule
from beatpolice.projections.quality import load_quality_rules
from beatpolice.projections.quality._engine import quality_runner

ZONE = ZoneInfo("Asia/Shanghai")
MONTH = "2014-01"
MONTH_END = datetime(2014, 2, 1, tzinfo=ZONE)
TOPIC = {
    "record_visit": "beatpolice:VisitRecorded",
    "follow_up_visit": "beatpolice:VisitFollowedUp",
    "report_lead": "beatpolice:LeadReported",
    "record_service": "beatpolice:ServiceRendered",
    "retract_record": "beatpolice:RecordRetracted",
}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@attrs.define
class Planned:
    """A command and the instant the clock shows when it is recorded."""

    recorded: datetime
    command: dict[str, Any]
    tag: str = ""
    """Set on injected commands: what pattern they belong to."""


@attrs.define
class Month:
    badges: list[str]
    plan: list[Planned]
    visits: dict[str, list[Planned]] = attrs.field(factory=dict)
    """Each officer's visits without a follow-up (free to be followed up at once)."""


def local(day: int, minutes: int) -> datetime:
    return datetime(2014, 1, day, tzinfo=ZONE) + timedelta(minutes=minutes)


@st.composite
def clean_months(draw: st.DrawFn, *, officers: int = 1) -> Month:
    """``officers`` to three officers' clean months, each with households of their own."""
    badges = [f"D{n:04d}" for n in range(1, draw(st.integers(officers, 3)) + 1)]
    plan: list[Planned] = []
    lonely: dict[str, list[Planned]] = {}
    for badge in badges:
        lonely[badge] = []
        days = draw(st.lists(st.integers(1, 25), min_size=2, max_size=8, unique=True))
        number = 0
        for day in sorted(days):
            minutes = draw(st.integers(8 * 60, 9 * 60))  # the first visit: 08:00-09:00
            for _ in range(draw(st.integers(1, 5))):
                number += 1
                occurred = local(day, minutes)
                visit = Planned(
                    occurred + timedelta(minutes=draw(st.integers(1, 7 * 60))),
                    {
                        "type": "record_visit",
                        "id": f"V{number}",
                        "officer": badge,
                        "household": f"{badge}-H{number}",
                        "occurred_at": occurred.isoformat(),
                        "people_match_register": True,
                    },
                )
                plan.append(visit)
                if draw(st.booleans()):
                    called = local(day + draw(st.integers(1, 3)), draw(st.integers(600, 1020)))
                    plan.append(
                        Planned(
                            called + timedelta(minutes=draw(st.integers(1, 300))),
                            {
                                "type": "follow_up_visit",
                                "visit": f"V{number}",
                                "officer": badge,
                                "occurred_at": called.isoformat(),
                                "satisfied": True,
                            },
                        )
                    )
                else:
                    lonely[badge].append(visit)
                minutes += draw(st.integers(20, 90))  # walkable: 4 at most in an hour
        for number in range(draw(st.integers(0, 3))):
            occurred = local(draw(st.integers(1, 25)), draw(st.integers(600, 1000)))
            plan.append(
                Planned(
                    occurred + timedelta(minutes=draw(st.integers(1, 360))),
                    {
                        "type": "record_service",
                        "id": f"S{number}",
                        "officer": badge,
                        "kind": "id_card_delivery",
                        "occurred_at": occurred.isoformat(),
                        "acknowledged": True,
                    },
                )
            )
    return Month(badges=badges, plan=plan, visits=lonely)


def record(month: Month) -> tuple[beatpolice.Station, dict[str, str]]:
    """Record the month in recording order through the clock; refs of tagged commands."""
    now = [datetime(2013, 12, 31, tzinfo=ZONE)]
    clock: Callable[[], datetime] = lambda: now[0]  # noqa: E731
    station = beatpolice.connect("memory://", clock=clock)
    for badge in month.badges:
        station.enlist_officer(badge=badge, name=f"警员{badge}", station="德州", beat="一区")
    tagged: dict[str, str] = {}
    for item in sorted(month.plan, key=lambda p: p.recorded):
        now[0] = item.recorded
        receipt = station.handle(item.command)
        key = item.command.get("id") or item.command.get("visit") or item.command["record"]
        owner = Officer.create_id(item.command["officer"])
        ref = f"{TOPIC[item.command['type']]}@{owner}/{key}#{receipt.digest[7:19]}"
        if item.tag:
            tagged[ref] = item.tag
    return station, tagged


SHARED = load_quality_rules("quality-default").model_copy(
    update={"shared_household": SharedHouseholdRule(enabled=True)}
)
"""The default rule set with ``shared_household`` turned on (it is off by default)."""


def findings(station: beatpolice.Station, **kwargs: Any) -> dict[str, list[tuple[str, set[str]]]]:
    report = beatpolice.quality(station, month=MONTH, **kwargs)
    return {o.badge: [(f.kind, set(f.records)) for f in o.findings] for o in report.officers}


@SETTINGS
@given(clean_months())
def test_a_clean_month_is_never_flagged(month: Month) -> None:
    station, _ = record(month)

    report = beatpolice.quality(
        station, month=MONTH, closed_at=MONTH_END + timedelta(days=5), rules=SHARED
    )

    assert [o.badge for o in report.officers] == month.badges
    assert report.findings == []
    for officer in report.officers:
        assert officer.entered_same_day == officer.records
        assert officer.same_day_share == 1


@SETTINGS
@given(clean_months(), st.data())
def test_a_burst_is_flagged_with_exactly_its_visits(month: Month, data: st.DataObject) -> None:
    badge = data.draw(st.sampled_from(month.badges))
    own = [datetime.fromisoformat(p.command["occurred_at"]) for p in month.plan
           if p.command["type"] == "record_visit" and p.command["officer"] == badge]  # fmt: skip
    if data.draw(st.booleans()):  # in the evening, hours after the day's last visit
        first = local(data.draw(st.integers(1, 25)), data.draw(st.integers(18 * 60, 19 * 60)))
    else:  # a quarter of an hour or more after an honest visit, the day's last
        last = max(own)
        first = last + timedelta(minutes=data.draw(st.integers(15, 40)))
    gaps = data.draw(st.lists(st.integers(0, 14), min_size=4, max_size=7))  # faster than walking
    offsets = [0, *(sum(gaps[: n + 1]) for n in range(len(gaps)))]
    for number, offset in enumerate(offsets):
        occurred = first + timedelta(minutes=offset)
        month.plan.append(
            Planned(
                occurred + timedelta(minutes=90),
                {
                    "type": "record_visit",
                    "id": f"B{number}",
                    "officer": badge,
                    "household": f"burst-{number}",
                    "occurred_at": occurred.isoformat(),
                    "people_match_register": True,
                },
                tag="burst",
            )
        )
    station, injected = record(month)

    found = findings(station)

    assert found[badge] == [("burst", set(injected))]
    assert all(not f for b, f in found.items() if b != badge)


@SETTINGS
@given(clean_months(), st.data())
def test_late_entries_are_flagged_with_exactly_the_late_records(
    month: Month, data: st.DataObject
) -> None:
    badge = data.draw(st.sampled_from(month.badges))
    own = sum(1 for p in month.plan if p.command["officer"] == badge)
    late = data.draw(st.integers(1, own // 9 + 4))  # any share: none is allowed
    for number in range(late):
        occurred = local(data.draw(st.integers(1, 28)), data.draw(st.integers(600, 1000)))
        month.plan.append(
            Planned(
                occurred + timedelta(hours=data.draw(st.integers(97, 24 * 20))),
                {
                    "type": "report_lead",
                    "id": f"L{number}",
                    "officer": badge,
                    "kind": "information",
                    "occurred_at": occurred.isoformat(),
                    "summary": "线索",
                },
                tag="late_entry",
            )
        )
    station, injected = record(month)

    found = findings(station)

    assert found[badge] == [("late_entry", set(injected))]
    assert all(not f for b, f in found.items() if b != badge)


@SETTINGS
@given(clean_months(), st.data())
def test_records_entered_after_the_close_are_flagged(month: Month, data: st.DataObject) -> None:
    badge = data.draw(st.sampled_from(month.badges))
    closed_at = MONTH_END + timedelta(hours=1)
    for number in range(data.draw(st.integers(1, 3))):
        occurred = local(31, 600 + 60 * number)
        month.plan.append(
            Planned(
                closed_at + timedelta(minutes=data.draw(st.integers(1, 600))),
                {
                    "type": "record_service",
                    "id": f"A{number}",
                    "officer": badge,
                    "kind": "residence_permit",
                    "occurred_at": occurred.isoformat(),
                    "acknowledged": True,
                },
                tag="after_close",
            )
        )
    station, injected = record(month)

    assert findings(station, closed_at=closed_at)[badge] == [("after_close", set(injected))]
    assert findings(station)[badge] == []  # no close given: nothing was entered after it


@SETTINGS
@given(clean_months(), st.data())
def test_night_visits_are_flagged_with_exactly_those_visits(
    month: Month, data: st.DataObject
) -> None:
    badge = data.draw(st.sampled_from(month.badges))
    days = data.draw(st.lists(st.integers(1, 28), min_size=1, max_size=4, unique=True))
    for number, day in enumerate(days):
        occurred = local(day, data.draw(st.integers(0, 5 * 60 - 1)))
        month.plan.append(
            Planned(
                occurred + timedelta(minutes=30),
                {
                    "type": "record_visit",
                    "id": f"N{number}",
                    "officer": badge,
                    "household": f"night-{number}",
                    "occurred_at": occurred.isoformat(),
                    "people_match_register": True,
                },
                tag="night_work",
            )
        )
    station, injected = record(month)

    assert findings(station)[badge] == [("night_work", set(injected))]


@SETTINGS
@given(clean_months(), st.data())
def test_follow_ups_in_the_visits_own_minute_are_flagged(
    month: Month, data: st.DataObject
) -> None:
    candidates = [b for b in month.badges if month.visits[b]]
    assume(candidates)
    badge = data.draw(st.sampled_from(candidates))
    chosen = data.draw(st.lists(st.sampled_from(month.visits[badge]), min_size=1, unique_by=id))
    for visit in chosen:
        visit.tag = "same_minute_follow_up"
        occurred = datetime.fromisoformat(visit.command["occurred_at"])
        month.plan.append(
            Planned(
                visit.recorded + timedelta(seconds=1),
                {
                    "type": "follow_up_visit",
                    "visit": visit.command["id"],
                    "officer": badge,
                    "occurred_at": (
                        occurred + timedelta(seconds=data.draw(st.integers(0, 59)))
                    ).isoformat(),
                    "satisfied": True,
                },
                tag="same_minute_follow_up",
            )
        )
    station, injected = record(month)

    assert findings(station)[badge] == [("same_minute_follow_up", set(injected))]


@SETTINGS
@given(clean_months(officers=2), st.data())
def test_a_household_visited_by_two_officers_on_one_day_is_flagged_for_both(
    month: Month, data: st.DataObject
) -> None:
    owner, other = data.draw(st.permutations(month.badges))[:2]
    visit = data.draw(
        st.sampled_from(
            [p for p in month.plan if p.command.get("household") and p.command["officer"] == owner]
        )
    )
    visit.tag = "shared_household"
    day = datetime.fromisoformat(visit.command["occurred_at"]).astimezone(ZONE)
    occurred = day.replace(hour=20, minute=data.draw(st.integers(0, 59)))
    month.plan.append(
        Planned(
            occurred + timedelta(minutes=10),
            {
                "type": "record_visit",
                "id": "X1",
                "officer": other,
                "household": visit.command["household"],
                "occurred_at": occurred.isoformat(),
                "people_match_register": True,
            },
            tag="shared_household",
        )
    )
    station, injected = record(month)

    found = findings(station, rules=SHARED)

    assert found[owner] == [("shared_household", set(injected))]
    assert found[other] == [("shared_household", set(injected))]
    assert all(not f for f in findings(station).values())  # off in quality-default


@SETTINGS
@given(clean_months(), st.integers(1, 7), st.integers(1, 20), st.data())
def test_catching_up_page_by_page_equals_reading_once(
    month: Month, page: int, every: int, data: st.DataObject
) -> None:
    visits = [p for p in month.plan if p.command["type"] == "record_visit"]
    last = max(p.recorded for p in month.plan)
    for number, visit in enumerate(data.draw(st.lists(st.sampled_from(visits), unique_by=id))):
        month.plan.append(
            Planned(
                last + timedelta(hours=number + 1),
                {
                    "type": "retract_record",
                    "record": visit.command["id"],
                    "officer": visit.command["officer"],
                    "reason": "录错",
                    "occurred_at": visit.command["occurred_at"],
                },
            )
        )
    once, _ = record(month)
    expected = beatpolice.quality(once, month=MONTH)
    now = [datetime(2013, 12, 31, tzinfo=ZONE)]
    paged = beatpolice.connect("memory://", clock=lambda: now[0])
    quality_runner(paged, page_size=page)  # the station keeps this runner
    for badge in month.badges:
        paged.enlist_officer(badge=badge, name=f"警员{badge}", station="德州", beat="一区")
    for number, item in enumerate(sorted(month.plan, key=lambda p: p.recorded)):
        now[0] = item.recorded
        paged.handle(item.command)
        if number % every == 0:
            beatpolice.quality(paged, month=MONTH)

    assert beatpolice.quality(paged, month=MONTH) == expected
    quality_runner(paged).rebuild()
    assert beatpolice.quality(paged, month=MONTH) == expected

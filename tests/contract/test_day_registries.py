"""The registries of the officer's day (patrols, population, requests) on every backend.

For arbitrary sequences of the 0.2 commands, the registries caught up in arbitrary
slices interleaved with recording equal a rebuild from scratch, and agree with a plain
model written here; and the figures of a known month are exact (coverage, hours, beat
at the time, overdue requests by working days).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice.domain.errors import BeatpoliceError
from beatpolice.projections.registries import Registries, open_registries

BEIJING = timezone(timedelta(hours=8))
RECORDED = datetime(2014, 3, 1, tzinfo=UTC)
BADGES = ("B1", "B2")
POINTS = ("P1", "P2", "P3", "东关市场")
TIMES = (
    datetime(2014, 1, 10, 9, 0, tzinfo=BEIJING),
    datetime(2014, 1, 31, 23, 30, tzinfo=BEIJING),
    datetime(2014, 1, 31, 17, 0, tzinfo=UTC),  # 1 February 01:00 in Beijing
    datetime(2014, 2, 14, 9, 0, tzinfo=BEIJING),
)
ENLIST = [
    {
        "type": "enlist_officer",
        "badge": b,
        "name": f"民警{b}",
        "station": "新湖派出所",
        "beat": "一区",
    }
    for b in BADGES
]

at = st.sampled_from(TIMES)
badge = st.sampled_from(BADGES)
request_id = st.sampled_from(["R0", "R1", "R2"])

day_commands = st.one_of(
    st.builds(
        lambda o, m, ps: {"type": "plan_patrols", "officer": o, "month": m, "points": ps},
        badge,
        st.sampled_from(["2014-01", "2014-02"]),
        st.lists(st.sampled_from(POINTS), unique=True),
    ),
    st.builds(
        lambda n, o, t, minutes, ps, mode: {
            "type": "record_patrol",
            "id": f"PT{n}",
            "officer": o,
            "started_at": t.isoformat(),
            "ended_at": (t + timedelta(minutes=minutes)).isoformat(),
            "points": ps,
            "participants": ["grid_worker"],
            "mode": mode,
        },
        st.integers(0, 4),
        badge,
        at,
        st.integers(0, 300),
        st.lists(st.sampled_from(POINTS), unique=True),
        st.sampled_from(["foot", "bicycle", "vehicle"]),
    ),
    st.builds(
        lambda n, o, t, subject, source: {
            "type": "collect_information",
            "id": f"I{n}",
            "officer": o,
            "subject": subject,
            "summary": "信息",
            "occurred_at": t.isoformat(),
            **({"source": source} if source else {}),
        },
        st.integers(0, 4),
        badge,
        at,
        st.sampled_from(["person", "building", "sentiment"]),
        st.sampled_from([None, "grid_worker", "public"]),
    ),
    st.builds(
        lambda r, o, t, ch: {
            "type": "receive_request",
            "id": r,
            "officer": o,
            "channel": ch,
            "summary": "诉求",
            "occurred_at": t.isoformat(),
        },
        request_id,
        badge,
        at,
        st.sampled_from(["petition", "hotline"]),
    ),
    st.builds(
        lambda r, o, t, out: {
            "type": "answer_request",
            "request": r,
            "officer": o,
            "outcome": out,
            "occurred_at": t.isoformat(),
        },
        request_id,
        badge,
        at,
        st.sampled_from(["resolved", "declined"]),
    ),
    st.builds(
        lambda o, beat, t: {
            "type": "transfer_officer",
            "officer": o,
            "station": "新湖派出所",
            "beat": beat,
            "occurred_at": t.isoformat(),
        },
        badge,
        st.sampled_from(["一区", "二区", "三区"]),
        at,
    ),
)


def record(station: beatpolice.Station, batch: list[dict[str, Any]]) -> None:
    """Record each command; refused ones record nothing, which is fine here."""
    for command in batch:
        with contextlib.suppress(BeatpoliceError):
            station.handle(command)


def snapshot(registries: Registries) -> dict[str, dict[str, list[tuple[str, Any]]]]:
    """Every document of every registry table."""
    return {
        runner.projection.name: {
            table: list(registries.store.scan(runner.projection.name, table))
            for table in runner.projection.tables
        }
        for runner in registries.runners
    }


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], str]:
    """Makes the URL of a new, empty store on the backend, once per hypothesis example."""

    def make() -> str:
        if backend == "memory":
            return "memory://"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / uuid.uuid4().hex}.db"
        return str(request.getfixturevalue("postgres_server").create_database())

    return make


def _month(moment: datetime) -> str:
    local = moment.astimezone(BEIJING)
    return f"{local.year:04d}-{local.month:02d}"


def _model(events: list[Any]) -> dict[str, Any]:
    """A plain fold of the events: coverage per officer and month, request states."""
    plans: dict[tuple[str, str], set[str]] = {}
    passed: dict[tuple[str, str], set[str]] = {}
    seconds: dict[tuple[str, str], int] = {}
    requests: dict[tuple[str, str], str] = {}
    for event in events:
        name = type(event).__name__
        if name == "PatrolsPlanned":
            plans[event.officer, event.month] = set(event.points)
        elif name == "PatrolCompleted":
            key = (event.officer, _month(event.started_at))
            passed.setdefault(key, set()).update(event.points)
            span = event.ended_at - event.started_at
            seconds[key] = seconds.get(key, 0) + int(span.total_seconds())
        elif name == "RequestReceived":
            requests[event.officer, event.id] = "open"
        elif name == "RequestAnswered":
            requests[event.officer, event.request] = "answered"
    coverage = {
        key: (len(plans.get(key, set()) & passed.get(key, set())), len(plans.get(key, set())))
        for key in {*plans, *passed}
    }
    return {"coverage": coverage, "seconds": seconds, "requests": requests}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=st.lists(st.lists(day_commands, max_size=10), min_size=1, max_size=4),
    slices=st.lists(st.integers(1, 7), min_size=1, max_size=6),
    page_size=st.integers(1, 9),
)
def test_day_registries_caught_up_in_slices_equal_a_rebuild_and_the_model(
    fresh_url: Callable[[], str],
    batches: list[list[dict[str, Any]]],
    slices: list[int],
    page_size: int,
) -> None:
    with beatpolice.connect(fresh_url(), clock=lambda: RECORDED) as station:
        record(station, ENLIST)
        registries = open_registries(station, page_size=page_size)
        for number, batch in enumerate(batches):
            record(station, batch)
            for index, runner in enumerate(registries.runners):
                runner.catch_up(limit=slices[(number + index) % len(slices)])
        registries.catch_up()
        incremental = snapshot(registries)
        model = _model([event for _, event in station.events()])

        for month in ("2014-01", "2014-02"):
            for row in registries.patrols(month=month):
                key = (row.officer, month)
                assert row.coverage == "{}/{}".format(*model["coverage"][key])
                assert Fraction(row.hours) == Fraction(model["seconds"].get(key, 0), 3600)
        got = {(r.officer, r.id): r.status for r in registries.requests().rows}
        assert got == model["requests"]

        registries.rebuild()
        assert snapshot(registries) == incremental


# --- a known month ---------------------------------------------------------------------

JAN = datetime(2014, 1, 6, 9, 0, tzinfo=BEIJING)  # a Monday


def _month_of_work(station: beatpolice.Station) -> Registries:
    for command in ENLIST:
        station.handle(command)
    station.plan_patrols(officer="B1", month="2014-01", points=["P1", "P2", "P3"])
    station.record_patrol(
        id="PT1", officer="B1", started_at=JAN, ended_at=JAN + timedelta(minutes=90),
        points=["P1", "P9"], participants=["grid_worker"], mode="foot",
    )  # fmt: skip
    station.record_patrol(
        id="PT2", officer="B1", started_at=JAN + timedelta(days=1),
        ended_at=JAN + timedelta(days=1, hours=2), points=["P2"], participants=[],
        mode="vehicle",
    )  # fmt: skip
    station.collect_information(
        id="I1", officer="B1", subject="person", category="floating", household="H1",
        summary="新租户", occurred_at=JAN, source="grid_worker",
    )  # fmt: skip
    station.transfer_officer(
        officer="B1", station="新湖派出所", beat="二区", occurred_at=JAN + timedelta(days=10)
    )
    station.collect_information(
        id="I2", officer="B1", subject="weak_spot", summary="路灯不亮",
        occurred_at=JAN + timedelta(days=11),
    )  # fmt: skip
    # received Monday 6 January; the 15th working day after it is Sunday 26 January, a
    # make-up workday (调休) before the Spring Festival: due by 27 January, 00:00
    station.receive_request(
        id="R1", officer="B1", channel="petition", summary="噪音", occurred_at=JAN
    )
    station.receive_request(
        id="R2", officer="B2", channel="hotline", summary="停车", occurred_at=JAN, household="H1"
    )
    station.answer_request(
        request="R2", officer="B2", outcome="resolved", occurred_at=JAN + timedelta(days=2)
    )
    station.assess_fraud_risk(
        id="FR1", officer="B2", household="H1", script="impersonating_authorities",
        features=[f"PA{n:02d}" for n in range(1, 12)], occurred_at=JAN,
    )  # fmt: skip
    station.record_survey(
        id="SV1", officer="B2", kind="satisfaction", respondents=20, positive=19,
        occurred_at=JAN,
    )  # fmt: skip
    registries = open_registries(station)
    registries.catch_up()
    return registries


def test_patrol_coverage_hours_and_modes_are_exact(station: beatpolice.Station) -> None:
    registries = _month_of_work(station)

    (row,) = registries.patrols(month="2014-01", officer="B1")

    assert (row.points_planned, row.points_passed, row.coverage) == (3, 2, "2/3")
    assert row.missed_points == ("P3",)
    assert row.unplanned_points == ("P9",)
    assert row.patrols_by_mode == {"foot": 1, "vehicle": 1}
    assert row.hours == "7/2"


def test_population_shows_the_beat_at_the_time_of_each_item(station: beatpolice.Station) -> None:
    registries = _month_of_work(station)

    rows = registries.population(month="2014-01")

    assert [(r.beat, r.subject, r.category, r.items, r.sources) for r in rows] == [
        ("一区", "person", "floating", 1, {"grid_worker": 1}),
        ("二区", "weak_spot", None, 1, {"officer": 1}),
    ]
    assert [r.subject for r in registries.population(month="2014-01", beat="二区")] == [
        "weak_spot"
    ]


def test_requests_are_overdue_after_fifteen_working_days(station: beatpolice.Station) -> None:
    registries = _month_of_work(station)

    before = registries.requests(as_of=datetime(2014, 1, 26, 23, 59, tzinfo=BEIJING))
    after = registries.requests(as_of=datetime(2014, 1, 27, 0, 0, tzinfo=BEIJING))

    assert [(r.id, r.status, r.overdue) for r in before.rows] == [
        ("R1", "open", False),
        ("R2", "answered", False),
    ]
    assert [(r.id, r.overdue) for r in after.rows] == [("R1", True), ("R2", False)]
    assert after.by_channel["petition"].overdue == 1
    assert after.by_channel["hotline"].answered == 1
    assert registries.requests(as_of=JAN + timedelta(days=1)).rows[1].status == "open"
    assert [r.id for r in registries.requests(only_overdue=True, as_of=after.as_of).rows] == ["R1"]


def test_officers_show_beats_over_time_and_tally_the_day(station: beatpolice.Station) -> None:
    registries = _month_of_work(station)

    rows = {row.badge: row for row in registries.officers(month="2014-01")}

    assert rows["B1"].beat == "二区"
    assert [(s.beat, s.since) for s in rows["B1"].beats] == [
        ("一区", None),
        ("二区", JAN + timedelta(days=10)),
    ]
    assert (rows["B1"].day.patrols, rows["B1"].day.information) == (2, 2)
    assert (rows["B2"].day.requests_received, rows["B2"].day.requests_answered) == (1, 1)
    assert (rows["B2"].day.fraud_assessments, rows["B2"].day.surveys) == (1, 1)
    assert [row.badge for row in registries.officers(month="2014-01", beat="二区")] == ["B1"]


def test_households_show_the_latest_fraud_risk_and_what_was_collected(
    station: beatpolice.Station,
) -> None:
    registries = _month_of_work(station)

    (row,) = [row for row in registries.households(month="2014-01") if row.household == "H1"]

    assert row.fraud_risk is not None
    assert (row.fraud_risk.matched, row.fraud_risk.total, row.fraud_risk.level) == (11, 15, "high")
    assert [(c.id, c.subject, c.category, c.source) for c in row.collected] == [
        ("I1", "person", "floating", "grid_worker")
    ]

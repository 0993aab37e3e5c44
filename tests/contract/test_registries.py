"""The registries on every backend: slices equal a rebuild, a plain fold agrees, no replays.

For arbitrary command sequences (refused commands included: they record nothing), the
registries caught up incrementally, in arbitrary slices interleaved with recording,
equal a rebuild from scratch; each registry agrees with a plain fold of the events
written here, independently of the projections; and a page committed by a runner that
did not see the latest position is refused.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice.domain.errors import BeatpoliceError
from beatpolice.projections import PositionConflictError, ProjectionRunner
from beatpolice.projections.registries import Registries, open_registries

BEIJING = timezone(timedelta(hours=8))
RECORDED = datetime(2014, 3, 1, tzinfo=UTC)
BADGES = ("B1", "B2")
HOUSEHOLDS = ("H1", "H2", "H3", "甲4")
MONTHS = ("2014-01", "2014-02")
# field times on both sides of the month boundary in Asia/Shanghai (and in UTC)
TIMES = (
    datetime(2014, 1, 10, 9, 0, tzinfo=BEIJING),
    datetime(2014, 1, 31, 23, 30, tzinfo=BEIJING),
    datetime(2014, 1, 31, 17, 0, tzinfo=UTC),  # 1 February 01:00 in Beijing
    datetime(2014, 2, 14, 9, 0, tzinfo=BEIJING),
)
ROLE_SETS = (
    ["grid_worker"],
    ["community_officer", "judicial_office", "lawyer"],
    ["police_station", "judicial_office", "lawyer", "court"],
)

at = st.sampled_from(TIMES).map(datetime.isoformat)
badge = st.sampled_from(BADGES)
visit_id = st.sampled_from([f"V{n}" for n in range(6)])
record_id = st.sampled_from([f"{k}{n}" for k in "VLS" for n in range(6)])
dispute_id = st.sampled_from(["D0", "D1", "D2"])
venue_id = st.sampled_from(["P0", "P1"])
finding_id = st.sampled_from(["F0", "F1", "F2"])


def _command(type_: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, **fields}


commands = st.one_of(
    st.builds(
        lambda o, m, hs: _command("plan_visits", officer=o, month=m, households=hs),
        badge,
        st.sampled_from(MONTHS),
        st.lists(st.sampled_from(HOUSEHOLDS), unique=True),
    ),
    st.builds(
        lambda i, o, h, t, ok: _command(
            "record_visit",
            id=i,
            officer=o,
            household=h,
            occurred_at=t,
            people_match_register=ok,
        ),
        visit_id,
        badge,
        st.sampled_from(HOUSEHOLDS),
        at,
        st.booleans(),
    ),
    st.builds(
        lambda v, o, t, ok: _command(
            "follow_up_visit", visit=v, officer=o, occurred_at=t, satisfied=ok
        ),
        visit_id,
        badge,
        at,
        st.booleans(),
    ),
    st.builds(
        lambda n, o, k, t: _command(
            "report_lead", id=f"L{n}", officer=o, kind=k, occurred_at=t, summary="线索"
        ),
        st.integers(0, 5),
        badge,
        st.sampled_from(["criminal_lead", "information"]),
        at,
    ),
    st.builds(
        lambda n, o, t, ok: _command(
            "record_service",
            id=f"S{n}",
            officer=o,
            kind="id_card_delivery",
            occurred_at=t,
            acknowledged=ok,
        ),
        st.integers(0, 5),
        badge,
        at,
        st.booleans(),
    ),
    st.builds(
        lambda r, o, t: _command(
            "retract_record", record=r, officer=o, reason="录入错误", occurred_at=t
        ),
        record_id,
        badge,
        at,
    ),
    st.builds(
        lambda i, o, t, lv, pc: _command(
            "open_dispute",
            id=i,
            officer=o,
            category="邻里纠纷",
            parties=["张三", "李四"],
            occurred_at=t,
            **({"level": lv} if lv else {}),
            physical_conflict=pc,
        ),
        dispute_id,
        badge,
        at,
        st.sampled_from([None, "blue", "yellow", "red"]),
        st.booleans(),
    ),
    st.builds(
        lambda d, o, lv, t: _command(
            "escalate_dispute", dispute=d, officer=o, to_level=lv, reason="激化", occurred_at=t
        ),
        dispute_id,
        badge,
        st.sampled_from(["yellow", "red"]),
        at,
    ),
    st.builds(
        lambda d, o, ps, ok, t: _command(
            "mediate_dispute",
            dispute=d,
            officer=o,
            participants=ps,
            outcome="resolved" if ok else "failed",
            occurred_at=t,
        ),
        dispute_id,
        badge,
        st.sampled_from(ROLE_SETS),
        st.booleans(),
        at,
    ),
    st.builds(
        lambda d, o, ok, t: _command(
            "follow_up_dispute", dispute=d, officer=o, parties_satisfied=ok, occurred_at=t
        ),
        dispute_id,
        badge,
        st.booleans(),
        at,
    ),
    st.builds(
        lambda d, o, t: _command(
            "refer_dispute", dispute=d, officer=o, to="街道", reason="上交", occurred_at=t
        ),
        dispute_id,
        badge,
        at,
    ),
    st.builds(
        lambda d, o, t: _command(
            "reopen_dispute", dispute=d, officer=o, reason="再起争执", occurred_at=t
        ),
        dispute_id,
        badge,
        at,
    ),
    st.builds(
        lambda i, o, t: _command(
            "register_venue",
            id=i,
            name="网吧",
            category="internet_cafe",
            address="新湖大街",
            officer=o,
            occurred_at=t,
        ),
        venue_id,
        badge,
        at,
    ),
    st.builds(
        lambda v, o, m, fs, t: _command(
            "inspect_venue",
            venue=v,
            officer=o,
            mode=m,
            occurred_at=t,
            findings=[
                {"id": f, "code": "ID-03", "description": "未实名", "rectify_by": "2014-01-20"}
                for f in fs
            ],
        ),
        venue_id,
        badge,
        st.sampled_from(["online", "routine", "spot_check"]),
        st.lists(finding_id, unique=True, max_size=2),
        at,
    ),
    st.builds(
        lambda v, f, o, ok, t: _command(
            "verify_rectification", venue=v, finding=f, officer=o, passed=ok, occurred_at=t
        ),
        venue_id,
        finding_id,
        badge,
        st.booleans(),
        at,
    ),
)

ENLIST = [
    _command("enlist_officer", badge=b, name=f"民警{b}", station="新湖派出所", beat=f"区{b}")
    for b in BADGES
]


def record(station: beatpolice.Station, batch: list[dict[str, Any]]) -> None:
    """Record each command; refused ones record nothing, which is fine here."""
    for command in batch:
        with contextlib.suppress(BeatpoliceError):
            station.handle(command)


def snapshot(registries: Registries) -> dict[str, dict[str, list[tuple[str, Any]]]]:
    """Every document of every registry table, and the positions."""
    found: dict[str, dict[str, list[tuple[str, Any]]]] = {}
    for runner in registries.runners:
        projection = runner.projection
        found[projection.name] = {
            table: list(registries.store.scan(projection.name, table))
            for table in projection.tables
        }
    return found


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


# --- the plain fold, written independently of the projections ----------------------------


def _month(moment: datetime) -> str:
    local = moment.astimezone(BEIJING)  # Asia/Shanghai has had no DST since 1991
    return f"{local.year:04d}-{local.month:02d}"


def plain_fold(events: list[Any]) -> dict[str, Any]:
    """What each registry must show, folded the simplest way from the events."""
    records: dict[tuple[str, str], dict[str, Any]] = {}
    plans: dict[tuple[str, str], set[str]] = {}
    ever_planned: set[str] = set()  # a household once planned stays in the registry
    disputes: dict[str, dict[str, Any]] = {}
    venues: dict[str, dict[str, Any]] = {}
    for event in events:
        kind = type(event).__name__
        if kind == "VisitsPlanned":
            plans[event.officer, event.month] = set(event.households)
            ever_planned.update(event.households)
        elif kind in ("VisitRecorded", "LeadReported", "ServiceRendered"):
            records[event.officer, event.id] = {
                "kind": kind,
                "event": event,
                "live": True,
                "satisfied": None,
            }
        elif kind == "VisitFollowedUp":
            records[event.officer, event.visit]["satisfied"] = event.satisfied
        elif kind == "RecordRetracted":
            records[event.officer, event.record]["live"] = False
        elif kind == "DisputeOpened":
            disputes[event.dispute] = {
                "status": "open",
                "level": event.level.value,
                "referrals": 0,
                "escalations": 0,
            }
        elif kind == "DisputeEscalated":
            disputes[event.dispute]["level"] = event.to_level.value
            disputes[event.dispute]["escalations"] += 1
        elif kind == "DisputeResolved":
            disputes[event.dispute]["status"] = "resolved"
        elif kind == "DisputeReferred":
            disputes[event.dispute]["status"] = "referred"
            disputes[event.dispute]["referrals"] += 1
        elif kind == "DisputeReopened":
            disputes[event.dispute]["status"] = "reopened"
        elif kind == "VenueRegistered":
            venues[event.venue] = {"open": set(), "inspections": {}, "last": None}
        elif kind == "VenueInspected":
            venue = venues[event.venue]
            key = (_month(event.occurred_at), event.mode.value)
            venue["inspections"][key] = venue["inspections"].get(key, 0) + 1
            if venue["last"] is None or event.occurred_at > venue["last"][0]:
                venue["last"] = (event.occurred_at, event.mode.value)
        elif kind == "ViolationFound":
            venues[event.venue]["open"].add(event.finding)
        elif kind == "RectificationVerified":
            venues[event.venue]["open"].discard(event.finding)
    live = [r for r in records.values() if r["live"]]
    officers = {}
    for b in BADGES:
        for month in MONTHS:
            mine = [
                r["event"]
                for r in live
                if r["event"].officer == b and _month(r["event"].occurred_at) == month
            ]
            visits = [e for e in mine if type(e).__name__ == "VisitRecorded"]
            officers[b, month] = {
                "visits": len(visits),
                "households_visited": len({e.household for e in visits}),
                "households_planned": len(plans.get((b, month), set())),
                "leads": sum(1 for e in mine if type(e).__name__ == "LeadReported"),
                "services": sum(1 for e in mine if type(e).__name__ == "ServiceRendered"),
            }
    households: dict[tuple[str, str], dict[str, Any]] = {}
    seen = ever_planned | {
        r["event"].household for r in records.values() if r["kind"] == "VisitRecorded"
    }
    for h in seen:
        visits = [r for r in live if r["kind"] == "VisitRecorded" and r["event"].household == h]
        for month in MONTHS:
            planners = sorted(b for (b, m), hs in plans.items() if m == month and h in hs)
            households[h, month] = {
                "visits_total": len(visits),
                "visits_this_month": sum(
                    1 for r in visits if _month(r["event"].occurred_at) == month
                ),
                "open_follow_ups": sum(1 for r in visits if r["satisfied"] is None),
                "planned_by": planners,
                "unvisited_by": [
                    b
                    for b in planners
                    if not any(
                        r["event"].officer == b and _month(r["event"].occurred_at) == month
                        for r in visits
                    )
                ],
                "last_visit_at": max((r["event"].occurred_at for r in visits), default=None),
            }
    return {"officers": officers, "households": households, "disputes": disputes, "venues": venues}


def assert_agrees_with_plain_fold(registries: Registries, events: list[Any]) -> None:
    expected = plain_fold(events)
    for month in MONTHS:
        rows = {row.badge: row for row in registries.officers(month=month)}
        assert set(rows) == set(BADGES)
        for b in BADGES:
            row = rows[b]
            got = {k: getattr(row, k) for k in expected["officers"][b, month]}
            assert got == expected["officers"][b, month], (b, month)
        households = {row.household: row for row in registries.households(month=month)}
        want = {h: v for (h, m), v in expected["households"].items() if m == month}
        assert set(households) == set(want)
        for h, values in want.items():
            row = households[h]
            assert row.visits_total == values["visits_total"]
            assert row.visits_this_month == values["visits_this_month"]
            assert len(row.open_follow_ups) == values["open_follow_ups"]
            assert list(row.planned_by) == values["planned_by"]
            assert list(row.unvisited_by) == values["unvisited_by"]
            assert row.last_visit_at == values["last_visit_at"]
    registry = registries.disputes()
    got_disputes = {
        r.dispute: {
            "status": r.status,
            "level": r.level.value,
            "referrals": r.referrals,
            "escalations": len(r.escalations),
        }
        for r in registry.rows
    }
    assert got_disputes == expected["disputes"]
    settled = [d for d in expected["disputes"].values() if d["status"] in ("resolved", "referred")]
    assert registry.not_referred.denominator == len(settled)
    assert registry.not_referred.numerator == sum(
        1 for d in settled if d["status"] == "resolved" and d["referrals"] == 0
    )
    venues = {row.venue: row for row in registries.venues()}
    assert set(venues) == set(expected["venues"])
    for v, values in expected["venues"].items():
        row = venues[v]
        assert {f.finding for f in row.open_findings} == values["open"]
        flat = {(m, mode): n for m, modes in row.inspections.items() for mode, n in modes.items()}
        assert flat == values["inspections"]
        last = values["last"]
        assert (row.last_inspection_at, row.last_inspection_mode) == (
            (None, None) if last is None else (last[0], last[1])
        )


# --- the properties ----------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batches=st.lists(st.lists(commands, max_size=12), min_size=1, max_size=4),
    slices=st.lists(st.integers(1, 7), min_size=1, max_size=6),
    page_size=st.integers(1, 9),
)
def test_slices_equal_rebuild_and_a_plain_fold(
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
            # catch up part of the way, each registry by its own slice sizes
            for index, runner in enumerate(registries.runners):
                runner.catch_up(limit=slices[(number + index) % len(slices)])
        registries.catch_up()
        incremental = snapshot(registries)
        events = [event for _, event in station.events()]
        assert set(registries.positions().values()) == {len(events)}

        assert_agrees_with_plain_fold(registries, events)
        registries.rebuild()
        assert snapshot(registries) == incremental


def test_a_page_from_a_runner_that_missed_a_commit_is_refused(
    station: beatpolice.Station,
) -> None:
    record(station, ENLIST)
    record(
        station,
        [
            _command(
                "record_visit",
                id="V1",
                officer="B1",
                household="H1",
                occurred_at=TIMES[0].isoformat(),
                people_match_register=True,
            )
        ],
    )
    registries = open_registries(station)
    registries.catch_up()
    before = snapshot(registries)
    officers = registries.runners[0]

    class Stale:
        """The store as a runner saw it before the last commit: at position 0."""

        def __init__(self, store: Any) -> None:
            self._store = store

        def position(self, projection: str) -> tuple[int, int | None]:
            return 0, officers.projection.version

        def __getattr__(self, name: str) -> Any:
            return getattr(self._store, name)

    stale = ProjectionRunner(
        officers.projection,
        Stale(registries.store),  # type: ignore[arg-type]
        officers._source,
    )
    with pytest.raises(PositionConflictError):
        stale.catch_up()
    assert snapshot(registries) == before
    assert registries.catch_up() == 0


def test_catch_up_applies_only_new_events(station: beatpolice.Station) -> None:
    record(station, ENLIST)
    registries = open_registries(station)
    assert registries.catch_up() == 2
    assert registries.catch_up() == 0
    record(
        station,
        [
            _command(
                "report_lead",
                id="L1",
                officer="B2",
                kind="information",
                occurred_at=TIMES[0].isoformat(),
                summary="线索",
            )
        ],
    )
    assert registries.pending() == 1
    assert registries.catch_up() == 1
    (row,) = registries.officers(month="2014-01", officer="B2")
    assert row.leads == 1


def test_registries_are_tables_of_the_stations_own_store(
    station: beatpolice.Station, backend: str
) -> None:
    record(station, ENLIST)
    open_registries(station).catch_up()
    if backend == "memory":
        return
    if backend == "sqlite":
        import sqlite3

        path = station.store.env["SQLITE_DBNAME"]
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT key, json_extract(doc, '$.name') FROM bp_officers_officers ORDER BY key"
            ).fetchall()
            tracked = connection.execute(
                "SELECT name, position FROM bp_projection_tracking ORDER BY name"
            ).fetchall()
    else:
        import psycopg

        env = station.store.env
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
        ) as connection:
            rows = connection.execute(
                "SELECT key, doc->>'name' FROM bp_officers_officers ORDER BY key"
            ).fetchall()
            tracked = connection.execute(
                "SELECT name, position FROM bp_projection_tracking ORDER BY name"
            ).fetchall()
    assert [tuple(r) for r in rows] == [("B1", "民警B1"), ("B2", "民警B2")]
    assert sorted(tuple(r) for r in tracked) == [
        ("disputes", 2),
        ("households", 2),
        ("officer_days", 2),
        ("officers", 2),
        ("patrols", 2),
        ("population", 2),
        ("requests", 2),
        ("venues", 2),
    ]

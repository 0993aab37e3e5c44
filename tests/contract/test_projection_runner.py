"""The projection runner and view stores behave alike on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import beatpolice
from beatpolice.domain import DomainEvent
from beatpolice.projections import DocumentView, PositionConflictError, ProjectionRunner

BEIJING = timezone(timedelta(hours=8))


class EventsByType:
    """A tiny fold: for each event type, how many and at which positions."""

    name = "bytype"
    version = 1
    tables = ("counts",)

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        key = type(event).__name__
        document = view.get("counts", key) or {"n": 0, "positions": []}
        document["n"] += 1
        document["positions"].append(position)
        view.put("counts", key, document)


def _record(station: beatpolice.Station, visits: int) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    for number in range(visits):
        station.record_visit(
            id=f"V{number}",
            officer="D0001",
            household=f"德州市德城区{number % 7}号",
            occurred_at=datetime(2014, 1, 3, 9, 30, tzinfo=BEIJING),
            people_match_register=True,
        )


def _runner(station: beatpolice.Station, page_size: int = 7) -> ProjectionRunner:
    return ProjectionRunner(
        EventsByType(), station.view_store, station.read_events, page_size=page_size
    )


def _view(runner: ProjectionRunner) -> dict[str, object]:
    return dict(runner.store.scan("bytype", "counts"))


def test_catch_up_in_slices_equals_rebuild(station: beatpolice.Station) -> None:
    _record(station, 30)
    runner = _runner(station)
    slices = [runner.catch_up(limit=size).applied for size in (1, 5, 11, 3)]
    assert slices == [1, 5, 11, 3]
    rest = runner.catch_up()
    assert rest.applied == 31 - 20
    assert runner.position == 31
    incremental = _view(runner)
    runner.rebuild()
    assert _view(runner) == incremental
    assert incremental["VisitRecorded"] == {"n": 30, "positions": list(range(2, 32))}


def test_catch_up_applies_only_new_events(station: beatpolice.Station) -> None:
    _record(station, 3)
    runner = _runner(station)
    assert runner.catch_up().applied == 4
    assert runner.catch_up().applied == 0
    station.record_visit(
        id="V99",
        officer="D0001",
        household="h",
        occurred_at=datetime(2014, 1, 4, tzinfo=BEIJING),
        people_match_register=False,
    )
    assert runner.catch_up().applied == 1
    assert _view(runner)["VisitRecorded"] == {"n": 4, "positions": [2, 3, 4, 5]}


def test_a_page_committed_from_a_stale_position_is_refused(station: beatpolice.Station) -> None:
    _record(station, 3)
    store = station.view_store
    store.commit("bytype", 1, {("counts", "x"): {"n": 1}}, expected=0, position=2)
    with pytest.raises(PositionConflictError):
        store.commit("bytype", 1, {("counts", "x"): {"n": 99}}, expected=0, position=2)
    assert dict(store.scan("bytype", "counts")) == {"x": {"n": 1}}
    assert store.position("bytype") == (2, 1)


def test_two_runners_never_apply_an_event_twice(station: beatpolice.Station) -> None:
    _record(station, 10)
    first, second = _runner(station, page_size=4), _runner(station, page_size=4)
    first.catch_up(limit=4)
    second.catch_up()  # moves on from 4, where the first left it
    with pytest.raises(PositionConflictError):
        # the first runner still believes the position is 4
        first.store.commit("bytype", 1, {("counts", "y"): {"n": 1}}, expected=4, position=8)
    assert _view(second)["VisitRecorded"]["n"] == 10  # type: ignore[index]


def test_a_changed_fold_version_rebuilds_the_view(station: beatpolice.Station) -> None:
    _record(station, 2)
    runner = _runner(station)
    runner.catch_up()
    store = station.view_store
    store.commit("bytype", 1, {("counts", "stale"): {"n": 7}}, expected=3, position=3)

    class Renamed(EventsByType):
        version = 2

    renamed = ProjectionRunner(Renamed(), store, station.read_events)
    assert renamed.catch_up().applied == 3
    assert "stale" not in _view(renamed)


def test_scan_filters_by_prefix_in_key_order(station: beatpolice.Station) -> None:
    store = station.view_store
    changes = {("counts", key): {"k": key} for key in ("2014-02/b", "2014-01/b", "2014-01/a")}
    store.commit("bytype", 1, changes, expected=0, position=1)
    assert [key for key, _ in store.scan("bytype", "counts", "2014-01/")] == [
        "2014-01/a",
        "2014-01/b",
    ]
    assert store.load("bytype", "counts", ["2014-02/b", "nope"]) == {
        "2014-02/b": {"k": "2014-02/b"}
    }

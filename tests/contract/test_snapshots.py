"""Aggregates with long histories load from a snapshot and fewer than an interval of events.

An officer's records are aggregates of their own, so an officer with 10,000 records
loads from one event; what still grows is the officer's own history (monthly plans,
re-planned), which the snapshot covers. Load times with and without the snapshot are
measured and printed (run with ``-s``) but never asserted: the assertion is on how many
events a load reads.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from contract_helpers import BADGE, FIELD_TIME, enlist

import beatpolice
from beatpolice import commands
from beatpolice.application._event_store_app import SNAPSHOT_INTERVAL
from beatpolice.application.unit_of_work import project
from beatpolice.domain import Officer

EVENTS = 10_000
BATCH = 1_000


def _plan_again_and_again(station: beatpolice.Station, count: int) -> None:
    """``count`` visit plans of one officer (a later plan replaces an earlier one)."""
    for start in range(0, count, BATCH):
        batch = [
            commands.PlanVisits(
                officer=BADGE, month="2014-01", households=(f"H{number}", f"H{number + 1}")
            )
            for number in range(start, min(start + BATCH, count))
        ]
        outcomes = station.handle_batch(batch)
        assert all(isinstance(o, beatpolice.Receipt) and o.events == 1 for o in outcomes)


def _record_services(station: beatpolice.Station, count: int) -> None:
    for start in range(0, count, BATCH):
        batch = [
            commands.RecordService(
                id=f"S{number}",
                officer=BADGE,
                kind="id_card_delivery",
                occurred_at=FIELD_TIME + timedelta(minutes=number),
                acknowledged=number % 2 == 0,
            )
            for number in range(start, min(start + BATCH, count))
        ]
        outcomes = station.handle_batch(batch)
        assert all(isinstance(o, beatpolice.Receipt) and o.events == 1 for o in outcomes)


def test_an_officer_with_many_records_is_one_event(station: beatpolice.Station) -> None:
    enlist(station)
    _record_services(station, 2 * SNAPSHOT_INTERVAL)
    assert station.officer(BADGE).version == 1
    assert station.record(BADGE, "S7").kind == "service"


@pytest.mark.slow
def test_officer_with_ten_thousand_events_loads_from_a_snapshot(
    station: beatpolice.Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    enlist(station)
    _plan_again_and_again(station, EVENTS - 1)
    app: Any = station._app
    officer_id = Officer.create_id(BADGE)

    snapshots = list(app.snapshots.get(officer_id, desc=True, limit=1))
    assert snapshots, "no snapshot was taken"
    assert snapshots[0].originator_version > EVENTS - SNAPSHOT_INTERVAL

    read: list[int] = []
    select_events = app.recorder.select_events

    def counting(*args: Any, **kwargs: Any) -> Any:
        rows = select_events(*args, **kwargs)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(app.recorder, "select_events", counting)
    started = time.perf_counter()
    officer = station.officer(BADGE)
    with_snapshot = time.perf_counter() - started
    events_read = sum(read)
    monkeypatch.undo()

    assert officer.version == EVENTS
    assert events_read < SNAPSHOT_INTERVAL

    started = time.perf_counter()
    replayed = project(None, app.events.get(officer_id))
    without_snapshot = time.perf_counter() - started
    assert replayed.version == officer.version
    assert replayed._commands == officer._commands
    print(
        f"\n{station.backend}: officer with {EVENTS} events loads in "
        f"{with_snapshot * 1000:.1f} ms from a snapshot ({events_read} events read), "
        f"{without_snapshot * 1000:.1f} ms by replaying every event"
    )


def test_snapshot_state_equals_the_replayed_state(station: beatpolice.Station) -> None:
    enlist(station)
    _plan_again_and_again(station, SNAPSHOT_INTERVAL + 5)
    app: Any = station._app
    officer_id = Officer.create_id(BADGE)

    loaded = station.officer(BADGE)
    replayed = project(None, app.events.get(officer_id))

    assert list(app.snapshots.get(officer_id))
    assert vars(loaded) == vars(replayed)

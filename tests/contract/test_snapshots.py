"""An officer with 10,000 events loads from a snapshot and fewer than an interval of events.

Load times with and without the snapshot are measured and printed (run with ``-s``)
but never asserted: the assertion is on how many events a load reads.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from contract_helpers import BADGE, FIELD_TIME, enlist

import beatpolice
from beatpolice import commands
from beatpolice._handlers import project
from beatpolice._station import SNAPSHOT_INTERVAL
from beatpolice.domain import Officer

EVENTS = 10_000
BATCH = 1_000


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


@pytest.mark.slow
def test_officer_with_ten_thousand_events_loads_from_a_snapshot(
    station: beatpolice.Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    enlist(station)
    _record_services(station, EVENTS - 1)
    app: Any = station.app
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
    assert len(officer.records) == EVENTS - 1
    assert events_read < SNAPSHOT_INTERVAL

    started = time.perf_counter()
    replayed = project(None, app.events.get(officer_id))
    without_snapshot = time.perf_counter() - started
    assert replayed.version == officer.version
    assert replayed.records == officer.records
    assert replayed._commands == officer._commands
    print(
        f"\n{station.backend}: officer with {EVENTS} events loads in "
        f"{with_snapshot * 1000:.1f} ms from a snapshot ({events_read} events read), "
        f"{without_snapshot * 1000:.1f} ms by replaying every event"
    )


def test_snapshot_state_equals_the_replayed_state(station: beatpolice.Station) -> None:
    enlist(station)
    _record_services(station, SNAPSHOT_INTERVAL + 5)
    station.retract_record(
        record="S3", officer=BADGE, reason="录入错误", occurred_at=FIELD_TIME + timedelta(hours=1)
    )
    app: Any = station.app
    officer_id = Officer.create_id(BADGE)

    loaded = station.officer(BADGE)
    replayed = project(None, app.events.get(officer_id))

    assert list(app.snapshots.get(officer_id))
    assert vars(loaded) == vars(replayed)
    assert loaded.record("S3").retracted  # type: ignore[union-attr]

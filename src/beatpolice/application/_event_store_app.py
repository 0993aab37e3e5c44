"""The eventsourcing application under a Station: its settings and its snapshots.

Private to the application ring: the Station keeps one and hands out none (ADR 0263).
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.utils import register_topic

from beatpolice.domain._base import AggregateSnapshot

__all__ = ["SNAPSHOT_INTERVAL", "EventStoreApp"]

SNAPSHOT_INTERVAL = 200
"""An aggregate is snapshotted every this many events (an officer with 10,000 events
then loads from a snapshot and at most 199 events)."""

register_topic("beatpolice:Snapshot", AggregateSnapshot)
AggregateSnapshot.TOPIC = "beatpolice:Snapshot"


class EventStoreApp(Application[UUID]):
    name = "beatpolice"
    env: ClassVar[dict[str, str]] = {
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    snapshot_class = AggregateSnapshot

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # eventsourcing re-reads each aggregate from the store to snapshot it; the saved
        # aggregate in hand is the same state, so snapshot that instead.
        assert self.snapshots is not None
        due = {
            event.originator_id
            for event in processing_event.events
            if event.originator_version % SNAPSHOT_INTERVAL == 0
        }
        snapshots = [
            AggregateSnapshot.take(aggregate)
            for aggregate_id, aggregate in processing_event.aggregates.items()
            if aggregate_id in due
        ]
        if snapshots:
            self.snapshots.put(snapshots)

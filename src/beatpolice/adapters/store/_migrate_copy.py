"""The copy of ``beatpolice migrate``: each old event turned into the new layout, in batches.

A record's events (visits, leads, services, their follow-ups and retractions) move to the
record's own aggregate, numbered 1..n in recording order; the officer keeps its
enlistment and plans, renumbered; each escalation policy a ``DisputeOpened`` names is
recorded as a ``PolicyAdopted`` just before it, when it can be found (ADR 0232); every
other event is copied byte for byte.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from pydantic import BaseModel

import beatpolice.domain  # noqa: F401  (registers every event's topic for decoding)
from beatpolice.adapters.store.mapper import decode_event, encode_event
from beatpolice.domain._base import stable_id
from beatpolice.domain.errors import StorageError
from beatpolice.domain.policy_record import PolicyAdopted, PolicyRecord, key
from beatpolice.domain.rules.escalation import EscalationPolicy, policy_named

__all__ = [
    "FOLLOWING_TOPICS",
    "OFFICER_TOPICS",
    "RECORD_TOPICS",
    "Copier",
    "Progress",
    "record_id",
]

RECORD_TOPICS = frozenset(
    {
        "beatpolice:VisitRecorded",
        "beatpolice:LeadReported",
        "beatpolice:ServiceRendered",
    }
)
"""The events that create a record's aggregate (their ``id`` names the record)."""

FOLLOWING_TOPICS = {"beatpolice:VisitFollowedUp": "visit", "beatpolice:RecordRetracted": "record"}
"""The events of an existing record, and the field naming the record."""

OFFICER_TOPICS = frozenset({"beatpolice:OfficerEnlisted", "beatpolice:VisitsPlanned"})
"""What stays the officer's: renumbered once the records have moved out."""

_VERSIONS_KEPT = 100_000
"""Records whose last version is kept in memory; an older one is read back from the new
store. Larger than :data:`~beatpolice.adapters.store.migrate.BATCH`, so every record of
the unwritten batch is in memory."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called after each written transaction."""


def record_id(officer: str, record: str) -> UUID:
    """The aggregate id of officer ``officer``'s record ``record`` in format 2."""
    return stable_id("fieldrecord", f"{officer}/{record}")


class Copier:
    """Turns the old store's events into the new layout and writes them in batches."""

    def __init__(
        self,
        recorder: Any,
        where: str,
        policies: list[EscalationPolicy],
        adopted_before: frozenset[str],
    ) -> None:
        self.recorder = recorder
        self.where = where
        self.policies = {key(p.name, p.version): p for p in policies}
        self.counts: Counter[str] = Counter()
        self.adopted: set[str] = set(adopted_before)
        """Policies recorded in the new store (or found recorded in the old one)."""
        self.missing: set[str] = set()
        self._officers: dict[UUID, int] = {}
        self._records: OrderedDict[UUID, int] = OrderedDict()

    def run(
        self, events: Iterator[StoredEvent], total: int, progress: Progress | None, batch: int
    ) -> None:
        """Convert and write ``events`` (``total`` of them), ``batch`` per transaction."""
        pending: list[StoredEvent] = []
        done = 0
        for stored in events:
            pending.extend(self.convert(stored))
            if len(pending) >= batch:
                done += self.write(pending)
                if progress is not None:
                    progress(min(done, total), total)
        done += self.write(pending)
        if progress is not None:
            progress(total, total)

    def write(self, pending: list[StoredEvent]) -> int:
        """Write ``pending`` in one transaction; returns how many old events it held."""
        if not pending:
            return 0
        self.recorder.insert_events(pending)
        for stored in pending:
            self.counts[stored.topic] += 1
        written = sum(1 for stored in pending if stored.topic != PolicyAdopted.TOPIC)
        pending.clear()
        return written

    def convert(self, stored: StoredEvent) -> list[StoredEvent]:
        """The new store's events for one old event (a policy's record may come first)."""
        topic = stored.topic
        if topic in RECORD_TOPICS or topic in FOLLOWING_TOPICS:
            event = self._decode(stored)
            field = "id" if topic in RECORD_TOPICS else FOLLOWING_TOPICS[topic]
            aggregate = record_id(str(event.officer), str(getattr(event, field)))
            version = 1 if topic in RECORD_TOPICS else self._next_record_version(aggregate, event)
            self._records[aggregate] = version
            self._records.move_to_end(aggregate)
            if len(self._records) > _VERSIONS_KEPT:
                self._records.popitem(last=False)
            return [self._rehomed(event, aggregate, version)]
        if topic in OFFICER_TOPICS:
            event = self._decode(stored)
            officer = UUID(str(stored.originator_id))
            version = self._officers.get(officer, 0) + 1
            self._officers[officer] = version
            return [self._rehomed(event, officer, version)]
        if topic == "beatpolice:DisputeOpened":
            return [*self._adoption(stored), stored]
        return [stored]

    def _decode(self, stored: StoredEvent) -> Any:
        return decode_event(
            stored.topic, stored.state, stored.originator_id, stored.originator_version
        )

    @staticmethod
    def _rehomed(event: BaseModel, aggregate: UUID, version: int) -> StoredEvent:
        moved = event.model_copy(
            update={"originator_id": aggregate, "originator_version": version}
        )
        return StoredEvent(
            originator_id=aggregate,
            originator_version=version,
            topic=cast(Any, type(event)).TOPIC,
            state=encode_event(moved),
        )

    def _next_record_version(self, aggregate: UUID, event: Any) -> int:
        known = self._records.get(aggregate)
        if known is not None:
            return known + 1
        found = self.recorder.select_events(aggregate, desc=True, limit=1)
        if not found:
            officer, record = event.officer, getattr(event, "record", None)
            raise StorageError(
                f"cannot migrate: a {type(event).__name__} of officer {officer!r} names a "
                f"record {record or getattr(event, 'visit', '')!r} the old store never "
                "recorded; nothing usable was written"
            )
        return int(found[0].originator_version) + 1

    def _adoption(self, stored: StoredEvent) -> list[StoredEvent]:
        opened = self._decode(stored)
        name, version = str(opened.policy), str(opened.policy_version)
        policy = self._find(name, version)
        wanted = key(name, version if version or policy is None else policy.version)
        if wanted in self.adopted or wanted in self.missing:
            return []
        if policy is None:
            self.missing.add(wanted)
            return []
        self.adopted.add(wanted)
        adoption = PolicyAdopted(
            originator_id=PolicyRecord.create_id(policy.name, policy.version),
            originator_version=1,
            timestamp=opened.timestamp,
            command=opened.command,
            originator_topic=PolicyRecord.TOPIC,
            policy=policy.name,
            policy_version=policy.version,
            document=policy.model_dump_json(),
        )
        return [
            StoredEvent(
                originator_id=adoption.originator_id,
                originator_version=1,
                topic=PolicyAdopted.TOPIC,
                state=encode_event(adoption),
            )
        ]

    def _find(self, name: str, version: str) -> EscalationPolicy | None:
        given = self.policies.get(key(name, version))
        if given is not None:
            return given
        try:
            return policy_named(name, version or None)
        except LookupError:
            return None

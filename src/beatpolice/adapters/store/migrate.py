"""``beatpolice migrate OLD NEW``: copy a store written by 0.1 into the format-2 layout.

0.1 kept every visit, lead and service (and their follow-ups and retractions) as events
of the officer's aggregate; format 2 gives each record an aggregate of its own (ADR
0240). The migration reads the old store through a path of its own (read-only, in one
read transaction, never through :func:`beatpolice.connect`, which refuses a 0.1 store),
and writes every event to the new store in notification order, in pages and large
transactions (ADR 0231):

* a record's events move to the record's aggregate, ``stable_id("fieldrecord",
  "OFFICER/RECORD")``, numbered 1..n in the order they were recorded; the officer keeps
  its enlistment and plans, renumbered 1..n;
* disputes' and venues' events are copied as they are, byte for byte;
* every event keeps its recorded ``timestamp`` and ``command`` digest (so the event
  references and fingerprints of reports made under 0.1 are found again), and all its
  other fields; record events are decoded by the project's mapper (which upcasts them)
  and encoded again in their current version;
* each escalation policy named by a ``DisputeOpened`` is recorded once as a
  ``PolicyAdopted`` just before the first dispute opened under it, when this process can
  find it (shipped, or given as a file); the ones it cannot find are reported (ADR 0232);
* snapshots are not copied: they are taken again as aggregates are saved.

The new store is marked as an incomplete migration before the first event is written and
the mark is removed last, so a copy that stops half-way is refused by every reader until
``beatpolice migrate`` is run again (ADR 0233).
"""

from __future__ import annotations

import contextlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment
from pydantic import BaseModel

import beatpolice.domain  # noqa: F401  (registers every event's topic for decoding)
from beatpolice.adapters.store import _store_postgres, _store_sqlite
from beatpolice.adapters.store._migrate_old import count_events, old_events
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store._store_marker import Verdict
from beatpolice.adapters.store.mapper import (
    JSONTranscoder,
    PydanticMapper,
    decode_event,
    encode_event,
)
from beatpolice.adapters.store.storage import StoreURL, locked, open_store, parse_url
from beatpolice.domain._base import stable_id
from beatpolice.domain.errors import NotAStoreError, StorageError
from beatpolice.domain.policy_record import PolicyAdopted, PolicyRecord, key
from beatpolice.domain.rules.escalation import EscalationPolicy, load_policy, policy_named

__all__ = ["BATCH", "MigrationReport", "migrate", "record_id"]

BATCH = 5000
"""Events written per transaction (``recorder.insert_events``)."""

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
store. Larger than :data:`BATCH`, so every record of the unwritten batch is in memory."""

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called after each written transaction."""


def record_id(officer: str, record: str) -> UUID:
    """The aggregate id of officer ``officer``'s record ``record`` in format 2."""
    return stable_id("fieldrecord", f"{officer}/{record}")


@attrs.frozen
class MigrationReport:
    """What a migration copied."""

    old: str
    new: str
    events: dict[str, int]
    """Events written to the new store, by topic (``PolicyAdopted`` included)."""
    officers: int
    records: int
    """Visits, leads and services, each now an aggregate of its own."""
    snapshots_skipped: int
    policies_adopted: tuple[str, ...]
    """``NAME@VERSION`` of each policy recorded (or copied) as ``PolicyAdopted``."""
    policies_missing: tuple[str, ...]
    """``NAME@VERSION`` of each policy disputes were opened under that was not found."""

    @property
    def total(self) -> int:
        """Events written in all."""
        return sum(self.events.values())

    def lines(self) -> list[str]:
        """The summary, one line each, as ``beatpolice migrate`` prints it."""
        out = [
            f"migrated {self.old} -> {self.new}: {self.total} events, {self.officers} "
            f"officers, {self.records} records ({self.snapshots_skipped} snapshots not "
            "copied: they are taken again)"
        ]
        out += [f"  {topic.split(':')[-1]}: {n}" for topic, n in sorted(self.events.items())]
        out += [f"policy {name} recorded in the store" for name in self.policies_adopted]
        out += [
            f"policy {name} not found: disputes opened under it cannot be escalated or "
            f"resolved until a station opens the store with its file (--policy FILE)"
            for name in self.policies_missing
        ]
        return out


def migrate(
    old_url: str,
    new_url: str,
    *,
    policies: Iterable[str | Path | EscalationPolicy] = (),
    progress: Progress | None = None,
    batch: int = BATCH,
) -> MigrationReport:
    """Copy the format-1 store at ``old_url`` into a new format-2 store at ``new_url``.

    Args:
        old_url: a store written by beatpolice 0.1 (SQLite or PostgreSQL); never written.
        new_url: where the new store goes: nothing yet, an empty store, or one a
            migration left incomplete (which is emptied and started over).
        policies: escalation policies (files, shipped names or models) to look for,
            beside the shipped ones, when disputes were opened under a station's own.
        progress: called with (events done, events in all) after each transaction.
        batch: events per transaction.

    Returns:
        What was copied.

    Raises:
        NotAStoreError: ``old_url`` is not a format-1 store, or ``new_url`` holds events
            or is not a beatpolice store.
        StorageError: a store cannot be read or written, or both URLs name one store.
    """
    old, new = parse_url(old_url), parse_url(new_url)
    _check_pair(old, new)
    extra = [p if isinstance(p, EscalationPolicy) else load_policy(p) for p in policies]
    with open_store(old, create=False, legacy=True) as decided:
        if decided is not Verdict.FORMAT_1:
            raise NotAStoreError(f"{old.display} is not a store of format 1: nothing to migrate")
    with guard_storage(old.display):
        total, adopted_before, snapshots = count_events(old)
    created = not _exists(new)
    try:
        with open_store(new, create=True, legacy=True, migrating_from=old.display) as verdict:
            recorder = _new_recorder(new, verdict, old.display)
        copier = _Copier(recorder, new.display, extra, adopted_before)
        with guard_storage(new.display):
            try:
                copier.run(old_events(old), total, progress, batch)
            finally:
                with contextlib.suppress(Exception):
                    recorder.datastore.close()
        _set_migration(new, None)
    except BaseException:
        if created and new.backend == "sqlite":
            _remove_sqlite(new.env["SQLITE_DBNAME"])
        raise
    return MigrationReport(
        old=old.display,
        new=new.display,
        events=dict(copier.counts),
        officers=copier.counts["beatpolice:OfficerEnlisted"],
        records=sum(copier.counts[topic] for topic in RECORD_TOPICS),
        snapshots_skipped=snapshots,
        policies_adopted=tuple(sorted(copier.adopted)),
        policies_missing=tuple(sorted(copier.missing)),
    )


def _check_pair(old: StoreURL, new: StoreURL) -> None:
    for store in (old, new):
        if store.backend == "memory":
            raise StorageError(
                "beatpolice migrate copies between SQLite files and PostgreSQL databases, "
                "not memory:// stores"
            )
    if old.backend == new.backend == "sqlite":
        same = Path(old.env["SQLITE_DBNAME"]).resolve() == Path(new.env["SQLITE_DBNAME"]).resolve()
    else:
        keys = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME")
        same = old.backend == new.backend and all(old.env[k] == new.env[k] for k in keys)
    if same:
        raise StorageError(
            f"beatpolice migrate copies into another store: {new.display} is {old.display}"
        )


def _exists(store: StoreURL) -> bool:
    return store.backend != "sqlite" or Path(store.env["SQLITE_DBNAME"]).exists()


def _new_recorder(new: StoreURL, verdict: Verdict, old: str) -> Any:
    """The new store's recorder, after its verdict (inside the schema lock)."""
    if verdict is Verdict.FORMAT_1:
        raise NotAStoreError(
            f"{new.display} was written by beatpolice 0.1 itself: migrate into a new file "
            "or an empty database"
        )
    env = Environment("beatpolice", dict(new.env))
    env["MAPPER_TOPIC"] = f"{PydanticMapper.__module__}:{PydanticMapper.__qualname__}"
    env["TRANSCODER_TOPIC"] = f"{JSONTranscoder.__module__}:{JSONTranscoder.__qualname__}"
    with guard_storage(new.display):
        factory = InfrastructureFactory.construct(env)
        recorder = factory.application_recorder()
        factory.aggregate_recorder("snapshots")
        held = recorder.max_notification_id() or 0
    if verdict is Verdict.OPEN:
        if held:
            raise NotAStoreError(
                f"{new.display} already holds {held} events: migrate into a new file or an "
                "empty database; nothing was written"
            )
        _set_migration(new, f"incomplete: from {old}")
    elif verdict is Verdict.INCOMPLETE and held:
        _empty(new, recorder)
    return recorder


def _empty(new: StoreURL, recorder: Any) -> None:
    """Delete what an earlier, unfinished migration wrote (only its events are there)."""
    table = recorder.events_table_name
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {table}")


def _set_migration(store: StoreURL, value: str | None) -> None:
    if store.backend == "sqlite":
        _store_sqlite.set_migration(store.env["SQLITE_DBNAME"], value)
    else:
        with locked(store) as connection:
            _store_postgres.set_migration(connection, store.display, value)


def _remove_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(path + suffix).unlink()


class _Copier:
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

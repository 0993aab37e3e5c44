"""The unit of work: the aggregates one transaction reads and changes.

A handler (:mod:`beatpolice.application.handlers`) finds aggregates through it; it
learns what a batch names from the store up front (:mod:`~beatpolice.application.
prefetch`), keeps what it loaded for the save, and hands the station's cache what was
saved, for the next batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import Application

from beatpolice.application.prefetch import names, stored_events, stored_versions
from beatpolice.domain._base import StationAggregate, stable_id

__all__ = ["CACHE_SIZE", "UnitOfWork", "project"]

CACHE_SIZE = 5000
"""Aggregates a station keeps in memory between transactions (least recently used go).
A cached aggregate may be stale if another process wrote since; the version check on
save then refuses the batch, the cache is dropped, and the batch is decided again."""

A = TypeVar("A", bound=StationAggregate)

_UNSEEN: Any = object()
"""Marks an aggregate a unit of work has not looked for yet (None: looked, absent)."""


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Fold events into an aggregate (eventsourcing's projector, without its checks)."""
    # eventsourcing's default projector checks each event against a Protocol with
    # isinstance (about 10 µs an event); our events all have ``mutate``.
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class UnitOfWork:
    """The aggregates one transaction reads and changes."""

    def __init__(
        self, app: Application[UUID], cache: dict[UUID, StationAggregate] | None = None
    ) -> None:
        self._app = app
        self._cache = cache if cache is not None else {}
        self._loaded: dict[UUID, StationAggregate | None] = {}
        self._touched: dict[UUID, tuple[StationAggregate, int]] = {}
        # what prefetch learnt; moved to _loaded when first found, so that aggregates are
        # saved in the order the commands found them, prefetched or not
        self._prefetched: dict[UUID, StationAggregate | None] = {}

    PREFETCH_MAX_VERSION = 200
    """Aggregates of at most this many events are prefetched from their events alone; a
    longer one is loaded by the repository, from its latest snapshot."""

    def prefetch(self, commands: Iterable[Any]) -> None:
        """Learn what the store holds of the aggregates a batch names, in two queries.

        One query reads the stored version of every aggregate the commands name: one not
        stored is known absent (a new record, dispute or venue: no load), a cached one
        whose version is the stored one is used as it is (no catch-up query). A second
        query reads every event of the others that are short (most records), which are
        then built from them; any other is left to :meth:`find`. What is learnt is as
        good as what :meth:`find` would read: the save's version check still guards
        against a writer that comes in between. On the in-memory store it does nothing.
        """
        ids: set[UUID] = set()
        for command in commands:
            for kind, name in names(command):
                ids.add(stable_id(kind.__name__.lower(), name))
        ids.difference_update(self._loaded)
        ids.difference_update(self._prefetched)
        if not ids:
            return
        versions = stored_versions(self._app, ids)
        if versions is None:
            return
        short: list[UUID] = []
        for aggregate_id in ids:
            version = versions.get(aggregate_id)
            cached = self._cache.get(aggregate_id)
            if version is None:
                self._prefetched[aggregate_id] = None
            elif cached is not None and cached.version == version:
                self._prefetched[aggregate_id] = cached
            elif cached is None and version <= self.PREFETCH_MAX_VERSION:
                short.append(aggregate_id)
        mapper = self._app.mapper
        for aggregate_id, stored in stored_events(self._app, short).items():
            events = [mapper.to_domain_event(event) for event in stored]
            self._prefetched[aggregate_id] = project(None, events) if events else None

    def begin_command(self) -> None:
        """Start watching the aggregates the next command reads, with their versions."""
        self._touched = {}

    def changed_by_command(self) -> bool:
        """Whether the command in hand triggered events (a refusal must not have)."""
        return any(aggregate.version != seen for aggregate, seen in self._touched.values())

    def find(self, kind: type[A], key: str) -> A | None:
        aggregate_id = stable_id(kind.__name__.lower(), key)
        found = self._loaded.get(aggregate_id, _UNSEEN)
        if found is _UNSEEN:
            found = self._loaded[aggregate_id] = self._load(aggregate_id)
        if found is None:
            return None
        if not isinstance(found, kind):
            raise TypeError(f"{key!r} is a {type(found).__name__}, not a {kind.__name__}")
        self._touched.setdefault(aggregate_id, (found, found.version))
        return found

    def _load(self, aggregate_id: UUID) -> StationAggregate | None:
        """What the store holds of an aggregate not yet found by this unit of work."""
        prefetched = self._prefetched.pop(aggregate_id, _UNSEEN)
        if prefetched is not _UNSEEN:
            return cast(StationAggregate | None, prefetched)
        cached = self._cache.get(aggregate_id)
        if cached is not None:
            # Another writer (process, station) may have recorded events since this one
            # cached the aggregate: catch up on them, or a command would be decided on
            # stale state (a follow-up of a visit recorded elsewhere refused as unknown).
            newer = list(self._app.events.get(aggregate_id, gt=cached.version))
            return project(cached, newer) if newer else cached
        try:
            return cast(
                StationAggregate, self._app.repository.get(aggregate_id, projector_func=project)
            )
        except Exception as error:  # eventsourcing's AggregateNotFoundError et al.
            if type(error).__name__ != "AggregateNotFoundError":
                raise
            return None

    def add(self, aggregate: StationAggregate) -> None:
        self._loaded[aggregate.id] = aggregate
        self._touched[aggregate.id] = (aggregate, 0)

    def pending(self) -> list[StationAggregate]:
        return [agg for agg in self._loaded.values() if agg is not None and agg.pending_events]

    def keep(self) -> None:
        """After a successful save: remember what was loaded for the next batch."""
        for aggregate_id, aggregate in self._loaded.items():
            if aggregate is not None:
                self._cache.pop(aggregate_id, None)
                self._cache[aggregate_id] = aggregate
        while len(self._cache) > CACHE_SIZE:
            del self._cache[next(iter(self._cache))]

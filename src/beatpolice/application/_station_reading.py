"""The Station's readers: aggregates as recorded now, and the log, page by page.

A mixin of :class:`~beatpolice.application.station.Station`; it reads only what the
Station opened (its store, application and policy book).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from beatpolice.application.policy_book import PolicyBook
from beatpolice.application.ports import EventStore
from beatpolice.application.unit_of_work import UnitOfWork
from beatpolice.domain._base import DomainEvent
from beatpolice.domain.dispute import Dispute
from beatpolice.domain.errors import (
    StorageError,
    UnknownDisputeError,
    UnknownOfficerError,
    UnknownVenueError,
)
from beatpolice.domain.officer import Officer
from beatpolice.domain.records import FieldRecord, record_key, unknown_record
from beatpolice.domain.rules.escalation import EscalationPolicy
from beatpolice.domain.venue import Venue
from beatpolice.projections.log_checkpoint import EventLogPort, HasEventLog

__all__ = ["ReadingMethods"]


class ReadingMethods:
    """What a station reads: each reader a method, each raising only our errors."""

    _store: EventStore
    _app: Any
    _book: PolicyBook

    @property
    def url(self) -> str:
        """The store's URL (password masked)."""
        return self._store.display

    def officer(self, badge: str) -> Officer:
        """The officer with this badge, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Officer, badge)
        if found is None:
            raise UnknownOfficerError(badge, field="badge")
        return found

    def dispute(self, dispute: str) -> Dispute:
        """The dispute with this id, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Dispute, dispute)
        if found is None:
            raise UnknownDisputeError(dispute, field="dispute")
        return found

    def record(self, officer: str, record: str) -> FieldRecord:
        """The visit, lead or service ``record`` of officer ``officer``, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(FieldRecord, record_key(officer, record))
        if found is None:
            raise unknown_record(officer, record, "record")
        return found

    def venue(self, venue: str) -> Venue:
        """The venue with this id, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Venue, venue)
        if found is None:
            raise UnknownVenueError(venue, field="venue")
        return found

    def event_log(self) -> EventLogPort:
        """The store's tamper-evident log: checkpoints, proofs and its check (ADR 0520).

        Raises:
            StorageError: the store's recorder keeps no log (not one of beatpolice's).
        """
        recorder = self._app.recorder
        if not isinstance(recorder, HasEventLog):
            raise StorageError(f"{self.url}: this store keeps no tamper-evident log")
        return recorder.event_log()

    def read_events(self, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        """Up to ``limit`` recorded events from position ``start``, in recording order."""
        with self._store.guard():
            notifications = self._app.recorder.select_notifications(start=start, limit=limit)
        mapper = self._app.mapper
        # sealed: the projections copy personal text without reading it (ADR 0706)
        decode = getattr(mapper, "to_sealed_event", mapper.to_domain_event)
        return [(n.id, cast(DomainEvent, decode(n))) for n in notifications]

    def last_position(self) -> int:
        """The position of the last recorded event (0 for an empty log)."""
        with self._store.guard():
            return int(self._app.recorder.max_notification_id() or 0)

    def lookup_policy(self, name: str, version: str | None) -> EscalationPolicy:
        """The escalation policy this store knows as ``name`` (at ``version``, or its latest)."""
        return self._book.lookup(name, version)

    def events(self, *, start: int = 1, page: int = 1000) -> Iterator[tuple[int, Any]]:
        """Every recorded event with its notification id, in recording order, streamed."""
        recorder = self._app.recorder
        mapper = self._app.mapper
        while True:
            with self._store.guard():
                notifications = recorder.select_notifications(start=start, limit=page)
            for notification in notifications:
                yield notification.id, mapper.to_domain_event(notification)
            if len(notifications) < page:
                return
            start = notifications[-1].id + 1

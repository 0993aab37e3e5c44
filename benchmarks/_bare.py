"""Bare eventsourcing, the reference for bulk ingest: the library's own minimal aggregate.

An :class:`eventsourcing.domain.Aggregate` whose one event carries one integer, saved by a
plain :class:`eventsourcing.application.Application` with the library's default mapper
and transcoder, on the same persistence module and database as the station it is
compared with. It is the floor of eventsourcing's save path: no command parsing, no
rules, no reading of aggregates (they stay in memory between batches).
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

__all__ = ["BareApplication", "Counter"]


class Counter(Aggregate):
    """An aggregate that only counts."""

    def __init__(self) -> None:
        self.last = 0

    @event("Counted")
    def count(self, number: int) -> None:
        """Record one number."""
        self.last = number


class BareApplication(Application[UUID]):
    """eventsourcing's Application with its defaults (no snapshots)."""

    name = "bare"

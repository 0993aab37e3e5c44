"""Bare eventsourcing, the reference for bulk ingest: the library's own minimal aggregate.

An :class:`eventsourcing.domain.Aggregate` whose one event carries one integer, saved by a
plain :class:`eventsourcing.application.Application` with the library's default mapper
and transcoder, on the same persistence module and database as the station it is
compared with. It is the floor of eventsourcing's save path: no command parsing, no
rules, no reading of aggregates (they stay in memory between batches).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

__all__ = ["BareApplication", "Counter", "Visit"]


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


class Visit(Aggregate):
    """A record-like aggregate: created with a visit's fields, followed up once.

    The reference of *comparable events*: like a beatpolice visit, each is an aggregate
    of its own whose creation event carries strings, a time and a flag, stored by
    eventsourcing's default mapper and JSON transcoder.
    """

    def __init__(
        self,
        officer: str,
        household: str,
        occurred_at: datetime,
        people_match_register: bool,
        notes: str | None,
        command: str,
    ) -> None:
        self.officer = officer
        self.household = household
        self.occurred_at = occurred_at
        self.people_match_register = people_match_register
        self.notes = notes
        self.command = command
        self.followed_up = False

    @event("FollowedUp")
    def follow_up(self, occurred_at: datetime, satisfied: bool, command: str) -> None:
        """Record the follow-up call."""
        self.followed_up = satisfied

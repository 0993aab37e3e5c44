"""What a projection needs from the station it reads: the ports the application fills.

Arrows point inward: the projections never import the application or the adapters.
A registry, the appraisal index or an audit is handed a :class:`StationPort` (the
:class:`~beatpolice.application.station.Station` is one, structurally) and reads the
log and keeps its documents only through it.

Example:
    >>> import beatpolice
    >>> from beatpolice.projections.ports import StationPort
    >>> station = beatpolice.connect("memory://")
    >>> isinstance(station, StationPort)
    True
    >>> station.read_events(1, 10)
    []
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.rules.escalation import EscalationPolicy
from beatpolice.projections._runner import ViewStore

__all__ = ["EventPage", "StationPort"]

T = TypeVar("T")

EventPage = Callable[[int, int], list[tuple[int, DomainEvent]]]
"""Reads ``limit`` events from position ``start``: ``[(position, event), ...]`` in order."""


@runtime_checkable
class StationPort(Protocol):
    """The station as its projections see it: a log to page, a clock, a view store."""

    @property
    def url(self) -> str:
        """The store's URL, password masked: for messages."""
        ...

    @property
    def time_zone(self) -> str:
        """The IANA zone months and days are cut in."""
        ...

    @property
    def clock(self) -> Callable[[], datetime] | None:
        """The station's recording clock, if it was given one."""
        ...

    @property
    def view_store(self) -> ViewStore:
        """Where projections keep their documents and positions."""
        ...

    def read_events(self, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        """Up to ``limit`` recorded events from position ``start``, in recording order."""
        ...

    def last_position(self) -> int:
        """The position of the last recorded event (0 for an empty log)."""
        ...

    def lookup_policy(self, name: str, version: str | None) -> EscalationPolicy:
        """The escalation policy the store knows as ``name`` (at ``version``, or its latest)."""
        ...

    def runner(
        self, name: str, build: Callable[[], T], *, current: Callable[[T], bool] | None = None
    ) -> T:
        """The station's long-lived object ``name`` (a runner), built on first use."""
        ...

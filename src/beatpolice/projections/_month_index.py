"""A month index kept by its station: paging the log, prefetching, catching up.

The appraisal index and the quality index are folds of the same kind: each page of the
log is read through the station's port, the documents the page touches are loaded in a
few round trips before the page is folded, and the runner is owned by the station
(ADR 0260). This module is that shared machinery, so each index says only what it folds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from beatpolice.domain._base import DomainEvent
from beatpolice.projections._runner import DocumentView, PositionConflictError, ProjectionRunner
from beatpolice.projections.ports import StationPort

__all__ = ["MonthIndex", "caught_up", "month_index_runner"]


class MonthIndex(Protocol):
    """A fold that can load what a page of events will touch before folding it."""

    name: str
    version: int
    tables: tuple[str, ...]
    text_tables: tuple[str, ...]

    def prefetch(self, view: DocumentView, events: list[DomainEvent]) -> None:
        """Load the documents ``events`` will read into ``view``."""
        ...

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        """Fold one event."""
        ...


class _Prefetching:
    """The index, loading each page's documents before folding the page."""

    def __init__(self, index: MonthIndex, station: StationPort) -> None:
        self.index = index
        self.name = index.name
        self.version = index.version
        self.tables = index.tables
        self.text_tables = index.text_tables
        self._station = station
        self._page: list[DomainEvent] = []
        self._view: DocumentView | None = None

    def source(self, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        page = self._station.read_events(start, limit)
        self._page = [event for _, event in page]
        return page

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        if view is not self._view:
            self._view = view
            self.index.prefetch(view, self._page)
        self.index.apply(view, event, position)


def month_index_runner(
    station: StationPort, make: Callable[[str], MonthIndex], *, page_size: int
) -> ProjectionRunner:
    """The station's runner of the index ``make(time_zone)`` builds (kept by the station).

    Made on first use and kept until the station closes, or until the index of its time
    zone changes version; ``page_size`` applies when it is made.
    """
    current = make(station.time_zone)

    def build() -> ProjectionRunner:
        projection = _Prefetching(make(station.time_zone), station)
        return ProjectionRunner(
            projection, station.view_store, projection.source, page_size=page_size
        )

    return station.runner(
        current.name, build, current=lambda kept: kept.projection.version == current.version
    )


def caught_up(runner: ProjectionRunner, *, tries: int = 5) -> None:
    """Catch ``runner`` up; another writer committing first is read on from (ADR 0203)."""
    for _ in range(tries):
        try:
            runner.catch_up()
            return
        except PositionConflictError:
            continue  # another process or thread committed first: read on from there
    runner.catch_up()

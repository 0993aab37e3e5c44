"""What the four registries (台账) share: the month cut, the settings document, prefetching.

Each registry is a pure fold over JSON documents (see :mod:`beatpolice.projections`).
The fold is configured with the station's time zone, because a "month" is cut by
``occurred_at`` in that zone; it never reads the clock. The zone is written into a
``meta`` document of the view so that a view folded in another zone is recognised and
rebuilt (:class:`~beatpolice.projections.registries.Registries` does this).

Documents stay small and bounded (ADR 0404): whatever grows with time (visits,
inspections, findings) is split into its own keyed documents, per month or per
record, so that folding a page rewrites only the few small documents it touches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from beatpolice.domain._base import DomainEvent
from beatpolice.projections._runner import Document, DocumentView

__all__ = [
    "DEFAULT_TIME_ZONE",
    "KEY_SEPARATOR",
    "META_KEY",
    "META_TABLE",
    "MonthCut",
    "RegistryProjection",
    "Row",
    "later",
    "month_cut",
    "month_of",
    "parse_time",
    "stored_settings",
    "zone",
]

DEFAULT_TIME_ZONE = "Asia/Shanghai"
META_TABLE = "meta"
META_KEY = "settings"
KEY_SEPARATOR = "|"
"""Joins the parts of a composite key (``badge|month``); badges and ids never contain it."""

Handler = Callable[[Any, DocumentView, Any], None]


class Row(BaseModel):
    """Base of the typed rows the registry queries return: frozen, JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (cached)."""
    return ZoneInfo(name)


def month_of(moment: datetime, time_zone: str) -> str:
    """The ``YYYY-MM`` month that contains ``moment`` in ``time_zone``."""
    local = moment.astimezone(zone(time_zone))
    return f"{local.year:04d}-{local.month:02d}"


class MonthCut:
    """Cuts months in a zone: ``cut(moment)`` is ``month_of(moment, time_zone)``, faster.

    One cut is shared by every fold of a zone (:func:`month_cut`), and it remembers the
    answer for the last few thousand ``datetime`` objects it was asked about, so the four
    registries place an event's field time once between them. It also remembers the
    UTC bounds of the months it has met, so a new time is placed by two comparisons
    instead of a conversion to the zone. A month whose bounds do not survive a round
    trip through the zone (a transition at midnight) is not remembered and is always
    converted.

    Args:
        time_zone: an IANA zone name.
    """

    _REMEMBER = 20_000

    def __init__(self, time_zone: str) -> None:
        self._zone = zone(time_zone)
        never = datetime.max.replace(tzinfo=UTC)
        # one tuple, replaced whole, so that threads sharing the cut never mix two months
        self._current: tuple[datetime, datetime, str] = (never, never, "")
        self._known: dict[str, tuple[datetime, datetime]] = {}
        # id -> (the datetime itself, its month): holding the object keeps its id unique
        self._seen: dict[int, tuple[datetime, str]] = {}

    def __call__(self, moment: datetime) -> str:
        """The ``YYYY-MM`` month that contains ``moment`` in the zone."""
        seen = self._seen.get(id(moment))
        if seen is not None and seen[0] is moment:
            return seen[1]
        name = self._cut(moment)
        if len(self._seen) >= self._REMEMBER:
            self._seen.clear()
        self._seen[id(moment)] = (moment, name)
        return name

    def _cut(self, moment: datetime) -> str:
        start, end, current = self._current
        if start <= moment < end:
            return current
        local = moment.astimezone(self._zone)
        name = f"{local.year:04d}-{local.month:02d}"
        bounds = self._known.get(name) or self._bounds(local.year, local.month, name)
        if bounds is not None:
            self._current = (*bounds, name)
        return name

    def _bounds(self, year: int, month: int, name: str) -> tuple[datetime, datetime] | None:
        following = (year + month // 12, month % 12 + 1)
        tick = timedelta(microseconds=1)
        try:
            start = datetime(year, month, 1, tzinfo=self._zone).astimezone(UTC)
            end = datetime(*following, 1, tzinfo=self._zone).astimezone(UTC)
            start - tick  # the first and last months of the calendar overflow here
        except (OverflowError, ValueError):
            return None
        checks = (start, end - tick)
        if (
            any(month_of(moment, self._zone.key) != name for moment in checks)
            or month_of(start - tick, self._zone.key) == name
            or month_of(end, self._zone.key) == name
        ):
            return None
        self._known[name] = (start, end)
        return start, end


@lru_cache(maxsize=64)
def month_cut(time_zone: str) -> MonthCut:
    """The month cut of ``time_zone``, shared by every fold of that zone."""
    return MonthCut(time_zone)


def parse_time(text: str | None) -> datetime | None:
    """A stored ISO 8601 instant back as an aware datetime (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def later(stored: str | None, candidate: datetime) -> bool:
    """Whether ``candidate`` is strictly after the stored instant (or nothing is stored)."""
    return stored is None or candidate > datetime.fromisoformat(stored)


class RegistryProjection:
    """Base of the four registry folds: dispatch on event type, settings, prefetch hints.

    Subclasses fill ``handlers`` (event class -> method), ``touches`` (the documents an
    event reads) and ``follows`` (the documents it reads next, found through the first
    ones: a follow-up names its visit, whose index names the household). ``expect(page)``
    is an optional hint, given before a page is folded, that lets the fold load every
    document of the page in two round trips per table; it changes nothing of what is
    computed.

    Args:
        time_zone: the zone in which months are cut (the station's).
    """

    name: str
    version: int
    tables: tuple[str, ...]
    handlers: ClassVar[dict[type[DomainEvent], Handler]]

    def __init__(self, *, time_zone: str = DEFAULT_TIME_ZONE) -> None:
        zone(time_zone)  # refuse an unknown zone now, not in the middle of a fold
        self.time_zone = time_zone
        self.month = month_cut(time_zone)
        """The month of a field time in the station's zone."""
        self._settings: Document = {"time_zone": time_zone}
        self._hint: Sequence[tuple[int, DomainEvent]] = ()
        self._prefetched_for: DocumentView | None = None

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        """Fold one event into the registry's documents."""
        if view is not self._prefetched_for:
            self._prefetched_for = view
            self._prefetch(view, position)
            if view.get(META_TABLE, META_KEY) != self._settings:
                view.put(META_TABLE, META_KEY, dict(self._settings))
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(self, view, event)

    def expect(self, page: Sequence[tuple[int, DomainEvent]]) -> None:
        """Hint at the page about to be folded, so its documents load in one round trip."""
        self._hint = page

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The (table, key) documents folding ``event`` reads first."""
        return []

    def follows(self, view: DocumentView, event: DomainEvent) -> list[tuple[str, str]]:
        """The documents folding ``event`` reads next, named by those it read first."""
        return []

    def _prefetch(self, view: DocumentView, position: int) -> None:
        page = [event for notification_id, event in self._hint if notification_id >= position]
        self._hint = ()
        wanted: dict[str, list[str]] = {META_TABLE: [META_KEY]}
        for event in page:
            for table, key in self.touches(event):
                wanted.setdefault(table, []).append(key)
        _load(view, wanted)
        wanted = {}
        for event in page:
            for table, key in self.follows(view, event):
                wanted.setdefault(table, []).append(key)
        _load(view, wanted)


def _load(view: DocumentView, wanted: dict[str, list[str]]) -> None:
    for table, keys in wanted.items():
        view.prefetch(table, list(dict.fromkeys(keys)))


def stored_settings(document: Document | None) -> str | None:
    """The time zone a view was folded in, from its settings document."""
    if document is None:
        return None
    value = document.get("time_zone")
    return value if isinstance(value, str) else None

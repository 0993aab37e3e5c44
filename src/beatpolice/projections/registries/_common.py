"""What the four registries (台账) share: the month cut, the settings document, prefetching.

Each registry is a pure fold over JSON documents (see :mod:`beatpolice.projections`).
The fold is configured with the station's time zone, because a "month" is cut by
``occurred_at`` in that zone; it never reads the clock. The zone is written into a
``meta`` document of the view so that a view folded in another zone is recognised and
rebuilt (:class:`~beatpolice.projections.registries.Registries` does this).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
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
    "RegistryProjection",
    "Row",
    "later",
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


def parse_time(text: str | None) -> datetime | None:
    """A stored ISO 8601 instant back as an aware datetime (None stays None)."""
    return None if text is None else datetime.fromisoformat(text)


def later(stored: str | None, candidate: datetime) -> bool:
    """Whether ``candidate`` is strictly after the stored instant (or nothing is stored)."""
    return stored is None or candidate > datetime.fromisoformat(stored)


class RegistryProjection:
    """Base of the four registry folds: dispatch on event type, settings, prefetch hints.

    Subclasses fill ``handlers`` (event class -> method) and ``touches`` (the documents
    an event reads, for prefetching). ``expect(page)`` is an optional hint, given before
    a page is folded, that lets the fold load every document of the page in one round
    trip; it changes nothing of what is computed.

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
        self._settings: Document = {"time_zone": time_zone}
        self._hint: Sequence[tuple[int, DomainEvent]] = ()
        self._prefetched_for: DocumentView | None = None

    def month(self, moment: datetime) -> str:
        """The month of a field time in the station's zone."""
        return month_of(moment, self.time_zone)

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

    def _prefetch(self, view: DocumentView, position: int) -> None:
        wanted: dict[str, list[str]] = {}
        for notification_id, event in self._hint:
            if notification_id >= position:
                for table, key in self.touches(event):
                    wanted.setdefault(table, []).append(key)
        for table, keys in wanted.items():
            view.prefetch(table, list(dict.fromkeys(keys)))
        self._hint = ()


def stored_settings(document: Document | None) -> str | None:
    """The time zone a view was folded in, from its settings document."""
    if document is None:
        return None
    value = document.get("time_zone")
    return value if isinstance(value, str) else None

"""Projections: pure folds over the event log, kept in the station's own store.

A :class:`Projection` is a fold: ``apply(view, event, position)`` reads and writes
JSON documents in named tables of a :class:`DocumentView` and never reads the clock
or the store directly. A :class:`ViewStore` (one implementation per backend, in
:mod:`beatpolice.adapters.store.views`) keeps those documents and each projection's tracking
position; :class:`ProjectionRunner` pages new events from the notification log, folds
a page in memory and commits the changed documents together with the new position in
one transaction, so a process killed at any point resumes with no event applied twice
and none skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import attrs

from beatpolice.domain._base import DomainEvent

__all__ = [
    "DocumentView",
    "PositionConflictError",
    "Projection",
    "ProjectionRunner",
    "ViewStore",
]

Document = dict[str, Any]
TableKey = tuple[str, str]


class PositionConflictError(RuntimeError):
    """Another runner committed this projection past the position this one started at.

    The page was not written; the other runner's work stands. Catch up again.
    """


class Projection(Protocol):
    """A registry or tally rebuilt from events by a pure fold."""

    name: str
    """Key of the projection's tracking position, and prefix of its tables."""
    version: int
    """Bumped when the fold changes meaning; a stored view of another version is rebuilt."""
    tables: tuple[str, ...]
    """The tables of documents it writes."""

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        """Fold one event into the view (``position``: its notification id)."""


TEXT_TABLES_ATTRIBUTE = "text_tables"
"""Optional projection attribute: the tables a view store keeps as JSON text.

A projection may list tables it reads in bulk and never queries by SQL (an index);
PostgreSQL keeps them as ``text`` rather than ``jsonb`` (see
:meth:`beatpolice.adapters.store.views.PostgresViewStore.keep_as_text`). Projections without
it keep every table as ``jsonb``.
"""


class ViewStore(Protocol):
    """Where projections keep their documents and positions (one class per backend)."""

    def position(self, projection: str) -> tuple[int, int | None]:
        """The last applied notification id (0 if none) and the stored fold version."""

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Document]:
        """The stored documents of ``keys`` that exist."""

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Every document of a table whose key starts with ``prefix``, in key order."""

    def commit(
        self,
        projection: str,
        version: int,
        changes: Mapping[TableKey, Document],
        expected: int,
        position: int,
    ) -> None:
        """Write ``changes`` and move the position from ``expected`` to ``position``, atomically.

        Raises:
            PositionConflictError: the stored position is not ``expected``.
        """

    def reset(self, projection: str, tables: tuple[str, ...]) -> None:
        """Forget every document and the position of a projection, atomically."""

    def close(self) -> None:
        """Close the store's connections (its owner, the Station, calls it once)."""


class DocumentView:
    """The documents one page of events reads and writes, buffered until commit."""

    def __init__(self, store: ViewStore, projection: str) -> None:
        self._store = store
        self._projection = projection
        self._cache: dict[TableKey, Document | None] = {}
        self._dirty: set[TableKey] = set()

    def get(self, table: str, key: str) -> Document | None:
        """The document at ``key``, or None (changes made in this page included)."""
        if (table, key) not in self._cache:
            found = self._store.load(self._projection, table, [key])
            self._cache[table, key] = found.get(key)
        return self._cache[table, key]

    def put(self, table: str, key: str, document: Document) -> None:
        """Store ``document`` at ``key`` (written when the page commits)."""
        self._cache[table, key] = document
        self._dirty.add((table, key))

    def prefetch(self, table: str, keys: list[str]) -> None:
        """Load many documents in one round trip before a fold asks for them."""
        missing = [key for key in keys if (table, key) not in self._cache]
        if missing:
            found = self._store.load(self._projection, table, missing)
            for key in missing:
                self._cache[table, key] = found.get(key)

    def changes(self) -> dict[TableKey, Document]:
        """The documents written in this page."""
        changed: dict[TableKey, Document] = {}
        for table_key in self._dirty:
            document = self._cache[table_key]
            assert document is not None  # put() never stores None
            changed[table_key] = document
        return changed


@attrs.frozen
class CatchUp:
    """What one catch-up did."""

    applied: int
    position: int


EventSource = Callable[[int, int], list[tuple[int, DomainEvent]]]
"""``(start, limit) -> [(notification_id, event), ...]`` in notification order."""

PageHook = Callable[[str, int], None]
"""A test hook: ``(stage, position)`` at a point of a page's life (see ``on_page``)."""


class ProjectionRunner:
    """Keeps one projection up to date with the event log.

    Args:
        projection: the fold.
        store: the backend's view store.
        source: reads a page of decoded events from the log, starting at an id.
        page_size: events folded and committed per transaction.
    """

    on_page: PageHook | None = None
    """For tests only (None, and then free, in production): called with ``("folded",
    position)`` once a page is folded in memory, before its commit, and with
    ``("committed", position)`` once its commit has returned, ``position`` being the
    page's last notification id. The fault tests kill the process from it, so a crash
    lands at a chosen page rather than at a random moment (``tests/fault``). Set it on
    an instance; it is not part of the public API.
    """

    def __init__(
        self,
        projection: Projection,
        store: ViewStore,
        source: EventSource,
        *,
        page_size: int = 1000,
    ) -> None:
        self.projection = projection
        self.store = store
        self._source = source
        self.page_size = page_size
        keep_as_text = getattr(store, "keep_as_text", None)
        if keep_as_text is not None:
            for table in getattr(projection, TEXT_TABLES_ATTRIBUTE, ()):
                keep_as_text(projection.name, table)

    @property
    def position(self) -> int:
        """The notification id of the last event applied (0 before the first)."""
        return self.store.position(self.projection.name)[0]

    def catch_up(
        self,
        *,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> CatchUp:
        """Apply every event recorded after the position, page by page.

        Args:
            limit: apply at most this many events (for slicing; None means all).
            progress: called with the number of events applied so far after each page.
        """
        position, version = self.store.position(self.projection.name)
        if version is not None and version != self.projection.version:
            # the fold changed meaning since the view was built: start again
            self.store.reset(self.projection.name, self.projection.tables)
            position = 0
        applied = 0
        while limit is None or applied < limit:
            size = self.page_size if limit is None else min(self.page_size, limit - applied)
            page = self._source(position + 1, size)
            if not page:
                break
            view = DocumentView(self.store, self.projection.name)
            for notification_id, event in page:
                self.projection.apply(view, event, notification_id)
            new_position = page[-1][0]
            if self.on_page is not None:
                self.on_page("folded", new_position)
            self.store.commit(
                self.projection.name,
                self.projection.version,
                view.changes(),
                expected=position,
                position=new_position,
            )
            position = new_position
            applied += len(page)
            if self.on_page is not None:
                self.on_page("committed", new_position)
            if progress is not None:
                progress(applied)
            if len(page) < size:
                break
        return CatchUp(applied=applied, position=position)

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> CatchUp:
        """Forget the view and fold the whole log again from the first event."""
        self.store.reset(self.projection.name, self.projection.tables)
        return self.catch_up(progress=progress)

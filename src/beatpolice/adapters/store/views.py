"""View stores: where projections keep their documents, one class per backend.

In SQLite and PostgreSQL each projection table is a real table, ``bp_<projection>_<table>``
with a text ``key`` and a JSON ``doc`` column (``jsonb`` in PostgreSQL), so a station's
reporting tools can query registries with SQL (``json_extract`` / ``->>``). Positions
live in ``bp_projection_tracking``. Every commit writes the changed documents and the
new position in one transaction, guarded by the position it started from.

Each store remembers which tables it has created, but another station on the same
database (another process) may reset a projection and drop them. A missing table is
read as an empty one, and a commit that meets one is made again once, creating its
tables inside its own transaction, after the position guard (ADR 0225).

A station owns its view store (:attr:`beatpolice.Station.view_store`): opened on first
use, closed with the station (ADR 0260). The SQL stores live in ``_views_sqlite`` and
``_views_postgres``, re-exported here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, TypeAlias

import orjson

from beatpolice.adapters.store._views_common import TransactionHook, _conflict
from beatpolice.adapters.store._views_common import _after as _after  # the tests import it here
from beatpolice.adapters.store._views_postgres import PostgresViewStore
from beatpolice.adapters.store._views_sqlite import SQLiteViewStore
from beatpolice.projections._runner import Document, TableKey

if TYPE_CHECKING:
    from beatpolice.adapters.store.storage import StoreURL

__all__ = [
    "AnyViewStore",
    "MemoryViewStore",
    "PostgresViewStore",
    "SQLiteViewStore",
    "TransactionHook",
    "open_view_store",
]


class MemoryViewStore:
    """Documents in dictionaries, for ``memory://`` stations and tests."""

    before_commit: TransactionHook | None = None
    """For tests only (see :data:`TransactionHook`); here, before anything is applied."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, dict[str, Document]]] = {}
        self._positions: dict[str, tuple[int, int | None]] = {}

    def keep_as_text(self, projection: str, table: str) -> None:
        """Nothing to do: documents are kept as Python objects."""

    def position(self, projection: str) -> tuple[int, int | None]:
        """The last applied notification id and the fold version."""
        return self._positions.get(projection, (0, None))

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Document]:
        """The stored documents of ``keys`` (copies: the caller may change them)."""
        rows = self._tables.get(projection, {}).get(table, {})
        return {key: orjson.loads(orjson.dumps(rows[key])) for key in keys if key in rows}

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Documents whose key starts with ``prefix``, in key order."""
        return self._copies(projection, table, prefix)

    def scan_sealed(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """:meth:`scan`'s documents as stored: sealed values left sealed, as :meth:`load`
        gives them (a keyring opens only what ``scan`` yields, ADR 0706; ADR 0281)."""
        return self._copies(projection, table, prefix)

    def load_raw(self, projection: str, table: str, keys: list[str]) -> dict[str, bytes]:
        """The JSON text of the documents of ``keys`` that exist (ADR 0283)."""
        rows = self._tables.get(projection, {}).get(table, {})
        return {key: orjson.dumps(rows[key]) for key in keys if key in rows}

    def scan_raw(self, projection: str, table: str, prefix: str = "") -> list[tuple[str, bytes]]:
        """The JSON text of :meth:`scan`'s documents, in key order (ADR 0283)."""
        rows = dict(self._tables.get(projection, {}).get(table, {}))
        return [(key, orjson.dumps(rows[key])) for key in sorted(rows) if key.startswith(prefix)]

    def _copies(self, projection: str, table: str, prefix: str) -> Iterator[tuple[str, Document]]:
        rows = dict(self._tables.get(projection, {}).get(table, {}))
        for key in sorted(rows):
            if key.startswith(prefix):
                yield key, orjson.loads(orjson.dumps(rows[key]))

    def commit(
        self,
        projection: str,
        version: int,
        changes: Mapping[TableKey, Document],
        expected: int,
        position: int,
    ) -> None:
        """Apply the changes and the position together, or neither."""
        encoded = {key: orjson.loads(orjson.dumps(doc)) for key, doc in changes.items()}
        with self._lock:
            stored = self.position(projection)[0]
            if stored != expected:
                raise _conflict(projection, expected, stored)
            if self.before_commit is not None:
                self.before_commit("commit", projection)
            tables = self._tables.setdefault(projection, {})
            for (table, key), document in encoded.items():
                tables.setdefault(table, {})[key] = document
            self._positions[projection] = (position, version)

    def reset(self, projection: str, tables: tuple[str, ...]) -> None:
        """Forget the projection's documents and position."""
        with self._lock:
            if self.before_commit is not None:
                self.before_commit("reset", projection)
            self._tables.pop(projection, None)
            self._positions.pop(projection, None)

    def close(self) -> None:
        """Nothing to release."""


AnyViewStore: TypeAlias = MemoryViewStore | SQLiteViewStore | PostgresViewStore
"""A view store of any backend."""


def open_view_store(store: StoreURL) -> AnyViewStore:
    """A new view store for a parsed store URL: the caller owns it and closes it.

    SQLite and PostgreSQL keep the views in the store's own database (a connection of
    their own); ``memory://`` and SQLite ``:memory:`` keep them in dictionaries.
    """
    env = store.env
    if store.backend == "sqlite" and env["SQLITE_DBNAME"] != ":memory:":
        return SQLiteViewStore(env["SQLITE_DBNAME"])
    if store.backend == "postgres":
        from psycopg.conninfo import make_conninfo

        # every libpq parameter of the URL: sslmode, application_name, ... (ADR 0808)
        return PostgresViewStore(make_conninfo(**store.params))
    return MemoryViewStore()

"""The SQLite view store: projection tables in the station's own SQLite file.

Split from :mod:`beatpolice.adapters.store.views`, which re-exports it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping

import orjson

from beatpolice.adapters.store._store_errors import guarded_methods
from beatpolice.adapters.store._views_common import (
    _CHUNK,
    _TRACKING,
    _WHERE,
    TransactionHook,
    _after,
    _conflict,
    _RemembersTables,
    _rows_by_table,
    _table,
)
from beatpolice.projections._runner import Document, TableKey

__all__ = ["SQLiteViewStore"]


def _bytes(doc: bytes | str) -> bytes:
    # written as bytes (a BLOB); a row written by hand as TEXT reads back as str
    return doc if isinstance(doc, bytes) else doc.encode()


@guarded_methods(lambda store: _WHERE)
class SQLiteViewStore(_RemembersTables):
    """Documents in tables of the station's own SQLite file."""

    before_commit: TransactionHook | None = None
    """For tests only: see :data:`TransactionHook`."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        # A view is rebuilt from the events: after a power loss it may lose its last
        # pages, rows and position together, and catch-up redoes them. Full fsyncs
        # would cost a third of a rebuild.
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute("PRAGMA cache_size=-65536")
        self._connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_TRACKING} "
            "(name TEXT PRIMARY KEY, position INTEGER NOT NULL, version INTEGER NOT NULL)"
        )
        self._created: set[str] = set()

    def _ensure(self, name: str) -> None:
        if name not in self._created:
            self._connection.execute(
                f"CREATE TABLE IF NOT EXISTS {name} (key TEXT PRIMARY KEY, doc TEXT NOT NULL)"
            )
            self._created.add(name)

    def keep_as_text(self, projection: str, table: str) -> None:
        """Nothing to do: SQLite keeps every document as JSON text."""

    def position(self, projection: str) -> tuple[int, int | None]:
        """The last applied notification id and the fold version."""
        with self._lock:
            row = self._connection.execute(
                f"SELECT position, version FROM {_TRACKING} WHERE name = ?", (projection,)
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, None)

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Document]:
        """The stored documents of ``keys``."""
        return {
            key: orjson.loads(doc) for key, doc in self.load_raw(projection, table, keys).items()
        }

    def load_raw(self, projection: str, table: str, keys: list[str]) -> dict[str, bytes]:
        """The stored JSON text of the documents of ``keys`` that exist (ADR 0283)."""
        name = _table(projection, table)
        found: dict[str, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._select(
                    name, f"SELECT key, doc FROM {name} WHERE key IN ({marks})", chunk
                )
                found.update((key, _bytes(doc)) for key, doc in rows)
        return found

    def scan_raw(self, projection: str, table: str, prefix: str = "") -> list[tuple[str, bytes]]:
        """The stored JSON text of :meth:`scan`'s documents, in key order (ADR 0283)."""
        return [(key, _bytes(doc)) for key, doc in self._range(projection, table, prefix)]

    def _range(self, projection: str, table: str, prefix: str) -> list[tuple[str, bytes | str]]:
        """The stored rows whose key starts with ``prefix``, in key order, read at once."""
        name = _table(projection, table)
        upper = _after(prefix)
        with self._lock:
            rows = self._select(
                name,
                f"SELECT key, doc FROM {name} WHERE key >= ? AND key < ? ORDER BY key"
                if upper is not None
                else f"SELECT key, doc FROM {name} WHERE key >= ? ORDER BY key",
                (prefix, upper) if upper is not None else (prefix,),
            )
        return [row for row in rows if row[0].startswith(prefix)]

    def commit(
        self,
        projection: str,
        version: int,
        changes: Mapping[TableKey, Document],
        expected: int,
        position: int,
    ) -> None:
        """Write the documents and the position in one transaction.

        A table dropped by another station's reset is created again inside the
        transaction, once the position guard has passed (ADR 0225).
        """
        by_table = _rows_by_table(projection, changes)
        with self._lock:
            self._once_more(
                lambda: self._commit(projection, version, by_table, expected, position)
            )

    def _commit(
        self,
        projection: str,
        version: int,
        by_table: dict[str, list[tuple[str, bytes]]],
        expected: int,
        position: int,
    ) -> None:
        cursor = self._connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            row = cursor.execute(
                f"SELECT position FROM {_TRACKING} WHERE name = ?", (projection,)
            ).fetchone()
            stored = int(row[0]) if row else 0
            if stored != expected:
                raise _conflict(projection, expected, stored)
            for name in by_table:  # no other writer until COMMIT: they stay
                self._ensure(name)
            for name, rows in by_table.items():
                cursor.executemany(
                    f"INSERT INTO {name} (key, doc) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
                    rows,
                )
            cursor.execute(
                f"INSERT INTO {_TRACKING} (name, position, version) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET position = excluded.position, "
                "version = excluded.version",
                (projection, position, version),
            )
            if self.before_commit is not None:
                self.before_commit("commit", projection)
        except BaseException:
            cursor.execute("ROLLBACK")
            self._created.difference_update(by_table)  # created here, if at all: undone
            raise
        cursor.execute("COMMIT")

    def reset(self, projection: str, tables: tuple[str, ...]) -> None:
        """Forget the projection's documents and position in one transaction."""
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                for table in tables:
                    name = _table(projection, table)
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
                    self._created.discard(name)
                cursor.execute(f"DELETE FROM {_TRACKING} WHERE name = ?", (projection,))
                if self.before_commit is not None:
                    self.before_commit("reset", projection)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

"""The PostgreSQL view store: ``jsonb`` projection tables in the station's database.

Split from :mod:`beatpolice.adapters.store.views`, which re-exports it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import orjson

from beatpolice.adapters.store._store_errors import guarded_methods
from beatpolice.adapters.store._views_common import (
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

__all__ = ["PostgresViewStore"]


@guarded_methods(lambda store: _WHERE)
class PostgresViewStore(_RemembersTables):
    """Documents in ``jsonb`` tables of the station's PostgreSQL database."""

    before_commit: TransactionHook | None = None
    """For tests only: see :data:`TransactionHook`."""

    def __init__(self, conninfo: str) -> None:
        import psycopg

        self._lock = threading.Lock()
        self._connection = psycopg.connect(conninfo, autocommit=True)
        with self._connection.transaction():
            self._connection.execute(
                f"CREATE TABLE IF NOT EXISTS {_TRACKING} "
                "(name TEXT PRIMARY KEY, position BIGINT NOT NULL, version INTEGER NOT NULL)"
            )
        self._created: dict[str, str] = {}
        """Table name -> the type of its ``doc`` column (``jsonb`` or ``text``)."""
        self._text: set[str] = set()

    def keep_as_text(self, projection: str, table: str) -> None:
        """Keep a table's documents as JSON text, not ``jsonb``, when it is created.

        For tables read in bulk and never queried by SQL (an index): PostgreSQL then
        returns the stored text as it is instead of rendering every ``jsonb`` tree
        again, which is most of the cost of scanning them. A table that already
        exists keeps its type until it is reset.
        """
        self._text.add(_table(projection, table))

    def _ensure(self, name: str) -> str:
        kind = self._created.get(name)
        if kind is None:
            declared = "text" if name in self._text else "jsonb"
            self._connection.execute(
                f'CREATE TABLE IF NOT EXISTS {name} (key TEXT COLLATE "C" PRIMARY KEY, '
                f"doc {declared.upper()} NOT NULL)"
            )
            row = self._connection.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND column_name = 'doc'",
                (name,),
            ).fetchone()
            kind = "text" if row is not None and row[0] == "text" else "jsonb"
            self._created[name] = kind
        return kind

    def position(self, projection: str) -> tuple[int, int | None]:
        """The last applied notification id and the fold version."""
        with self._lock:
            row = self._connection.execute(
                f"SELECT position, version FROM {_TRACKING} WHERE name = %s", (projection,)
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, None)

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Document]:
        """The stored documents of ``keys``."""
        name = _table(projection, table)
        with self._lock:
            rows = self._select(
                name, f"SELECT key, doc::text FROM {name} WHERE key = ANY(%s)", (keys,)
            )
        return {key: orjson.loads(doc) for key, doc in rows}

    def load_raw(self, projection: str, table: str, keys: list[str]) -> dict[str, bytes]:
        """The stored JSON text of the documents of ``keys`` that exist (ADR 0283)."""
        name = _table(projection, table)
        with self._lock:
            rows = self._select(
                name, f"SELECT key, doc::text FROM {name} WHERE key = ANY(%s)", (keys,)
            )
        return {key: doc.encode() for key, doc in rows}

    def scan_raw(self, projection: str, table: str, prefix: str = "") -> list[tuple[str, bytes]]:
        """The stored JSON text of :meth:`scan`'s documents, in key order (ADR 0283)."""
        return [(key, doc.encode()) for key, doc in self._range(projection, table, prefix)]

    def _range(self, projection: str, table: str, prefix: str) -> list[tuple[str, str]]:
        """The stored rows whose key starts with ``prefix``, in key order, read at once."""
        name = _table(projection, table)
        upper = _after(prefix)
        # keys are C-collated (see _ensure): the range is answered by the primary key
        query = f'SELECT key, doc::text FROM {name} WHERE key COLLATE "C" >= %s'
        if upper is not None:
            query += ' AND key COLLATE "C" < %s'
        with self._lock:
            rows = self._select(
                name,
                query + ' ORDER BY key COLLATE "C"',
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
        by_table = {
            name: [(key, doc.decode()) for key, doc in rows]
            for name, rows in _rows_by_table(projection, changes).items()
        }
        with self._lock:
            self._once_more(
                lambda: self._commit(projection, version, by_table, expected, position)
            )

    def _commit(
        self,
        projection: str,
        version: int,
        by_table: dict[str, list[tuple[str, str]]],
        expected: int,
        position: int,
    ) -> None:
        try:
            with self._connection.transaction():
                # the tracking row first, as in reset: it orders commits and resets
                self._connection.execute(
                    f"INSERT INTO {_TRACKING} (name, position, version) VALUES (%s, 0, %s) "
                    "ON CONFLICT (name) DO NOTHING",
                    (projection, version),
                )
                row = self._connection.execute(
                    f"SELECT position FROM {_TRACKING} WHERE name = %s FOR UPDATE",
                    (projection,),
                ).fetchone()
                stored = int(row[0]) if row else 0
                if stored != expected:
                    raise _conflict(projection, expected, stored)
                with self._connection.cursor() as cursor:
                    for name, rows in by_table.items():
                        doc_type = self._ensure(name)
                        cursor.executemany(
                            f"INSERT INTO {name} (key, doc) VALUES (%s, %s::{doc_type}) "
                            "ON CONFLICT (key) DO UPDATE SET doc = excluded.doc",
                            rows,
                        )
                self._connection.execute(
                    f"UPDATE {_TRACKING} SET position = %s, version = %s WHERE name = %s",
                    (position, version, projection),
                )
                if self.before_commit is not None:
                    self.before_commit("commit", projection)
        except BaseException:
            for name in by_table:  # created here, if at all: undone
                self._created.pop(name, None)
            raise

    def reset(self, projection: str, tables: tuple[str, ...]) -> None:
        """Forget the projection's documents and position in one transaction."""
        with self._lock, self._connection.transaction():
            # Lock the tracking row before any table, as commit does: a reset and another
            # station's commit then wait for each other instead of deadlocking.
            self._connection.execute(
                f"INSERT INTO {_TRACKING} (name, position, version) VALUES (%s, 0, 0) "
                "ON CONFLICT (name) DO NOTHING",
                (projection,),
            )
            self._connection.execute(f"DELETE FROM {_TRACKING} WHERE name = %s", (projection,))
            for table in tables:
                name = _table(projection, table)
                self._connection.execute(f"DROP TABLE IF EXISTS {name}")
                self._created.pop(name, None)
            if self.before_commit is not None:
                self.before_commit("reset", projection)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

"""The key store of a PostgreSQL station: ``bp_keys`` in the events' database.

Part of :mod:`beatpolice.adapters.store.keystore`, which exports it; psycopg is imported
only when the store is first used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from beatpolice.adapters.store._key_rows import (
    _COLUMNS,
    _WHERE,
    KEY_TABLE,
    _chunks,
    _row,
    _SQLKeyStore,
    _values,
)
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store.storage import _SCHEMA_LOCK_KEY
from beatpolice.application.keys import KeyRow

__all__ = ["PostgresKeyStore"]


class PostgresKeyStore(_SQLKeyStore):
    """Keys in the ``bp_keys`` table of the station's PostgreSQL database."""

    _MARK = "%s"

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._connection: Any = None
        self._created = False

    def _connect(self) -> Any:
        if self._connection is None:
            import psycopg

            self._connection = psycopg.connect(self._conninfo, autocommit=True)
        return self._connection

    def _ensure(self, connection: Any) -> None:
        if not self._created:
            with connection.transaction():
                # two first writers creating the table at once would fail (ADR 0202)
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
                connection.execute(
                    f'CREATE TABLE IF NOT EXISTS {KEY_TABLE} (subject TEXT COLLATE "C" '
                    "PRIMARY KEY, household TEXT, algorithm TEXT NOT NULL, wrapped BYTEA, "
                    "wrapped_by TEXT NOT NULL, erased_at TEXT)"
                )
                connection.execute(
                    f"CREATE INDEX IF NOT EXISTS {KEY_TABLE}_household ON {KEY_TABLE} (household)"
                )
            self._created = True

    def _select(self, query: str, parameters: Sequence[Any] = ()) -> list[Any]:
        import psycopg

        connection = self._connect()
        try:
            rows: list[Any] = connection.execute(query, parameters).fetchall()
        except psycopg.errors.UndefinedTable:
            return []  # a store that never had a key (ADR 0223)
        return rows

    def get(self, subjects: Sequence[str]) -> dict[str, KeyRow]:
        """The rows of these subjects that exist."""
        found: dict[str, KeyRow] = {}
        with self._lock, guard_storage(_WHERE):
            for chunk in _chunks(list(subjects)):
                query = f"SELECT {_COLUMNS} FROM {KEY_TABLE} WHERE subject = ANY(%s)"
                for values in self._select(query, (list(chunk),)):
                    found[values[0]] = _row(values)
        return found

    def rows(self) -> Iterable[KeyRow]:
        """Every row."""
        with self._lock, guard_storage(_WHERE):
            return [_row(v) for v in self._select(f"SELECT {_COLUMNS} FROM {KEY_TABLE}")]

    def add(self, rows: Sequence[KeyRow]) -> int:
        """Add rows in one transaction; a subject already there keeps its row."""
        with self._lock, guard_storage(_WHERE):
            connection = self._connect()
            self._ensure(connection)
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {KEY_TABLE} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (subject) DO NOTHING",
                    [_values(row) for row in rows],
                )
                return -1  # psycopg does not sum an executemany's row counts for us

    def destroy(self, subject: str, *, household: str | None, erased_at: str) -> int:
        """Destroy the keys (rows set to NULL), then VACUUM the table."""
        with self._lock, guard_storage(_WHERE):
            connection = self._connect()
            self._ensure(connection)
            with connection.transaction():
                doomed = connection.execute(
                    f"UPDATE {KEY_TABLE} SET wrapped = NULL, erased_at = %s "
                    "WHERE wrapped IS NOT NULL AND (subject = %s OR "
                    "(%s::text IS NOT NULL AND household = %s)) RETURNING subject",
                    (erased_at, subject, household, household),
                ).fetchall()
                connection.execute(
                    f"INSERT INTO {KEY_TABLE} ({_COLUMNS}) VALUES (%s, %s, '-', NULL, '-', %s) "
                    "ON CONFLICT (subject) DO NOTHING",
                    (subject, household, erased_at),
                )
            # the old row versions (with the wrapped keys) are dead tuples until vacuumed
            connection.execute(f"VACUUM {KEY_TABLE}")
            return len(doomed)

    def rewrap(self, rows: Sequence[KeyRow]) -> None:
        """Replace the wrapped keys of these subjects, all in one transaction."""
        with self._lock, guard_storage(_WHERE):
            connection = self._connect()
            self._ensure(connection)
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {KEY_TABLE} SET wrapped = %s, wrapped_by = %s WHERE subject = %s",
                    [(row.wrapped, row.wrapped_by, row.subject) for row in rows],
                )
            connection.execute(f"VACUUM {KEY_TABLE}")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

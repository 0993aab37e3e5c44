"""Key stores: the wrapped data keys, in a table of the station's own database.

One table, ``bp_keys`` (``subject`` primary key, ``household``, ``algorithm``,
``wrapped``, ``wrapped_by``, ``erased_at``), in the SQLite file or the PostgreSQL
database the events are in, or in a dictionary for ``memory://``. An erased subject
keeps its row with ``wrapped`` NULL, so the erasure is told apart from a lost key
(ADR 0704). The table is created on the first write; a read command on a store that
never had one finds no keys and creates nothing (ADR 0223).

SQLite destroys keys with ``PRAGMA secure_delete`` (the freed bytes are overwritten)
and checkpoints its write-ahead log at once; PostgreSQL leaves a dead row version
behind until ``VACUUM``, which is run on the table after each erasure (see the
data-protection page for what that does and does not reach).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError

from beatpolice.adapters.store._key_rows import (
    _COLUMNS,
    _WHERE,
    KEY_TABLE,
    _chunks,
    _row,
    _SQLKeyStore,
    _values,
)
from beatpolice.adapters.store._postgres_keystore import PostgresKeyStore
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store.storage import StoreURL
from beatpolice.application.keys import KeyRow

__all__ = [
    "KEY_TABLE",
    "MemoryKeyStore",
    "PostgresKeyStore",
    "SQLiteKeyStore",
    "open_key_store",
]


class MemoryKeyStore:
    """Keys in a dictionary: for ``memory://`` stores, gone when the process ends."""

    def __init__(self) -> None:
        self._rows: dict[str, KeyRow] = {}
        self._lock = threading.Lock()

    def get(self, subjects: Sequence[str]) -> dict[str, KeyRow]:
        """The rows of these subjects that exist."""
        with self._lock:
            return {s: self._rows[s] for s in subjects if s in self._rows}

    def rows(self) -> Iterable[KeyRow]:
        """Every row."""
        with self._lock:
            return list(self._rows.values())

    def add(self, rows: Sequence[KeyRow]) -> int:
        """Add rows; a subject already there keeps its row."""
        with self._lock:
            before = len(self._rows)
            for row in rows:
                self._rows.setdefault(row.subject, row)
            return len(self._rows) - before

    def ensure_table(self) -> None:
        """Nothing to make."""

    def add_in(self, cursor: Any, rows: Sequence[KeyRow]) -> None:
        """Add rows with the events being recorded (``cursor`` unused); a subject that is
        there already fails the whole write (another writer won: decide again)."""
        with self._lock:
            taken = [row.subject for row in rows if row.subject in self._rows]
            if taken:
                raise IntegrityError(f"{KEY_TABLE}: a key for {taken[0]} exists already")
            self._rows.update((row.subject, row) for row in rows)

    def destroy(self, subject: str, *, household: str | None, erased_at: str) -> int:
        """Destroy the key of ``subject`` and of the records made at ``household``."""
        with self._lock:
            doomed = [
                row
                for row in self._rows.values()
                if row.wrapped is not None
                and (
                    row.subject == subject
                    or (household is not None and row.household == household)
                )
            ]
            for row in doomed:
                self._rows[row.subject] = KeyRow(
                    row.subject, row.household, row.algorithm, None, row.wrapped_by, erased_at
                )
            if subject not in self._rows:
                self._rows[subject] = KeyRow(subject, household, "-", None, "-", erased_at)
            return len(doomed)

    def rewrap(self, rows: Sequence[KeyRow]) -> None:
        """Replace these subjects' rows."""
        with self._lock:
            for row in rows:
                self._rows[row.subject] = row

    def close(self) -> None:
        """Nothing to release."""


class SQLiteKeyStore(_SQLKeyStore):
    """Keys in the ``bp_keys`` table of the station's SQLite file (its own connection)."""

    _MARK = "?"

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._created = False

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(
                self._path, isolation_level=None, timeout=30, check_same_thread=False
            )
            # an erased key's bytes are overwritten, not merely unlinked from the b-tree
            connection.execute("PRAGMA secure_delete=ON")
            # The events that use a key are committed after it, and their commit syncs the
            # write-ahead log the key's frames are in: no event is ever durable without
            # its key, and the key's own commit need not wait for the disk (WAL only).
            connection.execute("PRAGMA synchronous=NORMAL")
            self._connection = connection
        return self._connection

    def _ensure(self, connection: sqlite3.Connection) -> None:
        if not self._created:
            # one b-tree (no rowid, no household index): a key is written with every
            # record, a household erased rarely (the erasure then reads the table)
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (subject TEXT PRIMARY KEY, "
                "household TEXT, algorithm TEXT NOT NULL, wrapped BLOB, "
                "wrapped_by TEXT NOT NULL, erased_at TEXT) WITHOUT ROWID"
            )
            self._created = True

    def _select(self, query: str, parameters: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._connect().execute(query, parameters).fetchall()
        except sqlite3.OperationalError as error:
            if str(error).startswith(f"no such table: {KEY_TABLE}"):
                return []  # a store that never had a key (ADR 0223)
            raise

    def get(self, subjects: Sequence[str]) -> dict[str, KeyRow]:
        """The rows of these subjects that exist."""
        found: dict[str, KeyRow] = {}
        with self._lock, guard_storage(_WHERE):
            for chunk in _chunks(list(subjects)):
                marks = ",".join("?" * len(chunk))
                query = f"SELECT {_COLUMNS} FROM {KEY_TABLE} WHERE subject IN ({marks})"
                for values in self._select(query, chunk):
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
            connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = connection.executemany(
                    f"INSERT OR IGNORE INTO {KEY_TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    [_values(row) for row in rows],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return cursor.rowcount

    def destroy(self, subject: str, *, household: str | None, erased_at: str) -> int:
        """Destroy the keys for good: rows deleted under secure_delete, tombstones added."""
        with self._lock, guard_storage(_WHERE):
            connection = self._connect()
            self._ensure(connection)
            connection.execute("BEGIN IMMEDIATE")
            try:
                doomed = connection.execute(
                    f"SELECT {_COLUMNS} FROM {KEY_TABLE} WHERE wrapped IS NOT NULL "
                    "AND (subject = ? OR (? IS NOT NULL AND household = ?))",
                    (subject, household, household),
                ).fetchall()
                tombstones = [(v[0], v[1], v[2], None, v[4], erased_at) for v in doomed]
                if subject not in {v[0] for v in doomed}:
                    tombstones.append((subject, household, "-", None, "-", erased_at))
                connection.executemany(
                    f"DELETE FROM {KEY_TABLE} WHERE subject = ?", [(t[0],) for t in tombstones]
                )
                connection.executemany(
                    f"INSERT INTO {KEY_TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", tombstones
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            # the log holds the deleted pages until it is checkpointed into the file
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return len(doomed)

    def rewrap(self, rows: Sequence[KeyRow]) -> None:
        """Replace the wrapped keys of these subjects, all in one transaction."""
        with self._lock, guard_storage(_WHERE):
            connection = self._connect()
            self._ensure(connection)
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany(
                    f"UPDATE {KEY_TABLE} SET wrapped = ?, wrapped_by = ? WHERE subject = ?",
                    [(row.wrapped, row.wrapped_by, row.subject) for row in rows],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


AnyKeyStore = MemoryKeyStore | SQLiteKeyStore | PostgresKeyStore


def open_key_store(store: StoreURL) -> AnyKeyStore:
    """The key store of a parsed store URL: its own table, in its own database."""
    env = store.env
    if store.backend == "sqlite" and env["SQLITE_DBNAME"] != ":memory:":
        return SQLiteKeyStore(env["SQLITE_DBNAME"])
    if store.backend == "postgres":
        from psycopg.conninfo import make_conninfo

        return PostgresKeyStore(
            make_conninfo(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"],
                connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "10"),
            )
        )
    return MemoryKeyStore()

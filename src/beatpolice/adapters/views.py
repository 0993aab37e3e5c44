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
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from beatpolice.adapters._store_errors import guard_storage, guarded_methods
from beatpolice.projections._runner import Document, PositionConflictError, TableKey

if TYPE_CHECKING:
    from beatpolice._station import Station
    from beatpolice.domain._base import DomainEvent

__all__ = [
    "MemoryViewStore",
    "PostgresViewStore",
    "SQLiteViewStore",
    "event_source",
    "view_store_for",
]

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_TRACKING = "bp_projection_tracking"
_CHUNK = 500

TransactionHook = Callable[[str, str], None]
"""A test hook, ``(operation, projection)``, set as a store's ``before_commit``.

It is called inside the transaction, after all its writes and before it commits:
``"commit"`` once a page's documents and the new position are written, ``"reset"``
once a projection's tables and position are dropped. The fault tests kill the process
from it, so a crash lands inside a chosen transaction (``tests/fault``). None, and then
free, in production; not part of the public API.
"""


@lru_cache(maxsize=1024)
def _table(projection: str, table: str) -> str:
    for part in (projection, table):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"not a valid projection or table name: {part!r}")
    return f"bp_{projection}_{table}"


def _after(prefix: str) -> str | None:
    """The least string greater than every string that starts with ``prefix``.

    Keys compare by code point (SQLite's BINARY collation, PostgreSQL's ``"C"``), so
    ``prefix <= key < _after(prefix)`` is a range an index answers, unlike a
    ``substr``/``left`` test that reads every row of the table. None when there is no
    such string (an empty prefix, or one of only the last code point).
    """
    stripped = prefix.rstrip(chr(0x10FFFF))
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def _rows_by_table(
    projection: str, changes: Mapping[TableKey, Document]
) -> dict[str, list[tuple[str, bytes]]]:
    """A page's changed documents as (key, JSON) rows, grouped by SQL table."""
    by_table: dict[str, list[tuple[str, bytes]]] = {}
    for (table, key), document in changes.items():
        by_table.setdefault(_table(projection, table), []).append((key, orjson.dumps(document)))
    return by_table


def _missing_table(error: BaseException) -> bool:
    """Whether ``error`` says a projection's table does not exist (dropped by a reset).

    SQLite says ``no such table: bp_...``; PostgreSQL raises ``UndefinedTable``
    (SQLSTATE 42P01), recognised without importing psycopg.
    """
    if isinstance(error, sqlite3.OperationalError):
        return str(error).startswith("no such table: bp_")
    return getattr(error, "sqlstate", None) == "42P01"


def _conflict(projection: str, expected: int, stored: int) -> PositionConflictError:
    return PositionConflictError(
        f"projection {projection!r} is at {stored}, not {expected}: another runner "
        "applied these events first; nothing was written"
    )


class _RemembersTables:
    """What both SQL view stores share: the tables they remember, forgotten when missing.

    Another station's reset drops tables this store remembers having created. A read
    that meets a missing table answers nothing (a missing table is an empty one), a
    write is made once more; either way the store forgets every table it remembers, so
    each is created again on its next use (ADR 0225).
    """

    _connection: Any
    _created: set[str] | dict[str, str]

    def _ensure(self, name: str) -> object:
        raise NotImplementedError

    def _select(self, name: str, query: str, parameters: Any) -> list[Any]:
        """The rows of a query of table ``name``: none if another station dropped it."""
        try:
            self._ensure(name)
            rows: list[Any] = self._connection.execute(query, parameters).fetchall()
        except Exception as error:
            if not _missing_table(error):
                raise
            self._created.clear()
            return []
        return rows

    def _once_more(self, write: Callable[[], None]) -> None:
        """Run ``write``; again, every table forgotten, if it met a missing table.

        ``write`` must be one transaction that checks its position before it creates
        its tables: the second run then recreates them under the same guard.
        """
        try:
            write()
        except Exception as error:
            if not _missing_table(error):
                raise
            self._created.clear()
            write()


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


_WHERE = "the station's store"
"""How a view store's database errors name the store (ADR 0222)."""


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
        name = _table(projection, table)
        found: dict[str, Document] = {}
        with self._lock:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._select(
                    name, f"SELECT key, doc FROM {name} WHERE key IN ({marks})", chunk
                )
                found.update((key, orjson.loads(doc)) for key, doc in rows)
        return found

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Documents whose key starts with ``prefix``, in key order."""
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
        for key, doc in rows:
            if key.startswith(prefix):
                yield key, orjson.loads(doc)

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

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Documents whose key starts with ``prefix``, in key order."""
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
        for key, doc in rows:
            if key.startswith(prefix):
                yield key, orjson.loads(doc)

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


_STORES: weakref.WeakKeyDictionary[
    Station, MemoryViewStore | SQLiteViewStore | PostgresViewStore
] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def view_store_for(station: Station) -> MemoryViewStore | SQLiteViewStore | PostgresViewStore:
    """The view store of a station's backend (one per station, opened on first use)."""
    with _STORES_LOCK:
        store = _STORES.get(station)
        if store is None:
            store = _open(station)
            _STORES[station] = store
            weakref.finalize(station, store.close)
        return store


def _open(station: Station) -> MemoryViewStore | SQLiteViewStore | PostgresViewStore:
    env = station.store.env
    if station.backend == "sqlite" and env["SQLITE_DBNAME"] != ":memory:":
        return SQLiteViewStore(env["SQLITE_DBNAME"])
    if station.backend == "postgres":
        from psycopg.conninfo import make_conninfo

        return PostgresViewStore(
            make_conninfo(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"],
                connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "10"),
            )
        )
    return MemoryViewStore()


def event_source(station: Station) -> Any:
    """A page reader of the station's log: ``(start, limit) -> [(id, event), ...]``."""
    recorder = station.app.recorder
    mapper = station.app.mapper

    def read(start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        with guard_storage(station.url):
            notifications = recorder.select_notifications(start=start, limit=limit)
        return [(n.id, mapper.to_domain_event(n)) for n in notifications]  # type: ignore[misc]

    return read

"""Reading a format-1 store for ``beatpolice migrate``: read-only, in notification order.

This is the one path that reads a store written by 0.1 after :func:`beatpolice.connect`
started refusing them (ADR 0230). A SQLite file is opened read-only (``mode=ro``: nothing
about it changes, not even its journal mode) and a PostgreSQL database in a ``READ ONLY``
``REPEATABLE READ`` transaction; either way every page is read in one transaction, so
the copy is of one consistent moment of the old store. Pages are fetched by notification
id, so memory stays bounded by a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent

from beatpolice.adapters.store._store_errors import database_errors
from beatpolice.adapters.store._store_marker import POSTGRES_TABLES, SQLITE_TABLES
from beatpolice.adapters.store._store_sqlite import read_only
from beatpolice.adapters.store.storage import StoreURL

__all__ = ["PAGE", "count_events", "old_events"]

PAGE = 2000
"""Old events read per query."""

_ADOPTED = "beatpolice:PolicyAdopted"


def _tables(store: StoreURL) -> tuple[str, str]:
    names = SQLITE_TABLES if store.backend == "sqlite" else POSTGRES_TABLES
    events = next(name for name in names if name.endswith("_events"))
    snapshots = next(name for name in names if name.endswith("_snapshots"))
    return events, snapshots


def count_events(store: StoreURL) -> tuple[int, frozenset[str], int]:
    """How many events the old store holds, the policies it already records
    (``NAME@VERSION``, stores of a 0.2 preview), and how many snapshots it holds."""
    events, snapshots = _tables(store)
    with _cursor(store) as run:
        total = int(run(f"SELECT COUNT(*) FROM {events}")[0][0])
        rows = run(f"SELECT state FROM {events} WHERE topic = {_mark(store)}", (_ADOPTED,))
        try:
            held = int(run(f"SELECT COUNT(*) FROM {snapshots}")[0][0])
        except database_errors():  # no snapshots table: no snapshots
            held = 0
    adopted = set()
    for (state,) in rows:
        data = orjson.loads(bytes(state))
        adopted.add(f"{data['policy']}@{data['policy_version']}")
    return total, frozenset(adopted), held


def old_events(store: StoreURL, page: int = PAGE) -> Iterator[StoredEvent]:
    """Every event of the old store, in notification order, in one read transaction."""
    events, _ = _tables(store)
    id_column = "rowid" if store.backend == "sqlite" else "notification_id"
    query = (
        f"SELECT {id_column}, originator_id, originator_version, topic, state FROM {events} "
        f"WHERE {id_column} > {_mark(store)} ORDER BY {id_column} LIMIT {int(page)}"
    )
    with _cursor(store) as run:
        last = 0
        while True:
            rows = run(query, (last,))
            for _, originator, version, topic, state in rows:
                yield StoredEvent(
                    originator_id=originator if isinstance(originator, UUID) else UUID(originator),
                    originator_version=int(version),
                    topic=str(topic),
                    state=bytes(state),
                )
            if len(rows) < page:
                return
            last = int(rows[-1][0])


def _mark(store: StoreURL) -> str:
    return "?" if store.backend == "sqlite" else "%s"


@contextmanager
def _cursor(store: StoreURL) -> Iterator[Any]:
    """``run(sql, params) -> rows`` inside one read-only transaction of the old store."""
    if store.backend == "sqlite":
        connection = read_only(store.env["SQLITE_DBNAME"])
        try:
            connection.execute("BEGIN")

            def run_sqlite(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
                return connection.execute(sql, params).fetchall()

            yield run_sqlite
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    import psycopg
    from psycopg.conninfo import make_conninfo

    # every parameter of the URL (ADR 0808)
    with psycopg.connect(make_conninfo(**store.params)) as server:
        server.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

        def run_postgres(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
            with server.transaction():  # a savepoint: a failed query spoils nothing
                return server.execute(sql, params).fetchall()

        yield run_postgres
        server.rollback()

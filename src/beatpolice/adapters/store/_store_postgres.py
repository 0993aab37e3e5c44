"""Opening a PostgreSQL store: look at the database's tables, then mark it.

A PostgreSQL database is a namespace shared with other software: eventsourcing names
its tables after the application (``beatpolice_events``, ``beatpolice_snapshots``) and
our projections' tables start with ``bp_``, so other tables in the same schema are not
ours and are none of our business (ADR 0220). What decides is ``bp_store``, the marker,
and our own tables. This runs on the connection that holds the schema lock (ADR 0202),
so two processes opening one database see each other's marker.
"""

from __future__ import annotations

from typing import Any

from beatpolice.adapters.store._store_errors import one_line
from beatpolice.adapters.store._store_marker import (
    MARKER_TABLE,
    MIGRATION_KEY,
    POSTGRES_TABLES,
    Found,
    Verdict,
    is_our_table,
    marker_from_rows,
    marker_rows,
    verdict,
)
from beatpolice.domain.errors import StorageError

__all__ = ["prepare_postgres", "set_migration"]


def prepare_postgres(
    connection: Any,
    where: str,
    *,
    create: bool,
    legacy: bool = False,
    migrating_from: str | None = None,
) -> Verdict:
    """Check the database behind ``connection`` and mark it if it is new.

    Args:
        connection: an autocommit psycopg connection to the store's database.
        where: the URL with its password masked, for messages.
        create: whether a database without our tables may become a store; read
            commands pass False.
        legacy: ``beatpolice migrate`` asks: tell a format-1 store or an incomplete
            migration instead of refusing it.
        migrating_from: a new store is marked as an incomplete migration from this.

    Raises:
        NotAStoreError: no store (and ``create`` is False), or a ``bp_store`` table of
            another application or format. Nothing is written then.
        StorageError: the server refused a query.
    """
    import psycopg

    try:
        found = _facts(connection, where)
        decided = verdict(found, create=create, legacy=legacy)
        if decided is Verdict.CREATE:
            origin = "created" if migrating_from is None else "migrated"
            with connection.transaction():
                connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
                    '(key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)'
                )
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO NOTHING",
                        marker_rows(origin, migrating_from=migrating_from),
                    )
        return decided
    except psycopg.Error as error:
        raise StorageError(f"cannot open {where}: {one_line(str(error))}") from error


def _facts(connection: Any, where: str) -> Found:
    import psycopg

    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()
    names = {str(row[0]) for row in rows}
    ours = frozenset(name for name in names if is_our_table(name, POSTGRES_TABLES))
    marker = None
    if MARKER_TABLE in ours:
        try:
            with connection.transaction():
                marker = marker_from_rows(
                    connection.execute(f"SELECT key, value FROM {MARKER_TABLE}")
                )
        except psycopg.errors.UndefinedColumn:  # a bp_store of another shape
            marker = {}
    return Found(where=where, ours=ours, marker=marker)


def set_migration(connection: Any, where: str, value: str | None) -> None:
    """Write (``value``) or delete (None) the marker row of an incomplete migration.

    Raises:
        StorageError: the server refused it.
    """
    import psycopg

    try:
        with connection.transaction():
            if value is None:
                connection.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = %s", (MIGRATION_KEY,))
            else:
                connection.execute(
                    f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (MIGRATION_KEY, value),
                )
    except psycopg.Error as error:
        raise StorageError(f"cannot mark {where}: {one_line(str(error))}") from error

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

from beatpolice.adapters._store_errors import one_line
from beatpolice.adapters._store_marker import (
    MARKER_TABLE,
    POSTGRES_TABLES,
    Found,
    Verdict,
    is_our_table,
    marker_from_rows,
    marker_rows,
    verdict,
)
from beatpolice.domain.errors import StorageError

__all__ = ["prepare_postgres"]


def prepare_postgres(connection: Any, where: str, *, create: bool) -> Verdict:
    """Check the database behind ``connection`` and mark it if it is new or 0.1.

    Args:
        connection: an autocommit psycopg connection to the store's database.
        where: the URL with its password masked, for messages.
        create: whether a database without our tables may become a store (and a 0.1
            store be marked); read commands pass False.

    Raises:
        NotAStoreError: no store (and ``create`` is False), or a ``bp_store`` table of
            another application or format. Nothing is written then.
        StorageError: the server refused a query.
    """
    import psycopg

    try:
        found = _facts(connection, where)
        decided = verdict(found, create=create)
        if decided in (Verdict.CREATE, Verdict.ADOPT):
            origin = "created" if decided is Verdict.CREATE else "adopted"
            with connection.transaction():
                connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
                    '(key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)'
                )
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO NOTHING",
                        marker_rows(origin),
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

"""Where a station keeps its events: ``memory://``, ``sqlite:///path``, ``postgresql://``.

The URL is turned into eventsourcing's persistence settings. A plain path (no scheme)
means a SQLite file, as on the command line. :func:`open_store` checks that what the
URL names is a beatpolice store (or nothing yet) before anything is written to it, and
marks new stores (ADR 0220-0222).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from beatpolice._extras import require
from beatpolice.adapters.store._postgres_url import mask_password, postgres_env
from beatpolice.adapters.store._store_errors import one_line
from beatpolice.adapters.store._store_marker import FORMAT_VERSION, Verdict
from beatpolice.adapters.store._store_postgres import prepare_postgres
from beatpolice.adapters.store._store_sqlite import prepare_sqlite
from beatpolice.domain.errors import StorageError

__all__ = [
    "FORMAT_VERSION",
    "StoreURL",
    "mask_password",
    "open_store",
    "parse_url",
    "schema_lock",
]


@attrs.frozen
class StoreURL:
    """A parsed store URL: its backend and eventsourcing's environment for it."""

    backend: str
    """``memory``, ``sqlite`` or ``postgres``."""
    env: dict[str, str]
    display: str
    """The URL with any password masked, for messages."""
    params: dict[str, str] = attrs.field(factory=dict)
    """PostgreSQL only: every libpq connection parameter of the URL (the password and
    query parameters such as ``sslmode`` or ``application_name`` included), as
    ``psycopg.connect(**params)`` takes them (ADR 0808)."""


def parse_url(url: str) -> StoreURL:
    """Parse a station URL, refusing an unknown scheme with :class:`StorageError`.

    Only a ``postgresql://`` URL imports psycopg (the ``postgres`` extra); without it,
    such a URL raises :class:`~beatpolice.MissingExtraError`.

    Example:
        >>> parse_url("sqlite:///station.db").env["SQLITE_DBNAME"]
        'station.db'
    """
    if "://" not in url:
        return _sqlite(url, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        # eventsourcing's memory persistence, keeping the log's leaves (ADR 0520)
        memory = "beatpolice.adapters.store._log_recorders:LoggedPOPOFactory"
        return StoreURL("memory", {"PERSISTENCE_MODULE": memory}, "memory://")
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them
        path = unquote(url.split("://", 1)[1])
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise StorageError("sqlite URL needs a file: sqlite:///station.db")
        return _sqlite(path, url)
    if scheme in ("postgresql", "postgres"):
        return _postgres(url)
    raise StorageError(
        f"unknown store URL scheme '{parts.scheme}': use memory://, sqlite:///FILE "
        "or postgresql://USER:PASSWORD@HOST:PORT/DB"
    )


def _sqlite(path: str, url: str) -> StoreURL:
    # A missing folder is found when the store is opened: a read command then says
    # "no store at ...", a writer "cannot create ...: no folder ...".
    if path != ":memory:":
        path = str(Path(path).expanduser())
    return StoreURL(
        "sqlite",
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
            # eventsourcing's recorder, writing the log's leaves with the events (ADR 0520)
            "APPLICATION_RECORDER_TOPIC": (
                "beatpolice.adapters.store._log_recorders:SQLiteEventRecorder"
            ),
        },
        url,
    )


def _postgres(url: str) -> StoreURL:
    env, params, display = postgres_env(url)
    return StoreURL("postgres", env, display, params)


_SCHEMA_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"beatpolice:schema").digest()[:8], "big", signed=True
)
"""The PostgreSQL advisory lock that serialises creating a store's tables."""


@contextmanager
def open_store(
    store: StoreURL,
    *,
    create: bool = True,
    legacy: bool = False,
    migrating_from: str | None = None,
) -> Iterator[Verdict]:
    """Check the store before it is opened; the caller opens it inside the block.

    A SQLite file is checked (header, tables, pages) without being written to; a new
    store is then marked (ADR 0220). A PostgreSQL database is checked and marked under
    the schema lock, which is held until the block ends. A store written by 0.1 is
    refused with one line naming ``beatpolice migrate`` (ADR 0230).

    Args:
        store: the parsed URL.
        create: whether a missing store may be created; read commands pass False.
        legacy: for ``beatpolice migrate`` only: a format-1 store or an incomplete
            migration is told, not refused.
        migrating_from: for ``beatpolice migrate`` only: a store created now is marked
            as an incomplete migration from this store (ADR 0233).

    Yields:
        What was decided: open or create (or, with ``legacy``, format 1 or incomplete).

    Raises:
        NotAStoreError: not a beatpolice store, a store of another format, or none
            there and ``create`` is False.
        StorageError: the store cannot be read or reached.
    """
    options: dict[str, Any] = {"create": create, "legacy": legacy}
    options["migrating_from"] = migrating_from
    if store.backend == "sqlite":
        yield prepare_sqlite(store.env["SQLITE_DBNAME"], **options)
    elif store.backend == "postgres":
        with _locked(store) as connection:
            yield prepare_postgres(connection, store.display, **options)
    else:
        yield Verdict.OPEN


@contextmanager
def schema_lock(store: StoreURL) -> Iterator[None]:
    """Hold the store's schema lock while its tables are created (PostgreSQL only).

    eventsourcing creates its tables with ``CREATE TABLE IF NOT EXISTS`` whenever an
    application opens; on PostgreSQL two processes doing so at the same moment can
    fail with "tuple concurrently updated". Station systems start several workers at
    once, so opening is serialised with a session-level advisory lock. SQLite
    serialises schema changes itself and memory stores are private.

    Raises:
        StorageError: the server cannot be reached.
    """
    if store.backend != "postgres":
        yield
        return
    with _locked(store):
        yield


@contextmanager
def locked(store: StoreURL) -> Iterator[Any]:
    """An autocommit psycopg connection to a PostgreSQL store, holding the schema lock.

    Raises:
        StorageError: the server cannot be reached.
    """
    with _locked(store) as connection:
        yield connection


@contextmanager
def _locked(store: StoreURL) -> Iterator[Any]:
    """An autocommit connection to the store's database holding the schema lock."""
    # the only backend that needs a driver of its own here
    psycopg: Any = require("psycopg", "postgresql:// stores")
    try:
        connection = psycopg.connect(**store.params, autocommit=True)
    except psycopg.Error as error:
        raise StorageError(f"cannot open {store.display}: {one_line(str(error))}") from error
    with connection:
        try:
            connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK_KEY,))
        except psycopg.Error as error:
            raise StorageError(f"cannot open {store.display}: {one_line(str(error))}") from error
        try:
            yield connection
        finally:
            with suppress(psycopg.Error):  # the connection went away: so did its lock
                connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK_KEY,))

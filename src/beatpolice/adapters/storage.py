"""Where a station keeps its events: ``memory://``, ``sqlite:///path``, ``postgresql://``.

The URL is turned into eventsourcing's persistence settings. A plain path (no scheme)
means a SQLite file, as on the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

from beatpolice.domain.errors import StorageError

__all__ = ["StoreURL", "parse_url", "schema_lock"]


@attrs.frozen
class StoreURL:
    """A parsed store URL: its backend and eventsourcing's environment for it."""

    backend: str
    """``memory``, ``sqlite`` or ``postgres``."""
    env: dict[str, str]
    display: str
    """The URL with any password masked, for messages."""


def parse_url(url: str) -> StoreURL:
    """Parse a station URL, refusing an unknown scheme with :class:`StorageError`."""
    if "://" not in url:
        return _sqlite(url, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        return StoreURL("memory", {"PERSISTENCE_MODULE": "eventsourcing.popo"}, "memory://")
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
        f"unknown store URL scheme {parts.scheme!r}: use memory://, sqlite:///FILE "
        "or postgresql://USER:PASSWORD@HOST:PORT/DB"
    )


def _sqlite(path: str, url: str) -> StoreURL:
    if path != ":memory:":
        folder = Path(path).expanduser().resolve().parent
        if not folder.is_dir():
            raise StorageError(f"cannot create SQLite store {path!r}: no folder {folder}")
        path = str(Path(path).expanduser())
    return StoreURL(
        "sqlite",
        {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        },
        url,
    )


def _postgres(url: str) -> StoreURL:
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not database or not parts.hostname:
        raise StorageError("postgresql URL needs a host and a database: postgresql://HOST/DB")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": "4",
    }
    display = url.replace(f":{parts.password}@", ":***@") if parts.password else url
    return StoreURL("postgres", env, display)


_SCHEMA_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"beatpolice:schema").digest()[:8], "big", signed=True
)
"""The PostgreSQL advisory lock that serialises creating a store's tables."""


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
    import psycopg  # the only backend that needs a driver of its own here

    env = store.env
    try:
        connection = psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
    except psycopg.Error as error:
        raise StorageError(f"cannot open {store.display}: {error}") from error
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK_KEY,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK_KEY,))

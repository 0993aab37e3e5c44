"""Where a station keeps its events: ``memory://``, ``sqlite:///path``, ``postgresql://``.

The URL is turned into eventsourcing's persistence settings. A plain path (no scheme)
means a SQLite file, as on the command line.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

from beatpolice.domain.errors import StorageError

__all__ = ["StoreURL", "parse_url"]


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

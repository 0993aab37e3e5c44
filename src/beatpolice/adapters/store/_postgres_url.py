"""``postgresql://`` store URLs, read by libpq's own rules (ADR 0224, ADR 0808).

psycopg's ``conninfo_to_dict`` splits the URL as libpq would (``[::1]`` hosts,
percent-encoded passwords, ``?host=/var/run/postgresql`` socket folders); every query
parameter libpq knows (``sslmode``, ``sslrootcert``, ``application_name``,
``target_session_attrs``, ``options``, ...) is kept and passed on to every connection
the station opens: the event store's pool, the view store and the schema lock. Only
psycopg (the ``postgres`` extra) is imported, and only for such a URL.
"""

from __future__ import annotations

import re
from typing import Any

from beatpolice._extras import require
from beatpolice.adapters.store._store_errors import one_line
from beatpolice.domain.errors import StorageError

__all__ = ["OPTIONS_ENV", "mask_password", "postgres_env"]

OPTIONS_ENV = "BEATPOLICE_POSTGRES_OPTIONS"
"""The environment key holding the URL's other libpq parameters, as a conninfo string."""

DEFAULT_CONNECT_TIMEOUT = "10"
"""Seconds to wait for the server when the URL names no ``connect_timeout``."""

_SECRET_KEYS = ("password", "sslpassword")
_PASSWORD_IN_NETLOC = re.compile(r"^([^:/?#]+://[^/?#@:]*:)[^/?#@]*@")
_SECRET_IN_QUERY = re.compile(r"([?&](?:ssl)?password=)[^&#]*", re.IGNORECASE)
_OWN_KEYS = frozenset({"host", "port", "dbname", "user", "password", "connect_timeout"})
"""Parameters eventsourcing's own settings carry; every other one travels in OPTIONS_ENV."""


def mask_password(url: str) -> str:
    """``url`` with its secrets (password in the user part, ``password`` or
    ``sslpassword`` in the query) replaced by ``***``.

    Example:
        >>> mask_password("postgresql://police:s3cret@db/dezhou?sslmode=require")
        'postgresql://police:***@db/dezhou?sslmode=require'
        >>> mask_password("postgresql://db/dezhou?user=u&password=s3cret")
        'postgresql://db/dezhou?user=u&password=***'
    """
    return _SECRET_IN_QUERY.sub(r"\1***", _PASSWORD_IN_NETLOC.sub(r"\1***@", url))


def postgres_env(url: str) -> tuple[dict[str, str], dict[str, str], str]:
    """eventsourcing's settings for a ``postgresql://`` URL, its libpq parameters, and
    the URL with its password masked.

    Raises:
        MissingExtraError: psycopg is not installed.
        StorageError: libpq refuses the URL, or it names no host or database, more
            than one host, or a port outside 1-65535 (one line, password masked).
    """
    display = mask_password(url)
    conninfo: Any = require("psycopg.conninfo", "postgresql:// stores")
    psycopg: Any = require("psycopg", "postgresql:// stores")
    try:
        parsed: dict[str, Any] = conninfo.conninfo_to_dict(url)
    except psycopg.Error as error:
        message = one_line(str(error))
        for key in _SECRET_KEYS:
            secret = _secret(url, key)
            if secret:
                message = message.replace(secret, "***")
        raise StorageError(f"bad postgresql URL {display}: {message}") from None
    params = {key: str(value) for key, value in parsed.items() if value is not None}
    host, database = params.get("host", ""), params.get("dbname", "")
    if not database or not host:
        raise StorageError(
            f"bad postgresql URL {display}: it needs a host and a database: "
            "postgresql://HOST/DB or postgresql:///DB?host=/socket/folder"
        )
    if "," in host:
        raise StorageError(f"bad postgresql URL {display}: give one host, not {host}")
    port = params.get("port") or "5432"
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise StorageError(
            f"bad postgresql URL {display}: port {port} is not a number from 1 to 65535"
        )
    timeout = params.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT
    if not timeout.isascii() or not timeout.isdigit():
        raise StorageError(
            f"bad postgresql URL {display}: connect_timeout {timeout} is not a whole "
            "number of seconds"
        )
    params.update(port=str(int(port)), connect_timeout=str(int(timeout)))
    params.setdefault("user", "postgres")
    options = {key: value for key, value in params.items() if key not in _OWN_KEYS}
    env = {
        # eventsourcing's factory, passing the URL's other parameters on (ADR 0808)
        "PERSISTENCE_MODULE": "beatpolice.adapters.store._postgres_factory:PostgresFactory",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": params["port"],
        "POSTGRES_USER": params["user"],
        "POSTGRES_PASSWORD": params.get("password", ""),
        "POSTGRES_CONNECT_TIMEOUT": params["connect_timeout"],
        "POSTGRES_POOL_SIZE": "4",
        OPTIONS_ENV: conninfo.make_conninfo("", **options) if options else "",
        # eventsourcing's recorder, inserting without psycopg's pipeline (ADR 0226)
        "APPLICATION_RECORDER_TOPIC": (
            "beatpolice.adapters.store._postgres_recorder:PostgresEventRecorder"
        ),
    }
    return env, params, display


def _secret(url: str, key: str) -> str:
    # the secret as libpq would read it, to scrub it from libpq's own message
    match = re.search(rf"[?&]{key}=([^&#]*)", url, re.IGNORECASE)
    if match:
        return match[1]
    if key == "password":
        netloc = _PASSWORD_IN_NETLOC.match(url)
        if netloc:
            return url[len(netloc[1]) : netloc.end() - 1]
    return ""

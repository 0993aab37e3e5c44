"""Where a station's master key comes from (ADR 0703).

In this order: the ``master_key`` given to :func:`beatpolice.connect`;
``BEATPOLICE_MASTER_KEY`` (base64 of 32 bytes); the key file given as ``key_file`` or
``BEATPOLICE_KEY_FILE``; for ``memory://``, a key of its own, made now; for a SQLite
file, the key file beside it (``station.db.key``), made with mode 0600 the first time
the store needs a key; for PostgreSQL, nothing: a key must be given.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from beatpolice.adapters.store.cipher import DEFAULT_ALGORITHM, MasterKey
from beatpolice.adapters.store.storage import StoreURL
from beatpolice.domain.errors import MasterKeyError

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "KeySource",
    "key_file_beside",
    "key_source",
    "read_key_file",
    "replace_key_file",
    "write_key_file",
]

ENV_KEY = "BEATPOLICE_MASTER_KEY"
ENV_KEY_FILE = "BEATPOLICE_KEY_FILE"


@attrs.frozen
class KeySource:
    """The master key a station opens with, or where it will be made."""

    key: MasterKey | None
    """The key, when one was given or found; None when it is made on first use."""
    beside: Path | None = None
    """For a SQLite store without a given key: the key file beside it."""
    origin: str = ""
    """Where the key came from, for messages (never the key)."""


def read_key_file(path: Path, *, algorithm: str = DEFAULT_ALGORITHM) -> MasterKey:
    """The master key in the key file at ``path``.

    Raises:
        MasterKeyError: no such file, unreadable, or not base64 of 32 bytes.
    """
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not ASCII"
        raise MasterKeyError(f"cannot read the key file {path}: {reason}") from None
    return MasterKey.from_text(text, algorithm=algorithm, where=f"key file {path}")


def key_file_beside(store: StoreURL) -> Path:
    """The key file beside a SQLite store: ``PATH.key``."""
    return Path(store.env["SQLITE_DBNAME"] + ".key")


def write_key_file(path: Path, *, text: str | None = None) -> bool:
    """Write a master key to ``path`` (mode 0600) unless a file is there already.

    The key is ``text`` (base64 of 32 bytes) when given, else a new random one.

    Returns:
        True when this call made the file (two processes racing: one makes it).

    Raises:
        MasterKeyError: the file cannot be made.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as error:
        raise MasterKeyError(f"cannot create the key file {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write((text if text is not None else MasterKey.new_text()) + "\n")
        file.flush()
        os.fsync(file.fileno())
    return True


def key_source(
    store: StoreURL,
    *,
    master_key: str | bytes | None = None,
    key_file: str | Path | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
) -> KeySource:
    """Find the master key of ``store`` (see the module's docstring for the order).

    Raises:
        MasterKeyError: a given key is malformed, a key file unreadable, or a
            PostgreSQL store was given no key.
    """
    if isinstance(master_key, bytes):
        return KeySource(MasterKey(master_key, algorithm=algorithm), origin="master_key")
    if isinstance(master_key, str):
        key = MasterKey.from_text(master_key, algorithm=algorithm, where="master_key")
        return KeySource(key, origin="master_key")
    from_env = os.environ.get(ENV_KEY)
    if from_env:
        return KeySource(
            MasterKey.from_text(from_env, algorithm=algorithm, where=ENV_KEY), origin=ENV_KEY
        )
    file = key_file if key_file is not None else os.environ.get(ENV_KEY_FILE) or None
    if file is not None:
        path = Path(file).expanduser()
        return KeySource(read_key_file(path, algorithm=algorithm), origin=f"key file {path}")
    if store.backend == "sqlite" and store.env["SQLITE_DBNAME"] != ":memory:":
        beside = key_file_beside(store)
        if beside.exists():
            return KeySource(
                read_key_file(beside, algorithm=algorithm),
                beside=beside,
                origin=f"key file {beside}",
            )
        return KeySource(None, beside=beside, origin=f"key file {beside}")
    if store.backend == "postgres":
        raise MasterKeyError(
            f"{store.display}: a PostgreSQL store needs a master key: set {ENV_KEY} "
            f"(base64 of 32 bytes) or give --key-file FILE ({ENV_KEY_FILE})"
        )
    return KeySource(MasterKey.generate(algorithm=algorithm), origin="a key of its own")


def replace_key_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) atomically, replacing the file there."""
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(text.strip() + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)

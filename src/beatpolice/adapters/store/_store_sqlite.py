"""Opening a SQLite store: check the file, read it without writing, then mark it.

Nothing is written to a file until it has been found to be a beatpolice store (or
nothing at all): the header is read as bytes, the schema through a read-only
connection, and the pages checked with ``PRAGMA quick_check`` (ADR 0222). Only then may
the marker be written, inside a write transaction that looks again first, so two
processes creating the same store at once both end up with one marked store.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from beatpolice.adapters.store._store_errors import one_line
from beatpolice.adapters.store._store_marker import (
    APPLICATION_ID,
    FORMAT_VERSION,
    MARKER_TABLE,
    MIGRATION_KEY,
    SQLITE_TABLES,
    Found,
    Verdict,
    is_our_table,
    marker_from_rows,
    marker_rows,
    our_topic,
    verdict,
)
from beatpolice.domain.errors import NotAStoreError, StorageError

__all__ = ["CHECK_ENV", "prepare_sqlite", "read_only", "set_migration"]

CHECK_ENV = "BEATPOLICE_SQLITE_CHECK"
"""Environment variable choosing the page check on open: ``auto`` (the default: a writer,
``create=True``, runs ``PRAGMA quick_check``, every page read once; a reader checks the
header and schema only, ADR 0227), ``quick`` (every open) or ``header`` (never)."""

_MAGIC = b"SQLite format 3\x00"
_HEADER = 100


def prepare_sqlite(
    path: str, *, create: bool, legacy: bool = False, migrating_from: str | None = None
) -> Verdict:
    """Check the SQLite store at ``path`` and mark it if it is new.

    Args:
        path: the file (``:memory:`` is private to its connection: nothing to check).
        create: whether a missing or empty file may become a store; read commands pass
            False.
        legacy: ``beatpolice migrate`` asks: tell a format-1 store or an incomplete
            migration instead of refusing it.
        migrating_from: a new store is marked as an incomplete migration from this.

    Returns:
        What was decided.

    Raises:
        NotAStoreError: the file is missing (and ``create`` is False), is not a SQLite
            file, is damaged, or belongs to another application. The file is untouched.
        StorageError: the file cannot be read, or the marker cannot be written.
    """
    if path == ":memory:":
        return Verdict.OPEN
    file = Path(path)
    if not file.exists():
        if not file.parent.is_dir() and create:
            raise StorageError(f"cannot create SQLite store {path}: no folder {file.parent}")
        verdict(Found(where=path), create=create)
        return _mark(path, create_file=True, legacy=legacy, migrating_from=migrating_from)
    if file.is_dir():
        raise NotAStoreError(f"{path} is a directory, not a beatpolice store")
    if not file.is_file():
        raise NotAStoreError(f"{path} is not a regular file, not a beatpolice store")
    size = _check_header(path)
    if size == 0:
        verdict(Found(where=path), create=create)
        return _mark(path, create_file=False, legacy=legacy, migrating_from=migrating_from)
    decided = _inspect(path, create=create, legacy=legacy)
    if decided is Verdict.CREATE:  # a SQLite file without a single table
        return _mark(path, create_file=False, legacy=legacy, migrating_from=migrating_from)
    return decided


def _check_header(path: str) -> int:
    """The file's size after its 100-byte header has been found to be SQLite's."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            header = handle.read(_HEADER)
    except OSError as error:
        raise StorageError(f"cannot read {path}: {error.strerror or error}") from error
    if size == 0:
        return 0
    if not header.startswith(_MAGIC[: len(header)]) or len(header) < len(_MAGIC):
        raise NotAStoreError(
            f"{path} is not a beatpolice store: not a SQLite file ({_describe(header)}); "
            "nothing was written"
        )
    if size < _HEADER:
        raise NotAStoreError(f"{path} is damaged: truncated to {size} bytes")
    return size


def _check_size(path: str) -> None:
    """Refuse a file shorter than its header says (called under a read lock: no writer
    of a rollback-journal file is then half-way through extending it)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        header = handle.read(_HEADER)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise NotAStoreError(f"{path} is damaged: its header names page size {page_size}")
    pages = int.from_bytes(header[28:32], "big")
    pages_valid = header[24:28] == header[92:96] and pages > 0
    # With a write-ahead log beside it, the file may lag the log until a checkpoint.
    wal = Path(path + "-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if not wal_pending and (size % page_size or (pages_valid and size < pages * page_size)):
        expected = pages * page_size if pages_valid else "a multiple of the page size"
        raise NotAStoreError(
            f"{path} is damaged: truncated to {size} bytes (expected {expected}); "
            "restore it from a backup"
        )


def _describe(header: bytes) -> str:
    if not header.strip(b"\x00"):
        return "it is zero-filled"
    if b"\x00" not in header and header.decode("utf-8", "ignore").strip():
        return "it holds text"
    return "unknown binary content"


def read_only(path: str) -> sqlite3.Connection:
    """A connection that cannot write to the file at ``path`` (autocommit mode)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)


def _inspect(path: str, *, create: bool, legacy: bool) -> Verdict:
    try:
        connection = read_only(path)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {one_line(str(error))}") from error
    try:
        connection.execute("BEGIN")  # one read transaction: a consistent snapshot
        found = _facts(connection, path)
        _check_size(path)
        decided = verdict(found, create=create, legacy=legacy)
        if _page_check(create):
            _quick_check(connection, path)
        connection.execute("COMMIT")
        return decided
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "unable to open" in str(error):
            raise StorageError(f"cannot read {path}: {one_line(str(error))}") from error
        raise _damaged(path, error) from error
    except sqlite3.DatabaseError as error:
        raise _damaged(path, error) from error
    except OSError as error:
        raise StorageError(f"cannot read {path}: {error.strerror or error}") from error
    finally:
        connection.close()


def _page_check(create: bool) -> bool:
    """Whether this open reads every page: writers do, readers do not (ADR 0227)."""
    mode = os.environ.get(CHECK_ENV, "auto").strip().lower()
    return mode == "quick" or (mode not in ("header", "quick") and create)


def _damaged(path: str, error: sqlite3.Error) -> NotAStoreError:
    return NotAStoreError(
        f"{path} is damaged or not a SQLite database ({one_line(str(error))}); nothing was written"
    )


def _facts(connection: sqlite3.Connection, path: str) -> Found:
    """What the SQLite file holds, read in ``connection``'s current transaction."""
    names = [
        str(row[0])
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    ours = frozenset(name for name in names if is_our_table(name, SQLITE_TABLES))
    foreign = tuple(sorted(name for name in names if name not in ours))
    application_id = int(connection.execute("PRAGMA application_id").fetchone()[0])
    marker = None
    if MARKER_TABLE in ours:
        try:
            marker = marker_from_rows(connection.execute(f"SELECT key, value FROM {MARKER_TABLE}"))
        except sqlite3.OperationalError:  # a bp_store of another shape
            marker = {}
    foreign_topic = None
    for table in sorted(SQLITE_TABLES & ours):
        try:
            row = connection.execute(f"SELECT topic FROM {table} LIMIT 1").fetchone()
        except sqlite3.OperationalError as error:
            if "no such column" not in str(error):
                raise
            foreign_topic = f"{table} without a topic column"  # not eventsourcing's
            break
        if row is not None and not our_topic(str(row[0])):
            foreign_topic = str(row[0])
            break
    return Found(
        where=path,
        ours=ours,
        foreign=foreign,
        marker=marker,
        application_id=application_id,
        foreign_topic=foreign_topic,
    )


def _quick_check(connection: sqlite3.Connection, path: str) -> None:
    problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise NotAStoreError(
            f"{path} is damaged ({one_line('; '.join(problems))}); restore it from a "
            "backup; nothing was written"
        )


def _mark(path: str, *, create_file: bool, legacy: bool, migrating_from: str | None) -> Verdict:
    """Write the marker in one transaction that first looks again at what is there."""
    origin = "created" if migrating_from is None else "migrated"
    mode = "rwc" if create_file else "rw"
    uri = Path(path).resolve().as_uri() + f"?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
    except sqlite3.Error as error:
        raise StorageError(f"cannot create SQLite store {path}: {one_line(str(error))}") from error
    try:
        connection.execute("BEGIN IMMEDIATE")
        decided = verdict(_facts(connection, path), create=True, legacy=legacy)
        if decided is Verdict.CREATE:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            connection.executemany(
                f"INSERT OR IGNORE INTO {MARKER_TABLE} (key, value) VALUES (?, ?)",
                marker_rows(origin, migrating_from=migrating_from),
            )
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        connection.execute("COMMIT")
        return decided
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise StorageError(f"cannot mark {path} as a store: {one_line(str(error))}") from error
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def set_migration(path: str, value: str | None) -> None:
    """Write (``value``) or delete (None) the marker row of an incomplete migration.

    Raises:
        StorageError: the file cannot be written.
    """
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        try:
            connection.execute("BEGIN IMMEDIATE")
            if value is None:
                connection.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = ?", (MIGRATION_KEY,))
            else:
                connection.execute(
                    f"INSERT OR REPLACE INTO {MARKER_TABLE} (key, value) VALUES (?, ?)",
                    (MIGRATION_KEY, value),
                )
            connection.execute("COMMIT")
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise StorageError(f"cannot mark {path}: {one_line(str(error))}") from error

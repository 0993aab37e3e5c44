"""The new store of ``beatpolice migrate``: checked, opened, marked and cleaned up.

A migration copies into another store only (never the old one, never ``memory://``),
into nothing yet, an empty store, or one an earlier migration left incomplete, which is
emptied first. The new store is marked as an incomplete migration before the first
event is written and the mark is removed last (ADR 0233); a SQLite file the migration
created is removed again if it fails.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from beatpolice.adapters.store import _store_postgres, _store_sqlite
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store._store_marker import Verdict
from beatpolice.adapters.store.mapper import JSONTranscoder, PydanticMapper
from beatpolice.adapters.store.storage import StoreURL, locked
from beatpolice.domain.errors import NotAStoreError, StorageError

__all__ = ["check_pair", "exists", "new_recorder", "remove_sqlite", "set_migration"]


def check_pair(old: StoreURL, new: StoreURL) -> None:
    """Refuse a pair of stores a migration cannot copy between (memory, or one store twice)."""
    for store in (old, new):
        if store.backend == "memory":
            raise StorageError(
                "beatpolice migrate copies between SQLite files and PostgreSQL databases, "
                "not memory:// stores"
            )
    if old.backend == new.backend == "sqlite":
        same = Path(old.env["SQLITE_DBNAME"]).resolve() == Path(new.env["SQLITE_DBNAME"]).resolve()
    else:
        keys = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME")
        same = old.backend == new.backend and all(old.env[k] == new.env[k] for k in keys)
    if same:
        raise StorageError(
            f"beatpolice migrate copies into another store: {new.display} is {old.display}"
        )


def exists(store: StoreURL) -> bool:
    """Whether the store is there before the migration (a database always counts as there)."""
    return store.backend != "sqlite" or Path(store.env["SQLITE_DBNAME"]).exists()


def new_recorder(new: StoreURL, verdict: Verdict, old: str) -> Any:
    """The new store's recorder, after its verdict (inside the schema lock)."""
    if verdict is Verdict.FORMAT_1:
        raise NotAStoreError(
            f"{new.display} was written by beatpolice 0.1 itself: migrate into a new file "
            "or an empty database"
        )
    env = Environment("beatpolice", dict(new.env))
    env["MAPPER_TOPIC"] = f"{PydanticMapper.__module__}:{PydanticMapper.__qualname__}"
    env["TRANSCODER_TOPIC"] = f"{JSONTranscoder.__module__}:{JSONTranscoder.__qualname__}"
    with guard_storage(new.display):
        factory = InfrastructureFactory.construct(env)
        recorder = factory.application_recorder()
        factory.aggregate_recorder("snapshots")
        held = recorder.max_notification_id() or 0
    if verdict is Verdict.OPEN:
        if held:
            raise NotAStoreError(
                f"{new.display} already holds {held} events: migrate into a new file or an "
                "empty database; nothing was written"
            )
        set_migration(new, f"incomplete: from {old}")
    elif verdict is Verdict.INCOMPLETE and held:
        _empty(new, recorder)
    return recorder


def _empty(new: StoreURL, recorder: Any) -> None:
    """Delete what an earlier, unfinished migration wrote (only its events are there)."""
    table = recorder.events_table_name
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {table}")


def set_migration(store: StoreURL, value: str | None) -> None:
    """Mark the store as a migration in progress (``value``), or clear the mark (None)."""
    if store.backend == "sqlite":
        _store_sqlite.set_migration(store.env["SQLITE_DBNAME"], value)
    else:
        with locked(store) as connection:
            _store_postgres.set_migration(connection, store.display, value)


def remove_sqlite(path: str) -> None:
    """Remove a SQLite file the failed migration created, with its journals."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(path + suffix).unlink()

"""The rows of the key table ``bp_keys``, as every key store reads and writes them, and
what the two SQL key stores share."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.application.keys import KeyRow

__all__ = ["KEY_TABLE"]

KEY_TABLE = "bp_keys"

_CHUNK = 500
_COLUMNS = "subject, household, algorithm, wrapped, wrapped_by, erased_at"
_WHERE = "the station's key store"


def _row(values: Sequence[Any]) -> KeyRow:
    wrapped = values[3]
    return KeyRow(
        subject=values[0],
        household=values[1],
        algorithm=values[2],
        wrapped=bytes(wrapped) if wrapped is not None else None,
        wrapped_by=values[4],
        erased_at=values[5],
    )


def _values(row: KeyRow) -> tuple[Any, ...]:
    return (row.subject, row.household, row.algorithm, row.wrapped, row.wrapped_by, row.erased_at)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class _SQLKeyStore(ABC):
    """The key table in the events' own database (SQLite or PostgreSQL): new keys are
    added in the events' transaction (ADR 0708)."""

    _MARK: str
    """The driver's parameter mark (``?`` or ``%s``)."""
    _lock: threading.Lock

    @abstractmethod
    def _connect(self) -> Any:
        """The store's own connection (opened on first use)."""

    @abstractmethod
    def _ensure(self, connection: Any) -> None:
        """Create the table in the store's dialect, if this store has not yet."""

    def ensure_table(self) -> None:
        """Make the table now, if it is not there (before a write that adds keys)."""
        with self._lock, guard_storage(_WHERE):
            self._ensure(self._connect())

    def add_in(self, cursor: Any, rows: Sequence[KeyRow]) -> None:
        """Add rows in the transaction of ``cursor`` (the events' own): a subject that is
        there already fails the whole write (another writer won: decide again)."""
        marks = ", ".join([self._MARK] * 6)
        cursor.executemany(
            f"INSERT INTO {KEY_TABLE} ({_COLUMNS}) VALUES ({marks})",
            [_values(row) for row in rows],
        )

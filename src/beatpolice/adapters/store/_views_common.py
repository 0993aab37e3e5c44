"""What the view stores share: table names, key ranges, conflicts, remembered tables.

Split from :mod:`beatpolice.adapters.store.views`, which re-exports what callers use.
"""

from __future__ import annotations

import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson

from beatpolice.projections._runner import Document, PositionConflictError, TableKey

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_TRACKING = "bp_projection_tracking"
_CHUNK = 500

TransactionHook = Callable[[str, str], None]
"""A test hook, ``(operation, projection)``, set as a store's ``before_commit``.

It is called inside the transaction, after all its writes and before it commits:
``"commit"`` once a page's documents and the new position are written, ``"reset"``
once a projection's tables and position are dropped. The fault tests kill the process
from it, so a crash lands inside a chosen transaction (``tests/fault``). None, and then
free, in production; not part of the public API.
"""


@lru_cache(maxsize=1024)
def _table(projection: str, table: str) -> str:
    for part in (projection, table):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"not a valid projection or table name: {part!r}")
    return f"bp_{projection}_{table}"


def _after(prefix: str) -> str | None:
    """The least string greater than every string that starts with ``prefix``.

    Keys compare by code point (SQLite's BINARY collation, PostgreSQL's ``"C"``), so
    ``prefix <= key < _after(prefix)`` is a range an index answers, unlike a
    ``substr``/``left`` test that reads every row of the table. None when there is no
    such string (an empty prefix, or one of only the last code point).
    """
    stripped = prefix.rstrip(chr(0x10FFFF))
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def _rows_by_table(
    projection: str, changes: Mapping[TableKey, Document]
) -> dict[str, list[tuple[str, bytes]]]:
    """A page's changed documents as (key, JSON) rows, grouped by SQL table."""
    by_table: dict[str, list[tuple[str, bytes]]] = {}
    for (table, key), document in changes.items():
        by_table.setdefault(_table(projection, table), []).append((key, orjson.dumps(document)))
    return by_table


def _missing_table(error: BaseException) -> bool:
    """Whether ``error`` says a projection's table does not exist (dropped by a reset).

    SQLite says ``no such table: bp_...``; PostgreSQL raises ``UndefinedTable``
    (SQLSTATE 42P01), recognised without importing psycopg.
    """
    if isinstance(error, sqlite3.OperationalError):
        return str(error).startswith("no such table: bp_")
    return getattr(error, "sqlstate", None) == "42P01"


def _conflict(projection: str, expected: int, stored: int) -> PositionConflictError:
    return PositionConflictError(
        f"projection {projection!r} is at {stored}, not {expected}: another runner "
        "applied these events first; nothing was written"
    )


class _RemembersTables(ABC):
    """What both SQL view stores share: the tables they remember, forgotten when missing.

    Another station's reset drops tables this store remembers having created. A read
    that meets a missing table answers nothing (a missing table is an empty one), a
    write is made once more; either way the store forgets every table it remembers, so
    each is created again on its next use (ADR 0225).
    """

    _connection: Any
    _created: set[str] | dict[str, str]

    @abstractmethod
    def _ensure(self, name: str) -> object:
        """Create table ``name`` if this store does not remember having created it."""

    def _select(self, name: str, query: str, parameters: Any) -> list[Any]:
        """The rows of a query of table ``name``: none if another station dropped it."""
        try:
            self._ensure(name)
            rows: list[Any] = self._connection.execute(query, parameters).fetchall()
        except Exception as error:
            if not _missing_table(error):
                raise
            self._created.clear()
            return []
        return rows

    @abstractmethod
    def _range(
        self, projection: str, table: str, prefix: str
    ) -> Sequence[tuple[str, bytes | str]]:
        """The stored rows whose key starts with ``prefix``, in key order, read at once."""

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Documents whose key starts with ``prefix``, in key order."""
        for key, doc in self._range(projection, table, prefix):
            yield key, orjson.loads(doc)

    def scan_sealed(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """:meth:`scan`'s documents as stored: sealed values left sealed, as :meth:`load`
        gives them (a keyring opens only what ``scan`` yields, ADR 0706; ADR 0281)."""
        rows = self._range(projection, table, prefix)
        return ((key, orjson.loads(doc)) for key, doc in rows)

    def _once_more(self, write: Callable[[], None]) -> None:
        """Run ``write``; again, every table forgotten, if it met a missing table.

        ``write`` must be one transaction that checks its position before it creates
        its tables: the second run then recreates them under the same guard.
        """
        try:
            write()
        except Exception as error:
            if not _missing_table(error):
                raise
            self._created.clear()
            write()


_WHERE = "the station's store"
"""How a view store's database errors name the store (ADR 0222)."""

"""The rows of the key table ``bp_keys``, as every key store reads and writes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

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

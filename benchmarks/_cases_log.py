"""The log's cost: bulk ingest with the recorders' leaves turned off, for the ``log`` row.

The same ``ingest_lines`` of the same workload, in a fresh store, with the leaf hashing
and the ``bp_log`` inserts of the recorders taken out (ADR 0520): the difference to the
``ingest`` case is what the tamper-evident log costs a write.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ingest_without_log"]


def _no_leaves(*_: Any, **__: Any) -> list[Any]:
    return []


def _no_insert(*_: Any, **__: Any) -> None:
    return None


def ingest_without_log(params: dict[str, Any]) -> dict[str, Any]:
    """``ingest`` with no leaf hashed or written (the store is otherwise the same)."""
    from beatpolice.adapters.store import _log_recorders, _postgres_recorder
    from benchmarks._cases import ingest

    _log_recorders.leaf_rows = _no_leaves
    setattr(_postgres_recorder, "leaf_rows", _no_leaves)  # noqa: B010 (imported, not exported)
    setattr(_postgres_recorder.PostgresEventRecorder, "_insert_leaves", _no_insert)  # noqa: B010
    return ingest(params)

"""What sealing personal data costs: bulk ingest without the keyring, for the ``sealing`` row.

The same ``ingest_lines`` of the same workload (visit notes, lead summaries, dispute
parties in it), in a fresh store, by a station opened without a keyring: no data key
made, nothing sealed, digests unkeyed. The difference to the ``ingest`` case is what
sealing costs a write (ADR 0707).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ingest_without_sealing"]


def ingest_without_sealing(params: dict[str, Any]) -> dict[str, Any]:
    """``ingest`` by a station that seals nothing (the store is otherwise the same)."""
    from beatpolice.adapters.store.backend import store_at
    from beatpolice.application.station import Station
    from benchmarks import _cases

    def unsealed(url: str) -> Any:
        return Station(store_at(url), clock=_cases._clock)

    _cases._connect = unsealed  # type: ignore[assignment]
    return _cases.ingest(params)

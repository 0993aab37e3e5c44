"""Writers for the concurrency tests, importable by spawned worker processes.

Each writer opens its own station on the shared store and records visits for one
officer as fast as it can, counting what landed and what was refused.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any, Protocol

from contract_helpers import FIELD_TIME

import beatpolice


class _Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> Any: ...

    def abort(self) -> None: ...


def recorded_at() -> datetime:
    """The fixed recording clock of the writers (picklable, unlike a lambda)."""
    return datetime(2014, 2, 1, tzinfo=UTC)


Outcome = tuple[list[str], int, list[str]]

PLAIN_BADGE = "D0001"
"""The officer the plain writers hammer (every conflict is raised to them)."""
RETRY_BADGE = "D0002"
"""The officer the writers using ``retry_on_conflict`` hammer."""


def write_visits(
    station: beatpolice.Station, badge: str, worker: int, writes: int, *, retry: bool
) -> Outcome:
    """Record ``writes`` visits of officer ``badge`` under ids ``W<worker>-<n>``.

    Returns:
        The ids whose command returned a receipt with events, the number of
        ConcurrencyErrors, and a description of any other exception.
    """
    landed: list[str] = []
    conflicts = 0
    unexpected: list[str] = []
    for number in range(writes):
        visit = f"W{worker}-{number}"
        fields: dict[str, Any] = {
            "id": visit,
            "officer": badge,
            "household": f"H{worker}-{number}",
            "occurred_at": FIELD_TIME,
            "people_match_register": True,
        }
        try:
            if retry:
                receipt = beatpolice.retry_on_conflict(station.record_visit, **fields)
            else:
                receipt = station.record_visit(**fields)
        except beatpolice.ConcurrencyError:
            conflicts += 1
        except Exception as error:
            unexpected.append(f"{visit}: {type(error).__name__}: {error}")
        else:
            if receipt.events == 1:
                landed.append(visit)
            else:
                unexpected.append(f"{visit}: recorded {receipt.events} events")
    return landed, conflicts, unexpected


def both_phases(url: str, worker: int, writes: int, barrier: _Barrier) -> list[Outcome]:
    """Hammer :data:`PLAIN_BADGE`, then (all together again) :data:`RETRY_BADGE`."""
    with beatpolice.connect(url, clock=recorded_at) as station:
        barrier.wait(timeout=60)
        plain = write_visits(station, PLAIN_BADGE, worker, writes, retry=False)
        barrier.wait(timeout=60)
        retried = write_visits(station, RETRY_BADGE, worker, writes, retry=True)
    return [plain, retried]


def process_main(url: str, worker: int, writes: int, barrier: _Barrier, results: Any) -> None:
    """Entry point of a spawned writer process: put its outcomes on ``results``."""
    try:
        results.put((worker, both_phases(url, worker, writes, barrier)))
    except BaseException as error:
        barrier.abort()
        results.put((worker, repr(error)))
        raise


def run_threads(url: str, threads: int, writes: int) -> list[Any]:
    """Run ``threads`` writers in threads of this process, started together."""
    barrier = threading.Barrier(threads)
    outcomes: list[Any] = [None] * threads

    def run(worker: int) -> None:
        try:
            outcomes[worker] = both_phases(url, worker, writes, barrier)
        except BaseException as error:
            barrier.abort()
            outcomes[worker] = repr(error)

    pool = [threading.Thread(target=run, args=(worker,)) for worker in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return outcomes

"""The memory row: peak RSS of ``beatpolice ingest`` on a small and a 20x larger file.

Issue 10 asks that ingest memory stay flat: the peak at 400,000 lines within 1.2x of
the peak at 20,000. Each variant runs the command line's ``main`` (what the
``beatpolice`` script runs) in a fresh interpreter, so ``ru_maxrss`` is the peak of that
ingest alone, interpreter and imports included (docs/decisions/0701-benchmark-method.md).
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["LARGE_EVENTS", "LIMIT", "SMALL_EVENTS", "cli_ingest", "peak_ratio"]

SMALL_EVENTS = 20_000
LARGE_EVENTS = 400_000
LIMIT = 1.2
"""The largest peak-RSS ratio of the large ingest to the small one that is flat."""


def cli_ingest(params: dict[str, Any]) -> dict[str, Any]:
    """``beatpolice ingest WORKLOAD --db URL --quiet`` in this process."""
    from beatpolice.adapters.cli import main

    started = time.perf_counter()
    code = main(["ingest", params["workload"], "--db", params["url"], "--quiet"])
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"beatpolice ingest exited {code}")
    return {"seconds": seconds, "items": params["events"]}


def peak_ratio(results: list[Any], _: Any) -> tuple[bool, str]:
    """The large ingest's peak RSS over the small one's: flat when at most :data:`LIMIT`."""
    small, large = results[0].peak_rss, results[1].peak_rss
    if not small or not large:
        return False, "not measured"
    ratio = large / small
    return ratio <= LIMIT, f"{ratio:.2f}x ({large / 2**20:,.0f} / {small / 2**20:,.0f} MiB)"

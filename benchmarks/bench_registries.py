"""Benchmark: rebuild the four registries from N events, beside the bare read-and-decode cost.

Run alone: ``python -m benchmarks.bench_registries --events 1000000 --backend sqlite
--backend postgres`` (PostgreSQL through ``--postgres-url`` or a throwaway server
started from ``tests/postgres_server.py``). For each backend it records a synthetic
workload of N events (benchmarks/_workload.py), then times in the same run

- ``read``: paging the notification log and decoding every event (the floor), and
- ``rebuild``: ``Registries.rebuild()`` (reset, fold, commit pages with positions),

and prints the ratio rebuild / read. ``run(events=..., backends=...)`` returns the
figures as a dict, for the suite runner.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import beatpolice
from beatpolice.application.ingest import ingest_lines
from beatpolice.projections.registries import open_registries
from benchmarks._workload import write_workload

__all__ = ["run"]

DEFAULT_EVENTS = 100_000
PAGE = 1000


def _read_all(station: beatpolice.Station) -> int:
    read = station.read_events
    position = count = 0
    while True:
        page = read(position + 1, PAGE)
        if not page:
            return count
        count += len(page)
        position = page[-1][0]


def _one(url: str, workload: Path) -> dict[str, Any]:
    with beatpolice.connect(url) as station, workload.open("rb") as lines:
        started = time.perf_counter()
        ingest_lines(station, lines, batch_size=1000)
        recorded = time.perf_counter() - started
    with beatpolice.connect(url) as station:
        started = time.perf_counter()
        events = _read_all(station)
        read = time.perf_counter() - started
        registries = open_registries(station, page_size=PAGE)
        started = time.perf_counter()
        registries.rebuild()
        rebuild = time.perf_counter() - started
    return {
        "events": events,
        "record_s": round(recorded, 2),
        "read_decode_s": round(read, 2),
        "rebuild_s": round(rebuild, 2),
        "rebuild_events_per_s": round(events / rebuild),
        "ratio": round(rebuild / read, 2),
    }


def run(
    *,
    events: int = DEFAULT_EVENTS,
    backends: tuple[str, ...] = ("sqlite",),
    postgres_url: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Time read-and-decode and a registries rebuild of ``events`` events per backend."""
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-registries-") as folder:
        workload = Path(folder) / "workload.jsonl"
        write_workload(workload, events=events, officers=max(events // 1700, 10))
        for backend in backends:
            if backend == "sqlite":
                results[backend] = _one(f"sqlite:///{Path(folder) / 'station.db'}", workload)
            elif postgres_url is not None:
                results[backend] = _one(postgres_url, workload)
            else:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
                from postgres_server import PostgresServer

                with PostgresServer() as server:
                    results[backend] = _one(server.create_database("bench"), workload)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--events N``, ``--backend sqlite|postgres`` (repeatable)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_registries")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use")
    args = parser.parse_args(argv)
    results = run(
        events=args.events,
        backends=tuple(args.backend or ("sqlite",)),
        postgres_url=args.postgres_url,
    )
    for backend, figures in results.items():
        print(backend, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

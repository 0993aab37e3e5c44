"""Benchmark: a province on PostgreSQL (``make bench-province``; run once, not in CI).

A year of 6,000 community officers is about 12 to 15 million events. This streams the
synthetic workload of ``benchmarks._workload`` (no file: the commands are generated as
they are ingested) into a PostgreSQL store with ``ingest_lines``, recorded times
following the field days, then measures:

- ``ingest``: events per second of the whole ingest (and of each tenth of it, so a
  slowdown as the store grows shows);
- ``index``: catching the appraisal index up from nothing;
- ``appraise``: one month appraised in process (median of ``--repeat``) and from the
  command line (``beatpolice appraise --month M --json``, a fresh process: start-up
  included);
- ``registries``: the four registries caught up from nothing.

``--months`` cuts the year short (one month of 6,000 officers is about 1.3 million
events); the figures of a shorter run say what the year would take only if the rates
hold, which the per-tenth rates show. PostgreSQL is ``--postgres-url`` (an empty
database) or a throwaway server from ``tests/postgres_server.py``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

import beatpolice
from beatpolice import appraise
from beatpolice.application.ingest import IngestReport, ingest_lines
from beatpolice.projections.appraisal._engine import index_runner
from beatpolice.projections.registries import open_registries
from benchmarks._workload import _commands

__all__ = ["main", "run"]

ROOT = Path(__file__).resolve().parent.parent


class _Clock:
    """Recorded time one day after the last field time sent."""

    def __init__(self) -> None:
        self.now = datetime(2014, 1, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _lines(officers: int, months: int, clock: _Clock, counted: list[int]) -> Iterator[bytes]:
    end = date(2014 + months // 12, months % 12 + 1, 1)
    for command, events in _commands(officers, seed=2014):
        when = command.get("occurred_at")
        if when is not None:
            moment = datetime.fromisoformat(when)
            if moment.date() >= end:
                return
            clock.now = max(clock.now, (moment + timedelta(days=1)).astimezone(UTC))
        counted[0] += events
        yield orjson.dumps(command)


def _ingest(url: str, officers: int, months: int, batch: int) -> dict[str, Any]:
    clock = _Clock()
    counted = [0]
    tenths: list[tuple[int, float]] = []
    started = time.perf_counter()
    expected = officers * months * 215

    def on_batch(report: IngestReport) -> None:
        if report.events >= (len(tenths) + 1) * expected / 10:
            tenths.append((report.events, time.perf_counter() - started))
            _progress(f"ingested {report.events:,} events in {tenths[-1][1]:.0f} s")

    with beatpolice.connect(url, clock=clock) as station:
        report = ingest_lines(
            station, _lines(officers, months, clock, counted), batch_size=batch, on_batch=on_batch
        )
        if not report.ok:
            raise RuntimeError(report.summary())
        seconds = time.perf_counter() - started
        stored = station.last_position()
    rates = []
    last_events, last_time = 0, 0.0
    for events, at in tenths:
        rates.append(round((events - last_events) / max(at - last_time, 1e-9)))
        last_events, last_time = events, at
    return {
        "events": stored,
        "lines": report.lines,
        "ingest_s": round(seconds, 1),
        "ingest_events_per_s": round(stored / seconds),
        "ingest_events_per_s_by_tenth": rates,
    }


def _progress(message: str) -> None:
    """A line on standard error as the run goes (a long run stopped early still says
    how far it got)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _cli_appraise(url: str, month: str, repeat: int) -> float:
    script = Path(sys.executable).with_name("beatpolice")
    command = [str(script), "appraise", "--month", month, "--db", url, "--json"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env={**os.environ})
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(
    url: str, *, officers: int, months: int, month: str, repeat: int, batch: int
) -> dict[str, Any]:
    """Ingest, index, appraise and catch the registries up; return the figures."""
    figures = {"officers": officers, "months": months, **_ingest(url, officers, months, batch)}
    _progress(f"ingest done: {figures}")
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with beatpolice.connect(url, clock=lambda: end) as station:
        started = time.perf_counter()
        index_runner(station).catch_up()
        figures["index_catch_up_s"] = round(time.perf_counter() - started, 1)
        _progress(f"index caught up in {figures['index_catch_up_s']} s")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            report = appraise(station, month=month, as_of=end)
            times.append(time.perf_counter() - started)
        figures["appraise_month_s"] = round(statistics.median(times), 3)
        figures["appraised_officers"] = len(report.officers)
        _progress(f"{month} appraised in {figures['appraise_month_s']} s (median)")
        registries = open_registries(station, page_size=1000)
        started = time.perf_counter()
        registries.catch_up()
        figures["registries_catch_up_s"] = round(time.perf_counter() - started, 1)
        _progress(f"registries caught up in {figures['registries_catch_up_s']} s")
    figures["cli_appraise_s"] = round(_cli_appraise(url, month, repeat), 3)
    figures["appraise_under_1s"] = figures["appraise_month_s"] < 1.0
    return figures


def _server() -> Any:
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import PostgresServer

    return PostgresServer()


def main(argv: list[str] | None = None) -> int:
    """Run the province benchmark and print one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_province")
    parser.add_argument("--officers", type=int, default=6000)
    parser.add_argument("--months", type=int, default=12, help="months of the year (default 12)")
    parser.add_argument("--month", default="2014-01", help="the month appraised")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5000, help="commands per transaction")
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to use")
    args = parser.parse_args(argv)
    options = {
        "officers": args.officers,
        "months": args.months,
        "month": args.month,
        "repeat": args.repeat,
        "batch": args.batch,
    }
    if args.postgres_url:
        figures = run(args.postgres_url, **options)
    else:
        # stopped (timeout, kill), still stop the throwaway server on the way out
        signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
        with _server() as server:
            figures = run(server.create_database("province"), **options)
    print(orjson.dumps(figures).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

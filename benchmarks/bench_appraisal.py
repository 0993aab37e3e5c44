"""Benchmark: one month's appraisal in a city-year store, beside reading the whole log.

Builds a store of a synthetic city (600 officers by default) on SQLite and PostgreSQL
by ingesting a workload (``benchmarks._workload``) in large batches, with recorded
times that follow the field days (each batch is stamped one day after its last field
time), then measures, in the same run:

- ``index``: catching up the appraisal index from nothing (once per store);
- ``appraise``: appraising one month (``--month``) as of the end of the store and as
  of the month's own end (both after the index is caught up), best of ``--repeat``;
- ``bare read``: reading and decoding every event of the store (``Station.events``),
  the cost a replay of the whole history would pay at the very least.

Run alone: ``python -m benchmarks.bench_appraisal --events 1500000`` (about 1.5 million
events is a city-year; the default is smaller so that the run takes minutes).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

import beatpolice
from beatpolice.adapters.ingest import ingest_lines
from beatpolice.appraisal import appraise, index_runner
from benchmarks._workload import write_workload

__all__ = ["bench", "main"]

ROOT = Path(__file__).resolve().parent.parent


class _Clock:
    """Recorded time that follows the workload: one day after the last field time seen."""

    def __init__(self) -> None:
        self.now = datetime(2014, 1, 2, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _build(url: str, workload: Path, batch: int) -> tuple[float, int]:
    clock = _Clock()
    started = time.perf_counter()
    with beatpolice.connect(url, clock=clock) as station, workload.open("rb") as lines:

        def advance(lines_iter: Any) -> Any:
            for line in lines_iter:
                when = orjson.loads(line).get("occurred_at")
                if when is not None:
                    moment = datetime.fromisoformat(when) + timedelta(days=1)
                    clock.now = max(clock.now, moment.astimezone(UTC))
                yield line

        report = ingest_lines(station, advance(lines), batch_size=batch)
        assert report.ok, report.summary()
        count = station.app.recorder.max_notification_id() or 0
    return time.perf_counter() - started, count


def _timed(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench(url: str, workload: Path, *, month: str, repeat: int, batch: int) -> dict[str, Any]:
    """Build the store at ``url`` and measure index, appraisal and bare read on it."""
    build_s, events = _build(url, workload, batch)
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with beatpolice.connect(url, clock=lambda: end) as station:
        started = time.perf_counter()
        index_runner(station).catch_up()
        index_s = time.perf_counter() - started
        year, number = int(month[:4]), int(month[5:])
        month_end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        latest_s, report = _timed(lambda: appraise(station, month=month, as_of=end), repeat)
        past_s, _ = _timed(lambda: appraise(station, month=month, as_of=month_end), repeat)
        started = time.perf_counter()
        read = sum(1 for _ in station.events(page=5000))
        bare_s = time.perf_counter() - started
    month_facts = sum(
        int(o.metrics["visits"]) + int(o.metrics["leads"]) + int(o.metrics["services"])
        for o in report.officers
    )
    return {
        "events": events,
        "build_s": round(build_s, 1),
        "index_catch_up_s": round(index_s, 1),
        "appraise_month_s": round(latest_s, 3),
        "appraise_month_as_of_month_end_s": round(past_s, 3),
        "bare_read_decode_all_s": round(bare_s, 2),
        "bare_events_read": read,
        "officers": len(report.officers),
        "month_records_counted": month_facts,
        "stars_awarded": sum(len(o.awarded) for o in report.officers),
    }


def _postgres() -> Any:
    path = ROOT / "tests" / "postgres_server.py"
    spec = importlib.util.spec_from_file_location("bench_appraisal_postgres_server", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.PostgresServer()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line per backend."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_appraisal")
    parser.add_argument("--events", type=int, default=150_000)
    parser.add_argument("--officers", type=int, default=600)
    parser.add_argument("--month", default="2014-03")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5000, help="commands per transaction")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-appraisal-") as folder:
        workload = write_workload(
            Path(folder) / "city.jsonl", events=args.events, officers=args.officers
        )
        for backend in args.backends.split(","):
            if backend == "sqlite":
                result = bench(
                    f"sqlite:///{folder}/station.db",
                    workload.path,
                    month=args.month,
                    repeat=args.repeat,
                    batch=args.batch,
                )
            else:
                with _postgres() as server:
                    result = bench(
                        server.create_database("bench_appraisal"),
                        workload.path,
                        month=args.month,
                        repeat=args.repeat,
                        batch=args.batch,
                    )
            print(
                orjson.dumps({"backend": backend, "month": args.month, **result}).decode(),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: verifying one month from the stored events alone, in a city-year store.

``verify`` trusts no derived table (ADR 0532): it reads every stored event of the log,
folds the month afresh and compares the report field by field. This measures, on a
store built by the workload of :mod:`benchmarks.bench_appraisal` (or one given with
``--sqlite PATH``, reused as it is):

- ``recompute``: :func:`beatpolice.projections.appraisal.appraise_events` over the whole
  log (the report an auditor checks against);
- ``verify``: :func:`beatpolice.verify` of that report (the figure of issue 12's target:
  a month of a 1.2M-event store under 60 s);
- ``bare read``: reading and decoding every event (``Station.read_events`` pages), the
  least any audit from the events pays.

Run: ``python -m benchmarks.bench_verify --sqlite /path/city.db --month 2014-06`` (a
store with 1.2M events: ``python -m benchmarks.bench_appraisal --events 1200000
--sqlite /path/city.db --backends sqlite`` builds one). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

import beatpolice
from beatpolice.projections.appraisal import appraise_events, stored_events
from benchmarks._workload import write_workload
from benchmarks.bench_appraisal import _build

__all__ = ["bench", "main"]

TARGET_S = 60.0


def bench(url: str, month: str) -> dict[str, Any]:
    """Measure the recomputation, the verify and the bare read of ``url``'s log."""
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with beatpolice.connect(url, clock=lambda: end, create=False) as station:
        events = station.last_position()
        started, cpu = time.perf_counter(), time.process_time()
        report = appraise_events(
            stored_events(station),
            month=month,
            rules="dezhou-2014",
            as_of=end,
            time_zone=station.time_zone,
            now=end,
        )
        recompute_s, recompute_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        beatpolice.verify(station, report)
        verify_s, verify_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        read = sum(1 for _ in stored_events(station))
        bare_s = time.perf_counter() - started
    return {
        "events": events,
        "recompute_month_from_events_s": round(recompute_s, 1),
        "recompute_month_from_events_cpu_s": round(recompute_cpu, 1),
        "verify_month_s": round(verify_s, 1),
        "verify_month_cpu_s": round(verify_cpu, 1),
        "target_verify_under_60_s": verify_s < TARGET_S,
        "bare_read_decode_all_s": round(bare_s, 1),
        "bare_events_read": read,
        "officers": len(report.officers),
        "stars_awarded": sum(len(o.awarded) for o in report.officers),
        "fingerprint": report.fingerprint,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_verify")
    parser.add_argument("--sqlite", metavar="PATH", help="a store to reuse (built if missing)")
    parser.add_argument("--events", type=int, default=150_000, help="events when building")
    parser.add_argument("--officers", type=int, default=600)
    parser.add_argument("--month", default="2014-03")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as folder:
        path = Path(args.sqlite) if args.sqlite else Path(folder) / "station.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            workload = write_workload(
                Path(folder) / "city.jsonl", events=args.events, officers=args.officers
            )
            _build(url, workload.path, 5000)
        result = bench(url, args.month)
    print(orjson.dumps({"backend": "sqlite", "month": args.month, **result}).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())

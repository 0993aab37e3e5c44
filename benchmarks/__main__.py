"""``python -m benchmarks``: measure, print one table, write the results as JSON."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._patches import PATCHES
from benchmarks._report import render_table, write_json
from benchmarks._suite import ROOT, ROWS, Settings, run_suite

__all__ = ["main", "parse_args"]


def parse_args(argv: list[str]) -> tuple[Settings, Path]:
    """The run's settings and where its JSON goes."""
    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="beatpolice beside bare eventsourcing and the raw database drivers.",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=defaults.events,
        help="events in the bulk-ingest workload (default %(default)s)",
    )
    parser.add_argument(
        "--officers",
        type=int,
        default=defaults.officers,
        help="officers in the workload (default %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=defaults.batch_size,
        help="commands per transaction in bulk ingest (default %(default)s)",
    )
    parser.add_argument(
        "--commands",
        type=int,
        default=defaults.commands,
        help="commands of the one-per-transaction row (default %(default)s)",
    )
    parser.add_argument(
        "--officer-events",
        type=int,
        default=defaults.officer_events,
        help="events of the officer loaded (default %(default)s)",
    )
    parser.add_argument(
        "--loads",
        type=int,
        default=defaults.loads,
        help="loads timed per round (default %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=defaults.repeat,
        help="rounds of every row; the best is kept (default %(default)s)",
    )
    parser.add_argument(
        "--memory-events",
        type=int,
        nargs=2,
        default=list(defaults.memory_events),
        metavar=("SMALL", "LARGE"),
        help="events of the memory row's two ingests (default %(default)s)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="a row ("
        + ", ".join(row.name for row in ROWS)
        + "), a row kind (ingest, read, ...) or a backend; repeatable",
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=("sqlite", "postgres"),
        help="backends to measure (default both)",
    )
    parser.add_argument(
        "--patch",
        action="append",
        default=[],
        choices=sorted(PATCHES),
        help="apply a proposed change to src/ by monkeypatching; repeatable",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        help="seconds before a measured process is stopped (default %(default)s)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="PATH",
        help="where to write the results (default benchmarks/results/<time>.json)",
    )
    args = parser.parse_args(argv)
    settings = Settings(
        events=args.events,
        officers=args.officers,
        batch_size=args.batch_size,
        commands=args.commands,
        officer_events=args.officer_events,
        loads=args.loads,
        repeat=args.repeat,
        only=tuple(args.only),
        timeout=args.timeout,
        backends=tuple(args.backend or defaults.backends),
        patches=tuple(args.patch),
        memory_events=(args.memory_events[0], args.memory_events[1]),
    )
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    return settings, args.json or ROOT / "benchmarks" / "results" / f"{stamp}.json"


def main(argv: list[str] | None = None) -> int:
    """Run the suite; exit 0 whether or not targets pass (the table says which)."""
    arguments = sys.argv[1:] if argv is None else argv
    settings, json_path = parse_args(arguments)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    results, facts = run_suite(settings, progress=progress)
    facts["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(render_table(results))
    if settings.patches:
        print(f"\nwith proposed patches applied: {', '.join(settings.patches)}")
    write_json(json_path, results, settings, facts, ["python", "-m", "benchmarks", *arguments])
    print(f"\n{facts['wall_seconds']} s; results written to {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

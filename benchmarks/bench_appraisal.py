"""Benchmark: one month's appraisal in a city-year store, beside reading the whole log.

Builds a store of a synthetic city (600 officers by default) on SQLite and PostgreSQL
by ingesting a workload (``benchmarks._workload``) in large batches, with recorded
times that follow the field days (each batch is stamped one day after its last field
time), then measures, in the same run:

- ``index``: catching up the appraisal index from nothing (once per store);
- ``appraise``: appraising one month (``--month``) as of the end of the store and as
  of the month's own end (both after the index is caught up), median of ``--repeat``.
  As of the end of the store the month is settled: the first appraisal remembers its
  officers and the others are served by that memo (ADR 0283); ``*_afresh_*`` is the same
  appraisal with the memo never found (decided afresh, and written again, every time).
  As of the month's end the month is not settled (records are stamped after their field
  day), so it is always decided afresh;
- ``cli``: the same month from ``beatpolice appraise --month M --json`` in a fresh
  process, start-up included (target under 1 s), from the memo and as of the month's
  end (decided afresh), beside the start-up alone (the same command refused for a
  store that does not exist: its imports and its parse), with the CPU seconds of the
  child (``*_cpu_s``);
- ``bare read``: reading and decoding every event of the store (``Station.events``),
  the cost a replay of the whole history would pay at the very least.

Targets of issue 11, printed with the figures: the month in process under 0.25 s and
from the command line under 1 s, in a 1.2M-event city-year (``--events 1200000``).

Times are wall-clock seconds; ``*_cpu_s`` are this process's CPU seconds for the same
work (on a loaded machine they show what the work itself costs; PostgreSQL's own work
is in the wall time only).

``--against REV`` (with ``--sqlite PATH`` of a built store) measures instead the month
in process and from the command line with ``src/`` as it was at git revision ``REV``
and as it is, turn about in fresh processes (bytecode cached in a temporary folder, so
that start-up is what an installed package pays), ``--rounds`` times each, and prints
the medians and their ratio (ADR 0701's side-by-side method); with the memo of a
settled month (ADR 0283) found, and never found.

Run alone: ``python -m benchmarks.bench_appraisal --events 1500000`` (about 1.5 million
events is a city-year; the default is smaller so that the run takes minutes). A store
takes long to build: ``--sqlite PATH`` and ``--postgres URL`` build it there once and
reuse it on later runs (the index is then dropped and caught up from nothing again).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

import beatpolice
from beatpolice import appraise
from beatpolice.application.ingest import ingest_lines
from beatpolice.projections.appraisal import _engine
from beatpolice.projections.appraisal._engine import index_runner
from benchmarks._workload import Workload, write_workload

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
        count = station.last_position()
    return time.perf_counter() - started, count


@contextmanager
def _memo_never_found() -> Iterator[None]:
    """Appraisals decided afresh: the memo is never found (and written each time)."""
    engine = vars(_engine)
    recall = engine["recall"]
    engine["recall"] = lambda *_: None
    try:
        yield
    finally:
        engine["recall"] = recall


def _timed(action: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of ``repeat`` runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


_END = "2100-01-01T00:00:00+00:00"


def _cli(arguments: list[str], repeat: int, *, check: bool = True) -> tuple[float, float]:
    """Median wall and CPU seconds of ``beatpolice ARGUMENTS`` in a fresh process,
    start-up included (CPU: the child's user and system time)."""
    script = Path(sys.executable).with_name("beatpolice")
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(script), *arguments], check=check, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _stored_events(url: str) -> int:
    with beatpolice.connect(url) as station:
        return station.last_position()


def bench(
    url: str,
    workload: Path | None,
    *,
    month: str,
    repeat: int,
    batch: int,
    reuse_index: bool = False,
) -> dict[str, Any]:
    """Build the store at ``url`` (unless ``workload`` is None: reuse it) and measure.

    With ``reuse_index`` the stored index is only caught up, not rebuilt from nothing.
    """
    build_s, events = (None, _stored_events(url))
    if workload is not None:
        build_s, events = _build(url, workload, batch)
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with beatpolice.connect(url, clock=lambda: end) as station:
        runner = index_runner(station)
        if not reuse_index:
            runner.store.reset(runner.projection.name, runner.projection.tables)
        started, cpu = time.perf_counter(), time.process_time()
        runner.catch_up()
        index_s, index_cpu = time.perf_counter() - started, time.process_time() - cpu
        year, number = int(month[:4]), int(month[5:])
        month_end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        with _memo_never_found():
            afresh_s, afresh_cpu, fresh = _timed(
                lambda: appraise(station, month=month, as_of=end), repeat
            )
        appraise(station, month=month, as_of=end)  # the memo, made once
        latest_s, latest_cpu, report = _timed(
            lambda: appraise(station, month=month, as_of=end), repeat
        )
        assert report.officers == fresh.officers
        past_s, past_cpu, past = _timed(
            lambda: appraise(station, month=month, as_of=month_end), repeat
        )
        cli_s, cli_cpu = _cli(
            ["appraise", "--month", month, "--db", url, "--json", "--as-of", _END], repeat
        )
        as_of_end = month_end.isoformat()
        cli_past_s, cli_past_cpu = _cli(
            ["appraise", "--month", month, "--db", url, "--json", "--as-of", as_of_end], repeat
        )
        absent = f"sqlite:///{tempfile.gettempdir()}/bench-appraisal-absent/station.db"
        start_up_s, start_up_cpu = _cli(
            ["appraise", "--month", month, "--db", absent], repeat, check=False
        )
        started, cpu = time.perf_counter(), time.process_time()
        read = sum(1 for _ in station.events(page=5000))
        bare_s, bare_cpu = time.perf_counter() - started, time.process_time() - cpu
    month_records = sum(
        int(o.metrics["visits"]) + int(o.metrics["leads"]) + int(o.metrics["services"])
        for o in report.officers
    )
    return {
        "events": events,
        "build_s": None if build_s is None else round(build_s, 1),
        "index_catch_up_s": round(index_s, 1),
        "index_catch_up_cpu_s": round(index_cpu, 1),
        "appraise_month_s": round(latest_s, 3),
        "appraise_month_cpu_s": round(latest_cpu, 3),
        "appraise_month_afresh_s": round(afresh_s, 3),
        "appraise_month_afresh_cpu_s": round(afresh_cpu, 3),
        "appraise_month_as_of_month_end_s": round(past_s, 3),
        "appraise_month_as_of_month_end_cpu_s": round(past_cpu, 3),
        "cli_appraise_month_s": round(cli_s, 3),
        "cli_appraise_month_cpu_s": round(cli_cpu, 3),
        "cli_appraise_month_as_of_month_end_s": round(cli_past_s, 3),
        "cli_appraise_month_as_of_month_end_cpu_s": round(cli_past_cpu, 3),
        "cli_start_up_s": round(start_up_s, 3),
        "cli_start_up_cpu_s": round(start_up_cpu, 3),
        "target_in_process_under_0_25_s": latest_s < 0.25,
        "target_in_process_afresh_under_0_25_s": afresh_s < 0.25,
        "target_cli_under_1_s": cli_s < 1.0,
        "target_cli_afresh_under_1_s": cli_past_s < 1.0,
        "bare_read_decode_all_s": round(bare_s, 2),
        "bare_read_decode_all_cpu_s": round(bare_cpu, 2),
        "bare_over_appraise": round(bare_s / latest_s, 1),
        "bare_events_read": read,
        "officers": len(report.officers),
        "month_records_counted": month_records,
        "stars_awarded": sum(len(o.awarded) for o in report.officers),
        "fingerprint": report.fingerprint,
        "fingerprint_as_of_month_end": past.fingerprint,
    }


_IN_PROCESS = """
import sys, time
import beatpolice
from datetime import UTC, datetime
if sys.argv[3] == "never":  # the memo never found (only where there is one)
    from beatpolice.projections.appraisal import _engine
    if "recall" in vars(_engine):
        vars(_engine)["recall"] = lambda *_: None
end = datetime(2100, 1, 1, tzinfo=UTC)
with beatpolice.connect(sys.argv[1], clock=lambda: end, create=False) as station:
    beatpolice.appraise(station, month=sys.argv[2], as_of=end)
    for _ in range(5):
        started = time.process_time()
        beatpolice.appraise(station, month=sys.argv[2], as_of=end)
        print(time.process_time() - started)
"""


def against(url: str, revision: str, *, month: str, rounds: int) -> dict[str, Any]:
    """The month with ``src/`` at ``revision`` and as it is, turn about (CPU seconds)."""
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-appraisal-against-") as folder:
        old = Path(folder) / "old"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        trees = {"then": old / "src", "now": ROOT / "src"}
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for _ in range(rounds):
            for name, tree in trees.items():
                cache = f"{folder}/{name}"
                env = {**environ, "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": cache}
                for memo in ("found", "never"):
                    done = subprocess.run(
                        [sys.executable, "-c", _IN_PROCESS, url, month, memo],
                        env=env, check=True, capture_output=True, text=True,
                    )  # fmt: skip
                    times.setdefault(f"{name}_in_process_memo_{memo}_cpu_s", []).extend(
                        float(line) for line in done.stdout.split()
                    )
                command = [sys.executable, "-m", "beatpolice.adapters.cli", "appraise"]
                for key, arguments in (
                    ("cli", ["--month", month, "--db", url, "--json", "--as-of", _END]),
                    ("cli_start_up", ["--month", month, "--db", f"sqlite:///{folder}/absent.db"]),
                ):
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    subprocess.run([*command, *arguments], env=env, capture_output=True)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                    times.setdefault(f"{name}_{key}_cpu_s", []).append(cpu)
    result: dict[str, Any] = {"revision": revision, "rounds": rounds}
    for key, values in times.items():
        result[key] = round(statistics.median(values), 3)
    for key in [k.removeprefix("now_") for k in times if k.startswith("now_")]:
        result[f"ratio_{key}"] = round(result[f"now_{key}"] / result[f"then_{key}"], 2)
    return result


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=5000, help="commands per transaction")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--sqlite", metavar="PATH", help="keep the SQLite store here (reused if it exists)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="use this PostgreSQL database (built if it holds no events, else reused)",
    )
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="with a reused store: catch its index up instead of rebuilding it",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="with --sqlite: the month with src/ at git revision REV and now, side by side",
    )
    parser.add_argument("--rounds", type=int, default=3, help="turns each, with --against")
    args = parser.parse_args(argv)
    if args.against:
        if not args.sqlite:
            parser.error("--against needs --sqlite PATH (a built store)")
        result = against(
            f"sqlite:///{Path(args.sqlite).resolve()}",
            args.against,
            month=args.month,
            rounds=args.rounds,
        )
        print(orjson.dumps({"backend": "sqlite", "month": args.month, **result}).decode())
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-appraisal-") as folder:
        workload: Workload | None = None

        def events_file() -> Path:
            nonlocal workload
            if workload is None:
                workload = write_workload(
                    Path(folder) / "city.jsonl", events=args.events, officers=args.officers
                )
            return workload.path

        def run(url: str, build: bool) -> dict[str, Any]:
            return bench(
                url,
                events_file() if build else None,
                month=args.month,
                repeat=args.repeat,
                batch=args.batch,
                reuse_index=args.reuse_index,
            )

        for backend in args.backends.split(","):
            if backend == "sqlite":
                path = Path(args.sqlite) if args.sqlite else Path(folder) / "station.db"
                url = f"sqlite:///{path}"
                result = run(url, not (path.exists() and _stored_events(url) > 0))
            elif args.postgres:
                result = run(args.postgres, _stored_events(args.postgres) == 0)
            else:
                with _postgres() as server:
                    result = run(server.create_database("bench_appraisal"), True)
            print(
                orjson.dumps({"backend": backend, "month": args.month, **result}).decode(),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

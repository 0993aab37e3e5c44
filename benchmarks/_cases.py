"""The measured cases, each run alone in a fresh interpreter (``python -m benchmarks._cases``).

A case gets its parameters as one JSON object on the command line, does its untimed
setup, times its work with :func:`time.perf_counter`, and prints one JSON object: the
seconds, how many items (events, rows, loads) the work handled, and memory: the
resident set size after setup (``rss_setup``), sampled during the work (``rss_samples``)
and at its peak (``ru_maxrss``). Running each case in its own process makes the peak a
property of that case alone (see docs/decisions/0701-benchmark-method.md).
"""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson

from benchmarks._cases_log import ingest_without_log
from benchmarks._cases_privacy import ingest_without_sealing
from benchmarks._cases_records import es_bare_records, officer_command
from benchmarks._memory import cli_ingest

__all__ = ["CASES", "current_rss", "main"]

Params = dict[str, Any]
Result = dict[str, Any]

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_RECORDED_AT = datetime(2014, 2, 1, tzinfo=UTC)


def current_rss() -> int:
    """The resident set size of this process now, in bytes (peak RSS off Linux)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except OSError:
        return _peak_rss()


def _peak_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _clock() -> datetime:
    return _RECORDED_AT


def _connect(url: str) -> Any:
    import beatpolice

    return beatpolice.connect(url, clock=_clock)


class _Sampler:
    """RSS samples taken as the work progresses (``done`` of ``total`` items)."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.samples: list[tuple[float, int]] = []
        self._next = 0.0

    def __call__(self, done: int) -> None:
        fraction = done / self.total
        if fraction >= self._next:
            self.samples.append((round(fraction, 3), current_rss()))
            self._next = fraction + 0.1


# --- bulk ingest ---------------------------------------------------------------------------


def ingest(params: Params) -> Result:
    """``ingest_lines`` of a workload file into a fresh store."""
    from beatpolice.application.ingest import IngestReport, ingest_lines

    station = _connect(params["url"])
    sampler = _Sampler(params["events"])

    def on_batch(report: IngestReport) -> None:
        sampler(report.events)

    started = time.perf_counter()
    with open(params["workload"], "rb") as lines:
        report = ingest_lines(station, lines, batch_size=params["batch_size"], on_batch=on_batch)
    seconds = time.perf_counter() - started
    station.close()
    if report.refused:
        raise RuntimeError(f"workload refused: {report.refused[:3]}")
    return {"seconds": seconds, "items": report.events, "rss_samples": sampler.samples}


def es_bare(params: Params) -> Result:
    """Bare eventsourcing: minimal aggregate events saved ``batch_size`` at a time."""
    from benchmarks._bare import BareApplication, Counter

    app = BareApplication(env=params["env"])
    total, batch_size = params["events"], params["batch_size"]
    aggregates = [Counter() for _ in range(params["aggregates"])]
    app.save(*aggregates)
    sampler = _Sampler(total)
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(batch_size, total - done)
        touched: dict[UUID, Counter] = {}
        for index in range(done, done + size):
            aggregate = aggregates[index % len(aggregates)]
            aggregate.count(index)
            touched[aggregate.id] = aggregate
        app.save(*touched.values())
        done += size
        sampler(done)
    seconds = time.perf_counter() - started
    app.close()
    return {"seconds": seconds, "items": total, "rss_samples": sampler.samples}


def _rows(count: int, state_size: int, topic: str) -> Iterator[tuple[UUID, int, str, bytes]]:
    originators = [uuid4() for _ in range(600)]
    versions = dict.fromkeys(originators, 0)
    state = orjson.dumps({"text": "走" * max(0, (state_size - 11) // 3)})
    for index in range(count):
        originator = originators[index % len(originators)]
        versions[originator] += 1
        yield originator, versions[originator], topic, state


_SQLITE_DDL = (
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version "
    "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)
_POSTGRES_DDL = (
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, topic text, state bytea, "
    "notification_id bigserial, PRIMARY KEY (originator_id, originator_version)); "
    "CREATE UNIQUE INDEX IF NOT EXISTS stored_events_notification_id_idx "
    "ON stored_events (notification_id ASC)"
)


def _sqlite_connection(path: str) -> sqlite3.Connection:
    # the settings eventsourcing's SQLite recorder uses: autocommit, WAL
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(_SQLITE_DDL)
    return connection


def raw_bulk(params: Params) -> Result:
    """The driver's bulk insert of rows of the same size: executemany or COPY."""
    total, batch_size = params["events"], params["batch_size"]
    rows = list(_rows(total, params["state_size"], params["topic"]))
    sampler = _Sampler(total)
    if params["backend"] == "sqlite":
        connection = _sqlite_connection(params["path"])
        started = time.perf_counter()
        for start in range(0, total, batch_size):
            batch = [(o.hex, v, t, s) for o, v, t, s in rows[start : start + batch_size]]
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO stored_events VALUES (?,?,?,?)", batch)
            connection.execute("COMMIT")
            sampler(start + len(batch))
        seconds = time.perf_counter() - started
        connection.close()
    else:
        import psycopg

        with psycopg.connect(params["dsn"]) as pg:
            pg.execute(_POSTGRES_DDL)
            pg.commit()
            started = time.perf_counter()
            for start in range(0, total, batch_size):
                with (
                    pg.cursor() as cursor,
                    cursor.copy(
                        "COPY stored_events (originator_id, originator_version, topic, state) "
                        "FROM STDIN"
                    ) as copy,
                ):
                    for row in rows[start : start + batch_size]:
                        copy.write_row(row)
                pg.commit()
                sampler(start + batch_size)
            seconds = time.perf_counter() - started
    return {"seconds": seconds, "items": total, "rss_samples": sampler.samples}


# --- one command per transaction -------------------------------------------------------------


def one_per_tx(params: Params) -> Result:
    """``station.record_visit``, one command and one transaction at a time."""
    station = _connect(params["url"])
    station.enlist_officer(
        badge="D00001", name="薛翠翠", station="德州市公安局新湖派出所", beat="第一责任区"
    )
    base = datetime(2014, 1, 2, 9, 0, tzinfo=UTC)
    count = params["commands"]
    times: list[float] = []
    for number in range(count):
        started = time.perf_counter()
        station.record_visit(
            id=f"V{number}",
            officer="D00001",
            household=f"德城区新湖街道{number % 97}号楼",
            occurred_at=base + timedelta(minutes=number),
            people_match_register=True,
            notes="人户一致，无异常。",
        )
        times.append(time.perf_counter() - started)
    station.close()
    return {"seconds": sum(times), "items": count, "median": statistics.median(times)}


def raw_single(params: Params) -> Result:
    """The driver's insert of one row and commit, one at a time."""
    count = params["commands"]
    rows = list(_rows(count, params["state_size"], params["topic"]))
    times: list[float] = []
    if params["backend"] == "sqlite":
        connection = _sqlite_connection(params["path"])
        for originator, version, topic, state in rows:
            started = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute(
                "INSERT INTO stored_events VALUES (?,?,?,?)",
                (originator.hex, version, topic, state),
            )
            connection.execute("COMMIT")
            times.append(time.perf_counter() - started)
        connection.close()
    else:
        import psycopg

        with psycopg.connect(params["dsn"]) as pg:
            pg.execute(_POSTGRES_DDL)
            pg.commit()
            for row in rows:
                started = time.perf_counter()
                pg.execute(
                    "INSERT INTO stored_events (originator_id, originator_version, topic, "
                    "state) VALUES (%s, %s, %s, %s)",
                    row,
                )
                pg.commit()
                times.append(time.perf_counter() - started)
    return {"seconds": sum(times), "items": count, "median": statistics.median(times)}


# --- loading an officer ----------------------------------------------------------------------


def load_officer(params: Params) -> Result:
    """Load one officer ``loads`` times, from its latest snapshot or from all its events."""
    from eventsourcing.application import Repository

    from beatpolice.domain import Officer

    station = _connect(params["url"])
    app = station._app
    if params["snapshots"]:

        def load() -> Any:
            return station.officer(params["badge"])
    else:
        # the same repository without its snapshot store: every event is replayed
        from beatpolice.application.unit_of_work import project

        repository = Repository(app.events)
        officer_id = Officer.create_id(params["badge"])

        def load() -> Any:
            return repository.get(officer_id, projector_func=project)

    version = load().version  # warm: connections, topic cache, pydantic schemas
    times: list[float] = []
    for _ in range(params["loads"]):
        started = time.perf_counter()
        load()
        times.append(time.perf_counter() - started)
    station.close()
    return {
        "seconds": sum(times),
        "items": len(times),
        "median": statistics.median(times),
        "version": version,
    }


# --- reading all events ----------------------------------------------------------------------


def read_events(params: Params) -> Result:
    """``station.events()``: every event, read and decoded into its pydantic class."""
    station = _connect(params["url"])
    sampler = _Sampler(params["events"])
    count = 0
    started = time.perf_counter()
    for count, _ in enumerate(station.events(), start=1):
        if count % 1000 == 0:
            sampler(count)
    seconds = time.perf_counter() - started
    station.close()
    return {"seconds": seconds, "items": count, "rss_samples": sampler.samples}


def _raw_pages(params: Params) -> Iterator[list[Any]]:
    page = 1000
    if params["backend"] == "sqlite":
        connection = sqlite3.connect(params["path"])
        start = 1
        while True:
            rows = connection.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events WHERE rowid>=? ORDER BY rowid LIMIT ?",
                (start, page),
            ).fetchall()
            yield rows
            if len(rows) < page:
                break
            start = rows[-1][0] + 1
        connection.close()
    else:
        import psycopg

        with psycopg.connect(params["dsn"]) as pg:
            start = 1
            while True:
                rows = pg.execute(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    # eventsourcing names PostgreSQL tables after the application
                    "FROM beatpolice_events WHERE notification_id>=%s "
                    "ORDER BY notification_id LIMIT %s",
                    (start, page),
                ).fetchall()
                pg.commit()
                yield rows
                if len(rows) < page:
                    break
                start = rows[-1][0] + 1


def raw_select(params: Params) -> Result:
    """The driver's SELECT of the same rows, in pages of the same size; optionally orjson."""
    parse = params.get("orjson", False)
    sampler = _Sampler(params["events"])
    count = 0
    started = time.perf_counter()
    for rows in _raw_pages(params):
        if parse:
            for row in rows:
                orjson.loads(row[4])
        count += len(rows)
        sampler(count)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "items": count, "rss_samples": sampler.samples}


# --- fixtures (untimed) ----------------------------------------------------------------------


def build_store(params: Params) -> Result:
    """Ingest a workload into a store the read-only cases then use (not a measurement)."""
    from beatpolice.application.ingest import ingest_lines

    station = _connect(params["url"])
    with open(params["workload"], "rb") as lines:
        report = ingest_lines(station, lines, batch_size=params["batch_size"])
    station.close()
    if report.refused:
        raise RuntimeError(f"workload refused: {report.refused[:3]}")
    return {"seconds": 0.0, "items": report.events}


CASES: dict[str, Callable[[Params], Result]] = {
    "ingest": ingest,
    "es_bare": es_bare,
    "raw_bulk": raw_bulk,
    "one_per_tx": one_per_tx,
    "raw_single": raw_single,
    "load_officer": load_officer,
    "read_events": read_events,
    "raw_select": raw_select,
    "build_store": build_store,
    "cli_ingest": cli_ingest,
    "es_bare_records": es_bare_records,
    "ingest_without_log": ingest_without_log,
    "ingest_without_sealing": ingest_without_sealing,
    "officer_command": officer_command,
}


def main(argv: list[str]) -> int:
    """Run the case named in ``argv[0]`` with the JSON parameters of ``argv[1]``."""
    name, params = argv[0], orjson.loads(argv[1])
    from benchmarks._patches import apply_patches

    apply_patches(params.get("patches", []))
    rss_before = current_rss()
    result = CASES[name](params)
    result["rss_start"] = rss_before
    result["ru_maxrss"] = _peak_rss()
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))

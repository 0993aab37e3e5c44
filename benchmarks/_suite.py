"""The suite: fixtures, the rows of the table, their references and their targets.

Each row is a subject (beatpolice doing one job) and its references (the same job done
by bare eventsourcing or by the database driver alone). A row's variants are measured
in turns, ``repeat`` rounds of subject then references, each in a fresh process, so
that a noisy neighbour slows them alike and the ratios of one run hold.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from benchmarks import _memory
from benchmarks._workload import Workload, write_officer_history, write_workload

__all__ = [
    "ROWS",
    "RowResult",
    "Settings",
    "Target",
    "Variant",
    "VariantResult",
    "run_suite",
]

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """The sizes and switches of one run (``python -m benchmarks --help``)."""

    events: int = 30_000
    officers: int = 600
    batch_size: int = 2000
    commands: int = 300
    officer_events: int = 10_000
    loads: int = 20
    repeat: int = 3
    only: tuple[str, ...] = ()
    backends: tuple[str, ...] = ("sqlite", "postgres")
    patches: tuple[str, ...] = ()
    timeout: float = 180.0
    """Seconds a measured process may take before it is stopped and marked an error."""
    memory_events: tuple[int, int] = (_memory.SMALL_EVENTS, _memory.LARGE_EVENTS)
    """Events of the memory row's small and large files (issue 10: 20k and 400k)."""
    flat_mib: float = 16.0
    """Memory is flat when RSS grows less than this from 20% of the work to its end."""


@dataclass(frozen=True)
class Variant:
    """One measured thing: a case of ``benchmarks._cases`` with its parameters."""

    label: str
    case: str
    params: dict[str, Any]
    unit: str
    """``events/s`` (more is better) or ``ms`` (per operation, less is better)."""


@dataclass
class VariantResult:
    """The best of a variant's rounds, and its peak memory."""

    label: str
    unit: str
    value: float = 0.0
    seconds: list[float] = field(default_factory=list)
    items: int = 0
    peak_rss: int = 0
    rss_growth: int | None = None
    """RSS at the end of the work minus RSS at 20% of it (streaming cases only)."""
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """A target of the issue, checked against a row's results."""

    text: str
    check: Callable[[list[VariantResult], Settings], tuple[bool | None, str]]


@dataclass
class RowResult:
    """A row of the table: its variants measured side by side and its verdicts."""

    name: str
    title: str
    variants: list[VariantResult]
    verdicts: list[tuple[str, bool | None, str]] = field(default_factory=list)
    skipped: str | None = None


# --- fixtures ------------------------------------------------------------------------------


class Fixtures:
    """Files, stores and the PostgreSQL server the rows share, made when first needed."""

    def __init__(self, settings: Settings, folder: Path, stack: ExitStack) -> None:
        self.settings = settings
        self.folder = folder
        self._stack = stack
        self._cache: dict[str, Any] = {}
        self._counter = 0

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def workload(self) -> Path:
        """The JSON-lines workload of ``settings.events`` events."""
        workload: Workload = self._once(
            "workload",
            lambda: write_workload(
                self.folder / "workload.jsonl",
                events=self.settings.events,
                officers=self.settings.officers,
            ),
        )
        return workload.path

    @property
    def workload_events(self) -> int:
        """How many events the workload records."""
        self.workload  # noqa: B018 - make it
        return int(self._cache["workload"].events)

    @property
    def rows(self) -> dict[str, Any]:
        """The mean stored event size and commonest topic, for the raw references."""

        def sample() -> dict[str, Any]:
            import sqlite3

            store = self.built_store("sqlite", "workload")
            with sqlite3.connect(store["path"]) as connection:
                size, topic = connection.execute(
                    "SELECT avg(length(state)), (SELECT topic FROM stored_events "
                    "GROUP BY topic ORDER BY count(*) DESC LIMIT 1) FROM stored_events"
                ).fetchone()
            return {"state_size": int(size), "topic": str(topic)}

        rows: dict[str, Any] = self._once("rows", sample)
        return rows

    @property
    def officer_history(self) -> Path:
        """The commands of one officer with ``officer_events`` events."""
        history: Workload = self._once(
            "officer",
            lambda: write_officer_history(
                self.folder / "officer.jsonl", events=self.settings.officer_events
            ),
        )
        return history.path

    def officers_store(self, backend: str, officers: dict[str, int]) -> dict[str, Any]:
        """A store holding only these officers, each with that many records."""
        from benchmarks._cases_records import write_officers

        def build() -> dict[str, Any]:
            store = self.fresh_store(backend)
            source = write_officers(self.folder / "officers.jsonl", officers)
            run_case(
                "build_store",
                {"url": store["url"], "workload": str(source), "batch_size": 2000},
                self.settings,
            )
            return store

        store: dict[str, Any] = self._once(f"officers-{backend}", build)
        return store

    def sized_workload(self, events: int) -> Workload:
        """A workload of ``events`` events (the memory row's small and large files)."""
        workload: Workload = self._once(
            f"workload-{events}",
            lambda: write_workload(
                self.folder / f"workload-{events}.jsonl",
                events=events,
                officers=self.settings.officers,
            ),
        )
        return workload

    def postgres(self) -> Any:
        """The throwaway server of tests/postgres_server.py, started once."""

        def start() -> Any:
            module = _load_postgres_server()
            reason = module.postgres_available()
            if reason is not None:
                raise RuntimeError(reason)
            return self._stack.enter_context(module.PostgresServer())

        return self._once("postgres", start)

    def fresh_store(self, backend: str) -> dict[str, Any]:
        """A new, empty store: its beatpolice URL, eventsourcing env, path or DSN."""
        from beatpolice.adapters.store.storage import parse_url

        self._counter += 1
        if backend == "sqlite":
            path = self.folder / f"store-{self._counter}.db"
            url = f"sqlite:///{path}"
            return {"url": url, "path": str(path), "env": parse_url(url).env, "backend": backend}
        url = self.postgres().create_database(f"bench_{self._counter}")
        return {"url": url, "dsn": url, "env": parse_url(url).env, "backend": backend}

    def built_store(self, backend: str, which: str) -> dict[str, Any]:
        """A store holding the workload (``workload``) or the 10,000-event officer."""

        def build() -> dict[str, Any]:
            store = self.fresh_store(backend)
            source = self.workload if which == "workload" else self.officer_history
            run_case(
                "build_store",
                {
                    "url": store["url"],
                    "workload": str(source),
                    "batch_size": self.settings.batch_size,
                },
                self.settings,
            )
            return store

        store: dict[str, Any] = self._once(f"store-{backend}-{which}", build)
        return store


def _load_postgres_server() -> ModuleType:
    path = ROOT / "tests" / "postgres_server.py"
    spec = importlib.util.spec_from_file_location("beatpolice_bench_postgres_server", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_case(case: str, params: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return what it printed."""
    params = {**params, "patches": list(settings.patches)}
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks._cases", case, orjson.dumps(params).decode()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=settings.timeout,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{case} did not finish in {settings.timeout:.0f} s") from None
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"{case} failed: {tail[0]}")
    result: dict[str, Any] = orjson.loads(completed.stdout.strip().splitlines()[-1])
    return result


# --- rows ----------------------------------------------------------------------------------


def _throughput(result: dict[str, Any]) -> float:
    return float(result["items"]) / max(float(result["seconds"]), 1e-9)


def _per_op_ms(result: dict[str, Any]) -> float:
    return float(result.get("median", result["seconds"] / max(result["items"], 1))) * 1000


def _growth(result: dict[str, Any]) -> int | None:
    samples = result.get("rss_samples") or []
    later = [rss for fraction, rss in samples if fraction >= 0.2]
    if len(later) < 2:
        return None
    return int(later[-1] - later[0])


def _round(variants: list[Variant], settings: Settings) -> list[VariantResult]:
    """Run every variant once, in order."""
    results = []
    for variant in variants:
        result = VariantResult(label=variant.label, unit=variant.unit)
        results.append(result)
        if variant.case == "skip":
            result.error = "failed in an earlier round"
            continue
        try:
            raw = run_case(variant.case, variant.params, settings)
        except RuntimeError as error:
            result.error = str(error)
            continue
        result.value = _throughput(raw) if variant.unit == "events/s" else _per_op_ms(raw)
        result.seconds = [float(raw["seconds"])]
        result.items = int(raw["items"])
        result.peak_rss = int(raw["ru_maxrss"])
        result.rss_growth = _growth(raw)
    return results


def _flat(results: list[VariantResult], settings: Settings) -> tuple[bool, str]:
    subject = results[0]
    if subject.rss_growth is None:
        return False, "no samples"
    growth = subject.rss_growth / MIB
    return growth < settings.flat_mib, f"+{growth:.1f} MiB from 20% to 100%"


def _at_least(rate: float) -> Callable[[list[VariantResult], Settings], tuple[bool, str]]:
    def check(results: list[VariantResult], _: Settings) -> tuple[bool, str]:
        return results[0].value >= rate, f"{results[0].value:,.0f} events/s"

    return check


def _ratio(
    reference: int, limit: float, *, faster_is_better: bool
) -> Callable[[list[VariantResult], Settings], tuple[bool, str]]:
    def check(results: list[VariantResult], _: Settings) -> tuple[bool, str]:
        subject, other = results[0].value, results[reference].value
        if not subject or not other:
            return False, "not measured"
        # how many times slower beatpolice is than the reference
        slower = other / subject if faster_is_better else subject / other
        return slower <= limit, f"{slower:.2f}x the time of {results[reference].label}"

    return check


def _reported(
    reference: int,
) -> Callable[[list[VariantResult], Settings], tuple[bool | None, str]]:
    """No threshold: the ratio to a floor, reported (the verdict reads ``info``)."""

    def check(results: list[VariantResult], _: Settings) -> tuple[bool | None, str]:
        subject, other = results[0].value, results[reference].value
        if not subject or not other:
            return None, "not measured"
        return None, f"{other / subject:.2f}x the time of {results[reference].label}"

    return check


def _under_ms(limit: float) -> Callable[[list[VariantResult], Settings], tuple[bool, str]]:
    def check(results: list[VariantResult], _: Settings) -> tuple[bool, str]:
        return 0 < results[0].value < limit, f"{results[0].value:.2f} ms"

    return check


@dataclass(frozen=True)
class Row:
    """A row of the table: how to make its variants, and its targets."""

    name: str
    title: str
    backend: str
    variants: Callable[[Fixtures, str], list[Variant]]
    targets: tuple[Target, ...]


def _ingest_variants(fx: Fixtures, backend: str) -> list[Variant]:
    s = fx.settings
    events = fx.workload_events
    rows = fx.rows
    raw = "executemany" if backend == "sqlite" else "COPY"

    def fresh() -> dict[str, Any]:
        return fx.fresh_store(backend)

    return [
        _lazy(
            "beatpolice ingest_lines",
            "ingest",
            "events/s",
            lambda: {
                "url": fresh()["url"],
                "workload": str(fx.workload),
                "events": events,
                "batch_size": s.batch_size,
            },
        ),
        _lazy(
            "eventsourcing, bare batched saves of comparable events",
            "es_bare_records",
            "events/s",
            lambda: {
                "env": fresh()["env"],
                "events": events,
                "batch_size": s.batch_size,
            },
        ),
        _lazy(
            "eventsourcing, bare batched saves of one-integer events",
            "es_bare",
            "events/s",
            lambda: {
                "env": fresh()["env"],
                "events": events,
                "batch_size": s.batch_size,
                "aggregates": s.officers,
            },
        ),
        _lazy(
            f"{raw} of rows of the same size",
            "raw_bulk",
            "events/s",
            lambda: {
                **fresh(),
                "events": events,
                "batch_size": s.batch_size,
                "state_size": rows["state_size"],
                "topic": rows["topic"],
            },
        ),
    ]


def _one_per_tx_variants(fx: Fixtures, backend: str) -> list[Variant]:
    s = fx.settings
    rows = fx.rows
    return [
        _lazy(
            "station.record_visit, one per commit",
            "one_per_tx",
            "ms",
            lambda: {"url": fx.fresh_store(backend)["url"], "commands": s.commands},
        ),
        _lazy(
            "driver INSERT of one row + COMMIT",
            "raw_single",
            "ms",
            lambda: {
                **fx.fresh_store(backend),
                "commands": s.commands,
                "state_size": rows["state_size"],
                "topic": rows["topic"],
            },
        ),
    ]


def _load_variants(fx: Fixtures, backend: str) -> list[Variant]:
    store = fx.built_store(backend, "officer")
    common = {"url": store["url"], "badge": "D90001"}
    return [
        Variant(
            f"officer of {fx.settings.officer_events:,} events, from snapshot",
            "load_officer",
            {**common, "snapshots": True, "loads": fx.settings.loads},
            "ms",
        ),
        Variant(
            "the same, replaying every event (no snapshot)",
            "load_officer",
            {**common, "snapshots": False, "loads": max(3, fx.settings.loads // 4)},
            "ms",
        ),
    ]


def _officer_size_variants(fx: Fixtures, backend: str) -> list[Variant]:
    many = fx.settings.officer_events
    store = fx.officers_store(backend, {"D80001": many, "D80002": 10, "D80003": 10})
    common = {"url": store["url"], "loads": fx.settings.loads, "warm_badge": "D80003"}
    return [
        Variant(
            f"record_visit, officer of {many:,} records, fresh station",
            "officer_command",
            {**common, "badge": "D80001"},
            "ms",
        ),
        Variant(
            "the same, officer of 10 records",
            "officer_command",
            {**common, "badge": "D80002"},
            "ms",
        ),
    ]


def _read_variants(fx: Fixtures, backend: str) -> list[Variant]:
    store = fx.built_store(backend, "workload")
    common = {**store, "events": fx.workload_events}
    return [
        Variant("station.events(): read + decode", "read_events", common, "events/s"),
        Variant("driver SELECT of the same rows", "raw_select", common, "events/s"),
        Variant(
            "driver SELECT + orjson.loads(state)",
            "raw_select",
            {**common, "orjson": True},
            "events/s",
        ),
    ]


def _memory_variants(fx: Fixtures, backend: str) -> list[Variant]:
    made = []
    for events in fx.settings.memory_events:
        workload = fx.sized_workload(events)
        made.append(
            _lazy(
                f"beatpolice ingest, {workload.lines:,} lines",
                "cli_ingest",
                "events/s",
                lambda workload=workload: {  # type: ignore[misc]
                    "url": fx.fresh_store(backend)["url"],
                    "workload": str(workload.path),
                    "events": workload.events,
                },
            )
        )
    return made


def _log_variants(fx: Fixtures, backend: str) -> list[Variant]:
    # the same ingest, turn about: with the log's leaves, then without (ADR 0520)
    s = fx.settings

    def params() -> dict[str, Any]:
        return {
            "url": fx.fresh_store(backend)["url"],
            "workload": str(fx.workload),
            "events": fx.workload_events,
            "batch_size": s.batch_size,
        }

    return [
        _lazy("beatpolice ingest_lines, with the log", "ingest", "events/s", params),
        _lazy(
            "beatpolice ingest_lines, without the log", "ingest_without_log", "events/s", params
        ),
    ]


def _sealing_variants(fx: Fixtures, backend: str) -> list[Variant]:
    # the same ingest, turn about: personal text sealed, then a station without keys
    s = fx.settings

    def params() -> dict[str, Any]:
        return {
            "url": fx.fresh_store(backend)["url"],
            "workload": str(fx.workload),
            "events": fx.workload_events,
            "batch_size": s.batch_size,
        }

    return [
        _lazy("beatpolice ingest_lines, personal data sealed", "ingest", "events/s", params),
        _lazy(
            "beatpolice ingest_lines, nothing sealed", "ingest_without_sealing", "events/s", params
        ),
    ]


def _lazy(label: str, case: str, unit: str, make: Callable[[], dict[str, Any]]) -> Variant:
    # a variant whose parameters (a fresh, empty store) are made anew for every round
    return Variant(label, case, {"__make__": make}, unit)


ROWS: tuple[Row, ...] = tuple(
    row
    for backend in ("sqlite", "postgres")
    for row in (
        Row(
            f"ingest-{backend}",
            f"bulk ingest ({backend})",
            backend,
            _ingest_variants,
            (
                Target(
                    f">= {50_000 if backend == 'sqlite' else 25_000:,} events/s",
                    _at_least(50_000 if backend == "sqlite" else 25_000),
                ),
                Target(
                    "no slower than bare eventsourcing (comparable events)",
                    _ratio(1, 1.0, faster_is_better=True),
                ),
                Target(
                    f"as close to {'executemany' if backend == 'sqlite' else 'COPY'} as we can",
                    _reported(3),
                ),
                Target("memory flat", _flat),
            ),
        ),
        Row(
            f"log-{backend}",
            f"bulk ingest with and without the tamper-evident log ({backend})",
            backend,
            _log_variants,
            (
                Target(
                    "the log slows ingest by at most 15%",
                    _ratio(1, 1.15, faster_is_better=True),
                ),
            ),
        ),
        Row(
            f"sealing-{backend}",
            f"bulk ingest with and without sealing personal data ({backend})",
            backend,
            _sealing_variants,
            (
                Target(
                    "sealed ingest at least 0.8x the speed of unsealed",
                    _ratio(1, 1.25, faster_is_better=True),
                ),
            ),
        ),
        Row(
            f"one-per-tx-{backend}",
            f"one command per transaction ({backend})",
            backend,
            _one_per_tx_variants,
            (
                Target(
                    "within 1.5x of the driver's single-row commit",
                    _ratio(1, 1.5, faster_is_better=False),
                ),
            ),
        ),
        Row(
            f"officer-size-{backend}",
            f"a command for an officer with many records ({backend})",
            backend,
            _officer_size_variants,
            (
                Target(
                    "within 1.5x of the officer with 10 records",
                    _ratio(1, 1.5, faster_is_better=False),
                ),
            ),
        ),
        Row(
            f"load-{backend}",
            f"load an officer ({backend})",
            backend,
            _load_variants,
            (Target("< 2 ms from a snapshot", _under_ms(2.0)),),
        ),
        Row(
            f"read-{backend}",
            f"read and decode all events ({backend})",
            backend,
            _read_variants,
            (
                Target("within 3x of SELECT + orjson", _ratio(2, 3.0, faster_is_better=True)),
                Target("memory flat", _flat),
            ),
        ),
        Row(
            f"memory-{backend}",
            f"peak memory of beatpolice ingest, 20x the lines ({backend})",
            backend,
            _memory_variants,
            (Target(f"peak RSS of the larger within {_memory.LIMIT}x", _memory.peak_ratio),),
        ),
    )
)


def _selected(settings: Settings) -> Iterator[Row]:
    for row in ROWS:
        if row.backend not in settings.backends:
            continue
        if settings.only and not any(
            row.name == name or row.name.startswith(name + "-") or row.backend == name
            for name in settings.only
        ):
            continue
        yield row


def _measure_row(row: Row, fixtures: Fixtures) -> RowResult:
    variants = row.variants(fixtures, row.backend)
    settings = fixtures.settings
    results = [VariantResult(label=v.label, unit=v.unit) for v in variants]
    for _ in range(settings.repeat):
        # a variant that failed once (an error, a hang) is not run again
        concrete = [
            Variant(
                v.label,
                "skip" if done.error else v.case,
                v.params["__make__"]() if "__make__" in v.params else v.params,
                v.unit,
            )
            for v, done in zip(variants, results, strict=True)
        ]
        for merged, fresh in zip(results, _round(concrete, settings), strict=True):
            _merge(merged, fresh)
    result = RowResult(name=row.name, title=row.title, variants=results)
    for target in row.targets:
        if results[0].error is not None:
            result.verdicts.append((target.text, None, "subject failed"))
            continue
        passed, detail = target.check(results, settings)
        result.verdicts.append((target.text, passed, detail))
    return result


def _merge(into: VariantResult, fresh: VariantResult) -> None:
    if fresh.error is not None:
        into.error = into.error or fresh.error
        return
    if into.value == 0 or (
        fresh.value > into.value if fresh.unit == "events/s" else fresh.value < into.value
    ):
        into.value = fresh.value
    into.seconds += fresh.seconds
    into.items = fresh.items
    into.peak_rss = max(into.peak_rss, fresh.peak_rss)
    if fresh.rss_growth is not None:
        into.rss_growth = max(into.rss_growth or fresh.rss_growth, fresh.rss_growth)


@contextmanager
def _workspace() -> Iterator[tuple[Path, ExitStack]]:
    folder = Path(tempfile.mkdtemp(prefix="beatpolice-bench-"))
    try:
        with ExitStack() as stack:
            yield folder, stack
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_suite(
    settings: Settings, *, progress: Callable[[str], None] = lambda _: None
) -> tuple[list[RowResult], dict[str, Any]]:
    """Measure the selected rows; return them and facts about the run (server version)."""
    facts: dict[str, Any] = {}
    results: list[RowResult] = []
    with _workspace() as (folder, stack):
        fixtures = Fixtures(settings, folder, stack)
        for row in _selected(settings):
            progress(f"measuring {row.title} ...")
            try:
                results.append(_measure_row(row, fixtures))
            except RuntimeError as error:  # a fixture failed (e.g. no PostgreSQL)
                results.append(RowResult(row.name, row.title, [], skipped=str(error)))
        facts["workload"] = (
            {
                "events": fixtures.workload_events,
                "lines": fixtures._cache["workload"].lines,
                "by_type": fixtures._cache["workload"].by_type,
            }
            if "workload" in fixtures._cache
            else None
        )
        facts["mean_stored_event_bytes"] = fixtures._cache.get("rows", {}).get("state_size")
        if "postgres" in fixtures._cache:
            facts["postgres"] = _server_version(fixtures._cache["postgres"].url)
    return results, facts


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"

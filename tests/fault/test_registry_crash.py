"""Crash safety of the registries: SIGKILL a catch-up or rebuild many times, then compare.

A forked child process opens the station and catches its registries up (or, once they
are current, rebuilds them) page by page; the parent kills it with SIGKILL at a random
moment, reads the tracking positions, and starts another child, which resumes. After
the kills the registries must equal a clean rebuild (a page applied twice would double
a tally; a page skipped would lose one) and every registry must stand at the last event.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import beatpolice
from beatpolice.adapters.ingest import ingest_lines
from beatpolice.projections.registries import Registries, open_registries

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks._workload import write_workload

pytestmark = [pytest.mark.slow]

EVENTS = 20_000
KILLS = 30
PAGE_SIZE = 250
RECORDED = datetime(2014, 6, 1, tzinfo=UTC)


def _snapshot(registries: Registries) -> dict[str, dict[str, list[tuple[str, Any]]]]:
    return {
        runner.projection.name: {
            table: list(registries.store.scan(runner.projection.name, table))
            for table in runner.projection.tables
        }
        for runner in registries.runners
    }


def _child(url: str, rebuild: bool, ready: int) -> None:
    """The body of a child: fold until done (or killed), signalling when it starts."""
    try:
        with beatpolice.connect(url) as station:
            registries = open_registries(station, page_size=PAGE_SIZE)
            os.write(ready, b"r")
            if rebuild:
                registries.rebuild()
            else:
                registries.catch_up()
            os.write(ready, b"d")
    finally:
        os._exit(0)


def _crash_many_times(url: str, rng: random.Random) -> dict[str, int]:
    with beatpolice.connect(url) as station:
        last = max(n for n, _ in station.events())
        watcher = open_registries(station)
        kills = completed = covered = 0
        rebuild = False
        while kills < KILLS:
            before = min(watcher.positions().values())
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                os.close(read)
                _child(url, rebuild, write)
            os.close(write)
            assert os.read(read, 1) == b"r"
            # a random moment of the fold: most kills land mid-page or mid-commit
            ready, _, _ = select.select([read], [], [], rng.uniform(0.05, 0.6))
            finished = bool(ready) and os.read(read, 1) == b"d"
            if not finished:
                os.kill(pid, signal.SIGKILL)
                kills += 1
            os.waitpid(pid, 0)
            os.close(read)
            after = min(watcher.positions().values())
            covered += after if rebuild and after < before else max(after - before, 0)
            if finished:
                completed += 1
            # once current, rebuild: kills then also land in resets and rebuilds
            rebuild = after == last
        watcher.catch_up()
        positions = watcher.positions()
        assert set(positions.values()) == {last}, positions
        resumed = _snapshot(watcher)
        watcher.rebuild()
        assert _snapshot(watcher) == resumed
    return {"kills": kills, "completed": completed, "events_folded": covered, "log": last}


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault") / "workload.jsonl"
    write_workload(path, events=EVENTS, officers=40, seed=7)
    return path


def _fill(url: str, workload: Path) -> None:
    with beatpolice.connect(url, clock=lambda: RECORDED) as station, workload.open("rb") as lines:
        report = ingest_lines(station, lines, batch_size=1000)
        assert report.ok


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_registries_survive_sigkill_at_random_points(
    backend: str,
    workload: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'station.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    _fill(url, workload)
    started = time.monotonic()
    figures = _crash_many_times(url, random.Random(f"{backend}-2014"))
    figures["seconds"] = round(time.monotonic() - started)
    record_property("figures", figures)
    print(f"\n{backend}: {figures}")
    assert figures["kills"] == KILLS
    assert figures["events_folded"] >= EVENTS // 2

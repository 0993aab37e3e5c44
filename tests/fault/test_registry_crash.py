"""Crash safety of the registries: SIGKILL a catch-up or rebuild many times, then compare.

A forked child process opens the station and catches its registries up page by page;
the parent kills it with SIGKILL at a random moment and starts another child, which
resumes, ten times; a last child folds to the end. Then ten rebuilds are killed the same
way (kills land in resets, folds and commits) and the parent resumes the last one. The
registries must then equal a clean rebuild (a page applied twice would double a tally;
a page skipped would lose one) and every registry must stand at the last event.
The workload (about 8,000 events) comes from ``_fault_workload.py`` beside this file.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from _fault_workload import commands

import beatpolice
from beatpolice.adapters.ingest import ingest_lines
from beatpolice.projections.registries import Registries, open_registries

pytestmark = [pytest.mark.slow]

EVENTS = 8_000
KILLS = 20
PAGE_SIZE = 200
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


def _run_child(url: str, rebuild: bool, delay: float | None) -> bool:
    """Fork a child that folds; SIGKILL it after ``delay`` seconds (None: let it finish).

    Returns whether the child finished its fold before the kill.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        _child(url, rebuild, write)
    os.close(write)
    assert os.read(read, 1) == b"r"
    ready, _, _ = select.select([read], [], [], delay)
    finished = bool(ready) and os.read(read, 1) == b"d"
    if not finished:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read)
    return finished


def _crash_many_times(url: str, rng: random.Random) -> dict[str, int]:
    """Kill catch-ups until the log is folded, then kill rebuilds; compare with a clean one."""
    with beatpolice.connect(url) as station:
        last = max(n for n, _ in station.events())
        watcher = open_registries(station)
        killed = {"catch_up": 0, "rebuild": 0}
        covered = completed = 0
        for phase in ("catch_up", "rebuild"):
            while killed[phase] < KILLS // 2:
                before = min(watcher.positions().values())
                if phase == "catch_up" and before == last:
                    break  # folded before the kills ran out; go on to rebuilds
                # a random moment of the fold: most kills land mid-page or mid-commit
                finished = _run_child(url, phase == "rebuild", rng.uniform(0.02, 0.5))
                completed += finished
                killed[phase] += not finished
                after = min(watcher.positions().values())
                covered += after if phase == "rebuild" else after - before
            if phase == "catch_up":
                # resume the last killed catch-up to the end, in a child too
                before = min(watcher.positions().values())
                assert _run_child(url, False, None)
                covered += min(watcher.positions().values()) - before
        # the last killed rebuild left a partial view: catch it up here and compare
        watcher.catch_up()
        positions = watcher.positions()
        assert set(positions.values()) == {last}, positions
        resumed = _snapshot(watcher)
        watcher.rebuild()
        assert _snapshot(watcher) == resumed
    return {
        "kills": killed["catch_up"] + killed["rebuild"],
        "kills_in_catch_up": killed["catch_up"],
        "kills_in_rebuild": killed["rebuild"],
        "completed": completed,
        "events_folded": covered,
        "log": last,
    }


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault") / "workload.jsonl"
    with path.open("wb") as lines:
        for command in commands(events=EVENTS, officers=20, seed=7):
            lines.write(orjson.dumps(command) + b"\n")
    return path


def _fill(url: str, workload: Path) -> None:
    with beatpolice.connect(url, clock=lambda: RECORDED) as station, workload.open("rb") as lines:
        report = ingest_lines(station, lines, batch_size=1000)
        assert report.ok
        assert max(n for n, _ in station.events()) >= EVENTS


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
    # the kills landed in catch-ups (which together folded the whole log) and in rebuilds
    assert figures["kills_in_catch_up"] >= 3
    assert figures["kills_in_rebuild"] == KILLS // 2
    assert figures["events_folded"] >= figures["log"]

"""Crash safety of the registries: SIGKILL catch-ups and rebuilds at chosen points, then compare.

A forked child process opens the station and catches its registries up (or rebuilds
them) page by page, and kills itself with SIGKILL at a point chosen by progress, never
by a clock: once the k-th page is folded but not yet committed, inside the k-th commit
after its rows and position are written but before the transaction commits, once the
k-th commit has returned, or inside the k-th reset of a rebuild. The test hooks are
:attr:`ProjectionRunner.on_page` and the view stores' ``before_commit`` (see
:data:`beatpolice.adapters.store.views.TransactionHook`). The kill points lie on early
pages, middle pages and the last page, of catch-ups from nothing, of catch-ups resuming
a half-reset store, and of rebuilds.

After each kill the parent checks that every registry stands exactly where the pages
committed before the kill put it (a kill inside a commit loses that page, a kill after
it keeps it), by replaying the runners' paging over the log's notification ids. At the
end, after a final resume, every registry stands at the last event and equals a clean
rebuild, both after the catch-up kills and after the rebuild kills (a page applied twice
would double a tally; a page skipped would lose one). All of it is decided by the
order of pages, so it holds on a quiet machine and on a loaded one alike.
The workload (about 8,000 events) comes from ``_fault_workload.py`` beside this file.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import orjson
import psycopg
import pytest
from _fault_workload import commands
from psycopg import sql

import beatpolice
from beatpolice.application.ingest import ingest_lines
from beatpolice.projections.registries import Registries, open_registries

pytestmark = [pytest.mark.slow]

EVENTS = 8_000
PAGE_SIZE = 200
RECORDED = datetime(2014, 6, 1, tzinfo=UTC)

Kind = Literal["catch_up", "rebuild"]
Stage = Literal["folded", "commit", "committed", "reset"]
"""Where a child dies: the k-th page folded in memory but not committed (``folded``),
inside the k-th commit's transaction (``commit``), after the k-th commit (``committed``),
inside the k-th reset's transaction (``reset``)."""
Which = int | Literal["middle"]
"""The k of a kill point: from 1, negative counts from the child's last commit."""

PLAN: list[tuple[Kind, Stage, Which]] = [
    # catch-ups from an empty store, each resuming the one killed before it
    ("catch_up", "committed", 1),  # the first page of the first registry stands alone
    ("catch_up", "folded", 1),  # mid-page: nothing of it written
    ("catch_up", "commit", 2),  # the rows written, the transaction cut off
    ("catch_up", "committed", 7),  # early pages, the registries out of step
    ("catch_up", "commit", "middle"),
    ("catch_up", "folded", "middle"),
    ("catch_up", "committed", "middle"),
    ("catch_up", "commit", -1),  # inside the commit of the last page of the log
    ("catch_up", "committed", -1),  # the last page committed, the child killed after it
    # rebuilds, and a catch-up resuming a half-reset store
    ("rebuild", "reset", 1),  # inside the first reset: nothing forgotten
    ("rebuild", "reset", 3),  # two registries forgotten, two still at the last event
    ("catch_up", "committed", "middle"),  # the forgotten ones fold again from the start
    ("rebuild", "reset", 4),  # inside the last reset
    ("rebuild", "committed", 1),  # the first page of the rebuilt log
    ("rebuild", "commit", 3),
    ("rebuild", "folded", "middle"),
    ("rebuild", "commit", -1),  # inside the last commit of a rebuild
]


Snapshot = dict[str, dict[str, list[tuple[str, Any]]]]
"""Every document of every registry: projection -> table -> [(key, document), ...]."""


def _look(registries: Registries, then: Kind | None = None) -> tuple[list[int], Snapshot]:
    """Each registry's position and documents, seen by the parent's long-lived station.

    Long-lived on purpose: the children's resets drop tables its view store has seen,
    and it must read on regardless (ADR 0225). ``then``: catch up or rebuild first.
    """
    if then == "catch_up":
        registries.catch_up()
    elif then == "rebuild":
        registries.rebuild()
    positions = [runner.position for runner in registries.runners]
    snapshot = {
        runner.projection.name: {
            table: list(registries.store.scan(runner.projection.name, table))
            for table in runner.projection.tables
        }
        for runner in registries.runners
    }
    return positions, snapshot


def _commits(ids: list[int], positions: list[int]) -> list[tuple[int, int]]:
    """The commits a catch-up makes from ``positions``: (runner, new position), in order.

    :meth:`Registries.catch_up` goes round the runners, each folding one page of at
    most ``PAGE_SIZE`` events from its own position, until none has anything left.
    """
    done = [bisect_right(ids, position) for position in positions]
    commits: list[tuple[int, int]] = []
    while any(count < len(ids) for count in done):
        for runner, count in enumerate(done):
            if count < len(ids):
                done[runner] = min(count + PAGE_SIZE, len(ids))
                commits.append((runner, ids[done[runner] - 1]))
    return commits


def _expected(
    ids: list[int], before: list[int], kind: Kind, stage: Stage, which: Which
) -> tuple[int, list[int]]:
    """The k of a kill point, and where each registry stands once the child is killed."""
    resets = len(before)
    if stage == "reset":
        assert kind == "rebuild"
        assert isinstance(which, int)
        assert 1 <= which <= resets
        k = which
        # the resets before the k-th committed; the k-th was rolled back
        return k, [0 if runner < k - 1 else position for runner, position in enumerate(before)]
    start = [0] * resets if kind == "rebuild" else list(before)
    commits = _commits(ids, start)
    if isinstance(which, str):  # the middle
        k = max(len(commits) // 2, 1)
    else:
        k = which if which > 0 else len(commits) + 1 + which
    assert 1 <= k <= len(commits), (k, len(commits))
    after = list(start)
    for runner, position in commits[: k if stage == "committed" else k - 1]:
        after[runner] = position
    return k, after


def _child(url: str, kind: Kind, kill: tuple[Stage, int] | None) -> None:
    """The body of a child: fold, killing itself at the ``kill`` point if there is one."""
    code = 0
    try:
        with beatpolice.connect(url) as station:
            registries = open_registries(station, page_size=PAGE_SIZE)
            seen: Counter[str] = Counter()

            def hook(stage: str, _where: object) -> None:
                seen[stage] += 1
                if kill == (stage, seen[stage]):
                    os.kill(os.getpid(), signal.SIGKILL)

            for runner in registries.runners:
                runner.on_page = hook
            station.view_store.before_commit = hook
            if kind == "rebuild":
                registries.rebuild()
            else:
                registries.catch_up()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)  # no exit handlers: they belong to the parent


def _run_child(url: str, kind: Kind, kill: tuple[Stage, int] | None) -> int:
    """Fork a child that folds and wait for it; returns its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(url, kind, kill)
    _, status = os.waitpid(pid, 0)
    return status


def _killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _finished(status: int) -> bool:
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _notification_ids(url: str) -> list[int]:
    """The ids of the log, read the way the registries page it."""
    with beatpolice.connect(url) as station:
        read = station.read_events
        ids: list[int] = []
        while page := read(ids[-1] + 1 if ids else 1, 1000):
            ids.extend(n for n, _ in page)
    return ids


def _check_kill(
    step: int,
    before: tuple[list[int], Snapshot],
    expected: list[int],
    after: tuple[list[int], Snapshot],
) -> None:
    """The registries stand where ``expected`` says; those the kill cut off are untouched."""
    names = list(after[1])
    assert after[0] == expected, (step, dict(zip(names, after[0], strict=True)))
    for runner, name in enumerate(names):
        if expected[runner] == 0:  # reset, or never folded
            assert not any(after[1][name].values()), (step, name, "not empty")
        elif expected[runner] == before[0][runner]:  # its page lost, or not reached
            assert after[1][name] == before[1][name], (step, name, "changed")


def _crash_many_times(url: str) -> dict[str, object]:
    """Run :data:`PLAN`, checking each kill, then resume and compare with a clean rebuild."""
    with beatpolice.connect(url) as station:
        return _crash_and_watch(url, open_registries(station, page_size=PAGE_SIZE))


def _crash_and_watch(url: str, watcher: Registries) -> dict[str, object]:
    """:func:`_crash_many_times`, the registries watched by one station all along."""
    ids = _notification_ids(url)
    last = ids[-1]
    kills: Counter[str] = Counter()
    caught: Snapshot | None = None
    seen = _look(watcher)
    for step, (kind, stage, which) in enumerate(PLAN):
        if caught is None and kind == "rebuild":
            # every catch-up kill done: resume to the end, in a child too
            assert _finished(_run_child(url, "catch_up", None))
            seen = _look(watcher)
            assert seen[0] == [last] * len(seen[0])
            caught = seen[1]
        k, expected = _expected(ids, seen[0], kind, stage, which)
        status = _run_child(url, kind, (stage, k))
        assert _killed(status), f"step {step}: {kind} not killed at {stage} {k} ({status})"
        after = _look(watcher)
        _check_kill(step, seen, expected, after)
        seen = after
        kills[f"{kind}:{stage}"] += 1
    # the last killed rebuild left partial views: catch them up and compare
    positions, resumed = _look(watcher, then="catch_up")
    assert positions == [last] * len(positions)
    positions, clean = _look(watcher, then="rebuild")
    assert positions == [last] * len(positions)
    assert caught == clean, "catch-ups killed and resumed differ from a clean rebuild"
    assert resumed == clean, "rebuilds killed and resumed differ from a clean rebuild"
    assert all(any(tables.values()) for tables in clean.values())
    return {"kills": sum(kills.values()), **dict(sorted(kills.items())), "log": last}


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fault") / "workload.jsonl"
    with path.open("wb") as lines:
        for command in commands(events=EVENTS, officers=20, seed=7):
            lines.write(orjson.dumps(command) + b"\n")
    return path


def _drop(server: str, url: str) -> None:
    """Drop a test database (each copies template1: several MB)."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _fill(url: str, workload: Path) -> None:
    with beatpolice.connect(url, clock=lambda: RECORDED) as station, workload.open("rb") as lines:
        report = ingest_lines(station, lines, batch_size=1000)
        assert report.ok
        assert max(n for n, _ in station.events()) >= EVENTS


def test_plan_kills_early_middle_and_last_pages() -> None:
    """The replay of paging the kills are checked against (a log of 1,000 ids, gapped)."""
    ids = [n for n in range(1, 1101) if n % 11]
    assert len(ids) == 1000
    commits = _commits(ids, [0, 0, 0, 0])
    assert len(commits) == 20  # 5 pages of 200 for each of 4 registries
    assert commits[:5] == [
        (0, ids[199]),
        (1, ids[199]),
        (2, ids[199]),
        (3, ids[199]),
        (0, ids[399]),
    ]
    assert commits[-1] == (3, ids[-1])
    assert _expected(ids, [0] * 4, "catch_up", "committed", 5) == (5, [ids[399]] + [ids[199]] * 3)
    assert _expected(ids, [0] * 4, "catch_up", "commit", 5) == (5, [ids[199]] * 4)
    assert _expected(ids, [0] * 4, "catch_up", "folded", -1) == (20, [ids[-1]] * 3 + [ids[799]])
    assert _expected(ids, [ids[-1]] * 4, "rebuild", "reset", 3) == (3, [0, 0, ids[-1], ids[-1]])
    assert _expected(ids, [ids[-1]] * 4, "rebuild", "committed", "middle") == (
        10,
        [ids[599]] * 2 + [ids[399]] * 2,
    )
    # a catch-up of a half-reset store pages only the registries behind
    assert _commits(ids, [0, ids[-1], ids[-1], 0])[:3] == [
        (0, ids[199]),
        (3, ids[199]),
        (0, ids[399]),
    ]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_registries_survive_sigkill_at_chosen_points(
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
    try:
        _fill(url, workload)
        figures = _crash_many_times(url)
    finally:
        if backend == "postgres":
            _drop(request.getfixturevalue("postgres_server").url, url)
    record_property("figures", figures)
    print(f"\n{backend}: {figures}")
    assert figures["kills"] == len(PLAN)

"""Concurrent writers to one officer on SQLite and PostgreSQL: nothing disappears.

Several threads, and several spawned processes, record visits of the same officer at
once. Every write either lands or raises ConcurrencyError; the stored visits are
exactly those that landed; with ``retry_on_conflict`` every write lands.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from concurrency_workers import PLAIN_BADGE, RETRY_BADGE, process_main, run_threads
from contract_helpers import BADGE, FIELD_TIME, enlist

import beatpolice
from beatpolice.domain import VisitRecorded, VisitsPlanned

THREADS = 4
PROCESSES = 4
WRITES = 25


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Only the shared, persistent backends (memory:// lives in one process)."""
    name: str = request.param
    return name


def _stored_visits(station: beatpolice.Station, badge: str = BADGE) -> list[str]:
    return [
        event.id
        for _, event in station.events()
        if isinstance(event, VisitRecorded) and event.officer == badge
    ]


def _check(station: beatpolice.Station, outcomes: list[Any], writers: int) -> tuple[int, int]:
    """Check both phases of every writer; return the conflicts of each phase."""
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    conflicts = []
    for phase, badge in enumerate((PLAIN_BADGE, RETRY_BADGE)):
        results = [outcome[phase] for outcome in outcomes]
        landed = [visit for ids, _, _ in results for visit in ids]
        refused = sum(count for _, count, _ in results)
        unexpected = [problem for _, _, problems in results for problem in problems]

        assert unexpected == []
        assert len(landed) + refused == writers * WRITES
        stored = _stored_visits(station, badge)
        assert sorted(stored) == sorted(landed)
        assert len(stored) == len(set(stored))
        # the officer's own aggregate never changed: records are aggregates of their own
        assert station.officer(badge).version == 1
        assert sorted(station.record(badge, visit).key for visit in landed) == sorted(landed)
        conflicts.append(refused)
    assert conflicts[1] == 0, "retry_on_conflict gave up on a write"
    # different records of one officer are different aggregates: they never conflict
    assert conflicts[0] == 0, "writes of different records of one officer conflicted"
    return conflicts[0], conflicts[1]


def _enlist_both(station: beatpolice.Station) -> None:
    enlist(station, PLAIN_BADGE)
    enlist(station, RETRY_BADGE)


@pytest.mark.slow
def test_threads_writing_one_officer_lose_nothing(
    station: beatpolice.Station, station_url: str
) -> None:
    _enlist_both(station)

    outcomes = run_threads(station_url, THREADS, WRITES)

    plain, _ = _check(station, outcomes, THREADS)
    print(f"{station.backend} threads: {plain} of {THREADS * WRITES} plain writes conflicted")


@pytest.mark.slow
def test_processes_writing_one_officer_lose_nothing(
    station: beatpolice.Station, station_url: str
) -> None:
    _enlist_both(station)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=process_main, args=(station_url, worker, WRITES, barrier, results))
        for worker in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for _ in workers:
            _, outcome = results.get(timeout=120)
            outcomes.append(outcome)
    except queue.Empty:
        pytest.fail("a writer process did not report within 120 s")
    finally:
        for worker in workers:
            worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES

    plain, _ = _check(station, outcomes, PROCESSES)
    print(f"{station.backend} processes: {plain} of {PROCESSES * WRITES} plain writes conflicted")


def _plans(station: beatpolice.Station) -> list[str]:
    return [
        event.month
        for _, event in station.events()
        if isinstance(event, VisitsPlanned) and event.officer == BADGE
    ]


def test_loser_of_a_race_is_decided_again_and_lands_once(
    station: beatpolice.Station,
    station_url: str,
    clock: Callable[[], datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enlist(station)
    rival = beatpolice.connect(station_url, clock=clock)
    save = beatpolice.Station._save
    races: list[int] = []

    def rival_saves_first(self: beatpolice.Station, uow: Any) -> None:
        # Between deciding and saving, another writer changes the same officer's plans.
        monkeypatch.setattr(beatpolice.Station, "_save", save)
        races.append(1)
        rival.plan_visits(officer=BADGE, month="2014-02", households=["H2"])
        save(self, uow)

    monkeypatch.setattr(beatpolice.Station, "_save", rival_saves_first)
    try:
        receipt = station.plan_visits(officer=BADGE, month="2014-01", households=["H1"])
        assert races == [1]  # the race was lost once, then decided again from fresh state
        assert receipt.events == 1
        assert _plans(station) == ["2014-02", "2014-01"]
    finally:
        rival.close()


def test_a_race_lost_every_time_gives_concurrency_error_and_writes_nothing(
    station: beatpolice.Station,
    station_url: str,
    clock: Callable[[], datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enlist(station)
    rival = beatpolice.connect(station_url, clock=clock)
    save = beatpolice.Station._save
    rivals: list[str] = []

    def rival_always_saves_first(self: beatpolice.Station, uow: Any) -> None:
        if self is rival:
            save(self, uow)
            return
        rivals.append(f"2014-{len(rivals) + 2:02d}")
        rival.plan_visits(officer=BADGE, month=rivals[-1], households=["H2"])
        save(self, uow)

    monkeypatch.setattr("beatpolice.application.retries.RETRY_ATTEMPTS", 3)
    monkeypatch.setattr("beatpolice.application.retries.backoff", lambda attempt: None)
    try:
        monkeypatch.setattr(beatpolice.Station, "_save", rival_always_saves_first)
        with pytest.raises(beatpolice.ConcurrencyError, match="retry"):
            station.plan_visits(officer=BADGE, month="2014-01", households=["H1"])
        assert _plans(station) == rivals == ["2014-02", "2014-03", "2014-04"]
        monkeypatch.setattr(beatpolice.Station, "_save", save)
        assert station.plan_visits(officer=BADGE, month="2014-01", households=["H1"]).events == 1
    finally:
        rival.close()


def test_two_writers_of_one_new_record_meet_in_the_store(
    station: beatpolice.Station,
    station_url: str,
    clock: Callable[[], datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The record's id is an idempotency key the store enforces: the loser is decided
    again and sees a re-send (same content) or an id conflict (other content)."""
    enlist(station)
    rival = beatpolice.connect(station_url, clock=clock)
    save = beatpolice.Station._save
    visit = {
        "id": "V1",
        "officer": BADGE,
        "household": "H1",
        "occurred_at": FIELD_TIME,
        "people_match_register": True,
    }

    def rival_records_it_first(self: beatpolice.Station, uow: Any) -> None:
        monkeypatch.setattr(beatpolice.Station, "_save", save)
        rival.record_visit(**{**visit, "household": rival_household})
        save(self, uow)

    try:
        rival_household = "H1"  # the same content: my write turns out to be a re-send
        monkeypatch.setattr(beatpolice.Station, "_save", rival_records_it_first)
        assert station.record_visit(**visit).duplicate
        visit["id"] = "V2"
        rival_household = "H9"  # other content under the same id: mine is refused
        monkeypatch.setattr(beatpolice.Station, "_save", rival_records_it_first)
        with pytest.raises(beatpolice.IdConflictError):
            station.record_visit(**visit)
        assert _stored_visits(station) == ["V1", "V2"]
        assert station.record(BADGE, "V2").kind == "visit"
    finally:
        rival.close()


def test_retry_on_conflict_retries_until_the_command_lands(station: beatpolice.Station) -> None:
    enlist(station)
    calls: list[int] = []

    def flaky(**fields: Any) -> beatpolice.Receipt:
        calls.append(1)
        if len(calls) < 3:
            raise beatpolice.ConcurrencyError("another writer was first")
        return station.record_visit(**fields)

    receipt = beatpolice.retry_on_conflict(
        flaky,
        id="V1",
        officer=BADGE,
        household="H1",
        occurred_at=FIELD_TIME,
        people_match_register=True,
    )

    assert receipt.events == 1
    assert len(calls) == 3


def test_retry_on_conflict_does_not_retry_other_errors(station: beatpolice.Station) -> None:
    calls: list[int] = []

    def refused() -> beatpolice.Receipt:
        calls.append(1)
        return station.record_visit(
            id="V1",
            officer="NOBODY",
            household="H1",
            occurred_at=FIELD_TIME,
            people_match_register=True,
        )

    with pytest.raises(beatpolice.UnknownOfficerError):
        beatpolice.retry_on_conflict(refused)
    assert len(calls) == 1


def test_station_decides_on_what_another_station_recorded_since(
    station: beatpolice.Station, station_url: str, clock: Callable[[], datetime]
) -> None:
    enlist(station)
    station.record_visit(
        id="V1", officer=BADGE, household="H1", occurred_at=FIELD_TIME, people_match_register=True
    )
    with beatpolice.connect(station_url, clock=clock) as other:
        other.record_visit(
            id="V2",
            officer=BADGE,
            household="H2",
            occurred_at=FIELD_TIME,
            people_match_register=True,
        )

    # V2 exists, so its follow-up is recorded and a conflicting V2 is refused, not
    # decided on the officer as this station last saw it.
    receipt = station.follow_up_visit(
        visit="V2", officer=BADGE, occurred_at=FIELD_TIME, satisfied=True
    )
    assert receipt.events == 1
    with pytest.raises(beatpolice.IdConflictError):
        station.record_visit(
            id="V2",
            officer=BADGE,
            household="H9",
            occurred_at=FIELD_TIME,
            people_match_register=True,
        )
    assert _stored_visits(station) == ["V1", "V2"]

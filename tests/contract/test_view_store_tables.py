"""A view store keeps working when another station resets the tables it has seen.

A reset (a rebuild, a changed fold version, a changed time zone) drops a projection's
tables. Two stations on one SQLite file or one PostgreSQL database each have their own
view store, and each remembers which tables it has created; the one that did not reset
must still read, catch up and commit, never meet a missing table (ADR 0225). Memory
stations share nothing, so they are not concerned.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import beatpolice
from beatpolice.adapters.store.views import PostgresViewStore, SQLiteViewStore
from beatpolice.projections import PositionConflictError
from beatpolice.projections.registries import Registries, open_registries

MONTH = "2014-01"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Only the backends whose stations share a store."""
    name: str = request.param
    return name


@pytest.fixture
def other(station_url: str) -> Iterator[beatpolice.Station]:
    """A second station on the same store: another process, as far as views go."""
    with beatpolice.connect(station_url) as opened:
        yield opened


def _enlist(station: beatpolice.Station, *badges: str) -> None:
    for badge in badges:
        station.enlist_officer(badge=badge, name="薛翠翠", station="德州", beat="一区")


def _killed_rebuild(registries: Registries) -> None:
    """What a rebuild killed after its resets leaves behind: every registry forgotten."""
    for runner in registries.runners:
        registries.store.reset(runner.projection.name, runner.projection.tables)


def _badges(registries: Registries) -> list[str]:
    return [row.badge for row in registries.officers(month=MONTH)]


def _store(station: beatpolice.Station) -> SQLiteViewStore | PostgresViewStore:
    store = station.view_store
    assert isinstance(store, SQLiteViewStore | PostgresViewStore)
    return store


def test_reads_after_another_station_reset(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    _enlist(station, "D0001", "D0002")
    mine, theirs = open_registries(station), open_registries(other)
    mine.catch_up()
    assert _badges(mine) == ["D0001", "D0002"]
    _killed_rebuild(theirs)
    assert _badges(mine) == []  # forgotten, as the other station left it
    assert mine.store.load("officers", "officers", ["D0001"]) == {}
    assert list(mine.store.scan("officers", "officers")) == []
    assert mine.store.position("officers") == (0, None)


def test_catch_up_after_another_station_reset(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    _enlist(station, "D0001", "D0002")
    mine, theirs = open_registries(station), open_registries(other)
    mine.catch_up()
    _killed_rebuild(theirs)
    _enlist(station, "D0003")
    assert mine.catch_up() == 3  # folded again from the first event
    assert _badges(mine) == ["D0001", "D0002", "D0003"]
    assert _badges(theirs) == ["D0001", "D0002", "D0003"]


def test_catch_up_after_another_station_rebuilt(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    _enlist(station, "D0001")
    mine, theirs = open_registries(station), open_registries(other)
    mine.catch_up()
    assert theirs.rebuild() == 1
    _enlist(station, "D0002")
    assert mine.catch_up() == 1
    assert _badges(mine) == ["D0001", "D0002"]


def test_rebuild_after_another_station_reset(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    _enlist(station, "D0001")
    mine, theirs = open_registries(station), open_registries(other)
    mine.catch_up()
    _killed_rebuild(theirs)
    assert mine.rebuild() == 1
    assert _badges(mine) == _badges(theirs) == ["D0001"]


def test_a_stale_commit_after_another_station_reset_is_refused(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    """The position guard comes first: a reset's missing tables are never recreated for
    documents folded from the forgotten position."""
    _enlist(station, "D0001")
    mine = _store(station)
    mine.commit("probe", 1, {("things", "a"): {"n": 1}}, expected=0, position=5)
    _store(other).reset("probe", ("things",))
    with pytest.raises(PositionConflictError):
        mine.commit("probe", 1, {("things", "b"): {"n": 2}}, expected=5, position=9)
    assert mine.position("probe") == (0, None)
    assert list(mine.scan("probe", "things")) == []


def test_a_commit_from_the_start_after_another_station_reset(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    """A missing table is an empty one: a commit the guard lets through recreates it,
    with its documents and position in the same transaction."""
    mine, theirs = _store(station), _store(other)
    assert mine.load("probe", "things", ["a"]) == {}  # the table is created, and known
    theirs.reset("probe", ("things",))
    mine.commit("probe", 1, {("things", "a"): {"n": 1}}, expected=0, position=3)
    assert theirs.position("probe") == (3, 1)
    assert dict(theirs.scan("probe", "things")) == {"a": {"n": 1}}


def test_a_commit_killed_after_another_station_reset_leaves_nothing(
    station: beatpolice.Station, other: beatpolice.Station
) -> None:
    """A commit cut off inside its transaction writes neither its tables nor its rows."""
    mine, theirs = _store(station), _store(other)
    assert mine.load("probe", "things", ["a"]) == {}
    theirs.reset("probe", ("things",))

    def die(operation: str, projection: str) -> None:
        raise KeyboardInterrupt  # stands for a kill: nothing after it runs

    mine.before_commit = die
    with pytest.raises(KeyboardInterrupt):
        mine.commit("probe", 1, {("things", "a"): {"n": 1}}, expected=0, position=3)
    mine.before_commit = None
    assert theirs.position("probe") == (0, None)
    assert list(theirs.scan("probe", "things")) == []
    mine.commit("probe", 1, {("things", "b"): {"n": 2}}, expected=0, position=4)
    assert dict(theirs.scan("probe", "things")) == {"b": {"n": 2}}

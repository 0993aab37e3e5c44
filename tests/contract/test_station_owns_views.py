"""A station owns its view store and its runners, and closing it closes them (ADR 0260).

The view store is opened on a station's first use of it (registries, appraisal) and
closed by ``Station.close``; two stations on one URL each have their own. No module
keeps a station alive: once dropped, a station is collected, whatever it was used for.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import time
import weakref
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

import beatpolice
from beatpolice import appraise
from beatpolice.adapters.store.views import (
    MemoryViewStore,
    PostgresViewStore,
    SQLiteViewStore,
)
from beatpolice.projections.appraisal._engine import index_runner
from beatpolice.projections.registries import open_registries
from conftest import BEIJING
from postgres_server import PostgresServer

MONTH = "2014-01"
SOURCE = Path(beatpolice.__file__).parent


def _use(station: beatpolice.Station) -> None:
    """Record a little and read it through every projection the station has."""
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.record_service(
        id="S1",
        officer="D0001",
        kind="id_card_delivery",
        occurred_at=datetime(2014, 1, 10, 10, 0, tzinfo=BEIJING),
        acknowledged=True,
    )
    registries = open_registries(station)
    registries.catch_up()
    assert [row.badge for row in registries.officers(month=MONTH)] == ["D0001"]
    report = appraise(station, month=MONTH, as_of=datetime(2014, 3, 1, tzinfo=BEIJING))
    assert [officer.badge for officer in report.officers] == ["D0001"]


def test_the_view_store_is_the_stations_own(station: beatpolice.Station, backend: str) -> None:
    store = station.view_store
    assert store is station.view_store is station.view_store
    expected = {"memory": MemoryViewStore, "sqlite": SQLiteViewStore}.get(
        backend, PostgresViewStore
    )
    assert type(store) is expected
    assert open_registries(station).store is store
    assert index_runner(station).store is store


def test_two_stations_on_one_url_have_their_own(
    station: beatpolice.Station, station_url: str, clock: Callable[[], datetime]
) -> None:
    with beatpolice.connect(station_url, clock=clock) as other:
        assert other.view_store is not station.view_store
        assert index_runner(other) is not index_runner(station)
        assert index_runner(other) is index_runner(other)
        if station.backend != "memory":
            mine: object = getattr(station.view_store, "_connection")  # noqa: B009
            theirs: object = getattr(other.view_store, "_connection")  # noqa: B009
            assert mine is not theirs


@pytest.mark.parametrize("backend", ["sqlite"])
def test_closing_a_sqlite_station_closes_its_view_store(
    station_url: str, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    station = beatpolice.connect(station_url, clock=clock)
    _use(station)
    store = station.view_store
    assert isinstance(store, SQLiteViewStore)
    connection = store._connection
    connection.execute("SELECT 1")
    station.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
        connection.execute("SELECT 1")
    # The last connection to a WAL database removes the log as it closes: none is left.
    assert not (tmp_path / "station.db-wal").exists()
    station.close()  # twice is harmless


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_closing_a_postgres_station_closes_its_view_store(
    station_url: str, clock: Callable[[], datetime], postgres_server: PostgresServer
) -> None:
    station = beatpolice.connect(station_url, clock=clock)
    _use(station)
    store = station.view_store
    assert isinstance(store, PostgresViewStore)
    connection = store._connection
    assert not connection.closed
    backend_pid = connection.info.backend_pid
    station.close()
    assert connection.closed
    # and the server has let the view store's session go (it does so soon after)
    with psycopg.connect(postgres_server.url, autocommit=True) as watcher:
        for _ in range(200):
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend_pid,)
            ).fetchone()
            if row is not None and row[0] == 0:
                break
            time.sleep(0.05)
        assert row is not None
        assert row[0] == 0
    station.close()


def test_a_closed_station_opens_a_new_view_store_on_its_next_use(
    station: beatpolice.Station,
) -> None:
    before = station.view_store
    runner = index_runner(station)
    station.close()
    assert station.view_store is not before
    assert index_runner(station) is not runner


def test_no_module_keeps_a_dropped_station_alive(station_url: str) -> None:
    station = beatpolice.connect(station_url, clock=lambda: datetime(2014, 2, 1, tzinfo=BEIJING))
    _use(station)
    index_runner(station).catch_up()
    dropped = weakref.ref(station)
    store = weakref.ref(station.view_store)
    station.close()
    del station
    gc.collect()
    assert dropped() is None
    assert store() is None


def test_no_module_level_cache_of_stations_in_the_source() -> None:
    caches = [
        str(path.relative_to(SOURCE))
        for path in sorted(SOURCE.rglob("*.py"))
        if re.search(r"\bWeakKeyDictionary\b|\bweakref\.finalize\b", path.read_text("utf-8"))
    ]
    assert caches == []

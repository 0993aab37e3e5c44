"""Fixtures shared by the whole suite: a fixed clock and a station on every backend.

``station_url`` is parametrized over the three backends of the contract: ``memory://``,
a SQLite file in the test's own temporary folder, and a fresh database on the
session's throwaway PostgreSQL server (``tests/postgres_server.py``), so one behaviour
suite runs against all of them. PostgreSQL tests carry the ``postgres`` marker and are
skipped when no server binaries are installed, unless ``BEATPOLICE_REQUIRE_POSTGRES=1``
(CI), in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from psycopg import sql

import beatpolice
from postgres_server import PostgresServer, postgres_server

__all__ = ["BEIJING", "RECORDED_AT", "postgres_server"]

os.environ.setdefault("BEATPOLICE_MASTER_KEY", "YmVhdHBvbGljZSB0ZXN0IG1hc3RlciBrZXkgMzIhISE=")
"""The suite's master key (ADR 0703: PostgreSQL needs one; SQLite then makes no key
file beside each test's store). Tests of the key's absence remove it themselves."""

settings.register_profile(
    "beatpolice",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "beatpolice"))
"""No property test fails for being slow: CI and these machines are shared, and a test
that fails on a busy machine blocks everyone. Examples stay as many as each test asks."""

collect_ignore_glob = ["samples/v0_1/*.py"]
"""The 0.1 sample maker runs only under beatpolice 0.1 (its README says how)."""

BEIJING = timezone(timedelta(hours=8))
"""China Standard Time, the offset station systems send."""

RECORDED_AT = datetime(2014, 2, 1, 0, 0, tzinfo=UTC)
"""The recorded time every test station stamps its events with."""

BACKENDS = ("memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres))


def fixed_clock() -> datetime:
    """The recording clock of the tests: always :data:`RECORDED_AT`."""
    return RECORDED_AT


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """A recording clock that never reads the wall clock."""
    return fixed_clock


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test: ``memory``, ``sqlite`` or ``postgres``."""
    name: str = request.param
    return name


@contextmanager
def _fresh_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "memory":
        yield "memory://"
    elif backend == "sqlite":
        yield f"sqlite:///{folder / 'station.db'}"
    else:
        # Every database copies template1 (several MB): drop it after its test, or the
        # server's folder grows by a gigabyte over the suite and takes long to delete.
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database()
        yield url
        name = unquote(urlsplit(url).path.lstrip("/"))
        with psycopg.connect(server.url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def station_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh, empty store on ``backend``."""
    with _fresh_url(backend, tmp_path, request) as url:
        yield url


@pytest.fixture
def station(station_url: str, clock: Callable[[], datetime]) -> Iterator[beatpolice.Station]:
    """A station on a fresh store, stamping events with the fixed clock."""
    with beatpolice.connect(station_url, clock=clock) as opened:
        yield opened


@pytest.fixture(scope="module", params=BACKENDS)
def module_station(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[beatpolice.Station]:
    """A station shared by a module's tests, on each backend in turn.

    Only for tests that change nothing (refusals): each still compares the stored
    log before and after, so a refusal that wrote something fails its own test.
    """
    with (
        _fresh_url(request.param, tmp_path_factory.mktemp("station"), request) as url,
        beatpolice.connect(url, clock=fixed_clock) as opened,
    ):
        yield opened

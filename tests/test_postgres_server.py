"""Tests for the throwaway PostgreSQL server helper in ``postgres_server.py``.

Tests that need real PostgreSQL binaries skip when they are missing, or fail
when ``BEATPOLICE_REQUIRE_POSTGRES=1``. Three clusters are created in total
(one started directly, one whose start fails on purpose, one started through
the pytest fixture); ``initdb`` takes one to two seconds each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

# tests/ is not a package: pytest puts it on sys.path (see postgres_server.py).
import postgres_server as pg_module

PostgresServer = pg_module.PostgresServer
PostgresServerError = pg_module.PostgresServerError

pytest_plugins = ["pytester"]

# Options for the nested pytest runs. Hypothesis's plugin re-imports (and
# assertion-rewrites) much of hypothesis in every in-process run, which costs
# about a second each time, so it is left out.
INNER_PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def _pid_alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie.

    Args:
        pid: The process id.

    Returns:
        True if the process is still running.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state != "Z"


def _pg_ctl_status(data_dir: Path) -> int:
    """Run ``pg_ctl status`` the way the helper runs ``pg_ctl``.

    Args:
        data_dir: The cluster's data directory.

    Returns:
        ``pg_ctl``'s exit status: 0 running, 3 not running, 4 no data folder.
    """
    binaries = pg_module.find_postgres_binaries()
    assert binaries is not None
    command = [str(binaries.pg_ctl), "status", "-D", str(data_dir)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", pg_module.POSTGRES_OS_USER, "--", *command]
    return subprocess.run(command, capture_output=True, cwd="/", check=False).returncode


@pytest.mark.postgres
def test_server_lifecycle() -> None:
    """Start a server, use two databases, and stop it without leftovers."""
    pg_module.require_postgres()
    server = PostgresServer()
    try:
        assert server.start() is server
        assert server.running
        assert server.host == "127.0.0.1"
        assert server.user == "postgres"
        assert server.url == f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        base_dir, data_dir, pid = server.base_dir, server.data_dir, server.pid
        assert base_dir.is_dir()
        assert _pg_ctl_status(data_dir) == 0
        assert _pid_alive(pid)

        first = server.create_database("first")
        second = server.create_database("second db")
        assert first == server.url_for("first")
        assert second.endswith("/second%20db")
        with pytest.raises(psycopg.errors.DuplicateDatabase):
            server.create_database("first")

        with psycopg.connect(first) as conn:
            conn.execute("CREATE TABLE events (id serial PRIMARY KEY, body text)")
            conn.execute("INSERT INTO events (body) VALUES ('a'), ('b')")
            assert conn.execute("SELECT count(*) FROM events").fetchone() == (2,)
            row = conn.execute(
                "SELECT current_database(), current_user, "
                "pg_encoding_to_char(encoding), datcollate "
                "FROM pg_database WHERE datname = current_database()"
            ).fetchone()
            assert row == ("first", "postgres", "UTF8", "C")
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW max_connections").fetchone() == ("200",)
        with psycopg.connect(second) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("second db",)
            exists = conn.execute(sql.SQL("SELECT to_regclass('events') IS NOT NULL")).fetchone()
            assert exists == (False,)
    finally:
        server.stop()

    assert not server.running
    assert not _pid_alive(pid)
    assert _pg_ctl_status(data_dir) != 0
    assert not base_dir.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(first, connect_timeout=2).close()
    with pytest.raises(PostgresServerError):
        server.url  # noqa: B018
    server.stop()  # Idempotent.
    with pytest.raises(PostgresServerError, match="only be started once"):
        server.start()


def test_stop_before_start_is_harmless() -> None:
    """An unstarted server has no URL and can be stopped without effect."""
    server = PostgresServer()
    server.stop()
    with pytest.raises(PostgresServerError, match="not been started"):
        server.url  # noqa: B018
    assert repr(server) == "<PostgresServer not started>"


@pytest.mark.postgres
def test_failed_start_reports_log_tail_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that cannot start raises with the log's tail and leaves nothing."""
    pg_module.require_postgres()
    created: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(**kwargs: str) -> str:
        path = str(real_mkdtemp(**kwargs))
        created.append(Path(path))
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    server = PostgresServer(settings={"max_connections": "not-a-number"})
    with pytest.raises(PostgresServerError, match="invalid value for parameter") as info:
        server.start()
    assert "last lines of" in str(info.value)
    assert len(created) == 1
    assert not created[0].exists()
    assert not server.running


def test_missing_binaries_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without binaries on PATH or in the Debian folder there is a reason."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(pg_module, "DEBIAN_BIN_GLOB", "/nonexistent/*/bin")
    assert pg_module.find_postgres_binaries() is None
    reason = pg_module.postgres_available()
    assert reason is not None
    assert "not found" in reason
    with pytest.raises(PostgresServerError, match="not found"):
        PostgresServer().start()


def test_debian_fallback_picks_newest_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The newest complete versioned bin folder wins, compared numerically."""
    for version, programs in {
        "9.6": ("initdb", "pg_ctl"),
        "13": ("initdb", "pg_ctl"),
        "15": ("initdb", "pg_ctl"),
        "16": ("pg_ctl",),  # Incomplete: no initdb.
    }.items():
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        for program in programs:
            (bin_dir / program).touch(mode=0o755)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(pg_module, "DEBIAN_BIN_GLOB", str(tmp_path / "*" / "bin"))
    assert pg_module.find_postgres_binaries() == pg_module.PostgresBinaries(
        initdb=tmp_path / "15" / "bin" / "initdb", pg_ctl=tmp_path / "15" / "bin" / "pg_ctl"
    )


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_require_postgres_fails_when_required(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """BEATPOLICE_REQUIRE_POSTGRES turns the skip into a failure."""
    monkeypatch.setattr(pg_module, "postgres_available", lambda: "no postgres here")
    monkeypatch.setenv(pg_module.REQUIRE_POSTGRES_ENV, value)
    with pytest.raises(pytest.fail.Exception, match="no postgres here"):
        pg_module.require_postgres()


@pytest.mark.parametrize("value", [None, "", "0"])
def test_require_postgres_skips_otherwise(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    """Without the environment variable, missing PostgreSQL means a skip."""
    monkeypatch.setattr(pg_module, "postgres_available", lambda: "no postgres here")
    if value is None:
        monkeypatch.delenv(pg_module.REQUIRE_POSTGRES_ENV, raising=False)
    else:
        monkeypatch.setenv(pg_module.REQUIRE_POSTGRES_ENV, value)
    with pytest.raises(pytest.skip.Exception, match="no postgres here"):
        pg_module.require_postgres()


def _write_fixture_user(pytester: pytest.Pytester) -> None:
    """Create a conftest importing the fixture, and a test using it twice.

    Args:
        pytester: The pytester instance to write the files into.
    """
    pytester.makeconftest("from postgres_server import postgres_server  # noqa: F401\n")
    pytester.makepyfile(
        """
        import psycopg

        def test_one(postgres_server):
            url = postgres_server.create_database("one")
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT 42").fetchone() == (42,)

        def test_two(postgres_server):
            assert postgres_server.create_database("two").endswith("/two")
        """
    )


@pytest.mark.postgres
def test_fixture_runs_a_session_server(pytester: pytest.Pytester) -> None:
    """The documented conftest line provides a working session fixture."""
    pg_module.require_postgres()
    _write_fixture_user(pytester)
    before = {path.name for path in Path(tempfile.gettempdir()).glob("beatpolice-pg-*")}
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS)
    result.assert_outcomes(passed=2)
    after = {path.name for path in Path(tempfile.gettempdir()).glob("beatpolice-pg-*")}
    assert after <= before


def test_fixture_skips_or_fails_without_binaries(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Missing binaries skip the fixture's users, or error them if required."""
    _write_fixture_user(pytester)
    monkeypatch.setattr(pg_module, "find_postgres_binaries", lambda: None)

    monkeypatch.delenv(pg_module.REQUIRE_POSTGRES_ENV, raising=False)
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS, "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*PostgreSQL server binaries not found*"])

    monkeypatch.setenv(pg_module.REQUIRE_POSTGRES_ENV, "1")
    result = pytester.runpytest_inprocess(*INNER_PYTEST_ARGS)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([f"*{pg_module.REQUIRE_POSTGRES_ENV} is set*"])

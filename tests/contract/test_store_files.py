"""A store knows it is ours: foreign and damaged files are refused, untouched.

Every file here is real: another application's SQLite tables, another eventsourcing
application's ``stored_events``, a beatpolice store with garbage over a page, a
truncated store, text, zeros, a directory. Each is refused with one
:class:`NotAStoreError` line before anything is written, and is byte-for-byte what it
was (same hash, same modification time). Read commands (``create=False``) never create
a store, on SQLite or on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

import beatpolice
from beatpolice import StorageError
from beatpolice.adapters.store._store_marker import APPLICATION_ID, FORMAT_VERSION
from beatpolice.commands import RecordVisit, validate_command
from beatpolice.domain.errors import NotAStoreError

BEIJING = timezone(timedelta(hours=8))
RECORDED_AT = datetime(2014, 2, 1, tzinfo=UTC)


def _clock() -> datetime:
    return RECORDED_AT


def _visits(count: int) -> list[dict[str, object]]:
    return [
        {
            "type": "record_visit",
            "id": f"V{number}",
            "officer": "D0001",
            "household": f"德州市德城区{number}号",
            "occurred_at": "2014-01-03T09:30:00+08:00",
            "people_match_register": True,
            "notes": "核对户籍 " * 20,
        }
        for number in range(count)
    ]


def build_store(path: Path, visits: int = 10) -> Path:
    """A real beatpolice store with an officer and ``visits`` visits."""
    with beatpolice.connect(str(path), clock=_clock) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        commands = [validate_command(line) for line in _visits(visits)]
        for start in range(0, len(commands), 500):
            station.handle_batch(commands[start : start + 500])
    return path


@dataclass(frozen=True)
class Snapshot:
    digest: str
    mtime_ns: int
    size: int


def snapshot(path: Path) -> Snapshot:
    data = path.read_bytes()
    return Snapshot(hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns, len(data))


def other_files(path: Path) -> list[str]:
    """The folder's files, leaving out a WAL database's empty ``-wal`` and ``-shm``.

    Reading a WAL database, even through a read-only connection, makes SQLite create
    its shared-memory index and an empty log beside it; neither holds data.
    """
    names = []
    for file in sorted(path.parent.iterdir()):
        if file.name.endswith("-shm") or (file.name.endswith("-wal") and not file.stat().st_size):
            continue
        names.append(file.name)
    return names


# --- the files -------------------------------------------------------------------------


def other_application(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER)")
        connection.executemany(
            "INSERT INTO customers (name) VALUES (?)", [(f"c{n}",) for n in range(100)]
        )
    connection.close()
    return path


class Dog(Aggregate):
    """An aggregate of another eventsourcing application."""

    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name


class Kennel(Application[UUID]):
    name = "kennel"


def other_eventsourcing_application(path: Path) -> Path:
    app = Kennel(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    for number in range(20):
        app.save(Dog(f"dog {number}"))
    app.close()
    return path


def application_id_of_another(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA application_id = 1234")
        connection.execute("CREATE TABLE stored_events (x)")
    connection.close()
    return path


def corrupt_pages(path: Path) -> Path:
    build_store(path, visits=3000)
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    # the events table's last leaf: a read of the whole log meets it, the schema does not
    with sqlite3.connect(path) as connection:
        query = "SELECT max(pageno) FROM dbstat WHERE name = 'stored_events' AND pagetype = 'leaf'"
        (page,) = connection.execute(query).fetchone()
    connection.close()
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(bytes((n * 37 + 11) % 256 for n in range(page_size)))
    return path


def truncated(path: Path) -> Path:
    build_store(path, visits=500)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2 + 100)
    return path


def text(path: Path) -> Path:
    path.write_text("badge,name\nD0001,薛翠翠\n" * 200, encoding="utf-8")
    return path


def zeros(path: Path) -> Path:
    path.write_bytes(bytes(65536))
    return path


def newer_format(path: Path) -> Path:
    build_store(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE bp_store SET value = '99' WHERE key = 'format'")
    connection.close()
    return path


FOREIGN: dict[str, Callable[[Path], Path]] = {
    "another application's tables": other_application,
    "another eventsourcing application": other_eventsourcing_application,
    "another application id": application_id_of_another,
    "corrupt pages": corrupt_pages,
    "truncated": truncated,
    "text": text,
    "zero-filled": zeros,
    "a newer format": newer_format,
}


@pytest.fixture(params=sorted(FOREIGN))
def foreign(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return FOREIGN[request.param](tmp_path / "station.db")


@pytest.fixture(params=["writer", "reader"])
def create(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    # a reader checks header and schema only (ADR 0227); the page check is asked for
    monkeypatch.setenv("BEATPOLICE_SQLITE_CHECK", "quick")
    return bool(request.param == "writer")


def test_a_file_that_is_not_a_beatpolice_store_is_refused_untouched(
    foreign: Path, create: bool
) -> None:
    before = snapshot(foreign)
    siblings = other_files(foreign)

    with pytest.raises(NotAStoreError) as refused:
        beatpolice.connect(str(foreign), create=create)

    message = str(refused.value)
    assert "\n" not in message
    assert str(foreign) in message
    assert snapshot(foreign) == before
    assert other_files(foreign) == siblings


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAStoreError, match="is a directory"):
        beatpolice.connect(str(tmp_path))


# --- what a store holds ----------------------------------------------------------------


def test_a_new_store_carries_the_marker_with_its_format_version(tmp_path: Path) -> None:
    path = build_store(tmp_path / "station.db")

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert connection.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
        marker = dict(connection.execute("SELECT key, value FROM bp_store").fetchall())
    connection.close()
    assert marker["application"] == "beatpolice"
    assert marker["format"] == str(FORMAT_VERSION)
    assert marker["origin"] == "created"
    assert datetime.fromisoformat(marker["marked_at"]).tzinfo is not None


def test_an_empty_file_becomes_a_store_for_a_writer_and_stays_empty_for_a_reader(
    tmp_path: Path,
) -> None:
    path = tmp_path / "station.db"
    path.touch()

    with pytest.raises(NotAStoreError, match="no store at"):
        beatpolice.connect(str(path), create=False)
    assert path.stat().st_size == 0

    build_store(path)
    with beatpolice.connect(str(path), create=False) as station:
        assert len(list(station.events())) == 11


def unmark(path: Path) -> None:
    """Make a store look like 0.1 made it: our tables, no marker."""
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE bp_store")
        connection.execute("PRAGMA application_id = 0")
        connection.execute("PRAGMA user_version = 0")
    connection.close()


@pytest.mark.parametrize("create", [False, True])
def test_a_0_1_store_is_refused_untouched_naming_migrate(tmp_path: Path, create: bool) -> None:
    path = build_store(tmp_path / "station.db")
    unmark(path)
    before = snapshot(path)

    with pytest.raises(NotAStoreError) as refused:
        beatpolice.connect(str(path), create=create)

    message = str(refused.value)
    assert "written by beatpolice 0.1 (store format 1)" in message
    assert f"beatpolice migrate {path} NEW_URL" in message
    assert "\n" not in message
    assert snapshot(path) == before


def test_a_reader_writes_nothing_to_a_marked_store(tmp_path: Path) -> None:
    path = build_store(tmp_path / "station.db")
    before = snapshot(path)

    with beatpolice.connect(str(path), create=False) as station:
        assert [type(e).__name__ for _, e in station.events()][:1] == ["OfficerEnlisted"]
        assert station.officer("D0001").badge == "D0001"

    assert snapshot(path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_store_refuses_a_write_in_one_line(tmp_path: Path) -> None:
    path = build_store(tmp_path / "station.db")
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StorageError) as refused, beatpolice.connect(str(path)) as station:
            station.enlist_officer(badge="D0002", name="李四", station="德州", beat="二区")
        assert "\n" not in str(refused.value)
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)


# --- read commands never create a store ------------------------------------------------


def test_a_reader_on_a_missing_file_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mistyped.db"

    with pytest.raises(NotAStoreError, match=r"no store at .*mistyped\.db \(ingest or demo"):
        beatpolice.connect(str(path), create=False)
    with pytest.raises(NotAStoreError, match="no store at"):
        beatpolice.connect(str(tmp_path / "no" / "folder.db"), create=False)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_reader_on_an_empty_postgres_database_is_refused_and_creates_nothing(
    postgres_server: object,
) -> None:
    url: str = postgres_server.create_database()  # type: ignore[attr-defined]

    with pytest.raises(NotAStoreError, match="no store at"):
        beatpolice.connect(url, create=False)
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables == []

    with beatpolice.connect(url) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    with beatpolice.connect(url, create=False) as station:
        assert len(list(station.events())) == 1
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT key, value FROM bp_store").fetchall()
    marker: dict[str, str] = dict(rows)
    assert marker["format"] == str(FORMAT_VERSION)


@pytest.mark.postgres
def test_a_postgres_bp_store_of_another_application_is_refused(postgres_server: object) -> None:
    url: str = postgres_server.create_database()  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE bp_store (key TEXT PRIMARY KEY, value TEXT)")
        connection.execute("INSERT INTO bp_store VALUES ('application', 'bp-shop')")

    with pytest.raises(NotAStoreError, match="another application"):
        beatpolice.connect(url)


# --- the command line ------------------------------------------------------------------


CLI = [
    sys.executable,
    "-c",
    "import sys; from beatpolice.adapters.cli import main; sys.exit(main())",
]
"""The command line, run in a child process as a station's scripts run it."""


def beatpolice_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", ["another application's tables", "corrupt pages", "text"])
def test_ingest_into_a_foreign_file_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    path = FOREIGN[kind](tmp_path / "station.db")
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        '{"type": "enlist_officer", "badge": "D9", "name": "王五", "station": "德州", '
        '"beat": "一区"}\n',
        encoding="utf-8",
    )
    before = snapshot(path)

    done = beatpolice_cli("ingest", str(lines), "--db", str(path), cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "not a beatpolice store" in done.stderr or "damaged" in done.stderr
    assert snapshot(path) == before


def test_a_read_command_on_a_mistyped_path_exits_2_and_creates_nothing(tmp_path: Path) -> None:
    done = beatpolice_cli("registry", "officers", "--db", "mistyped.db", cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "beatpolice registry: no store at mistyped.db (ingest or demo creates one)"
    ]
    assert list(tmp_path.iterdir()) == []


# --- errors met after opening (ADR 0222) -------------------------------------------------


def test_a_full_disk_met_by_a_reader_is_one_storage_error(tmp_path: Path) -> None:

    from beatpolice.projections.registries import open_registries

    path = build_store(tmp_path / "station.db", visits=2000)
    with beatpolice.connect(str(path), create=False) as station:
        registries = open_registries(station)
        connection = station.view_store._connection  # type: ignore[union-attr]
        (pages,) = connection.execute("PRAGMA page_count").fetchall()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full

        with pytest.raises(StorageError) as refused:
            registries.catch_up()

    assert "the disk is full" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_by_default_a_writer_reads_every_page_and_a_reader_only_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ADR 0227: a read command on a store of gigabytes must not read every page first
    monkeypatch.delenv("BEATPOLICE_SQLITE_CHECK", raising=False)
    path = corrupt_pages(tmp_path / "station.db")
    before = snapshot(path)

    with pytest.raises(NotAStoreError, match="is damaged"):
        beatpolice.connect(str(path))
    assert snapshot(path) == before
    with beatpolice.connect(str(path), create=False) as station:
        assert station.backend == "sqlite"  # opened: the damage is met on first read


def test_damage_met_after_opening_exits_2_with_one_line(tmp_path: Path) -> None:
    path = corrupt_pages(tmp_path / "station.db")
    environment = {k: v for k, v in os.environ.items() if k != "BEATPOLICE_SQLITE_CHECK"}

    done = subprocess.run(
        [*CLI, "registry", "officers", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"beatpolice registry: {path} is damaged (database disk image is malformed): "
        "restore it from a backup"
    ]


@pytest.mark.postgres
def test_postgres_inserts_a_large_batch_outside_the_pipeline(
    postgres_server: object,
) -> None:
    """A batch of thousands of events with large states lands whole, in one
    transaction, through the recorder that sends no pipeline for it (ADR 0226, 0708)."""
    url: str = postgres_server.create_database()  # type: ignore[attr-defined]
    with beatpolice.connect(url) as station:
        assert type(station._app.recorder).__name__ == "PostgresEventRecorder"
        station.enlist_officer(badge="D1", name="薛翠翠", station="德州", beat="一区")
        notes = "人户一致，无异常。" * 200
        batch = [
            RecordVisit(
                id=f"V{number}",
                officer="D1",
                household=f"H{number}",
                occurred_at=datetime(2014, 1, 3, 9, tzinfo=UTC),
                people_match_register=True,
                notes=notes,
            )
            for number in range(3000)
        ]
        outcomes = station.handle_batch(batch)
        assert all(isinstance(outcome, beatpolice.Receipt) for outcome in outcomes)
        assert sum(1 for _ in station.events()) == 3001

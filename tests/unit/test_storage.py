"""Store URLs: the three backends of the contract, a plain path, and clear refusals."""

from __future__ import annotations

import sqlite3

import pytest
from eventsourcing.persistence import PersistenceError

from beatpolice import StorageError
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store._store_marker import (
    APPLICATION_ID,
    FORMAT_VERSION,
    Found,
    Verdict,
    verdict,
)
from beatpolice.adapters.store.storage import mask_password, parse_url
from beatpolice.domain.errors import NotAStoreError


def test_memory_url() -> None:
    assert parse_url("memory://").backend == "memory"


def test_sqlite_urls_relative_absolute_and_plain_path() -> None:
    assert parse_url("sqlite:///station.db").env["SQLITE_DBNAME"] == "station.db"
    assert parse_url("sqlite:////tmp/station.db").env["SQLITE_DBNAME"] == "/tmp/station.db"
    assert parse_url("station.db").backend == "sqlite"


def test_postgres_url_is_split_and_its_password_masked() -> None:
    store = parse_url("postgresql://police:s3cret@db.example:5433/dezhou")

    assert store.backend == "postgres"
    assert store.env["POSTGRES_HOST"] == "db.example"
    assert store.env["POSTGRES_PORT"] == "5433"
    assert store.env["POSTGRES_DBNAME"] == "dezhou"
    assert store.env["POSTGRES_USER"] == "police"
    assert store.env["POSTGRES_PASSWORD"] == "s3cret"
    assert "s3cret" not in store.display


@pytest.mark.parametrize(
    "url",
    [
        "mysql://host/db",
        "sqlite://",
        "postgresql://host",
        "postgresql://police:s3cret@db.example:99999/dezhou",
        "postgresql://police:s3cret@db.example:0/dezhou",
        "postgresql://police:s3cret@db.example:abc/dezhou",
        "postgresql://police:s3cret@db example/dezhou",
        "postgresql://police:s3cret@a:5432,b:5433/dezhou",
        "postgresql://police:s3cret@db.example/dezhou?bogus=1",
    ],
)
def test_bad_urls_are_refused_in_one_line_without_the_password(url: str) -> None:
    with pytest.raises(StorageError) as refused:
        parse_url(url)

    assert "\n" not in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_postgres_url_forms_libpq_accepts() -> None:
    ipv6 = parse_url("postgresql://police:p%40ss@[::1]:6543/dezhou")
    socket = parse_url("postgresql:///dezhou?host=/var/run/postgresql")

    assert (ipv6.env["POSTGRES_HOST"], ipv6.env["POSTGRES_PORT"]) == ("::1", "6543")
    assert ipv6.env["POSTGRES_PASSWORD"] == "p@ss"
    assert "p%40ss" not in ipv6.display
    assert socket.env["POSTGRES_HOST"] == "/var/run/postgresql"
    assert socket.env["POSTGRES_PORT"] == "5432"
    assert socket.env["POSTGRES_USER"] == "postgres"


def test_a_password_in_the_query_is_masked_too() -> None:
    assert mask_password("postgresql://h/db?user=u&password=s3cret") == (
        "postgresql://h/db?user=u&password=***"
    )


def test_a_sqlite_path_in_a_missing_folder_parses_and_is_judged_on_opening() -> None:
    # a reader then says "no store at ...", a writer "cannot create ...: no folder ..."
    assert parse_url("sqlite:///no/such/folder/x.db").backend == "sqlite"


# --- the verdict on what opening found (ADR 0221) ----------------------------------------


def found(**fields: object) -> Found:
    return Found(where="station.db", **fields)  # type: ignore[arg-type]


MARKER = {"application": "beatpolice", "format": str(FORMAT_VERSION)}


@pytest.mark.parametrize(
    ("what", "create", "expected"),
    [
        (found(), True, Verdict.CREATE),
        (found(ours=frozenset({"bp_store"}), marker=MARKER), False, Verdict.OPEN),
        (found(marker=MARKER, foreign=("station_reports",)), True, Verdict.OPEN),
        (found(marker=MARKER, application_id=APPLICATION_ID), True, Verdict.OPEN),
    ],
)
def test_verdicts(what: Found, create: bool, expected: Verdict) -> None:
    assert verdict(what, create=create) is expected


FORMAT_1_UNMARKED = found(ours=frozenset({"stored_events", "stored_snapshots"}))
FORMAT_1_MARKED = found(ours=frozenset({"bp_store"}), marker={**MARKER, "format": "1"})
INCOMPLETE = found(marker={**MARKER, "migration": "incomplete: from old.db"})


@pytest.mark.parametrize("what", [FORMAT_1_UNMARKED, FORMAT_1_MARKED])
@pytest.mark.parametrize("create", [True, False])
def test_a_format_1_store_is_refused_naming_migrate(what: Found, create: bool) -> None:
    with pytest.raises(NotAStoreError) as refused:
        verdict(what, create=create)

    message = str(refused.value)
    assert "written by beatpolice 0.1 (store format 1)" in message
    assert "beatpolice migrate station.db NEW_URL" in message
    assert "\n" not in message


@pytest.mark.parametrize("create", [True, False])
def test_an_incomplete_migration_is_refused(create: bool) -> None:
    with pytest.raises(NotAStoreError, match="incomplete migration"):
        verdict(INCOMPLETE, create=create)


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        (FORMAT_1_UNMARKED, Verdict.FORMAT_1),
        (FORMAT_1_MARKED, Verdict.FORMAT_1),
        (INCOMPLETE, Verdict.INCOMPLETE),
        (found(marker=MARKER), Verdict.OPEN),
    ],
)
def test_the_migration_is_told_what_others_are_refused(what: Found, expected: Verdict) -> None:
    assert verdict(what, create=False, legacy=True) is expected


@pytest.mark.parametrize(
    ("what", "create", "words"),
    [
        (found(), False, "no store at station.db"),
        (found(ours=frozenset({"bp_registry_officers"})), False, "no store at"),
        (found(foreign=("customers",)), True, "another application's tables (customers)"),
        (found(ours=frozenset({"stored_events"}), foreign_topic="x:Dog"), True, "'x:Dog'"),
        (found(application_id=7), True, "application_id 0x00000007"),
        (found(marker={"application": "shop"}), True, "bp_store table belongs to another"),
        (found(marker={**MARKER, "format": "x"}), True, "unreadable store marker"),
        (found(marker={**MARKER, "format": "99"}), True, "format 99, newer"),
    ],
)
def test_refusals_name_the_store_in_one_line(what: Found, create: bool, words: str) -> None:
    with pytest.raises(NotAStoreError) as refused:
        verdict(what, create=create)

    assert words in str(refused.value)
    assert "\n" not in str(refused.value)


# --- database errors met later (ADR 0222) --------------------------------------------------


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), "station.db is damaged"),
        (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "is read-only"),
        (PersistenceError("connection failed:\n\tIs the server running?"), "connection failed"),
    ],
)
def test_driver_errors_become_one_line_storage_errors(error: Exception, words: str) -> None:
    with pytest.raises(StorageError) as caught, guard_storage("station.db"):
        raise error

    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is error


def test_our_own_errors_pass_the_guard_untouched() -> None:
    refusal = NotAStoreError("no store at x.db")
    with pytest.raises(NotAStoreError) as caught, guard_storage("x.db"):
        raise refusal
    assert caught.value is refusal

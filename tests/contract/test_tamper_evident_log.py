"""The tamper-evident log on SQLite and PostgreSQL: tamperings done directly in the
store's tables are caught by ``beatpolice audit check``, which names the first event."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

import beatpolice
from beatpolice.adapters.cli import main
from beatpolice.adapters.store.event_log import EventLog
from beatpolice.adapters.store.log_leaf import leaf_bytes, recorded_at
from beatpolice.adapters.store.merkle import SHA256

STORE_BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))

RECORDED = datetime(2014, 2, 1, tzinfo=UTC)


@pytest.fixture(params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


class Store:
    """Raw access to a store's tables, as an insider with the database would have."""

    def __init__(self, url: str, backend: str) -> None:
        self.url = url
        self.backend = backend

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            path = self.url.removeprefix("sqlite:///")
            with sqlite3.connect(path) as connection:
                return list(connection.execute(statement.replace("%s", "?"), params))
        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(statement.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []

    @property
    def events(self) -> str:
        return "stored_events" if self.backend == "sqlite" else "beatpolice_events"

    @property
    def position(self) -> str:
        return "rowid" if self.backend == "sqlite" else "notification_id"

    def row(self, position: int) -> tuple[Any, ...]:
        return self._run(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} "
            f"WHERE {self.position} = ?",
            (position,),
        )[0]

    def set_state(self, position: int, state: bytes) -> None:
        self._run(
            f"UPDATE {self.events} SET state = ? WHERE {self.position} = ?", (state, position)
        )

    def delete(self, position: int) -> None:
        self._run(f"DELETE FROM {self.events} WHERE {self.position} = ?", (position,))

    def swap(self, a: int, b: int) -> None:
        for old, new in ((a, -1), (b, a), (-1, b)):
            self._run(
                f"UPDATE {self.events} SET {self.position} = ? WHERE {self.position} = ?",
                (new, old),
            )

    def insert_copy(self, position: int) -> int:
        originator, version, topic, state = self.row(position)
        fresh = uuid4()
        key = fresh.hex if self.backend == "sqlite" else fresh
        state = bytes(state).replace(str(originator).encode(), str(fresh).encode())
        self._run(
            f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            (key, version, topic, state),
        )
        return int(self._run(f"SELECT MAX({self.position}) FROM {self.events}")[0][0])

    def leaf_sql(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        self._run(statement, params)


@pytest.fixture
def store(backend: str, station_url: str) -> Store:
    start = datetime(2014, 1, 3, 9, tzinfo=UTC)
    with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        station.plan_visits(officer="D0001", month="2014-01", households=["H1", "H2", "H3"])
        for n in range(1, 4):
            station.record_visit(
                id=f"V{n}",
                officer="D0001",
                household=f"H{n}",
                occurred_at=start + timedelta(days=n),
                people_match_register=True,
            )
    return Store(station_url, backend)


def check(store: Store, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["--db", store.url, "audit", "check", *extra])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def test_an_untouched_log_checks(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(store, capsys)
    assert (code, out.split(",")[0]) == (0, "OK: 5 events")


def test_altered_state_bytes_are_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    state = bytes(store.row(4)[3])
    store.set_state(4, state.replace(b'"H2"', b'"H9"'))
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 4: VisitRecorded of aggregate ")
    assert "version 1 does not match its leaf (altered" in out


def test_a_deleted_event_is_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store.delete(3)
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 3: VisitRecorded of aggregate ")
    assert "is in the log but not in the store (removed)" in out


def test_an_inserted_event_is_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    position = store.insert_copy(5)
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith(f"position {position}: VisitRecorded of aggregate ")
    assert "is not in the log (inserted)" in out


def test_swapped_positions_are_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store.swap(2, 4)
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 2: VisitRecorded of aggregate ")
    assert "stands where the log recorded VisitsPlanned" in out
    assert "(reordered or replaced)" in out


def test_a_changed_recorded_time_is_named(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    state = bytes(store.row(5)[3])
    assert recorded_at(state) == "2014-02-01T00:00:00Z"
    store.set_state(5, state.replace(b"2014-02-01T00:00:00Z", b"2014-01-31T23:00:00Z"))
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 5: VisitRecorded")
    assert "altered" in out


def test_an_edited_leaf_is_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store.leaf_sql("UPDATE bp_log SET hash = ? WHERE leaf = ?", (b"\x00" * 32, 1))
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 2: VisitsPlanned")
    assert "does not match its leaf" in out


def test_a_deleted_leaf_is_named(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store.leaf_sql("DELETE FROM bp_log WHERE leaf = ?", (2,))
    code, out = check(store, capsys)
    assert code == 1
    assert out.startswith("position 3: VisitRecorded")
    assert "is not in the log" in out


def test_a_rewrite_of_event_and_leaf_is_caught_by_a_seal(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["audit", "keygen", "--out", str(tmp_path)]) == 0
    sealed = tmp_path / "checkpoint.json"
    key = str(tmp_path / "seal.key")
    assert main(["--db", store.url, "audit", "seal", "--key", key, "--out", str(sealed)]) == 0
    capsys.readouterr()
    # the insider rewrites an event and recomputes its leaf: the log agrees with itself
    originator, version, topic, state = store.row(4)
    forged = bytes(state).replace(b'"H2"', b'"H9"')
    leaf = leaf_bytes(4, UUID(str(originator)), version, topic, recorded_at(forged), forged)
    store.set_state(4, forged)
    store.leaf_sql("UPDATE bp_log SET hash = ? WHERE leaf = ?", (SHA256.leaf(leaf), 3))
    assert check(store, capsys)[0] == 0
    code, out = check(
        store, capsys, "--checkpoint", str(sealed), "--public-key", str(tmp_path / "seal.pub")
    )
    assert code == 1
    assert "checkpoint of size 5: the first 5 stored events no longer hash to its root" in out


def test_later_checkpoints_extend_earlier_ones(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["audit", "keygen", "--out", str(tmp_path)]) == 0
    key, pub = str(tmp_path / "seal.key"), str(tmp_path / "seal.pub")
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["--db", store.url, "audit", "seal", "--key", key, "--out", str(first)]) == 0
    with beatpolice.connect(store.url, clock=lambda: RECORDED) as station:
        station.enlist_officer(badge="D0002", name="王五", station="德州", beat="二区")
    assert main(["--db", store.url, "audit", "seal", "--key", key, "--out", str(second)]) == 0
    capsys.readouterr()
    code, out = check(
        store, capsys, "--checkpoint", str(second), "--checkpoint", str(first), "--public-key", pub
    )
    assert (code, "2 checkpoint(s) matched" in out) == (0, True)
    # a forged signature is refused
    data = json.loads(first.read_text())
    data["size"] = 4
    first.write_text(json.dumps(data))
    code, out = check(store, capsys, "--checkpoint", str(first), "--public-key", pub)
    assert code == 1
    assert "the signature does not hold" in out


def test_a_store_without_a_log_gets_it_built_on_open(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, before = check(store, capsys)
    store.leaf_sql("DROP TABLE bp_log")  # what a store written before the log looks like
    with beatpolice.connect(store.url, create=False) as station:
        checkpoint = station.event_log().checkpoint()
    code, after = check(store, capsys)
    assert code == 0
    assert after == before
    assert checkpoint.size == 5


@pytest.mark.parametrize("url_of", ["memory", "sqlite"])
def test_a_store_created_with_sm3_keeps_it(
    url_of: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "memory://" if url_of == "memory" else f"sqlite:///{tmp_path / 'sm3.db'}"
    monkeypatch.setenv("BEATPOLICE_LOG_HASH", "sm3")
    station = beatpolice.connect(url, clock=lambda: RECORDED)
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    assert station.event_log().checkpoint().root.startswith("sm3:")
    if url_of == "sqlite":
        station.close()
        monkeypatch.setenv("BEATPOLICE_LOG_HASH", "sha256")  # a store keeps its hash
        station = beatpolice.connect(url, clock=lambda: RECORDED)
        station.enlist_officer(badge="D0002", name="王五", station="德州", beat="二区")
        rows = sqlite3.connect(tmp_path / "sm3.db").execute(
            "SELECT value FROM bp_store WHERE key = 'log_hash'"
        )
        assert list(rows) == [("sm3",)]
    log = station.event_log()
    assert isinstance(log, EventLog)
    result = log.check()
    assert result.ok
    assert result.root.startswith("sm3:")
    station.close()


def test_an_unknown_log_hash_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEATPOLICE_LOG_HASH", "md5")
    with pytest.raises(beatpolice.BeatpoliceError, match="unknown log hash 'md5'"):
        beatpolice.connect("memory://")


def test_a_migrated_0_1_store_has_a_log_that_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = Path(__file__).parent.parent / "samples" / "v0_1"
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(samples / "station.db", old)
    assert main(["migrate", str(old), str(new), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["--db", str(new), "audit", "check"]) == 0
    assert capsys.readouterr().out.startswith("OK: 437 events, root sha256:")


def test_concurrent_writers_leave_a_log_that_checks(
    backend: str, station_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def write(badge: str) -> None:
        with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
            station.enlist_officer(badge=badge, name="王五", station="德州", beat="一区")
            for n in range(15):
                station.record_visit(
                    id=f"V{n}", officer=badge, household=f"H{n}",
                    occurred_at=datetime(2014, 1, 3, 9, tzinfo=UTC) + timedelta(hours=n),
                    people_match_register=True,
                )  # fmt: skip

    beatpolice.connect(station_url).close()  # create the store before the writers race
    threads = [threading.Thread(target=write, args=(f"D{n:04d}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    code, out = check(Store(station_url, backend), capsys)
    assert (code, out.split(",")[0]) == (0, "OK: 64 events")

"""The station's master key: where it comes from, a wrong or missing one, rotation, erasure.

A wrong or missing key is one :class:`MasterKeyError`, never garbage; a SQLite store
without a given key gets a key file beside it (mode 0600); PostgreSQL needs one given;
rotation re-wraps the data keys without touching a byte of the events; an erased key's
bytes are gone from the SQLite file.
"""

from __future__ import annotations

import base64
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from contract_helpers import stored_events

import beatpolice
from beatpolice.adapters.store.cipher import MasterKey
from beatpolice.adapters.store.keyring import Keyring

AT = datetime(2014, 1, 3, 9, tzinfo=UTC)
PARTIES = ("司马青岚", "慕容初晴")
KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.b64encode(bytes(range(1, 33))).decode()


def _dispute(station: beatpolice.Station) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.open_dispute(
        id="D1", officer="D0001", category="neighbour", parties=PARTIES, occurred_at=AT
    )


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key in the environment (the suite sets one)."""
    monkeypatch.delenv("BEATPOLICE_MASTER_KEY", raising=False)
    monkeypatch.delenv("BEATPOLICE_KEY_FILE", raising=False)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_wrong_master_key_is_one_clear_error(
    station_url: str, clock: Callable[[], datetime], no_key: None
) -> None:
    with beatpolice.connect(station_url, clock=clock, master_key=KEY_A) as station:
        _dispute(station)

    with pytest.raises(beatpolice.MasterKeyError, match="wrong master key"):
        beatpolice.connect(station_url, master_key=KEY_B, create=False)
    with beatpolice.connect(station_url, master_key=KEY_A, create=False) as station:
        assert station.dispute("D1").parties == PARTIES


def test_a_malformed_master_key_is_refused(no_key: None) -> None:
    with pytest.raises(beatpolice.MasterKeyError, match="32"):
        beatpolice.connect("memory://", master_key=base64.b64encode(b"short").decode())
    with pytest.raises(beatpolice.MasterKeyError, match="base64"):
        beatpolice.connect("memory://", master_key="not base64!")


def test_a_sqlite_store_gets_a_private_key_file_beside_it(
    tmp_path: Path, clock: Callable[[], datetime], no_key: None
) -> None:
    path = tmp_path / "station.db"
    with beatpolice.connect(str(path), clock=clock) as station:
        _dispute(station)
    key_file = tmp_path / "station.db.key"

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with beatpolice.connect(str(path), create=False) as station:  # found again beside it
        assert station.dispute("D1").parties == PARTIES
    key_file.unlink()
    with pytest.raises(beatpolice.MasterKeyError, match="no key was given"):
        beatpolice.connect(str(path), create=False)


def test_a_read_command_makes_no_key_file(
    tmp_path: Path, clock: Callable[[], datetime], no_key: None
) -> None:
    path = tmp_path / "station.db"
    with beatpolice.connect(str(path), clock=clock, master_key=KEY_A):
        pass

    with beatpolice.connect(str(path), create=False) as station:
        station.events()

    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".key") == []


@pytest.mark.postgres
def test_postgres_needs_a_master_key(
    postgres_server: object, no_key: None, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_server").create_database()

    with pytest.raises(beatpolice.MasterKeyError, match="needs a master key"):
        beatpolice.connect(url)


def test_a_key_file_is_read_from_the_environment(
    tmp_path: Path, clock: Callable[[], datetime], no_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(KEY_A + "\n")
    monkeypatch.setenv("BEATPOLICE_KEY_FILE", str(key_file))
    path = tmp_path / "station.db"
    with beatpolice.connect(str(path), clock=clock) as station:
        _dispute(station)

    assert not (tmp_path / "station.db.key").exists()
    with beatpolice.connect(str(path), master_key=KEY_A, create=False) as station:
        assert station.dispute("D1").parties == PARTIES


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_rotation_rewraps_the_keys_and_leaves_the_events_untouched(
    station_url: str, clock: Callable[[], datetime], no_key: None
) -> None:
    with beatpolice.connect(station_url, clock=clock, master_key=KEY_A) as station:
        _dispute(station)
        digest = station.enlist_officer(badge="D0002", name="甲", station="德州", beat="二区")
        before = [(*row[:3], row[3]) for row in _raw_events(station)]
        keys = station.keys
        assert isinstance(keys, Keyring)
        assert keys.rotate(MasterKey(base64.b64decode(KEY_B))) == 2  # the digest secret, D1

    with pytest.raises(beatpolice.MasterKeyError, match="wrong master key"):
        beatpolice.connect(station_url, master_key=KEY_A, create=False)
    with beatpolice.connect(station_url, clock=clock, master_key=KEY_B) as station:
        assert _raw_events(station) == before
        assert station.dispute("D1").parties == PARTIES
        again = station.enlist_officer(badge="D0002", name="甲", station="德州", beat="二区")
        assert again.duplicate
        assert again.digest == digest.digest


def _raw_events(station: beatpolice.Station) -> list[tuple[str, str, int, bytes]]:
    recorder = station.app.recorder if hasattr(station, "app") else station._app.recorder
    page = recorder.select_notifications(start=1, limit=1000)
    return [(n.topic, str(n.originator_id), n.originator_version, bytes(n.state)) for n in page]


def test_an_erased_key_leaves_no_trace_in_the_sqlite_file(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    path = tmp_path / "station.db"
    with beatpolice.connect(str(path), clock=clock) as station:
        _dispute(station)
        with sqlite3.connect(path) as connection:
            (wrapped,) = connection.execute(
                "SELECT wrapped FROM bp_keys WHERE subject = 'dispute:D1'"
            ).fetchone()
        connection.close()
        assert wrapped in _file_bytes(path)

        station.erase_personal_data(subject="dispute:D1", reason="request", occurred_at=AT)

        assert wrapped not in _file_bytes(path)
        assert station.dispute("D1").parties == ("[erased]", "[erased]")


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


def test_two_stores_under_one_key_store_the_same_opened_log(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    logs = []
    for name in ("a.db", "b.db"):
        with beatpolice.connect(str(tmp_path / name), clock=clock) as station:
            _dispute(station)
            logs.append(stored_events(station))

    assert logs[0] == logs[1]

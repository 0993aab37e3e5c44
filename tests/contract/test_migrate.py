"""A store written by 0.1 is refused naming ``beatpolice migrate``, which copies it.

The sample under tests/samples/v0_1/ was written by the real 0.1 code (its README says
how). The key promise: a report 0.1 made of that store verifies against the migrated
one, because every event keeps its recorded time and command digest (ADR 0230, 0231).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest

import beatpolice
from beatpolice import AppraisalReport, NotAStoreError, StorageError
from beatpolice.adapters.store.migrate import MigrationReport, migrate, record_id
from beatpolice.domain._base import stable_id
from beatpolice.domain.records import FieldRecord, record_key

SAMPLES = Path(__file__).parent.parent / "samples" / "v0_1"
OLD = SAMPLES / "station.db"
REPORTS = sorted(SAMPLES.glob("report-*.json"))
RECORD_TOPICS = {
    "beatpolice:VisitRecorded",
    "beatpolice:LeadReported",
    "beatpolice:ServiceRendered",
    "beatpolice:VisitFollowedUp",
    "beatpolice:RecordRetracted",
}
ADOPTED = "beatpolice:PolicyAdopted"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beatpolice.adapters.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(url: str) -> list[tuple[str, str, int, dict[str, Any], bytes]]:
    """(topic, originator id, version, JSON, state) of every event, in notification order."""
    with beatpolice.connect(url, create=False) as station:
        recorder: Any = station._app.recorder
        found = []
        for n in recorder.select_notifications(start=1, limit=100_000):
            state = bytes(n.state)
            found.append(
                (n.topic, str(n.originator_id), n.originator_version, orjson.loads(state), state)
            )
        return found


def old_rows() -> list[tuple[str, str, int, dict[str, Any], bytes]]:
    with sqlite3.connect(f"{OLD.resolve().as_uri()}?mode=ro", uri=True) as connection:
        found = [
            (topic, str(UUID(originator)), version, orjson.loads(state), bytes(state))
            for originator, version, topic, state in connection.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events "
                "ORDER BY rowid"
            )
        ]
    connection.close()
    return found


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, MigrationReport]:
    """A copy of the 0.1 sample, and the store migrated from it."""
    folder = tmp_path_factory.mktemp("migrated")
    old = folder / "old.db"
    shutil.copyfile(OLD, old)
    report = migrate(str(old), str(folder / "new.db"), batch=100)
    return old, folder / "new.db", report


def test_the_sample_was_written_by_0_1_without_a_marker() -> None:
    with sqlite3.connect(f"{OLD.resolve().as_uri()}?mode=ro", uri=True) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert connection.execute("PRAGMA application_id").fetchone()[0] == 0
    connection.close()
    assert "bp_store" not in tables
    assert "stored_events" in tables


@pytest.mark.parametrize("create", [True, False])
def test_connect_refuses_a_0_1_store_in_one_line_naming_migrate(
    tmp_path: Path, create: bool
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(OLD, old)
    before = digest(old)

    with pytest.raises(NotAStoreError) as refused:
        beatpolice.connect(str(old), create=create)

    message = str(refused.value)
    assert "\n" not in message
    assert "beatpolice 0.1 (store format 1)" in message
    assert f"beatpolice migrate {old} NEW_URL" in message
    assert digest(old) == before
    assert not [p.name for p in tmp_path.iterdir() if not p.name.startswith("old.db")]


@pytest.mark.parametrize(
    "command",
    [["registry", "officers"], ["ingest", "-"], ["appraise", "--month", "2022-05"]],
)
def test_commands_refuse_a_0_1_store_exit_2_one_line(tmp_path: Path, command: list[str]) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(OLD, old)
    before = digest(old)

    done = cli(*command, "--db", str(old))

    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "beatpolice migrate" in done.stderr
    assert "store format 1" in done.stderr
    assert digest(old) == before


def test_migrate_copies_every_event_and_leaves_the_old_store_untouched(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(OLD, old)
    before = digest(old)

    done = cli("migrate", str(old), str(new), "--quiet")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"migrated {old} -> {new}: 437 events, 3 officers, 212 records")
    assert "policy qingdao-three-colour@2 recorded in the store" in done.stdout
    assert done.stderr == ""
    assert digest(old) == before
    with beatpolice.connect(str(new), create=False) as station:
        assert station.officer("FT102").name == "唐建华"


def test_counts_by_topic_are_kept_and_each_policy_is_recorded_once(
    migrated: tuple[Path, Path, MigrationReport],
) -> None:
    _, new, report = migrated
    before = Counter(row[0] for row in old_rows())
    after = Counter(row[0] for row in rows(str(new)))

    assert after == before + Counter({ADOPTED: 1})
    assert report.events == dict(after)
    assert report.policies_adopted == ("qingdao-three-colour@2",)
    assert not report.policies_missing
    created = ("beatpolice:VisitRecorded", "beatpolice:LeadReported", "beatpolice:ServiceRendered")
    assert report.records == sum(before[topic] for topic in created) == 212
    assert report.officers == before["beatpolice:OfficerEnlisted"] == 3
    assert report.snapshots_skipped == 1


def test_every_event_keeps_its_recorded_time_and_command_digest(
    migrated: tuple[Path, Path, MigrationReport],
) -> None:
    _, new, _ = migrated
    old = Counter((t, j["command"], j["timestamp"]) for t, _, _, j, _ in old_rows())
    kept = Counter(
        (t, j["command"], j["timestamp"]) for t, _, _, j, _ in rows(str(new)) if t != ADOPTED
    )

    assert kept == old


def test_every_other_field_is_kept_and_disputes_and_venues_byte_for_byte(
    migrated: tuple[Path, Path, MigrationReport],
) -> None:
    _, new, _ = migrated
    moved = {"originator_id", "originator_version", "class_version", "originator_topic"}
    new_rows = [row for row in rows(str(new)) if row[0] != ADOPTED]
    assert [row[0] for row in new_rows] == [row[0] for row in old_rows()]  # the order too
    for (topic, originator, version, body, state), (_, n_id, n_version, n_body, n_state) in zip(
        old_rows(), new_rows, strict=True
    ):
        if topic in RECORD_TOPICS or topic in (
            "beatpolice:OfficerEnlisted",
            "beatpolice:VisitsPlanned",
        ):
            assert {k: v for k, v in body.items() if k not in moved} == {
                k: v for k, v in n_body.items() if k not in moved
            }
            assert (n_body["originator_id"], n_body["originator_version"]) == (
                str(n_id),
                n_version,
            )
        else:
            assert (n_id, n_version, n_state) == (originator, version, state)


def test_record_events_stand_alone_numbered_from_one(
    migrated: tuple[Path, Path, MigrationReport],
) -> None:
    _, new, _ = migrated
    versions: dict[str, list[int]] = {}
    for topic, originator, version, body, _ in rows(str(new)):
        versions.setdefault(originator, []).append(version)
        if topic in RECORD_TOPICS:
            record = body.get("id") or body.get("visit") or body["record"]
            expected = FieldRecord.create_id(record_key(body["officer"], record))
            assert originator == str(expected) == str(record_id(body["officer"], record))
        if topic == "beatpolice:VisitRecorded":
            assert body["class_version"] == 2
            assert body["originator_topic"] == FieldRecord.TOPIC
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    with beatpolice.connect(str(new), create=False) as station:
        officer_events = [
            type(e).__name__
            for _, e in station.events()
            if e.originator_id == stable_id("officer", "D0001")
        ]
    assert officer_events == ["OfficerEnlisted", "VisitsPlanned"]


@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.stem)
def test_a_report_made_under_0_1_verifies_against_the_migrated_store(
    migrated: tuple[Path, Path, MigrationReport], report: Path
) -> None:
    _, new, _ = migrated
    saved = AppraisalReport.model_validate_json(report.read_bytes())
    with beatpolice.connect(str(new), create=False) as station:
        beatpolice.verify(station, saved)

    done = cli("audit", "verify", str(report), "--db", str(new))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{report}: OK {saved.fingerprint}"


def test_a_new_store_holding_events_is_refused(
    tmp_path: Path, migrated: tuple[Path, Path, MigrationReport]
) -> None:
    old, new, _ = migrated
    target = tmp_path / "held.db"
    shutil.copyfile(new, target)
    before = digest(target)

    with pytest.raises(NotAStoreError, match="already holds 437 events"):
        migrate(str(old), str(target))
    assert digest(target) == before


def test_a_store_of_format_2_has_nothing_to_migrate(
    tmp_path: Path, migrated: tuple[Path, Path, MigrationReport]
) -> None:
    _, new, _ = migrated
    done = cli("migrate", str(new), str(tmp_path / "again.db"))
    assert done.returncode == 2
    assert "is not a store of format 1: nothing to migrate" in done.stderr
    assert not (tmp_path / "again.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["migrate"],
        ["migrate", "old.db"],
        ["migrate", "old.db", "old.db"],
        ["migrate", "a", "b", "--policy", "nope.toml"],
    ],
)
def test_usage_errors_exit_2_in_one_line(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "beatpolice.adapters.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1


class StopError(Exception):
    """Raised by a progress callback to stop a migration half-way."""


def test_an_interrupted_migration_into_a_new_file_leaves_nothing(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(OLD, old)

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(str(old), str(new), batch=50, progress=stop)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("new.db")]


def test_an_interrupted_migration_into_a_store_is_refused_until_run_again(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(OLD, old)
    beatpolice.connect(str(new)).close()  # an empty store of format 2

    def stop(done: int, total: int) -> None:
        raise StopError

    with pytest.raises(StopError):
        migrate(str(old), str(new), batch=50, progress=stop)
    with pytest.raises(NotAStoreError, match="incomplete migration") as refused:
        beatpolice.connect(str(new), create=False)
    assert "\n" not in str(refused.value)
    done = cli("registry", "officers", "--db", str(new))
    assert done.returncode == 2
    assert "incomplete migration" in done.stderr

    report = migrate(str(old), str(new), batch=50)  # starts over
    assert report.total == 437
    assert len(rows(str(new))) == 437


def _opened_under(old: Path, policy: str, version: str) -> None:
    """Make every dispute of a 0.1 store opened under ``policy`` (a station's own)."""
    with sqlite3.connect(old) as connection:
        for rowid, state in connection.execute(
            "SELECT rowid, state FROM stored_events WHERE topic = 'beatpolice:DisputeOpened'"
        ).fetchall():
            body = orjson.loads(state)
            body.update(policy=policy, policy_version=version)
            connection.execute(
                "UPDATE stored_events SET state = ? WHERE rowid = ?", (orjson.dumps(body), rowid)
            )
    connection.close()


def test_a_policy_not_found_is_reported_and_one_given_as_a_file_is_recorded(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(OLD, old)
    _opened_under(old, "pingyuan-own", "7")
    shipped = (
        Path(beatpolice.__file__).parent
        / "domain"
        / "rules"
        / "policies"
        / "qingdao-three-colour.toml"
    )
    own = tmp_path / "pingyuan.toml"
    own.write_text(
        shipped.read_text("utf-8")
        .replace('name = "qingdao-three-colour"', 'name = "pingyuan-own"')
        .replace('version = "2"', 'version = "7"'),
        "utf-8",
    )

    without = cli("migrate", str(old), str(tmp_path / "without.db"), "--quiet")
    given = cli("migrate", str(old), str(tmp_path / "given.db"), "--quiet", "--policy", str(own))

    assert without.returncode == 0, without.stderr
    assert [line for line in without.stdout.splitlines() if "pingyuan" in line] == [
        "policy pingyuan-own@7 not found: disputes opened under it cannot be escalated or "
        "resolved until a station opens the store with its file (--policy FILE)"
    ]
    assert given.returncode == 0, given.stderr
    assert "policy pingyuan-own@7 recorded in the store" in given.stdout
    adopted = [row for row in rows(str(tmp_path / "given.db")) if row[0] == ADOPTED]
    assert [(r[3]["policy"], r[3]["policy_version"]) for r in adopted] == [("pingyuan-own", "7")]


def test_memory_stores_and_one_store_twice_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not memory://"):
        migrate(str(OLD), "memory://")
    with pytest.raises(StorageError, match="into another store"):
        migrate(str(OLD), f"sqlite:///{OLD}")


@pytest.mark.postgres
def test_a_0_1_sqlite_store_migrates_into_postgresql(tmp_path: Path, postgres_server: Any) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(OLD, old)
    url = postgres_server.create_database()

    report = migrate(str(old), url, batch=100)

    assert report.total == 437
    kept = Counter(
        (t, j["command"], j["timestamp"]) for t, _, _, j, _ in rows(url) if t != ADOPTED
    )
    assert kept == Counter((t, j["command"], j["timestamp"]) for t, _, _, j, _ in old_rows())
    for path in REPORTS:
        done = cli("audit", "verify", str(path), "--db", url)
        assert done.returncode == 0, done.stderr
    with pytest.raises(NotAStoreError, match="already holds 437 events"):
        migrate(str(old), url)

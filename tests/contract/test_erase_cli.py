"""``beatpolice erase`` and ``beatpolice keys rotate`` as a station's operator runs them.

Each test runs the real command line in a subprocess on a SQLite store, with the key in
the environment, in a key file, or (none given) in the file beside the store.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "beatpolice"]
KEY = base64.b64encode(bytes(range(32))).decode()
OTHER = base64.b64encode(bytes(range(5, 37))).decode()

LINES = [
    {
        "type": "enlist_officer",
        "badge": "D0001",
        "name": "薛翠翠",
        "station": "德州",
        "beat": "一区",
    },
    {
        "type": "open_dispute",
        "id": "D1",
        "officer": "D0001",
        "category": "neighbour",
        "parties": ["端木听雨", "夏侯晚晴"],
        "occurred_at": "2014-01-03T09:00:00+08:00",
    },
]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line, without the suite's key unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("BEATPOLICE_")}
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, env={**base, **(env or {})},
        cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def commands(tmp_path: Path) -> Path:
    path = tmp_path / "commands.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in LINES))
    return path


def test_a_new_sqlite_store_says_once_that_it_made_a_key_file(
    tmp_path: Path, commands: Path
) -> None:
    db = str(tmp_path / "station.db")

    first = run("--db", db, "ingest", str(commands))
    second = run("--db", db, "ingest", str(commands))

    assert first.returncode == 0, first.stderr
    assert "made the master key file" in first.stderr
    assert "station.db.key" in first.stderr
    assert second.returncode == 0
    assert "master key" not in second.stderr


def test_erase_shows_erased_in_the_registry_and_refuses_a_bad_subject(
    tmp_path: Path, commands: Path
) -> None:
    db = str(tmp_path / "station.db")
    key = {"BEATPOLICE_MASTER_KEY": KEY}
    assert run("--db", db, "ingest", str(commands), env=key).returncode == 0
    assert "端木听雨" in run("--db", db, "registry", "disputes", env=key).stdout

    erased = run("erase", "--db", db, "--subject", "dispute:D1", "--reason", "request", env=key)
    shown = run("--db", db, "registry", "disputes", "--json", env=key)
    bad = run("--db", db, "erase", "--subject", "person:x", "--reason", "r", env=key)

    assert erased.returncode == 0, erased.stderr
    assert "端木听雨" not in shown.stdout
    assert "[erased]" in shown.stdout
    assert bad.returncode == 2
    assert "not a data subject" in bad.stderr


def test_a_wrong_or_missing_key_exits_2_with_one_line(tmp_path: Path, commands: Path) -> None:
    db = str(tmp_path / "station.db")
    assert (
        run("--db", db, "ingest", str(commands), env={"BEATPOLICE_MASTER_KEY": KEY}).returncode
        == 0
    )

    wrong = run("--db", db, "registry", "disputes", env={"BEATPOLICE_MASTER_KEY": OTHER})
    missing = run("--db", db, "registry", "disputes")

    for done in (wrong, missing):
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1
        assert "端木听雨" not in done.stdout
    assert "wrong master key" in wrong.stderr
    assert "no key was given" in missing.stderr


def test_keys_rotate_moves_the_store_to_the_new_key_file(tmp_path: Path, commands: Path) -> None:
    db = str(tmp_path / "station.db")
    key_file = tmp_path / "old.key"
    key_file.write_text(KEY + "\n")
    new_file = tmp_path / "new.key"
    assert run("--db", db, "--key-file", str(key_file), "ingest", str(commands)).returncode == 0
    events_before = run("--db", db, "--key-file", str(key_file), "export").stdout

    rotated = run("--db", db, "--key-file", str(key_file), "keys", "rotate", "--new-key-file",
                  str(new_file))  # fmt: skip
    old = run("--db", db, "--key-file", str(key_file), "registry", "disputes")
    new = run("--db", db, "--key-file", str(new_file), "registry", "disputes")

    assert rotated.returncode == 0, rotated.stderr
    assert oct(new_file.stat().st_mode & 0o777) == "0o600"
    assert old.returncode == 2
    assert "wrong master key" in old.stderr
    assert new.returncode == 0
    assert "端木听雨" in new.stdout
    after = run("--db", db, "--key-file", str(new_file), "export").stdout
    assert after == events_before


def test_keys_rotate_replaces_the_key_file_beside_the_store(
    tmp_path: Path, commands: Path
) -> None:
    db = str(tmp_path / "station.db")
    assert run("--db", db, "ingest", str(commands)).returncode == 0
    beside = tmp_path / "station.db.key"
    old_text = beside.read_text()

    rotated = run("--db", db, "keys", "rotate", "--new-key-file", str(tmp_path / "n.key"))
    shown = run("--db", db, "registry", "disputes")

    assert rotated.returncode == 0, rotated.stderr
    assert beside.read_text() != old_text
    assert shown.returncode == 0
    assert "端木听雨" in shown.stdout

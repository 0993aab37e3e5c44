"""With no key configured, the demo runs under its published key: one seed, one fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main
from beatpolice.demo._demo_key import DEMO_MASTER_KEY, demo_master_key

SMALL = ["--beats", "1", "--officers-per-beat", "2", "--households", "220", "--venues", "6"]


def _demo(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, object]:
    code = main(["demo", "--db", db, "--no-progress", "--json", *SMALL])
    out = capsys.readouterr().out
    assert code == 0, out
    return dict(json.loads(out))


def test_two_fresh_stores_without_a_configured_key_give_one_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BEATPOLICE_MASTER_KEY", raising=False)
    monkeypatch.delenv("BEATPOLICE_KEY_FILE", raising=False)

    first = _demo(capsys, "a/station.db")
    second = _demo(capsys, "b/station.db")

    assert first["fingerprint"] == second["fingerprint"]
    key_file = tmp_path / "a" / "station.db.key"
    assert key_file.read_text(encoding="ascii").strip() == DEMO_MASTER_KEY
    assert key_file.stat().st_mode & 0o777 == 0o600
    # a later command on the store finds the key beside it
    assert main(["registry", "officers", "--db", "a/station.db", "--json"]) == 0


def test_a_configured_key_is_the_demos_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEATPOLICE_MASTER_KEY", "x" * 44)
    assert demo_master_key("sqlite:///demo.db") is None
    assert demo_master_key("memory://") is None
    monkeypatch.delenv("BEATPOLICE_MASTER_KEY")
    monkeypatch.delenv("BEATPOLICE_KEY_FILE", raising=False)
    assert demo_master_key("memory://") == DEMO_MASTER_KEY

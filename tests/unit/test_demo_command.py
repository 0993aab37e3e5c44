"""``beatpolice demo``, as ``make demo`` runs it: the table, the reports, the same fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main

# A smaller station than Fengting's 12 officers keeps the test quick; the default is
# exercised by `make demo` itself (about 5 s).
SMALL = ["--beats", "2", "--officers-per-beat", "2", "--households", "440", "--venues", "12"]


def _demo(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main(["demo", "--db", "demo-out/station.db", "--no-progress", *SMALL, *extra])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_demo_prints_the_table_registries_and_report_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    out = _demo(capsys)
    assert "five-star appraisal 2022-05" in out
    for badge in ("FT101", "FT102", "FT201", "FT202"):
        assert badge in out
    assert "林凡" in out
    assert "★" in out
    assert "矛盾不上交率" in out
    assert "HTML report: demo-out/report-2022-05.html" in out
    html = (tmp_path / "demo-out" / "report-2022-05.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert "beatpolice audit verify" in html
    saved = json.loads((tmp_path / "demo-out" / "appraisal-2022-05.json").read_text())
    assert saved["fingerprint"] in out
    assert saved["fingerprint"] in html


def test_second_run_records_nothing_and_gives_the_same_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    first = json.loads(_demo(capsys, "--json"))
    second = json.loads(_demo(capsys, "--json"))
    assert first["refused"] == second["refused"] == []
    assert second["events_recorded"] == 0
    assert second["resent"] == first["commands"]
    assert second["fingerprint"] == first["fingerprint"]
    assert any(officer["awarded"] for officer in first["officers"])
    assert any(len(officer["eligible"]) < 5 for officer in first["officers"])


def test_a_fresh_store_with_the_same_seed_gives_the_same_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    first = json.loads(_demo(capsys, "--json"))
    (tmp_path / "demo-out" / "station.db").unlink()
    again = json.loads(_demo(capsys, "--json"))
    assert again["events_recorded"] == first["events_recorded"] > 0
    assert again["fingerprint"] == first["fingerprint"]
    other = json.loads(_demo(capsys, "--json", "--seed", "4", "--db", "other.db"))
    assert other["fingerprint"] != first["fingerprint"]


def test_the_saved_report_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _demo(capsys)
    code = main(
        ["audit", "verify", "--db", "demo-out/station.db", "demo-out/appraisal-2022-05.json"]
    )
    assert code == 0
    assert "OK sha256:" in capsys.readouterr().out


def test_too_small_a_station_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["demo", "--db", "x.db", "--households", "10"])
    assert code == 2
    assert "households" in capsys.readouterr().err

"""``beatpolice ingest``: FILE:LINE refusals, exit codes, batching, stop-on-error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

import beatpolice
from beatpolice.adapters.cli import main

ENLIST = {
    "type": "enlist_officer",
    "badge": "D1",
    "name": "薛翠翠",
    "station": "德州",
    "beat": "一区",
}


def visit(number: int, **changes: object) -> dict[str, object]:
    command: dict[str, object] = {
        "type": "record_visit",
        "id": f"V{number}",
        "officer": "D1",
        "household": f"德州市德城区{number}号",
        "occurred_at": "2014-01-03T09:30:00+08:00",
        "people_match_register": True,
    }
    command.update(changes)
    return command


def write(path: Path, *lines: object) -> Path:
    path.write_bytes(
        b"".join(
            (line.encode() if isinstance(line, str) else orjson.dumps(line)) + b"\n"
            for line in lines
        )
    )
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that outlives one command: a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "station.db")
    url: str = request.getfixturevalue("postgres_server").create_database()
    return url


def stored(db: str) -> list[str]:
    with beatpolice.connect(db) as station:
        return [type(event).__name__ for _, event in station.events()]


def test_every_line_recorded_exits_0_with_a_summary(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1), "", visit(2))
    assert main(["ingest", str(source), "--db", db, "--batch-size", "2"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.strip() == f"{source}: 3 lines: 3 recorded (3 events), 0 re-sent, 0 refused"
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded", "VisitRecorded"]


def test_refused_lines_are_reported_and_change_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(
        tmp_path / "in.jsonl",
        ENLIST,
        visit(1, occurred_at="2014-01-03T09:30:00"),  # naive
        "{not json",
        visit(3, officer="D404"),  # unknown officer
        visit(4),
        visit(5, colour="red"),  # extra field
    )
    assert main(["ingest", str(source), "--db", db]) == 1
    err = capsys.readouterr().err.splitlines()  # in line order
    assert [line.split(": ", 1)[0] for line in err] == [f"{source}:{n}" for n in (2, 3, 4, 6)]
    assert err[0].endswith("record_visit.occurred_at: Input should have timezone info")
    assert "officer: unknown officer 'D404'" in err[2]
    assert err[3].endswith("record_visit.colour: is not a field of this command")
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]


def test_a_resent_file_records_nothing_and_exits_0(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1))
    assert main(["ingest", str(source), "--db", db]) == 0
    # the same visit, its time written in UTC: the same command
    again = write(tmp_path / "again.jsonl", ENLIST, visit(1, occurred_at="2014-01-03T01:30:00Z"))
    assert main(["ingest", str(again), "--db", db]) == 0
    assert "0 recorded (0 events), 2 re-sent, 0 refused" in capsys.readouterr().out
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]


def test_same_id_other_content_is_refused(db: str, tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1), visit(1, people_match_register=False))
    assert main(["ingest", str(source), "--db", db]) == 1
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]


def test_stop_on_error_records_the_lines_before_and_nothing_after(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1), visit(2, officer="D404"), visit(3))
    assert main(["ingest", str(source), "--db", db, "--stop-on-error"]) == 1
    out = capsys.readouterr()
    assert out.err.startswith(f"{source}:3: officer: unknown officer 'D404'")
    assert "(stopped at the first refusal)" in out.out
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]


def test_stop_on_error_at_a_malformed_line(db: str, tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1), "[]", visit(3))
    assert main(["ingest", str(source), "--db", db, "--stop-on-error"]) == 1
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]


@pytest.mark.parametrize(
    "arguments",
    [["ingest", "missing.jsonl"], ["ingest", "in.jsonl", "--batch-size", "0"]],
)
def test_usage_errors_exit_2(
    arguments: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "in.jsonl", ENLIST)
    assert main([*arguments, "--db", str(tmp_path / "s.db")]) == 2
    assert capsys.readouterr().err.startswith("beatpolice ingest: ")


def test_an_unknown_store_scheme_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "in.jsonl", ENLIST)
    assert main(["ingest", str(source), "--db", "mysql://x/y"]) == 2
    assert "unknown store URL scheme 'mysql'" in capsys.readouterr().err


def test_the_tolerance_is_a_setting_of_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "station.db")
    soon = (datetime.now(UTC) + timedelta(hours=30)).isoformat()
    lines = write(tmp_path / "soon.jsonl", ENLIST, visit(1, occurred_at=soon))

    assert main(["ingest", str(lines), "--db", db]) == 1
    assert "occurred_at: " in capsys.readouterr().err
    assert main(["ingest", str(lines), "--db", db, "--tolerance", "48"]) == 0
    assert stored(db) == ["OfficerEnlisted", "VisitRecorded"]
    assert main(["ingest", str(lines), "--db", db, "--tolerance", "-1"]) == 2

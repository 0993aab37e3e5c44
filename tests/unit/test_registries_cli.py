"""``beatpolice registry ...`` on a SQLite station: the JSON parses, the table reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

import beatpolice
from beatpolice.adapters.cli import EXIT_OK, EXIT_USAGE, main

BEIJING = timezone(timedelta(hours=8))
RECORDED = datetime(2014, 3, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite station with two officers, a plan, visits, a dispute and a venue."""
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with beatpolice.connect(url, clock=lambda: RECORDED) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        station.enlist_officer(badge="D0002", name="王伟", station="德州", beat="二区")
        station.plan_visits(officer="D0001", month="2014-01", households=["H1", "H2"])
        station.record_visit(
            id="V1",
            officer="D0001",
            household="H1",
            occurred_at=datetime(2014, 1, 3, 9, 30, tzinfo=BEIJING),
            people_match_register=True,
        )
        station.open_dispute(
            id="D1",
            officer="D0002",
            category="邻里纠纷",
            parties=["张三", "李四"],
            occurred_at=datetime(2014, 1, 6, 9, tzinfo=BEIJING),
        )
        station.register_venue(
            id="P1",
            name="新湖网吧",
            category="internet_cafe",
            address="新湖大街1号",
            officer="D0001",
            occurred_at=datetime(2014, 1, 2, 9, tzinfo=BEIJING),
        )
        station.inspect_venue(
            venue="P1",
            officer="D0001",
            mode="spot_check",
            occurred_at=datetime(2014, 1, 10, 9, tzinfo=BEIJING),
            findings=[
                {"id": "F1", "code": "ID-03", "description": "未实名", "rectify_by": "2014-01-20"}
            ],
        )
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, _ = run(capsys, *argv, "--json")
    assert code == EXIT_OK
    return orjson.loads(out)


def test_officers_json_holds_the_months_tallies(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = as_json(capsys, "registry", "officers", "--db", db, "--month", "2014-01")
    assert found["month"] == "2014-01"
    rows = {row["badge"]: row for row in found["officers"]}
    assert set(rows) == {"D0001", "D0002"}
    assert rows["D0001"]["visits"] == 1
    assert (rows["D0001"]["planned_visited"], rows["D0001"]["households_planned"]) == (1, 2)
    assert rows["D0001"]["last_activity"] == "2014-01-10T09:00:00+08:00"
    assert rows["D0002"]["name"] == "王伟"


def test_officers_table_lists_each_officer(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "registry", "officers", "--db", db, "--month", "2014-01")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["badge", "name", "beat", "visits"]
    first = lines[1].split()
    assert first[:4] == ["D0001", "薛翠翠", "一区", "1"]
    assert "1/2" in first
    assert lines[-1] == "2 officers, month 2014-01"


def test_households_unvisited_json_and_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("registry", "households", "--db", db, "--month", "2014-01", "--unvisited")
    found = as_json(capsys, *argv)
    assert [(r["household"], r["unvisited_by"]) for r in found["households"]] == [
        ("H2", ["D0001"])
    ]
    code, out, _ = run(capsys, *argv)
    assert code == EXIT_OK
    assert out.splitlines()[1].split() == ["H2", "-", "-", "-", "0", "0", "0", "D0001"]
    assert out.splitlines()[-1] == "1 households, month 2014-01; 1 planned and not yet visited"


def test_disputes_json_judges_deadlines_at_as_of(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("registry", "disputes", "--db", db, "--as-of", "2014-02-01T00:00:00+08:00")
    found = as_json(capsys, *argv)
    assert found["overdue"] == ["D1"]
    assert found["by_level"] == {"blue": 1}
    assert found["not_referred"] == {"numerator": 0, "denominator": 0, "percent": None}
    (row,) = found["rows"]
    assert (row["tier"], row["status"], row["outcome"], row["overdue"]) == (
        "grid",
        "open",
        "pending",
        True,
    )
    code, out, _ = run(capsys, *argv)
    assert code == EXIT_OK
    assert out.splitlines()[1].split()[:5] == ["D1", "blue", "grid", "open", "pending"]
    assert "矛盾不上交率 0/0" in out.splitlines()[-1]


def test_venues_json_and_table_show_overdue_findings(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("registry", "venues", "--db", db, "--as-of", "2014-01-21T00:00:00+08:00")
    found = as_json(capsys, *argv)
    (venue,) = found["venues"]
    assert venue["overdue_findings"] == ["F1"]
    assert found["inspections_by_month"] == {"2014-01": {"spot_check": 1}}
    code, out, _ = run(capsys, *argv, "--overdue")
    assert code == EXIT_OK
    assert out.splitlines()[1].split()[:4] == ["P1", "新湖网吧", "internet_cafe", "D0001"]
    assert out.splitlines()[-2:] == ["2014-01: spot_check 1", "1 venues; 1 overdue findings"]


def test_rebuild_with_progress_reports_on_stderr(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "registry", "officers", "--db", db, "--month", "2014-01", "--rebuild", "--progress"
    )
    assert code == EXIT_OK
    assert "registries: 9/9 events folded (100%)" in err


def test_a_malformed_month_is_a_usage_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "registry", "officers", "--db", db, "--month", "2014-13")
    assert code == EXIT_USAGE
    assert "--month" in err

"""The benchmark suite runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

import beatpolice
from beatpolice.application.ingest import ingest_lines

# benchmarks/ is a package at the repository's root, beside src/ and tests/
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
_workload = importlib.import_module("benchmarks._workload")
_main = importlib.import_module("benchmarks.__main__")


def test_workload_records_every_line_and_the_announced_events(tmp_path: Path) -> None:
    workload = _workload.write_workload(tmp_path / "w.jsonl", events=600, officers=10)
    with beatpolice.connect("memory://") as station, workload.path.open("rb") as lines:
        report = ingest_lines(station, lines, batch_size=100)
    assert report.refused == []
    assert report.events == workload.events >= 600
    assert {"enlist_officer", "plan_visits", "record_visit", "register_venue"} <= set(
        workload.by_type
    )


def test_officer_history_gives_one_officer_exactly_that_many_events(tmp_path: Path) -> None:
    history = _workload.write_officer_history(tmp_path / "o.jsonl", events=250)
    with beatpolice.connect("memory://") as station, history.path.open("rb") as lines:
        report = ingest_lines(station, lines)
        assert report.refused == []
        assert len(list(station.events())) == 250  # the enlistment and 249 of its records


@pytest.mark.slow
def test_suite_runs_and_writes_its_table_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    _main.main(
        [
            "--events",
            "200",
            "--officers",
            "5",
            "--commands",
            "5",
            "--officer-events",
            "210",
            "--loads",
            "2",
            "--repeat",
            "1",
            "--memory-events",
            "200",
            "2000",
            "--backend",
            "sqlite",
            "--json",
            str(out),
        ]
    )
    table = capsys.readouterr().out
    document = json.loads(out.read_text())
    assert [row["name"] for row in document["rows"]] == [
        "ingest-sqlite",
        "log-sqlite",
        "sealing-sqlite",
        "one-per-tx-sqlite",
        "officer-size-sqlite",
        "load-sqlite",
        "read-sqlite",
        "memory-sqlite",
    ]
    assert all(not variant["error"] for row in document["rows"] for variant in row["variants"])
    assert document["machine"]["versions"]["eventsourcing"]
    assert "bulk ingest (sqlite)" in table
    assert "target: < 2 ms from a snapshot" in table

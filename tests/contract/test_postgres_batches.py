"""Large batches on PostgreSQL are written, never stalled (ADR 0708).

Pipelined, the sixth batch of a province's workload (5,000 commands: several megabytes of
events and of their keys) left the server parsing the INSERT and the client waiting on it
for ever. The write runs in a child process under a generous deadline, so that a stall
fails this test instead of hanging the suite; the deadline guards against a deadlock and
says nothing of speed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import itertools, sys
import beatpolice
from beatpolice.application.ingest import ingest_lines
from benchmarks.bench_province import _Clock, _lines

clock = _Clock()
lines = itertools.islice(_lines(6000, 1, clock, [0]), int(sys.argv[2]))
with beatpolice.connect(sys.argv[1], clock=clock) as station:
    report = ingest_lines(station, lines, batch_size=5000)
    print(report.events, report.ok, station.last_position())
"""

LINES = 35_000
"""Past the batch that stalled (the sixth of 5,000)."""


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_batches_of_a_province_are_written(station_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, station_url, str(LINES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    events, ok, stored = done.stdout.split()
    assert ok == "True"
    assert int(events) == int(stored) >= LINES

"""Make the 0.1 sample store and reports with the REAL 0.1 code (see README.md).

Run it with beatpolice 0.1 on the path, never the current tree::

    git worktree add /tmp/bp01 fbd82fa
    PYTHONPATH=/tmp/bp01/src:/tmp/bp01/tests/contract .venv/bin/python \
        tests/samples/v0_1/make_v0_1.py tests/samples/v0_1
    git worktree remove /tmp/bp01

The demo (seed 3, one beat, two officers, 200 households, 6 venues) records a month
under its frozen clock; then every command of the 0.1 contract suite is handled under a
clock ticking one second a command from 2014-01-10T00:00Z, and two retractions of demo
records (a visit and a lead) under one ticking from 2022-06-02T00:00Z. Reports for both
months are made as of fixed instants.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import beatpolice
from beatpolice.adapters.cli import main

if beatpolice.__version__ != "0.1.0" or "/work/main/src" in beatpolice.__file__:
    sys.exit(
        f"run this with beatpolice 0.1 (found {beatpolice.__version__} at {beatpolice.__file__})"
    )

from contract_helpers import every_command  # 0.1's tests/contract


def _ticks(start: datetime) -> Iterator[datetime]:
    moment = start
    while True:
        yield moment
        moment += timedelta(seconds=1)


def make(folder: Path) -> None:
    """Write station.db, report-2022-05.json and report-2014-01.json into ``folder``."""
    db = folder / "station.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    with tempfile.TemporaryDirectory() as out:
        code = main(
            [
                "demo", "--db", url, "--beats", "1", "--officers-per-beat", "2",
                "--households", "200", "--venues", "6", "--no-progress", "--json",
                "--out", out,
            ]
        )  # fmt: skip
    assert code == 0, code
    ticks = _ticks(datetime(2014, 1, 10, tzinfo=UTC))
    station = beatpolice.connect(url, clock=lambda: next(ticks))
    try:
        for command in every_command():
            station.handle(command)
    finally:
        station.close()
    # retractions of demo records (a visit and a lead of the demo month), recorded after
    # them and before the May report's as_of
    ticks = _ticks(datetime(2022, 6, 2, tzinfo=UTC))
    station = beatpolice.connect(url, clock=lambda: next(ticks))
    try:
        visit = next(e for _, e in station.events() if type(e).__name__ == "VisitRecorded")
        lead = next(e for _, e in station.events() if type(e).__name__ == "LeadReported")
        late = datetime(2022, 6, 1, 8, tzinfo=UTC)
        station.retract_record(
            record=visit.id, officer=visit.officer, reason="录入错误", occurred_at=late
        )
        station.retract_record(
            record=lead.id, officer=lead.officer, reason="重复上报", occurred_at=late
        )
    finally:
        station.close()
    for month, as_of in (
        ("2022-05", "2022-06-05T09:00:00+08:00"),
        ("2014-01", "2014-02-01T00:00:00+08:00"),
    ):
        report = folder / f"report-{month}.json"
        with report.open("w") as handle:
            saved, sys.stdout = sys.stdout, handle
            try:
                code = main(
                    ["appraise", "--db", url, "--month", month, "--as-of", as_of, "--json"]
                )
            finally:
                sys.stdout = saved
        assert code == 0, code
    size = db.stat().st_size
    print(f"{db}: {size} bytes")


if __name__ == "__main__":
    make(Path(sys.argv[1]))

"""The command line under hostile input and careless use (issue 10).

Usage errors exit 2 with one line and no traceback, echoed text cannot forge a line,
a byte-order mark is accepted, a too long line is refused by number, a failing store
still prints the summary, and two ingests of the same officers both finish.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

import beatpolice
from beatpolice.adapters.cli import EXIT_INTERNAL, main
from beatpolice.application import retries
from beatpolice.application import station as _station
from beatpolice.domain.errors import StorageError

ENLIST = {
    "type": "enlist_officer",
    "badge": "D1",
    "name": "薛翠翠",
    "station": "德州",
    "beat": "一区",
}
FORGED = "\u001b[2K\rlegacy.jsonl:1: fine\n3 lines: 3 recorded (3 events), 0 re-sent, 0 refused"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def visit(number: int, officer: str = "D1") -> dict[str, Any]:
    return {
        "type": "record_visit",
        "id": f"V{number}",
        "officer": officer,
        "household": f"德州市德城区{number}号",
        "occurred_at": "2014-01-03T09:30:00+08:00",
        "people_match_register": True,
    }


def write(path: Path, *lines: object, prefix: bytes = b"") -> Path:
    body = b"".join(
        (line if isinstance(line, bytes) else orjson.dumps(line)) + b"\n" for line in lines
    )
    path.write_bytes(prefix + body)
    return path


def cli(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m beatpolice.adapters.cli`` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "beatpolice.adapters.cli", *args],
        cwd=cwd,
        input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A SQLite store with one officer (so read commands have something to open)."""
    path = tmp_path / "station.db"
    with beatpolice.connect(str(path)) as station:
        station.handle(ENLIST)
    return str(path)


USAGE_ERRORS: list[Sequence[str]] = [
    ("appraise", "--month", "2014-13"),
    ("appraise", "--month", "14-01"),
    ("appraise", "--month", "garbage"),
    ("appraise", "--month", "2014-01", "--rules", "nope"),
    ("appraise", "--month", "2014-01", "--rules", "missing.toml"),
    ("appraise", "--month", "2014-01", "--compare", "nope"),
    ("appraise", "--month", "2014-01", "--time-zone", "Mars/Base"),
    ("--time-zone", "Nope/Nowhere", "appraise", "--month", "2014-01"),
    ("appraise", "--month", "2014-01", "--as-of", "yesterday"),
    ("appraise", "--month", "2014-01", "--as-of", "2014-02-01T00:00:00"),
    ("appraise", "--month", "2014-01", "--as-of", "9999-12-31T23:59:59-14:00"),
    ("registry", "officers", "--month", "2014-13"),
    ("registry", "households", "--as-of", "0001-01-01T00:00:00+08:00"),
    ("registry", "disputes", "--month", "2014"),
    ("registry", "venues", "--as-of", "not a time"),
    ("registry", "venues", "--category", "bogus"),
    ("registry", "nothing"),
    ("report", "--month", "2014-13", "--html", "out.html"),
    ("report", "--month", "2014-01", "--html", "folder"),
    ("report", "--month", "2014-01", "--html", "nofolder/out.html"),
    ("report", "--from", "missing.json", "--html", "out.html"),
    ("report", "--from", "in.jsonl", "--html", "out.html"),
    ("report", "--html", "out.html"),
    ("audit", "verify", "missing.json"),
    ("audit", "verify", "in.jsonl"),
    ("audit", "verify", "folder"),
    ("ingest", "missing.jsonl"),
    ("ingest", "folder"),
    ("ingest", "/proc/self/mem"),  # opens, then fails to read
    ("ingest", "in.jsonl", "--batch-size", "0"),
    ("ingest", "in.jsonl", "--batch-size", "-3"),
    ("ingest", "in.jsonl", "--batch-size", "many"),
    ("ingest", "in.jsonl", "--batch-size", "100000000"),
    ("ingest", "in.jsonl", "--max-line-bytes", "0"),
    ("ingest", "in.jsonl", "--max-line-bytes", "2G"),
    ("ingest", "in.jsonl", "--time-zone", "America"),
    ("demo", "--month", "2014-1"),
    ("demo", "--beats", "0"),
    ("demo", "--rules", "nope"),
    ("schema", "tables"),
    ("unknown-command",),
    ("ingest", "in.jsonl", "--no-such-option"),
]


@pytest.mark.parametrize("arguments", USAGE_ERRORS, ids=" ".join)
def test_every_usage_error_is_one_line_and_exit_2(
    arguments: Sequence[str], store: str, tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    write(tmp_path / "in.jsonl", ENLIST)
    done = cli(*arguments, "--db", store, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("beatpolice")
    assert "Traceback" not in done.stderr


def test_a_read_failing_mid_file_still_prints_the_summary(store: str, tmp_path: Path) -> None:
    done = cli("ingest", "/proc/self/mem", "--db", store, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == "/proc/self/mem: 0 lines: 0 recorded (0 events), 0 re-sent, 0 refused\n"
    assert done.stderr.startswith("beatpolice ingest: cannot read /proc/self/mem: ")


def test_a_forged_field_name_cannot_forge_a_line(store: str, tmp_path: Path) -> None:
    source = write(
        tmp_path / "legacy.jsonl",
        {**visit(1), FORGED: 1},
        {"type": FORGED},
        {"type": "\u009b2K\u202eevil"},
        {**visit(2), "household": FORGED},  # text with controls is refused, and echoed
        b'{"type": "enlist_officer", "badge": "D9\\u001b[31m", "name": "x"}',
    )
    done = cli("ingest", str(source), "--db", store, cwd=tmp_path)
    assert done.returncode == 1
    refusals = done.stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in refusals] == [
        f"{source}:{n}" for n in (1, 2, 3, 4, 5)
    ]
    assert all(not UNSAFE.search(line) for line in refusals + done.stdout.splitlines())
    assert "\\x1b[2K\\x0dlegacy.jsonl:1: fine\\x0a3 lines" in refusals[0]
    assert "\\x9b2K\\u202eevil" in refusals[2]
    assert done.stdout.splitlines() == [
        f"{source}: 5 lines: 0 recorded (0 events), 0 re-sent, 5 refused"
    ]


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_byte_order_mark_is_accepted(how: str, tmp_path: Path) -> None:
    db = str(tmp_path / "station.db")
    source = write(tmp_path / "bom.jsonl", ENLIST, visit(1), prefix=b"\xef\xbb\xbf")
    if how == "file":
        done = cli("ingest", str(source), "--db", db, cwd=tmp_path)
    else:
        done = cli("ingest", "-", "--db", db, cwd=tmp_path, stdin=source.read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(": 2 lines: 2 recorded (2 events), 0 re-sent, 0 refused\n")


def test_a_too_long_line_is_refused_by_number_and_the_rest_recorded(tmp_path: Path) -> None:
    db = str(tmp_path / "station.db")
    huge = orjson.dumps({**visit(2), "notes": "長" * 2_000_000})  # 6 MB
    source = write(tmp_path / "in.jsonl", ENLIST, huge, visit(3))
    done = cli("ingest", str(source), "--db", db, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        f"{source}:2: the line is longer than 1,048,576 bytes (--max-line-bytes); "
        "it was not read\n"
    )
    assert "3 lines: 2 recorded (2 events), 0 re-sent, 1 refused" in done.stdout
    bigger = cli("ingest", str(source), "--db", db, "--max-line-bytes", "8M", cwd=tmp_path)
    assert "2 re-sent, 1 refused" in bigger.stdout  # now read: refused for its notes' size


def test_a_store_failing_mid_file_prints_the_summary_and_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(retries, "RETRY_BACKOFF", 0.0)
    real = _station.Station.handle_batch
    calls: list[int] = []

    def handle_batch(self: Any, commands: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise StorageError("station.db: disk I/O error")
        return real(self, commands, **kwargs)

    monkeypatch.setattr(_station.Station, "handle_batch", handle_batch)
    source = write(tmp_path / "in.jsonl", ENLIST, visit(1), visit(2), visit(3))
    code = main(["ingest", str(source), "--db", str(tmp_path / "s.db"), "--batch-size", "2"])
    out = capsys.readouterr()
    assert code == 2
    assert out.out.startswith(f"{source}: 2 lines: 2 recorded (2 events), 0 re-sent, 0 refused")
    assert "stopped at line 3, the store failed" in out.out
    assert out.err == "beatpolice ingest: station.db: disk I/O error\n"


def test_an_internal_error_is_one_line_exit_70_unless_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RuntimeError("a defect\nwith a second line")

    from beatpolice.adapters.schema import SCHEMAS

    monkeypatch.setitem(SCHEMAS, "commands", broken)
    assert main(["schema", "commands"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("beatpolice schema: internal error: RuntimeError: a defect\\x0awith")
    assert len(err.splitlines()) == 1
    monkeypatch.setenv("BEATPOLICE_TRACEBACK", "1")
    with pytest.raises(RuntimeError):
        main(["schema", "commands"])


def test_a_closed_pipe_ends_quietly(store: str, tmp_path: Path) -> None:
    shell = subprocess.run(
        f"{sys.executable} -m beatpolice.adapters.cli schema events | head -c 10",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in shell.stderr
    assert "BrokenPipe" not in shell.stderr


# --- two ingests at once ---------------------------------------------------------------

OFFICERS = [f"D{n}" for n in range(1, 9)]


def workload(tmp_path: Path, name: str, numbers: range) -> Path:
    lines: list[object] = [{**ENLIST, "badge": badge} for badge in OFFICERS]
    lines += [visit(n, OFFICERS[n % len(OFFICERS)]) for n in numbers]
    return write(tmp_path / name, *lines)


def fates(done: subprocess.CompletedProcess[str], source: Path) -> tuple[dict[str, int], set[int]]:
    summary = re.fullmatch(
        rf"{re.escape(str(source))}: (\d+) lines: (\d+) recorded \((\d+) events\), "
        r"(\d+) re-sent, (\d+) refused\n",
        done.stdout,
    )
    assert summary is not None, (done.stdout, done.stderr[-2000:])
    lines, recorded, events, resent, refused = (int(group) for group in summary.groups())
    numbers = {
        int(line.split(":")[1])
        for line in done.stderr.splitlines()
        if line.startswith(str(source))
    }
    assert len(numbers) == refused
    assert lines == recorded + resent + refused
    return {"lines": lines, "recorded": recorded, "events": events, "resent": resent}, numbers


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_ingests_of_the_same_officers_both_finish(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        db = f"sqlite:///{tmp_path / 'station.db'}"
        beatpolice.connect(db).close()  # the schema first: the race is about the events
    else:
        db = request.getfixturevalue("postgres_server").create_database()
    first = workload(tmp_path, "first.jsonl", range(1, 3001))
    second = workload(tmp_path, "second.jsonl", range(1501, 4501))
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "beatpolice.adapters.cli",
                "ingest",
                str(source),
                "--db",
                db,
                "--batch-size",
                "250",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in (first, second)
    ]
    results = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(run.args, run.returncode, out, err))
    assert all(done.returncode in (0, 1) for done in results), [r.stderr[-500:] for r in results]
    (one, refused_one), (two, refused_two) = fates(results[0], first), fates(results[1], second)
    assert one["lines"] == two["lines"] == len(OFFICERS) + 3000
    # the stored log is what the files say: each command stored once, by one of them
    expected = {f"V{n}" for n in range(1, 4501)}
    expected -= {f"V{n - len(OFFICERS)}" for n in refused_one if n - len(OFFICERS) < 1501}
    expected -= {f"V{n - len(OFFICERS) + 1500}" for n in refused_two if n - len(OFFICERS) > 1500}
    both = {f"V{n - len(OFFICERS)}" for n in refused_one} & {
        f"V{n - len(OFFICERS) + 1500}" for n in refused_two
    }
    expected -= both
    with beatpolice.connect(db) as station:
        events = [event for _, event in station.events()]
    visits = [event.id for event in events if type(event).__name__ == "VisitRecorded"]
    assert len(visits) == len(set(visits))
    assert set(visits) == expected
    enlisted = [e for e in events if type(e).__name__ == "OfficerEnlisted"]
    assert len(enlisted) == len(OFFICERS)
    assert one["recorded"] + two["recorded"] == len(events)


def test_a_file_name_with_controls_is_escaped_in_refusals_and_summary(tmp_path: Path) -> None:
    source = write(tmp_path / "a\u001b[2Kb\u202e.jsonl", ENLIST, b"{bad")
    done = cli("ingest", source.name, "--db", str(tmp_path / "s.db"), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("a\\x1b[2Kb\\u202e.jsonl:2: ")
    assert done.stdout.startswith("a\\x1b[2Kb\\u202e.jsonl: 2 lines: 1 recorded")

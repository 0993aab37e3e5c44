"""A command line that behaves: version, completion, tables by display width, no reprs,
quiet closed pipes, ingest's per-line JSON and progress (ADRs 0801-0806)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from rich.cells import cell_len

import beatpolice
from beatpolice.adapters.cli import main
from beatpolice.adapters.cli._tables import render_table

CLI = [sys.executable, "-m", "beatpolice"]

OFFICERS = [
    ("D0001", "薛翠翠", "一区"),
    ("D0002", "Li", "二区"),
    ("D0003", "欧阳建国", "third beat"),
    ("D0004", "Ann Smith", "四"),
]


def command(**fields: object) -> bytes:
    return orjson.dumps(fields) + b"\n"


def enlist(badge: str, name: str, beat: str) -> bytes:
    return command(type="enlist_officer", badge=badge, name=name, station="德州", beat=beat)


def visit(number: int, officer: str, when: str = "2014-01-03T09:30:00+08:00") -> bytes:
    return command(
        type="record_visit",
        id=f"V{number}",
        officer=officer,
        household=f"H{number}",
        occurred_at=when,
        people_match_register=True,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite store with four officers (Chinese and Latin names), visits and a dispute."""
    source = tmp_path / "month.jsonl"
    lines = [enlist(*officer) for officer in OFFICERS]
    lines += [visit(n, OFFICERS[n % 4][0]) for n in range(12)]
    lines.append(
        command(
            type="open_dispute",
            id="J1",
            officer="D0001",
            category="neighbour",
            parties=["甲", "乙"],
            occurred_at="2014-01-05T10:00:00+08:00",
        )
    )
    source.write_bytes(b"".join(lines))
    path = str(tmp_path / "station.db")
    assert main(["ingest", "--db", path, "--quiet", str(source)]) == 0
    return path


def columns(line: str, cells: list[str]) -> list[int]:
    """The display column at which each of ``cells`` starts in ``line``, left to right."""
    found, start = [], 0
    for cell in cells:
        at = line.index(cell, start)
        found.append(cell_len(line[:at]))
        start = at + len(cell)
    return found


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"beatpolice {beatpolice.__version__}\n"


def test_tables_line_up_by_display_width_after_chinese_names() -> None:
    lines = render_table(
        ("badge", "name", "beat", "visits"),
        [(badge, name, beat, n * 37) for n, (badge, name, beat) in enumerate(OFFICERS)],
        right=(3,),
    )
    header = columns(lines[0], ["badge", "name", "beat"])
    for line, (badge, name, beat) in zip(lines[1:], OFFICERS, strict=True):
        assert columns(line, [badge, name, beat]) == header, line
    # the right-aligned column ends where its header ends, whatever came before it
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}


def test_registry_officers_columns_line_up(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "officers", "--db", db, "--month", "2014-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = columns(lines[0], ["badge", "name", "beat", "visits"])
    rows = {line.split()[0]: line for line in lines[1:-1]}
    for badge, name, beat in OFFICERS:
        assert columns(rows[badge], [badge, name, beat])[:3] == header[:3], rows[badge]


def test_appraise_table_lines_up_and_says_its_month(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["appraise", "--db", db, "--month", "2014-01", "--as-of", "2030-01-01T00:00:00Z"]
    assert main(argv) == 0
    title, header, *rows, fingerprint = capsys.readouterr().out.splitlines()
    assert "month 2014-01" in title
    assert fingerprint.startswith("fingerprint sha256:")
    starts = columns(header, ["badge", "name", "homes"])
    for line in rows:
        badge = line.split()[0]
        name = next(name for b, name, _ in OFFICERS if b == badge)
        assert columns(line, [badge, name])[:2] == starts[:2]
        assert cell_len(line.split("  -")[0].rstrip()) <= cell_len(header)


def test_no_python_reprs_in_summaries(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["registry", "disputes", "--db", db, "--as-of", "2014-01-06T00:00:00+08:00"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    summary = out.splitlines()[-1]
    assert "by level blue 1; by outcome pending 1" in summary, summary
    assert not re.search(r"[{}\[\]']|\bTrue\b|\bFalse\b|\bNone\b", out), out


def test_registry_officers_without_month_shows_the_latest_month_with_work_and_says_so(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "officers", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        "4 officers, month 2014-01 (the latest month with field work; --month YYYY-MM for another)"
    )
    assert sum(int(line.split()[-8]) for line in lines[1:-1]) == 12  # the visits column
    assert main(["registry", "officers", "--db", db, "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["month"] == "2014-01"


def test_a_store_without_field_work_says_it_shows_the_current_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "one.jsonl"
    source.write_bytes(enlist(*OFFICERS[0]))
    path = str(tmp_path / "station.db")
    assert main(["ingest", "--db", path, "--quiet", str(source)]) == 0
    assert main(["registry", "officers", "--db", path]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .endswith("(the current month: no field work recorded yet)")
    )


@pytest.fixture
def big_db(tmp_path: Path) -> str:
    """A store whose registry and export are far larger than a pipe's buffer (64 KiB)."""
    source = tmp_path / "big.jsonl"
    source.write_bytes(
        b"".join(enlist(f"B{n:05d}", f"警员{n}号", f"第{n % 40}责任区") for n in range(3000))
    )
    path = str(tmp_path / "big.db")
    assert main(["ingest", "--db", path, "--quiet", str(source)]) == 0
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["registry", "officers", "--month", "2014-01"],
        ["export"],
        ["--help"],
        ["completion", "bash"],
    ],
)
def test_a_pipe_closed_early_ends_quietly(big_db: str, argv: list[str]) -> None:
    db = [] if argv[0] in ("--help", "completion") else ["--db", big_db]
    shell = subprocess.run(
        [
            "bash",
            "-c",
            '"$@" | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}" >&2',
            "bash",
            *CLI,
            *argv,
            *db,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    *messages, status = shell.stderr.splitlines()
    assert messages == [], shell.stderr
    assert status in ("0", "141")


def test_a_reader_that_closes_its_end_mid_table_gets_no_traceback(big_db: str) -> None:
    with subprocess.Popen(
        [*CLI, "registry", "officers", "--db", big_db, "--month", "2014-01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # the reader goes away while the table is still being written
        err = process.stderr.read()
        code = process.wait(timeout=120)
    assert code == 141
    assert first.startswith(b"badge")
    assert err == b""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path) -> None:
    script = tmp_path / "beatpolice.bash"
    done = subprocess.run(
        [*CLI, "completion", "bash"], capture_output=True, text=True, timeout=60, check=True
    )
    script.write_text(done.stdout, encoding="utf-8")

    def complete(*words: str) -> list[str]:
        probe = (
            f"source {script}; COMP_WORDS=(beatpolice {' '.join(words)}); "
            "COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _beatpolice; printf '%s\\n' \"${COMPREPLY[@]}\""
        )
        return subprocess.run(
            ["bash", "-c", probe], capture_output=True, text=True, timeout=60, check=True
        ).stdout.split()

    assert complete("reg") == ["registry"]
    assert "export" in complete("ex")
    assert set(complete("registry", "''")) >= {"officers", "households", "disputes", "venues"}
    assert complete("--db", "x.db", "registry", "disputes", "--level", "''") == [
        "blue",
        "yellow",
        "red",
    ]
    assert complete("registry", "officers", "--mo") == ["--month"]
    assert complete("completion", "z") == ["zsh"]


def test_zsh_completion_is_the_bash_one_through_bashcompinit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["completion", "zsh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("autoload -U +X bashcompinit && bashcompinit\n")
    assert "complete -o filenames -F _beatpolice beatpolice" in out


def test_ingest_json_writes_one_result_per_line_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(
        enlist(*OFFICERS[0])
        + enlist(*OFFICERS[0])
        + visit(1, "D0001", when="2014-01-03T09:30:00")
        + b"not json\n"
        + b"\n"
        + visit(2, "D0001")
        + visit(3, "D9999")
    )
    code = main(
        ["ingest", "--db", str(tmp_path / "s.db"), "--json", "--batch-size", "2", str(source)]
    )
    out, err = capsys.readouterr()
    assert code == 1
    results = [orjson.loads(line) for line in out.splitlines()]
    assert [(r["line"], r["result"]) for r in results] == [
        (1, "recorded"),
        (2, "re-sent"),
        (3, "refused"),
        (4, "refused"),
        (6, "recorded"),
        (7, "refused"),
    ]
    assert results[0] == {"line": 1, "result": "recorded", "type": "enlist_officer", "events": 1}
    assert results[2]["field"] == "occurred_at"
    assert results[2]["rule"]
    assert results[2]["message"].startswith("record_visit.occurred_at")
    assert results[5]["field"] == "officer"
    assert "officer is enlisted" in results[5]["rule"]
    assert err.splitlines() == [f"{source}: 6 lines: 2 recorded (2 events), 1 re-sent, 3 refused"]


def test_ingest_progress_goes_to_stderr_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "visits.jsonl"
    source.write_bytes(enlist(*OFFICERS[0]) + b"".join(visit(n, "D0001") for n in range(30)))
    db = str(tmp_path / "s.db")
    assert main(["ingest", "--db", db, "--progress", "--batch-size", "10", str(source)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{source}: 31 lines: 31 recorded (31 events), 0 re-sent, 0 refused"
    ]
    progress = err.splitlines()
    assert progress, "no progress line"
    assert re.fullmatch(r"ingest: \d+ lines, \d+\.\d MB of \d+\.\d MB \(\d+%\)", progress[0])
    assert main(["ingest", "--db", db, "--no-progress", str(source)]) == 0
    assert capsys.readouterr().err == ""


def test_quality_table_lines_up_by_display_width(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quality", "--db", db, "--month", "2014-01"]) == 0
    title, header, *rest = capsys.readouterr().out.splitlines()
    assert "month 2014-01" in title
    starts = columns(header, ["badge", "name", "records", "median h"])
    rows = [line for line in rest if line.split()[0] in {b for b, _, _ in OFFICERS}]
    rows = rows[: len(OFFICERS)]
    assert {line.split()[0] for line in rows} == {badge for badge, _, _ in OFFICERS}
    for line in rows:
        badge = line.split()[0]
        name = next(name for b, name, _ in OFFICERS if b == badge)
        assert columns(line, [badge, name])[:2] == starts[:2], line
        # the records column is right-aligned: it ends where its header ends
        records = line[line.index(name) + len(name) :].split()[0]
        end = cell_len(line[: line.index(records, line.index(name) + len(name))]) + len(records)
        assert end == starts[2] + len("records"), line
    assert rest[-1].endswith("officers with findings")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("argv", [["schema", "commands"], ["export"], ["--help"]])
def test_a_full_disk_is_one_line_not_a_defect(big_db: str, argv: list[str]) -> None:
    db = [] if argv[0] in ("--help", "schema") else ["--db", big_db]
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [*CLI, *argv, *db], stdout=full, stderr=subprocess.PIPE, timeout=120, check=False
        )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    command = "" if argv == ["--help"] else f" {argv[0]}"
    assert err.splitlines()[-1] == f"beatpolice{command}: No space left on device", err
    for word in ("internal error", "Traceback", "Exception"):
        assert word not in err, err


def test_ingest_json_into_a_closed_pipe_is_not_a_read_error(tmp_path: Path) -> None:
    source = tmp_path / "visits.jsonl"
    source.write_bytes(enlist(*OFFICERS[0]) + b"".join(visit(n, "D0001") for n in range(6000)))
    db = str(tmp_path / "s.db")
    argv = [*CLI, "ingest", "--db", db, "--json", "--batch-size", "100", str(source)]
    shell = subprocess.run(
        ["bash", "-c", '"$@" | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}" >&2', "bash", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    *messages, status = shell.stderr.splitlines()
    assert status == "141", shell.stderr
    assert not any("cannot read" in line or "Traceback" in line for line in messages), messages
    # the store did change: the summary on stderr says how far the ingest went
    assert messages[-1].startswith(f"{source}: "), messages

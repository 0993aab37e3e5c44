"""``beatpolice ingest FILE.jsonl``: record a file of JSON commands, one per line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any, cast

from beatpolice.adapters.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    UsageError,
    add_command,
    open_station,
    say,
)
from beatpolice.adapters.cli._ingest_output import (
    CountedStream,
    IngestProgress,
    LineResults,
)
from beatpolice.adapters.cli._types import byte_size, input_file, positive_int
from beatpolice.application.ingest import (
    DEFAULT_BATCH,
    DEFAULT_MAX_LINE_BYTES,
    IngestReport,
    Refusal,
    ingest_lines,
    open_lines,
)

MAX_BATCH = 100_000
"""The largest --batch-size: a batch is held in memory whole (ADR 0210)."""
MAX_LINE_LIMIT = 1 << 30
"""The largest --max-line-bytes (1 GiB)."""


def register(subparsers: Any) -> None:
    """Add the ``ingest`` subcommand."""
    parser = add_command(
        subparsers,
        "ingest",
        help="record a JSON-lines file of commands (legacy migration, station exports)",
        description=(
            'Record every command of FILE (one JSON object per line, its "type" the '
            "command's name; '-' reads standard input; a UTF-8 byte-order mark is "
            "skipped). Refused lines are reported as FILE:LINE: message and change "
            "nothing; the others are recorded, many per transaction. A summary line is "
            "always printed. Exit 0 when every line was recorded or was an exact "
            "re-send, 1 when any line was refused, 2 on a usage error or when the store "
            "failed (the summary then says from which line nothing was recorded)."
        ),
    )
    parser.add_argument("file", type=input_file, help="the JSON-lines file, or - for stdin")
    parser.add_argument(
        "--stop-on-error",
        action="store_true",
        help="stop at the first refused line (the lines before it are recorded)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int(MAX_BATCH),
        default=DEFAULT_BATCH,
        help=f"commands per transaction, 1 to {MAX_BATCH:,} (default {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--max-line-bytes",
        type=byte_size(MAX_LINE_LIMIT),
        default=DEFAULT_MAX_LINE_BYTES,
        metavar="SIZE",
        help="refuse, unread, any line longer than this: bytes, or with K or M "
        f"(default {DEFAULT_MAX_LINE_BYTES:,} = 1M)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only refusals")
    parser.add_argument(
        "--json",
        action="store_true",
        help="write one JSON result per line on stdout: line, result (recorded, re-sent or "
        "refused), events, field, rule, message; the summary goes to stderr",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal and the "
        "ingest takes more than a second)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ingest the file and print refusals, then a summary (whatever happened)."""
    name = str(args.file)
    results = LineResults(sys.stdout) if args.json else None

    def refused(refusal: Refusal) -> None:
        if results is not None:
            results.refused(refusal)
        else:
            say(f"{name}:{refusal.line}: {refusal.message}", sys.stderr)

    station = open_station(args)
    report = IngestReport()
    progress: IngestProgress | None = None
    try:
        with _opened(args.file) as raw:
            lines = CountedStream(raw)
            progress = IngestProgress(
                sys.stderr, total=_size(args.file), always=args.progress is True
            )
            show = args.progress is not False and (args.progress or sys.stderr.isatty())

            def batch_done(report: IngestReport) -> None:
                if results is not None:
                    results.flush()
                if show and progress is not None:
                    progress.update(report.lines, lines.read_bytes)

            ingest_lines(
                station,
                cast(IO[bytes], lines),  # read and read1 are all ingest reads
                batch_size=args.batch_size,
                stop_on_error=args.stop_on_error,
                max_line_bytes=args.max_line_bytes,
                on_refused=refused,
                on_batch=batch_done,
                on_recorded=None if results is None else results.recorded,
                report=report,
            )
    except BrokenPipeError:
        raise  # the reader of --json went away (| head): not a read error (ADR 0809)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from error
    finally:
        station.close()
        if results is not None:
            results.flush()
        if progress is not None:
            progress.done()
        if not args.quiet or report.failed_at is not None:
            say(f"{name}: {report.summary()}", sys.stderr if args.json else None)
    if report.failed_at is not None:
        say(f"beatpolice ingest: {report.failure}", sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_REFUSED


def _size(path: Path) -> int | None:
    """The file's size in bytes, or None for a pipe or standard input."""
    if str(path) == "-":
        return None
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def _opened(path: Path) -> IO[bytes]:
    try:
        return open_lines(path)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error

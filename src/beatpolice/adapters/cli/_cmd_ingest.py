"""``beatpolice ingest FILE.jsonl``: record a file of JSON commands, one per line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any

from beatpolice.adapters.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    UsageError,
    add_command,
    open_station,
    say,
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ingest the file and print refusals, then a summary (whatever happened)."""
    name = str(args.file)

    def refused(refusal: Refusal) -> None:
        say(f"{name}:{refusal.line}: {refusal.message}", sys.stderr)

    station = open_station(args)
    report = IngestReport()
    try:
        with _opened(args.file) as lines:
            ingest_lines(
                station,
                lines,
                batch_size=args.batch_size,
                stop_on_error=args.stop_on_error,
                max_line_bytes=args.max_line_bytes,
                on_refused=refused,
                report=report,
            )
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from error
    finally:
        station.close()
        if not args.quiet or report.failed_at is not None:
            say(f"{name}: {report.summary()}")
    if report.failed_at is not None:
        say(f"beatpolice ingest: {report.failure}", sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_REFUSED


def _opened(path: Path) -> IO[bytes]:
    try:
        return open_lines(path)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error

"""``beatpolice ingest FILE.jsonl``: record a file of JSON commands, one per line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from beatpolice.adapters.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    UsageError,
    add_command,
    open_station,
)
from beatpolice.adapters.ingest import DEFAULT_BATCH, Refusal, ingest_lines, open_lines


def register(subparsers: Any) -> None:
    """Add the ``ingest`` subcommand."""
    parser = add_command(
        subparsers,
        "ingest",
        help="record a JSON-lines file of commands (legacy migration, station exports)",
        description=(
            'Record every command of FILE (one JSON object per line, its "type" the '
            "command's name; '-' reads standard input). Refused lines are reported as "
            "FILE:LINE: message and change nothing; the others are recorded, many per "
            "transaction. Exit 0 when every line was recorded or was an exact re-send, "
            "1 when any line was refused, 2 on a usage error."
        ),
    )
    parser.add_argument("file", type=Path, help="the JSON-lines file, or - for stdin")
    parser.add_argument(
        "--stop-on-error",
        action="store_true",
        help="stop at the first refused line (the lines before it are recorded)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        help=f"commands per transaction (default {DEFAULT_BATCH})",
    )
    parser.add_argument("--quiet", action="store_true", help="print only refusals")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Ingest the file and print refusals, then a summary."""
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if str(args.file) != "-" and not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    name = str(args.file)

    def refused(refusal: Refusal) -> None:
        print(f"{name}:{refusal.line}: {refusal.message}", file=sys.stderr)

    station = open_station(args)
    try:
        with open_lines(args.file) as lines:
            report = ingest_lines(
                station,
                lines,
                batch_size=args.batch_size,
                stop_on_error=args.stop_on_error,
                on_refused=refused,
            )
    finally:
        station.close()
    if not args.quiet:
        print(f"{name}: {report.summary()}")
    return EXIT_OK if report.ok else EXIT_REFUSED

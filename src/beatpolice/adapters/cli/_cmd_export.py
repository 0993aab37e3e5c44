"""``beatpolice export [--month M] [--officer B] > FILE.jsonl``: a store's commands.

Writes the commands that recorded the store, one JSON object per line in recording
order, so that ``beatpolice ingest FILE.jsonl`` into another store (another backend,
another machine) reproduces the station: the same registries, metrics and stars, with
the new store's recorded times (ADR 0807).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from beatpolice.adapters.cli import EXIT_OK, add_command, json_safe, open_station, say
from beatpolice.adapters.cli._types import month as month_type
from beatpolice.application.export import ExportReport, export_commands

PAGE = 1000
"""Events read per query, and lines written at a time."""


def register(subparsers: Any) -> None:
    """Add the ``export`` subcommand."""
    parser = add_command(
        subparsers,
        "export",
        help="write the store's commands as JSON lines (ingest them into another store)",
        description=(
            "Write the commands that recorded this store on standard output, one JSON "
            "object per line, in recording order: ingested into a new store they give "
            "the same registries, metrics and stars (ids, field times and contents are "
            "kept; recorded times are the new store's). A count goes to standard error."
        ),
    )
    parser.add_argument(
        "--month",
        type=month_type,
        help="only commands whose field time lies in this month (YYYY-MM, the station's "
        "time zone); enlistments are always written",
    )
    parser.add_argument("--officer", metavar="BADGE", help="only this officer's commands")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the commands, then say how many on stderr."""
    station = open_station(args, create=False)
    report = ExportReport()
    out = sys.stdout
    try:
        lines: list[str] = []
        keys = getattr(station, "keys", None)  # keyed digests when the store seals text
        for exported in export_commands(
            station,
            month=args.month,
            officer=args.officer,
            report=report,
            page=PAGE,
            digest=None if keys is None else keys.digest,
        ):
            lines.append(json_safe(orjson.dumps(exported.command).decode()))
            if len(lines) >= PAGE:
                out.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")
        out.flush()
    finally:
        station.close()
    note = (
        f"; {report.inexact} differ from what was recorded (erased personal text)"
        if report.inexact
        else ""
    )
    say(f"export: {report.commands} commands from {report.events} events{note}", sys.stderr)
    return EXIT_OK

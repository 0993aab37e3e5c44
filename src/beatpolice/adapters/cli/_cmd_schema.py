"""``beatpolice schema commands|events``: JSON Schema of the vocabulary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from beatpolice.adapters.cli import EXIT_OK, add_command, json_safe
from beatpolice.adapters.schema import command_schema, event_schema


def register(subparsers: Any) -> None:
    """Add the ``schema`` subcommand."""
    parser = add_command(
        subparsers,
        "schema",
        help="print the JSON Schema of the commands or the events",
        description=(
            "Print the JSON Schema (draft 2020-12) of every command a station system can "
            "send, or of every event the store records, for systems in other languages."
        ),
    )
    parser.add_argument("which", choices=["commands", "events"])
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the schema as indented JSON."""
    schema = command_schema() if args.which == "commands" else event_schema()
    sys.stdout.write(json_safe(orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode()) + "\n")
    return EXIT_OK

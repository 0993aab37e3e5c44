"""``beatpolice schema commands|events|report|receipt|registry|quality``: JSON Schemas."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command

_NAMES = ("commands", "events", "report", "receipt", "registry", "quality")


def register(subparsers: Any) -> None:
    """Add the ``schema`` subcommand."""
    parser = add_command(
        subparsers,
        "schema",
        help="print a JSON Schema: commands, events, report, receipt, registry or quality",
        description=(
            "Print the JSON Schema (draft 2020-12) of the commands a station system sends, "
            "the events the store records, the appraisal report, a command's receipt, the "
            "registry documents or the data-quality report, for systems in other languages. "
            "The schemas compile under Ajv's strict mode."
        ),
    )
    parser.add_argument("which", choices=_NAMES)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the schema as indented, ASCII-only JSON (any terminal shows it safely)."""
    from beatpolice.adapters.schema import SCHEMAS

    schema = SCHEMAS[args.which]()
    sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=True) + "\n")
    return EXIT_OK

"""``beatpolice fraud-scripts [--json] [--script ID]``: the fraud-script catalogue in use.

The catalogue is the station's setting ``--fraud-scripts NAME|FILE`` (or the environment
variable ``BEATPOLICE_FRAUD_SCRIPTS``; the shipped ``mps-common`` by default), the same
one ``ingest`` assesses fraud risk against. No store is opened.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import orjson

from beatpolice.adapters.cli import EXIT_OK, UsageError, add_command, json_safe, say
from beatpolice.adapters.cli._tables import write_table
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue, load_catalogue

__all__ = ["FRAUD_SCRIPTS_ENV", "catalogue_setting", "register"]

FRAUD_SCRIPTS_ENV = "BEATPOLICE_FRAUD_SCRIPTS"
"""Names the station's fraud-script catalogue: a shipped name or a TOML file."""


def catalogue_setting(args: argparse.Namespace) -> str | None:
    """The catalogue the command line was given (``--fraud-scripts``, else the env)."""
    given: str | None = getattr(args, "fraud_scripts", None)
    return given or os.environ.get(FRAUD_SCRIPTS_ENV) or None


def register(subparsers: Any) -> None:
    """Add the ``fraud-scripts`` subcommand."""
    parser = add_command(
        subparsers,
        "fraud-scripts",
        help="list the fraud-script catalogue (防诈话术库) in use",
        description=(
            "List the fraud scripts an officer assesses a household's fraud risk against "
            "(assess_fraud_risk): each script's id, title and features, and the risk "
            "levels by the share of features matched. The catalogue is the shipped "
            f"mps-common unless --fraud-scripts NAME|FILE or {FRAUD_SCRIPTS_ENV} names another."
        ),
    )
    parser.add_argument("--script", metavar="ID", help="show this script's features")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def _dump(catalogue: FraudCatalogue) -> dict[str, Any]:
    data = catalogue.model_dump(mode="python")
    for level in data["levels"]:
        level["at_least"] = str(level["at_least"])  # an exact fraction, "2/3"
    return data


def run(args: argparse.Namespace) -> int:
    """Print the catalogue (or one script) as a table or JSON."""
    catalogue = load_catalogue(catalogue_setting(args))
    if args.script is not None:
        try:
            script = catalogue.script(args.script)
        except LookupError as error:
            raise UsageError(f"--script: {error}") from None
        if args.json:
            _write(script.model_dump(mode="json"))
            return EXIT_OK
        write_table(("code", "feature"), [(f.code, f.text) for f in script.features])
        say(f"{script.id} {script.title}: {len(script.features)} features")
        return EXIT_OK
    if args.json:
        _write(_dump(catalogue))
        return EXIT_OK
    write_table(
        ("script", "title", "features"),
        [(s.id, s.title, len(s.features)) for s in catalogue.scripts],
        right=(2,),
    )
    levels = ", ".join(f"{level.level} from {level.at_least}" for level in catalogue.levels)
    say(
        f"{catalogue.name}@{catalogue.version}: {len(catalogue.scripts)} scripts; levels: {levels}"
    )
    return EXIT_OK


def _write(value: Any) -> None:
    sys.stdout.write(json_safe(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()) + "\n")

"""``beatpolice erase --subject SUBJECT --reason TEXT``: erase a data subject's personal data.

Records ``PersonalDataErased`` (subject, reason, when) and destroys the subject's key
for good; every reader then shows ``[erased]`` in its place, and appraisals and the
log's checks do not move. Exit 0 when erased (or already erased by this same request),
1 when refused, 2 on a usage error.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command, instant, open_station, say
from beatpolice.domain.privacy import parse_subject

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``erase`` subcommand."""
    parser = add_command(
        subparsers,
        "erase",
        help="erase a household's, dispute's or record's personal data (destroy its key)",
        description=(
            "erase records PersonalDataErased for a data subject and destroys its data "
            "key: the events stay (appraisals, fingerprints and audit checks do not "
            "move), and every reader shows [erased] in place of the subject's personal "
            "text. household:H erases every record made at household H as well."
        ),
    )
    parser.add_argument(
        "--subject",
        required=True,
        type=_subject,
        metavar="SUBJECT",
        help="household:ID, dispute:ID or record:OFFICER/ID",
    )
    parser.add_argument(
        "--reason", required=True, help="why (the request or the rule that ends the purpose)"
    )
    parser.add_argument(
        "--occurred-at",
        type=instant,
        default=None,
        metavar="TIME",
        help="when the erasure was decided (ISO 8601 with an offset; default now)",
    )
    parser.set_defaults(func=run)


def _subject(text: str) -> str:
    try:
        parse_subject(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def run(args: argparse.Namespace) -> int:
    """Erase, and say what was done."""
    with open_station(args) as station:
        when = args.occurred_at or datetime.now(UTC)
        receipt = station.erase_personal_data(
            subject=args.subject, reason=args.reason, occurred_at=when
        )
    if receipt.duplicate:
        say(f"{args.subject}: already erased by this request (nothing recorded)")
    else:
        say(f"{args.subject}: erased (its key is destroyed; readers show [erased])")
    return EXIT_OK

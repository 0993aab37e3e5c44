"""``beatpolice audit verify REPORT.json``: recompute a report and name what differs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from beatpolice.adapters.cli import (
    EXIT_OK,
    EXIT_REFUSED,
    UsageError,
    add_command,
    open_station,
    say,
)
from beatpolice.adapters.cli._text import first_error
from beatpolice.adapters.cli._types import input_file, rule_set
from beatpolice.domain.errors import AuditMismatchError
from beatpolice.projections.appraisal._engine import verify
from beatpolice.projections.appraisal._report import AppraisalReport


def register(subparsers: Any) -> None:
    """Add the ``audit`` subcommand and its ``verify`` action."""
    parser = add_command(
        subparsers,
        "audit",
        help="verify a saved appraisal report against the events",
        description=(
            "audit verify REPORT.json recomputes the report from the events recorded "
            "by its as_of, under its rule set (name, version and digest), and exits 0 "
            "when everything matches, 1 naming each difference otherwise."
        ),
    )
    parser.add_argument("action", choices=["verify"], help="what to do")
    parser.add_argument("report", type=input_file, help="a report written by appraise --json")
    parser.add_argument(
        "--rules",
        type=rule_set,
        help="the rule set's TOML file, when the report used a station's own",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify the report; print OK or each difference."""
    try:
        report = AppraisalReport.model_validate_json(args.report.read_bytes())
    except OSError as error:
        raise UsageError(f"cannot read {args.report}: {error.strerror or error}") from error
    except ValidationError as error:
        raise UsageError(
            f"{args.report} is not an appraisal report: {first_error(error)}"
        ) from error
    station = open_station(args, create=False)
    try:
        verify(station, report, rules=args.rules)
    except AuditMismatchError as mismatch:
        for difference in mismatch.differences:
            say(f"{args.report}: {difference}", sys.stderr)
        return EXIT_REFUSED
    finally:
        station.close()
    say(f"{args.report}: OK {report.fingerprint}")
    return EXIT_OK

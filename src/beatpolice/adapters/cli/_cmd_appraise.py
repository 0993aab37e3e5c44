"""``beatpolice appraise --month 2014-01``: a month's appraisal as a table or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command, instant, json_safe, open_station
from beatpolice.adapters.cli._tables import render_table
from beatpolice.adapters.cli._types import month_or_year, rule_set
from beatpolice.projections.appraisal._engine import appraise, compare
from beatpolice.projections.appraisal._report import AppraisalReport, Comparison


def register(subparsers: Any) -> None:
    """Add the ``appraise`` subcommand."""
    parser = add_command(
        subparsers,
        "appraise",
        help="appraise a month under a rule set (five stars or a scorecard)",
        description=(
            "Appraise a month (cut by field time in the station's time zone) under a "
            "rule set, counting only events recorded by --as-of. Prints a table, or the "
            "JSON report (--json) that 'beatpolice audit verify' checks. With --compare, "
            "sets a second rule set beside the first: who gains and who loses a star."
        ),
    )
    parser.add_argument(
        "--month", required=True, type=month_or_year, help="YYYY-MM (a scorecard also takes YYYY)"
    )
    parser.add_argument(
        "--rules",
        type=rule_set,
        default="dezhou-2014",
        help="shipped rule set or TOML file (dezhou-2014)",
    )
    parser.add_argument(
        "--as-of", type=instant, help="ISO 8601 instant with an offset (default: now)"
    )
    parser.add_argument(
        "--compare", type=rule_set, metavar="RULES", help="a second rule set: what-if table"
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Appraise (or compare) and print."""
    as_of = args.as_of
    station = open_station(args, create=False)
    try:
        if args.compare:
            comparison = compare(
                station, month=args.month, rules=args.rules, against=args.compare, as_of=as_of
            )
            if args.json:
                print(json_safe(comparison.model_dump_json(indent=2)))
            else:
                _print_lines(_what_if(comparison))
        else:
            report = appraise(station, month=args.month, rules=args.rules, as_of=as_of)
            if args.json:
                print(json_safe(report.to_json()))
            else:
                _print_lines(table(report))
    finally:
        station.close()
    return EXIT_OK


def _print_lines(text: str) -> None:
    # names and badges come from the store: each cell was escaped (ADR 0212)
    sys.stdout.write(text + "\n")


def _stars(stars: list[str]) -> str:
    return ",".join(stars) or "-"


def table(report: AppraisalReport) -> str:
    """The report as a table, one officer a line, then the fingerprint.

    Columns are laid out by display width, so they line up after Chinese names
    (ADR 0803).
    """
    title = (
        f"{report.rules.name} {report.rules.version}  month {report.month} "
        f"({report.time_zone})  as of {report.as_of.isoformat()}"
        + ("  PROVISIONAL" if report.provisional else "")
    )
    scorecard = any(o.rank is not None for o in report.officers)
    if scorecard:
        lines = render_table(
            ("rank", "badge", "name", "points", "result"),
            [
                (o.rank, o.badge, o.name, o.metrics["points"], ", ".join(o.awarded + o.flags))
                for o in sorted(report.officers, key=lambda o: (o.rank or 0, o.badge))
            ],
            right=(0, 3),
            title=title,
        )
    else:
        lines = render_table(
            ("badge", "name", "homes", "disp", "leads", "svc", "eligible", "awarded"),
            [
                (
                    o.badge,
                    o.name,
                    o.metrics["households_visited"],
                    o.metrics["disputes_mediated"],
                    o.metrics["leads"],
                    o.metrics["services_acknowledged"],
                    _stars(o.eligible),
                    _stars(o.awarded),
                )
                for o in report.officers
            ],
            right=(2, 3, 4, 5),
            title=title,
        )
    return "\n".join([*lines, f"fingerprint {report.fingerprint}"])


def _what_if(comparison: Comparison) -> str:
    before, after = comparison.before.rules, comparison.after.rules
    title = (
        f"month {comparison.month}: {before.name} {before.version} -> {after.name} {after.version}"
    )
    lines = render_table(
        ("badge", "name", "before", "after", "change"),
        [
            (
                row.badge,
                row.name,
                _stars(row.before),
                _stars(row.after),
                " ".join([f"+{s}" for s in row.gained] + [f"-{s}" for s in row.lost]),
            )
            for row in comparison.rows
        ],
        title=title,
    )
    return "\n".join([*lines, f"{len(comparison.changed)} officers change"])

"""``beatpolice quality --month 2014-01``: a month's data-quality signals, per officer."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command, instant, json_safe, open_station
from beatpolice.adapters.cli._tables import render_table
from beatpolice.adapters.cli._text import printable
from beatpolice.adapters.cli._types import month
from beatpolice.domain.errors import QualityError
from beatpolice.domain.rules.quality_rules import QualityRules
from beatpolice.projections.quality import QualityReport, load_quality_rules, quality


def quality_rules(text: str) -> QualityRules:
    """A shipped quality rule set (``quality-default``, ``NAME@VERSION``) or a TOML file."""
    try:
        return load_quality_rules(text)
    except QualityError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("rules: ")) from error


def register(subparsers: Any) -> None:
    """Add the ``quality`` subcommand."""
    parser = add_command(
        subparsers,
        "quality",
        help="a month's data-quality signals per officer (entry lag, findings)",
        description=(
            "Read every record of a month (cut by field time in the station's time zone) "
            "and show, per officer, the entry lag (median and 90th percentile, hours), the "
            "share entered the same day, and findings: burst, late_entry, after_close "
            "(with --closed-at), night_work, same_minute_follow_up, shared_household (when "
            "the rule set turns it on). "
            "A finding is a question for a supervisor, not a verdict."
        ),
    )
    parser.add_argument("--month", required=True, type=month, help="YYYY-MM")
    parser.add_argument(
        "--closed-at",
        type=instant,
        help="when the month's appraisal was decided (ISO 8601 with an offset)",
    )
    parser.add_argument(
        "--rules",
        type=quality_rules,
        default="quality-default",
        help="shipped quality rule set (quality-default) or TOML file",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute the month's quality and print it."""
    station = open_station(args, create=False)
    try:
        report = quality(station, month=args.month, closed_at=args.closed_at, rules=args.rules)
    finally:
        station.close()
    if args.json:
        print(json_safe(report.model_dump_json(indent=2)))
    else:
        sys.stdout.write(table(report) + "\n")
    return EXIT_OK


def table(report: QualityReport) -> str:
    """The report as text: a table of one officer a line, then each officer's findings.

    The table is laid out by display width, so its columns line up after Chinese names
    (ADR 0803); every text from the store is escaped (ADR 0212).
    """
    closed = f"  closed at {report.closed_at.isoformat()}" if report.closed_at else ""
    lines = render_table(
        ("badge", "name", "records", "median h", "p90 h", "same day", "findings"),
        [
            (
                officer.badge,
                officer.name,
                officer.records,
                officer.entry_lag_median_hours,
                officer.entry_lag_p90_hours,
                None if officer.same_day_share is None else f"{officer.same_day_share * 100:.0f}%",
                ", ".join(f.kind for f in officer.findings) or None,
            )
            for officer in report.officers
        ],
        right=(2, 3, 4, 5),
        title=(
            f"{report.rules.name} {report.rules.version}  month {report.month} "
            f"({report.time_zone}){closed}"
        ),
    )
    for officer in report.officers:
        for finding in officer.findings:
            lines.append(printable(f"{officer.badge} {finding.kind}: {finding.why}"))
            lines.extend(f"    {printable(ref)}" for ref in finding.records)
    flagged = sum(1 for o in report.officers if o.findings)
    lines.append(f"{flagged} of {len(report.officers)} officers with findings")
    return "\n".join(lines)

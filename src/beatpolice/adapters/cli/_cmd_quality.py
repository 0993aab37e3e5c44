"""``beatpolice quality --month 2014-01``: a month's data-quality signals, per officer."""

from __future__ import annotations

import argparse
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command, instant, json_safe, open_station, say
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
        for line in table(report).split("\n"):
            say(line)  # names come from the store: each line escaped (ADR 0212)
    return EXIT_OK


def _figure(value: object) -> str:
    return "-" if value is None else str(value)


def table(report: QualityReport) -> str:
    """The report as text: one officer a line, then each finding under its officer."""
    closed = f"  closed at {report.closed_at.isoformat()}" if report.closed_at else ""
    lines = [
        f"{report.rules.name} {report.rules.version}  month {report.month} "
        f"({report.time_zone}){closed}",
        f"{'badge':<10} {'name':<8} {'records':>7} {'median h':>9} {'p90 h':>9} "
        f"{'same day':>8}  findings",
    ]
    for officer in report.officers:
        kinds = ", ".join(f.kind for f in officer.findings) or "-"
        share = "-" if officer.same_day_share is None else f"{officer.same_day_share * 100:.0f}%"
        lines.append(
            f"{officer.badge:<10} {officer.name:<8} {officer.records:>7} "
            f"{_figure(officer.entry_lag_median_hours):>9} "
            f"{_figure(officer.entry_lag_p90_hours):>9} {share:>8}  {kinds}"
        )
        for finding in officer.findings:
            lines.append(f"    {finding.kind}: {finding.why}")
            lines.extend(f"      {ref}" for ref in finding.records)
    flagged = sum(1 for o in report.officers if o.findings)
    lines.append(f"{flagged} of {len(report.officers)} officers with findings")
    return "\n".join(lines)

"""``beatpolice appraise --month 2014-01``: a month's appraisal as a table or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, add_command, instant, json_safe, open_station, say
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
    # names and badges come from the store: each line is escaped (ADR 0212)
    for line in text.split("\n"):
        say(line)


def table(report: AppraisalReport) -> str:
    """The report as a readable table, one officer a line, then the fingerprint."""
    lines = [
        f"{report.rules.name} {report.rules.version}  month {report.month} "
        f"({report.time_zone})  as of {report.as_of.isoformat()}"
        + ("  PROVISIONAL" if report.provisional else ""),
    ]
    scorecard = any(o.rank is not None for o in report.officers)
    if scorecard:
        lines.append(f"{'rank':>4}  {'badge':<10} {'name':<8} {'points':>8}  result")
        for o in sorted(report.officers, key=lambda o: (o.rank or 0, o.badge)):
            result = ", ".join(o.awarded + o.flags)
            lines.append(
                f"{o.rank:>4}  {o.badge:<10} {o.name:<8} {o.metrics['points']!s:>8}  {result}"
            )
    else:
        lines.append(
            f"{'badge':<10} {'name':<8} {'homes':>5} {'disp':>4} {'leads':>5} {'svc':>4}  "
            "eligible -> awarded"
        )
        for o in report.officers:
            m = o.metrics
            lines.append(
                f"{o.badge:<10} {o.name:<8} {m['households_visited']!s:>5} "
                f"{m['disputes_mediated']!s:>4} {m['leads']!s:>5} "
                f"{m['services_acknowledged']!s:>4}  "
                f"{','.join(o.eligible) or '-'} -> {','.join(o.awarded) or '-'}"
            )
    lines.append(f"fingerprint {report.fingerprint}")
    return "\n".join(lines)


def _what_if(comparison: Comparison) -> str:
    before, after = comparison.before.rules, comparison.after.rules
    lines = [
        f"month {comparison.month}: {before.name} {before.version} -> "
        f"{after.name} {after.version}",
        f"{'badge':<10} {'name':<8} {'before':<28} {'after':<28} change",
    ]
    for row in comparison.rows:
        change = " ".join([f"+{s}" for s in row.gained] + [f"-{s}" for s in row.lost])
        lines.append(
            f"{row.badge:<10} {row.name:<8} {','.join(row.before) or '-':<28} "
            f"{','.join(row.after) or '-':<28} {change}"
        )
    lines.append(f"{len(comparison.changed)} officers change")
    return "\n".join(lines)

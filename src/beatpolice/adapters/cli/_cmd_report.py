"""``beatpolice report --month 2014-01 --html FILE``: a month's appraisal as an HTML page."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import attrs
from pydantic import ValidationError

from beatpolice._extras import require
from beatpolice.adapters.cli import (
    EXIT_OK,
    UsageError,
    add_command,
    instant,
    open_station,
    say,
)
from beatpolice.adapters.cli._text import first_error
from beatpolice.adapters.cli._types import (
    input_file,
    month_or_year,
    output_file,
    positive_int,
    rule_set,
)
from beatpolice.adapters.html._context import EvidenceNote, RegistrySummary, evidence_notes
from beatpolice.adapters.html._trend import trend_months
from beatpolice.application.station import Station
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections.appraisal._engine import appraise
from beatpolice.projections.appraisal._evidence import report_evidence
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._rules import shipped_rules_of
from beatpolice.projections.quality import QualityReport, quality
from beatpolice.projections.registries import open_registries

MAX_TREND_MONTHS = 36
"""The longest trend: each month of it is appraised again when the page is written."""


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand."""
    parser = add_command(
        subparsers,
        "report",
        help="write a month's appraisal as a self-contained HTML page",
        description=(
            "Appraise a month (as 'beatpolice appraise' does) and write it as one HTML "
            "page that needs no network and prints on A4: the station, the table of "
            "officers and stars with per-beat subtotals, the registries' figures, each "
            "star's evidence (dated, with its household or dispute) and each shortfall, "
            "a chart of every officer's checks (each metric against its threshold, as "
            "the appraisal decided it) and their last months as a trend, the "
            "fingerprint and the commands that verify it. "
            "With --from, render a saved JSON report instead of appraising again (with "
            "--db or BEATPOLICE_DB, the station, registries, trend and evidence come from "
            "that store)."
        ),
    )
    parser.add_argument(
        "--month", type=month_or_year, help="YYYY-MM (required unless --from is given)"
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
        "--from",
        dest="source",
        type=input_file,
        metavar="REPORT.json",
        help="render this saved report (from appraise --json) instead",
    )
    parser.add_argument(
        "--html", type=output_file, required=True, metavar="FILE", help="output file"
    )
    parser.add_argument(
        "--trend-months",
        type=positive_int(MAX_TREND_MONTHS),
        default=6,
        metavar="N",
        help=f"months in each officer's trend, this one included, 1 to {MAX_TREND_MONTHS} "
        "(6; 1 draws none)",
    )
    parser.add_argument(
        "--print-evidence",
        action="store_true",
        help="print every evidence reference (default: their counts and dates)",
    )
    parser.set_defaults(func=run)


def _saved(path: Path) -> AppraisalReport:
    try:
        return AppraisalReport.model_validate_json(path.read_bytes())
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from error
    except ValidationError as error:
        raise UsageError(f"{path} is not an appraisal report: {first_error(error)}") from error


@attrs.frozen
class _Context:
    """What the page shows beside the report, read from the station."""

    summary: RegistrySummary | None = None
    history: list[AppraisalReport] = attrs.field(factory=list)
    evidence: dict[str, EvidenceNote] = attrs.field(factory=dict)
    quality: QualityReport | None = None


def _context(args: argparse.Namespace, station: Station, report: AppraisalReport) -> _Context:
    """The registries, earlier months, evidence and data quality, for the page.

    The month's quality is read with ``closed_at`` at the report's ``as_of``: records
    entered after the appraisal was decided are shown as such.
    """
    signals = quality(station, month=report.month, closed_at=report.as_of)
    registries = open_registries(station)
    registries.catch_up()
    summary = RegistrySummary.read(registries, month=report.month, as_of=report.as_of)
    found = report_evidence(station, report)
    evidence = evidence_notes(found, time_zone=report.time_zone)
    rules: RuleSet | None = args.rules if args.source is None else shipped_rules_of(report)
    if rules is None:
        return _Context(summary, [], evidence, signals)
    months = trend_months(report.month, count=args.trend_months - 1)
    history = [appraise(station, month=month, rules=rules, as_of=report.as_of) for month in months]
    return _Context(summary, history, evidence, signals)


def run(args: argparse.Namespace) -> int:
    """Appraise (or load) the month and write the page."""
    # jinja2 is the 'report' extra: imported only when a page is written (ADR 0800)
    require("jinja2", "HTML reports")
    from beatpolice.adapters.html._html import VerifyHint, write_html

    store = args.db or os.environ.get("BEATPOLICE_DB")  # as open_station reads it
    if args.source is not None:
        report = _saved(args.source)
        hint = VerifyHint(db=store or "STORE", json_path=str(args.source))
        context = _Context()
        if store:
            station = open_station(args, create=False)
            try:
                context = _context(args, station, report)
            finally:
                station.close()
    else:
        if args.month is None:
            raise UsageError("--month is required (or --from REPORT.json)")
        as_of = args.as_of
        station = open_station(args, create=False)
        try:
            report = appraise(station, month=args.month, rules=args.rules, as_of=as_of)
            context = _context(args, station, report)
        finally:
            station.close()
        hint = VerifyHint(db=args.db or station.url)
    try:
        path = write_html(
            args.html,
            report,
            verify=hint,
            summary=context.summary,
            history=context.history,
            evidence=context.evidence,
            quality=context.quality,
            print_evidence=args.print_evidence,
        )
    except OSError as error:
        raise UsageError(f"cannot write {args.html}: {error.strerror or error}") from error
    say(f"{path}: {len(report.officers)} officers, fingerprint {report.fingerprint}")
    return EXIT_OK

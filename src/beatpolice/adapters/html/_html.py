"""Render an appraisal report as one self-contained HTML page (jinja2, inline SVG)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

import attrs
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from beatpolice.adapters.html._chart import gauge_chart
from beatpolice.adapters.html._gauges import gauges
from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.rules.ruleset import FiveStarRules, ScorecardRules
from beatpolice.projections.appraisal._engine import load_rules
from beatpolice.projections.appraisal._report import AppraisalReport

__all__ = ["STAR_TITLES", "Headline", "VerifyHint", "render_html", "write_html"]

STAR_TITLES = {
    "visit": "入户走访之星 Visit",
    "mediation": "纠纷调解之星 Mediation",
    "investigation": "侦查破案之星 Investigation",
    "information": "信息采集之星 Information",
    "service": "服务群众之星 Service",
    "points": "积分 Points",
}
"""The stars of the Dezhou article, in Chinese and English, in the report's column order."""


@attrs.frozen
class Headline:
    """One headline figure of a registry (shown beside the appraisal)."""

    registry: str
    label: str
    value: str


@attrs.frozen
class VerifyHint:
    """Where the report's events live, so the page can say how to verify it."""

    db: str
    """The store's URL or SQLite path, as given to ``--db``."""
    json_path: str | None = None
    """Where the JSON report was saved, if it was."""


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("beatpolice.adapters.html", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _rules_of(report: AppraisalReport) -> FiveStarRules | ScorecardRules | None:
    try:
        rules = load_rules(report.rules.name)
    except AppraisalError:
        return None  # a station's own rule file: no thresholds to chart
    return rules if rules.version == report.rules.version else None


def _commands(report: AppraisalReport, hint: VerifyHint | None) -> list[str]:
    db = shlex.quote(hint.db) if hint is not None else "STORE"
    saved = (
        hint.json_path if hint is not None and hint.json_path else f"appraisal-{report.month}.json"
    )
    saved = shlex.quote(saved)
    lines = []
    if hint is None or not hint.json_path:
        lines.append(
            f"beatpolice appraise --db {db} --month {report.month} "
            f"--rules {shlex.quote(report.rules.name)} "
            f"--as-of {report.as_of.isoformat()} --json > {saved}"
        )
    lines.append(f"beatpolice audit verify --db {db} {saved}")
    return lines


def render_html(
    report: AppraisalReport,
    *,
    rules: FiveStarRules | ScorecardRules | None = None,
    headlines: Sequence[Headline] = (),
    verify: VerifyHint | None = None,
    title: str | None = None,
) -> str:
    """The report as a self-contained HTML page.

    Args:
        report: the appraisal to show.
        rules: the rule set it was made with, for its title (looked up by name among
            the shipped rule sets when None). The charts draw the report's own checks.
        headlines: registry figures to show beside it.
        verify: the store and saved JSON, for the "how to verify" commands.
        title: the page's heading (default: the month and rule set).

    Returns:
        The HTML text; the same report gives the same bytes.
    """
    rules = rules if rules is not None else _rules_of(report)
    stars = [
        star
        for star in STAR_TITLES
        if any(
            star in o.awarded or star in o.eligible or star in o.shortfalls or star in o.evidence
            for o in report.officers
        )
    ]
    officers = []
    for officer in report.officers:
        officer_gauges = gauges(officer)
        chart = (
            Markup(
                gauge_chart(officer_gauges, title=f"{officer.name} {officer.badge}")
            )  # the chart escapes every text it holds
            if officer_gauges
            else None
        )
        officers.append({"entry": officer, "chart": chart})
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        rules=rules,
        stars=stars,
        star_titles=STAR_TITLES,
        officers=officers,
        headlines=headlines,
        commands=_commands(report, verify),
        title=title or f"{report.month} appraisal · {report.rules.name} {report.rules.version}",
        awarded_total=sum(len(o.awarded) for o in report.officers),
    )


def write_html(
    path: Path,
    report: AppraisalReport,
    *,
    rules: FiveStarRules | ScorecardRules | None = None,
    headlines: Sequence[Headline] = (),
    verify: VerifyHint | None = None,
    title: str | None = None,
) -> Path:
    """Render ``report`` (see :func:`render_html`) into ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(report, rules=rules, headlines=headlines, verify=verify, title=title)
    path.write_text(html, encoding="utf-8")
    return path

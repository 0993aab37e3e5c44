"""Render an appraisal report as one self-contained HTML page (jinja2, inline SVG)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import attrs
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from beatpolice.adapters.html._beats import beat_totals
from beatpolice.adapters.html._chart import gauge_chart
from beatpolice.adapters.html._context import (
    EvidenceNote,
    Headline,
    RegistrySummary,
    parse_reference,
)
from beatpolice.adapters.html._gauges import gauges
from beatpolice.adapters.html._labels import metric_label
from beatpolice.adapters.html._trend import officer_trend, trend_chart, trend_metric
from beatpolice.domain.rules.ruleset import FiveStarRules, ScorecardRules
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._rules import shipped_rules_of
from beatpolice.projections.quality._report import OfficerQuality, QualityReport

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


def _rules_argument(report: AppraisalReport) -> str:
    """``NAME@VERSION`` for a shipped rule set, so the command replays the same version."""
    return (
        f"{report.rules.name}@{report.rules.version}"
        if shipped_rules_of(report)
        else report.rules.name
    )


FINDING_LABELS: dict[str, str] = {
    "burst": "走访过密 burst",
    "late_entry": "录入滞后 late entry",
    "after_close": "评定后补录 entered after the close",
    "night_work": "夜间走访 night work",
    "same_minute_follow_up": "回访与走访同分钟 same-minute follow-up",
    "shared_household": "一户多警同日 one household, two officers, one day",
}
"""The words shown for each kind of data-quality finding, Chinese beside English."""


def _quality_by_badge(quality: QualityReport | None) -> dict[str, OfficerQuality] | None:
    return None if quality is None else {officer.badge: officer for officer in quality.officers}


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
            f"--rules {shlex.quote(_rules_argument(report))} "
            f"--as-of {report.as_of.isoformat()} --json > {saved}"
        )
    lines.append(f"beatpolice audit verify --db {db} {saved}")
    return lines


def _evidence(refs: Sequence[str], notes: Mapping[str, EvidenceNote] | None) -> dict[str, object]:
    rows = []
    days: list[date] = []
    for text in refs:
        note = notes.get(text) if notes is not None else None
        when = note.occurred_at if note is not None else None
        day = when.date() if isinstance(when, datetime) else when
        if day is not None:
            days.append(day)
        ref = parse_reference(text)
        # "dispute MD-7" beside the dispute's own reference says nothing new
        parts = note.subject.split(", ") if note is not None else []
        subject = ", ".join(part for part in parts if part.partition(" ")[2] != ref.key)
        kind = note.kind if note is not None and note.kind else ref.kind
        rows.append({"ref": ref, "day": day, "subject": subject, "kind": kind})
    span = f"{min(days).isoformat()} – {max(days).isoformat()}" if days else ""
    return {"rows": rows, "span": span}


def _officers(
    report: AppraisalReport,
    history: Sequence[AppraisalReport],
    metric: str | None,
    label: str,
    notes: Mapping[str, EvidenceNote] | None,
) -> dict[str, dict[str, object]]:
    by_month = {r.month: r for r in history if r.month < report.month}
    by_month[report.month] = report
    months = [by_month[month] for month in sorted(by_month)][-6:]
    found: dict[str, dict[str, object]] = {}
    for officer in report.officers:
        officer_gauges = gauges(officer)
        title = f"{officer.name} {officer.badge}"
        chart = (
            Markup(gauge_chart(officer_gauges, title=title))  # the chart escapes its texts
            if officer_gauges
            else None
        )
        trend = (
            Markup(
                trend_chart(officer_trend(officer.badge, months, metric), title=title, label=label)
            )
            if metric is not None and len(months) > 1
            else None
        )
        evidence = {star: _evidence(refs, notes) for star, refs in officer.evidence.items()}
        found[officer.badge] = {
            "entry": officer,
            "chart": chart,
            "trend": trend,
            "evidence": evidence,
        }
    return found


def render_html(
    report: AppraisalReport,
    *,
    rules: FiveStarRules | ScorecardRules | None = None,
    headlines: Sequence[Headline] = (),
    verify: VerifyHint | None = None,
    title: str | None = None,
    summary: RegistrySummary | None = None,
    history: Sequence[AppraisalReport] = (),
    evidence: Mapping[str, EvidenceNote] | None = None,
    labels: Mapping[str, str] | None = None,
    trend: str | None = None,
    print_evidence: bool = False,
    quality: QualityReport | None = None,
) -> str:
    """The report as a self-contained HTML page, for the screen and for A4 paper.

    Args:
        report: the appraisal to show.
        rules: the rule set it was made with, for its title (looked up by name among
            the shipped rule sets when None). The charts draw the report's own checks.
        headlines: registry figures to show after the summary's.
        verify: the store and saved JSON, for the "how to verify" commands.
        title: the page's heading (default: the station, month and rule set).
        summary: the station's name, each officer's beat and the registries' figures,
            read by the caller from its caught-up registries
            (:meth:`RegistrySummary.read`); without it the page says they were not given.
        history: the earlier months' reports (see :func:`trend_months`): each officer's
            last six months are drawn as a small trend.
        evidence: what the caller resolved evidence references to (field date,
            household or dispute), by reference.
        labels: metric labels that replace the built-in ones (:data:`METRIC_LABELS`).
        trend: the metric the trend draws (default: households visited, else points).
        print_evidence: print every evidence reference (default: their counts and
            dates only; the screen lists them all either way).
        quality: the month's data-quality report (:func:`beatpolice.quality`), shown
            as a section per officer beside the appraisal; without it, none.

    Returns:
        The HTML text; the same arguments give the same bytes.
    """
    rules = rules if rules is not None else shipped_rules_of(report)
    summary = summary if summary is not None else RegistrySummary()
    stars = [
        star
        for star in STAR_TITLES
        if any(
            star in o.awarded or star in o.eligible or star in o.shortfalls or star in o.evidence
            for o in report.officers
        )
    ]
    metric = trend if trend is not None else trend_metric([report])
    metric_text = metric_label(metric, rules=rules, labels=labels) if metric else ""
    officers = _officers(report, history, metric, metric_text, evidence)
    subtotals, total = beat_totals(report.officers, summary.beats)
    groups = [(beat, [officers[b] for b in beat.badges]) for beat in subtotals] or [
        (total, list(officers.values()))
    ]
    metric_keys = list(total.metrics)
    station = summary.station
    default_title = f"{report.month} 五星评选 five-star appraisal · {report.rules.name}"
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        rules=rules,
        stars=stars,
        star_titles=STAR_TITLES,
        officers=list(officers.values()),
        groups=groups,
        subtotals=subtotals,
        total=total,
        beats=summary.beats,
        metric_keys=metric_keys,
        label=lambda key: metric_label(key, rules=rules, labels=labels),
        headlines=[*summary.headlines, *headlines],
        station=station,
        trend_label=metric_text,
        trend_span=min(len({r.month for r in history if r.month < report.month}) + 1, 6),
        print_evidence=print_evidence,
        quality=_quality_by_badge(quality),
        quality_rules=f"{quality.rules.name}@{quality.rules.version}" if quality else "",
        finding_labels=FINDING_LABELS,
        commands=_commands(report, verify),
        title=title or (f"{station} · {default_title}" if station else default_title),
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
    summary: RegistrySummary | None = None,
    history: Sequence[AppraisalReport] = (),
    evidence: Mapping[str, EvidenceNote] | None = None,
    labels: Mapping[str, str] | None = None,
    trend: str | None = None,
    print_evidence: bool = False,
    quality: QualityReport | None = None,
) -> Path:
    """Render ``report`` (see :func:`render_html`) into ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(
        report,
        rules=rules,
        headlines=headlines,
        verify=verify,
        title=title,
        summary=summary,
        history=history,
        evidence=evidence,
        labels=labels,
        trend=trend,
        print_evidence=print_evidence,
        quality=quality,
    )
    path.write_text(html, encoding="utf-8")
    return path

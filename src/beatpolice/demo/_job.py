"""The demo job: generate a station month, record it, catch up the registries, appraise it.

This is what ``beatpolice demo`` (and ``make demo``) runs. Each step reports its
progress through one callback so that the command line can draw progress bars; the
job itself prints nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from beatpolice.adapters.html._context import RegistrySummary, evidence_notes
from beatpolice.adapters.html._html import Headline, VerifyHint, write_html
from beatpolice.adapters.html._trend import trend_months
from beatpolice.adapters.store.connect import connect
from beatpolice.demo._day_headlines import day_headlines
from beatpolice.demo._demo_key import demo_master_key
from beatpolice.demo._generator import generate
from beatpolice.demo._month import DemoConfig, DemoMonth
from beatpolice.demo._recording import Recording, record
from beatpolice.projections.appraisal._engine import appraise
from beatpolice.projections.appraisal._evidence import report_evidence
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.quality import quality
from beatpolice.projections.registries import Registries, open_registries

__all__ = ["DemoResult", "StepProgress", "headlines", "run_demo"]

StepProgress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)``; steps: ``record``, ``registries``."""


@attrs.frozen
class DemoResult:
    """What a demo run produced."""

    demo: DemoMonth
    recording: Recording
    report: AppraisalReport
    headlines: tuple[Headline, ...]
    json_path: Path
    html_path: Path


def _percent(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "n/a (nothing to count)"
    return f"{numerator}/{denominator} ({100 * numerator / denominator:.1f}%)"


def headlines(registries: Registries, demo: DemoMonth) -> tuple[Headline, ...]:
    """The registries' headline figures for the demo month, judged at its decision instant.

    Args:
        registries: caught-up registries of the demo station.
        demo: the generated month (its month and decision instant).

    Returns:
        One :class:`~beatpolice.report.Headline` per figure, registry by registry.
    """
    month, as_of = demo.config.month, demo.decided_at
    officers = registries.officers(month=month)
    planned = sum(row.households_planned for row in officers)
    planned_visited = sum(row.planned_visited for row in officers)
    unvisited = registries.households(month=month, unvisited=True)
    disputes = registries.disputes(as_of=as_of)
    venues = registries.venues(as_of=as_of)
    open_findings = sum(len(row.open_findings) for row in venues)
    overdue_findings = sum(len(row.overdue_findings) for row in venues)
    inspected = sum(1 for row in venues if row.inspections.get(month))
    levels = ", ".join(f"{level} {count}" for level, count in sorted(disputes.by_level.items()))
    statuses = ", ".join(
        f"{status} {count}" for status, count in sorted(disputes.by_status.items())
    )
    return (
        Headline("officers", "officers enlisted", str(len(officers))),
        Headline(
            "officers",
            "households visited this month",
            str(sum(row.households_visited for row in officers)),
        ),
        Headline("officers", "planned households visited", _percent(planned_visited, planned)),
        Headline("households", "planned but not visited this month", str(len(unvisited))),
        Headline("disputes", "disputes", str(len(disputes.rows))),
        Headline("disputes", "by level", levels),
        Headline("disputes", "by status", statuses),
        Headline(
            "disputes",
            "resolved without referral out (矛盾不上交率)",
            f"{disputes.not_referred.percent}%" if disputes.not_referred.percent else "n/a",
        ),
        Headline("disputes", "overdue", str(len(disputes.overdue))),
        Headline("venues", "venues supervised", str(len(venues))),
        Headline("venues", "inspected this month", str(inspected)),
        Headline("venues", "open findings (rectification pending)", str(open_findings)),
        Headline("venues", "overdue rectifications", str(overdue_findings)),
        *day_headlines(registries, month, as_of),
    )


def run_demo(
    url: str,
    *,
    config: DemoConfig | None = None,
    rules: str = "dezhou-2014",
    out_dir: Path,
    db_label: str | None = None,
    progress: StepProgress | None = None,
) -> DemoResult:
    """Generate, record, catch up, appraise and write the reports of a demo month.

    Args:
        url: the store to record into (recording twice into one store is harmless).
        config: the station's shape and seed (Fengting, seed 3, May 2022 by default).
        rules: the rule set to appraise with.
        out_dir: where the JSON and HTML reports are written.
        db_label: how the store is named in the report's verify commands (``url``).
        progress: told each step's progress.

    Returns:
        The month, what recording did, the appraisal as decided, the registries'
        headline figures and where the reports are.
    """
    demo = generate(config)

    def step(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    recording = record(url, demo, progress=step("record"))
    station = connect(
        url,
        time_zone=demo.config.time_zone,
        policy=demo.config.policy,
        master_key=demo_master_key(url),
    )
    try:
        registries = open_registries(station)
        registries.catch_up(progress=step("registries"))
        figures = headlines(registries, demo)
        day = day_headlines(registries, demo.config.month, demo.decided_at)
        report = appraise(station, month=demo.config.month, rules=rules, as_of=demo.decided_at)
        summary = RegistrySummary.read(registries, month=demo.config.month, as_of=demo.decided_at)
        history = [
            appraise(station, month=month, rules=rules, as_of=demo.decided_at)
            for month in trend_months(demo.config.month)
        ]
        found = report_evidence(station, report)
        signals = quality(station, month=demo.config.month, closed_at=demo.decided_at)
    finally:
        station.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"appraisal-{demo.config.month}.json"
    json_path.write_text(report.to_json() + "\n", encoding="utf-8")
    html_path = write_html(
        out_dir / f"report-{demo.config.month}.html",
        report,
        summary=summary,
        history=history,
        evidence=evidence_notes(found, time_zone=demo.config.time_zone),
        verify=VerifyHint(db=db_label or url, json_path=str(json_path)),
        headlines=day,
        quality=signals,
        title=f"{demo.config.station} · {demo.config.month} 五星评选 five-star appraisal",
    )
    return DemoResult(
        demo=demo,
        recording=recording,
        report=report,
        headlines=figures,
        json_path=json_path,
        html_path=html_path,
    )

"""The HTML report shows each officer's data quality beside the appraisal (issue 16)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import beatpolice
from beatpolice.report import render_html

BEIJING = timezone(timedelta(hours=8))
FIELD = datetime(2014, 1, 6, 2, 30, tzinfo=BEIJING)  # in the small hours


def _station() -> beatpolice.Station:
    now = [datetime(2014, 1, 6, 12, tzinfo=BEIJING)]
    station = beatpolice.connect("memory://", clock=lambda: now[0])
    for badge in ("D0001", "D0002"):
        station.enlist_officer(badge=badge, name="薛翠翠", station="德州", beat="一区")
    station.record_visit(
        officer="D0001",
        id="V1",
        household="H1",
        occurred_at=FIELD,
        notes="夜访",
        people_match_register=True,
    )
    now[0] = datetime(2014, 1, 20, 9, tzinfo=BEIJING)
    station.record_visit(
        officer="D0002",
        id="V2",
        household="H2",
        occurred_at=datetime(2014, 1, 20, 8, tzinfo=BEIJING),
        notes="日访",
        people_match_register=True,
    )
    return station


def _section(html: str, badge: str) -> str:
    start = html.index(f'id="officer-{badge}"')
    return html[start : html.index("</section>", start)]


def test_each_officer_has_a_quality_section_with_its_findings() -> None:
    station = _station()
    as_of = datetime(2014, 2, 1, tzinfo=UTC)
    report = beatpolice.appraise(station, month="2014-01", as_of=as_of)
    signals = beatpolice.quality(station, month="2014-01", closed_at=as_of)
    html = render_html(report, quality=signals)

    night = _section(html, "D0001")
    kinds = {f.kind for f in signals.officer("D0001").findings}
    assert "night_work" in kinds
    assert 'data-kind="night_work"' in night
    assert "夜间走访" in night
    for finding in signals.officer("D0001").findings:
        for ref in finding.records:
            assert ref in night
    clean = _section(html, "D0002")
    assert signals.officer("D0002").findings == []
    assert 'data-findings="0"' in clean
    assert "No findings" in clean


def test_without_a_quality_report_the_page_has_no_quality_section() -> None:
    station = _station()
    report = beatpolice.appraise(station, month="2014-01", as_of=datetime(2014, 2, 1, tzinfo=UTC))
    assert not re.search(r'class="quality"', render_html(report))

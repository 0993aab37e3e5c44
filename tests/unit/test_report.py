"""The HTML report: gauges against thresholds, the SVG chart, and the page itself."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

import beatpolice
from beatpolice import AppraisalReport, appraise
from beatpolice.report import Gauge, Headline, VerifyHint, gauge_chart, gauges, render_html

RECORDED = datetime(2014, 1, 31, 12, tzinfo=UTC)
AS_OF = datetime(2014, 2, 1, tzinfo=UTC)
DAY = datetime(2014, 1, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def report() -> AppraisalReport:
    station = beatpolice.connect("memory://", clock=lambda: RECORDED)
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.enlist_officer(badge="D0002", name="<script>x</script>", station="德州", beat="二区")
    households = [f"H{n:03d}" for n in range(82)]
    station.plan_visits(officer="D0001", month="2014-01", households=households)
    for n, household in enumerate(households):
        station.record_visit(
            id=f"V{n}",
            officer="D0001",
            household=household,
            occurred_at=DAY,
            people_match_register=True,
        )
        station.follow_up_visit(visit=f"V{n}", officer="D0001", occurred_at=DAY, satisfied=True)
    return appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)


def test_gauges_draw_each_check_of_the_report(report: AppraisalReport) -> None:
    star = {g.label: g for g in gauges(report.officer("D0001"))}
    assert star["households visited"].value == 82
    assert star["households visited"].threshold == 80
    assert star["households visited"].met
    assert star["residents satisfied (群众满意率)"].value_text == "82/82"
    assert star["residents satisfied (群众满意率)"].threshold_text == "100%"
    assert star["services acknowledged"].met is False
    assert [g.star for g in gauges(report.officer("D0001"))][:2] == ["minimum", "visit"]


def test_a_rate_with_no_denominator_is_not_met(report: AppraisalReport) -> None:
    idle = {g.label: g for g in gauges(report.officer("D0002"))}
    satisfied = idle["residents satisfied (群众满意率)"]
    assert satisfied.value == 0
    assert satisfied.value_text == "0/0"
    assert not satisfied.met


def test_a_scorecard_has_no_star_gauges() -> None:
    station = beatpolice.connect("memory://", clock=lambda: RECORDED)
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    scored = appraise(station, month="2014-01", rules="scorecard-example", as_of=AS_OF)
    assert scored.officer("D0001").checks == {}
    assert gauges(scored.officer("D0001")) == []
    assert "<svg" not in render_html(scored)


def test_a_report_made_before_checks_renders_without_charts(report: AppraisalReport) -> None:
    saved = report.model_dump(mode="json")
    for officer in saved["officers"]:
        del officer["checks"]  # as a 0.1 report reads
    old = AppraisalReport.model_validate(saved)
    html = render_html(old)
    assert "<svg" not in html
    assert html.count('class="no-checks"') == 2


def _gauge(star: str, label: str, value: int, threshold: int) -> Gauge:
    return Gauge(
        star,
        label,
        Fraction(value),
        Fraction(threshold),
        value >= threshold,
        str(value),
        str(threshold),
    )


def test_chart_draws_one_bar_per_gauge_and_the_threshold_line() -> None:
    chart = gauge_chart(
        [
            _gauge("visit", "households visited", 155, 80),
            _gauge("service", "services acknowledged", 2, 3),
        ],
        title="薛翠翠 <D0001>",
    )
    assert chart.count("<rect") == 2
    assert chart.count('class="gauge met"') == 1
    assert chart.count('class="gauge missed"') == 1
    assert 'class="threshold"' in chart
    assert "&lt;D0001&gt;" in chart


def test_page_has_table_evidence_chart_fingerprint_and_verify_commands(
    report: AppraisalReport,
) -> None:
    html = render_html(
        report,
        headlines=[Headline("disputes", "矛盾不上交率", "94.4%")],
        verify=VerifyHint(db="demo-out/station.db", json_path="demo-out/a.json"),
    )
    assert '<tr data-badge="D0001">' in html
    assert 'class="star awarded"' in html
    assert 'data-star="visit"' in html  # the visit star's evidence
    assert html.count("<svg") == 2
    assert report.fingerprint in html
    assert "beatpolice audit verify --db demo-out/station.db demo-out/a.json" in html
    assert "矛盾不上交率" in html
    assert "<script>x</script>" not in html  # names are escaped
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_page_is_the_same_bytes_for_the_same_report(report: AppraisalReport) -> None:
    assert render_html(report) == render_html(report)


def test_without_a_saved_json_the_page_says_how_to_save_it(report: AppraisalReport) -> None:
    html = render_html(report, verify=VerifyHint(db="station.db"))
    assert "--json &gt; appraisal-2014-01.json" in html

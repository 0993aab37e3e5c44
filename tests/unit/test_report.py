"""The HTML report: gauges against thresholds, the SVG chart, and the page itself."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

import beatpolice
from beatpolice import AppraisalReport, appraise
from beatpolice.adapters.html._context import Reference, parse_reference
from beatpolice.appraisal import OfficerAppraisal, load_rules
from beatpolice.projections.appraisal import report_evidence
from beatpolice.projections.registries import open_registries
from beatpolice.report import (
    METRIC_LABELS,
    UNKNOWN_BEAT,
    EvidenceNote,
    Gauge,
    Headline,
    RegistrySummary,
    TrendPoint,
    VerifyHint,
    beat_totals,
    evidence_notes,
    gauge_chart,
    gauges,
    metric_label,
    officer_trend,
    render_html,
    trend_chart,
    trend_months,
)

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


# --- 0.2: labels, station and registries, beats, trends, evidence, print ----------------

DECEMBER = datetime(2013, 12, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def station_months() -> tuple[AppraisalReport, list[AppraisalReport], RegistrySummary]:
    """Two officers of two beats; D0001 visits 3 households in December, 82 in January."""
    station = beatpolice.connect("memory://", clock=lambda: RECORDED)
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.enlist_officer(badge="D0002", name="王强", station="德州", beat="二区")
    for n in range(3):
        station.record_visit(
            id=f"W{n}",
            officer="D0001",
            household=f"H{n:03d}",
            occurred_at=DECEMBER,
            people_match_register=True,
        )
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
    report = appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    history = [
        appraise(station, month=month, rules="dezhou-2014", as_of=AS_OF)
        for month in trend_months("2014-01")
    ]
    registries = open_registries(station)
    registries.catch_up()
    summary = RegistrySummary.read(registries, month="2014-01", as_of=AS_OF)
    return report, history, summary


def test_metrics_are_labelled_in_chinese_beside_english(report: AppraisalReport) -> None:
    html = render_html(report)
    assert '<div data-metric="households_visited"><dt>走访户数 households visited</dt>' in html
    assert "群众满意率 residents satisfied" in html
    assert "<dt>households_visited</dt>" not in html


def test_callers_labels_replace_the_built_in_ones(report: AppraisalReport) -> None:
    html = render_html(report, labels={"households_visited": "入户 homes"})
    assert "<dt>入户 homes</dt>" in html
    assert metric_label("visits") == METRIC_LABELS["visits"] == "走访次数 visits"
    assert metric_label("a_stations_own_metric") == "a_stations_own_metric"


def test_scorecard_points_are_labelled_by_their_category() -> None:
    rules = load_rules("scorecard-example")
    assert metric_label("points.mass_work", rules=rules) == "积分·群众工作 points · mass_work"
    assert metric_label("points.2014-W02", rules=rules) == "积分 points · 2014-W02"


def test_summary_reads_station_beats_and_registries(
    station_months: tuple[AppraisalReport, list[AppraisalReport], RegistrySummary],
) -> None:
    _, _, summary = station_months
    assert summary.station == "德州"
    assert summary.beats == {"D0001": "一区", "D0002": "二区"}
    figures = {h.label: h.value for h in summary.headlines}
    assert figures["officers enlisted"] == "2"
    assert figures["households visited 走访户数"] == "82"
    assert figures["planned households visited 入户走访率"] == "82/82 (100.0%)"
    assert figures["by level 三色预警"] == "none"  # never a Python repr


def test_every_page_shows_the_station_and_registries_it_is_given(
    station_months: tuple[AppraisalReport, list[AppraisalReport], RegistrySummary],
) -> None:
    report, _, summary = station_months
    html = render_html(report, summary=summary)
    assert '<strong id="station">德州</strong>' in html
    assert "<title>德州 · 2014-01 五星评选" in html
    assert '<table id="registries">' in html
    assert "<td>planned households visited 入户走访率</td><td>82/82 (100.0%)</td>" in html


def test_a_page_without_the_store_says_what_it_lacks(report: AppraisalReport) -> None:
    html = render_html(report)
    assert 'id="station">Station not given' in html
    assert 'id="registries">Registries not given' in html
    assert "Beats not given" in html


def test_stars_table_groups_officers_by_beat_with_subtotals(
    station_months: tuple[AppraisalReport, list[AppraisalReport], RegistrySummary],
) -> None:
    report, _, summary = station_months
    html = render_html(report, summary=summary)
    assert html.index('<tbody data-beat="一区">') < html.index('<tr data-badge="D0001">')
    assert html.index('<tr data-badge="D0001">') < html.index('<tbody data-beat="二区">')
    assert html.count('<tr class="subtotal">') == 2
    beats = html[html.index('<table class="beats"') :]
    row = beats[beats.index('<tr data-metric="households_visited">') :].split("</tr>")[0]
    assert row.count('<td class="num">') == 3  # 一区, 二区 and the total
    assert '<td class="num">82</td><td class="num">0</td><td class="num">82</td>' in row


def _officer(badge: str, metrics: dict[str, int | str], awarded: list[str]) -> OfficerAppraisal:
    return OfficerAppraisal(
        badge=badge,
        name=badge,
        metrics=metrics,
        eligible=awarded,
        awarded=awarded,
        evidence={},
        shortfalls={},
        fingerprint="sha256:0",
    )


def test_beat_totals_add_counts_rates_and_points_never_averaging_rates() -> None:
    officers = [
        _officer("A", {"visits": 3, "satisfaction_rate": "1/2", "points": "1.5"}, ["visit"]),
        _officer("B", {"visits": 4, "satisfaction_rate": "2/3", "points": "2"}, ["visit"]),
        _officer("C", {"visits": 1, "satisfaction_rate": "0/0", "points": "x"}, []),
    ]
    beats, total = beat_totals(officers, {"A": "一区", "B": "一区"})
    first, unknown = beats
    assert (first.beat, first.badges) == ("一区", ("A", "B"))
    assert first.metrics == {"visits": "7", "satisfaction_rate": "3/5", "points": "3.5"}
    assert first.stars == {"visit": 2}
    assert (unknown.beat, unknown.badges) == (UNKNOWN_BEAT, ("C",))
    assert total.metrics["satisfaction_rate"] == "3/5"
    assert total.metrics["points"] == "–"  # "x" cannot be added
    assert beat_totals(officers, {}) == ([], total)


def test_trend_months_are_the_five_before_the_report() -> None:
    assert trend_months("2014-02") == ["2013-09", "2013-10", "2013-11", "2013-12", "2014-01"]
    assert trend_months("2014-01", count=2) == ["2013-11", "2013-12"]
    assert trend_months("2014") == []  # a scorecard's year has no monthly trend
    assert trend_months("2014-01", count=0) == []


def test_each_officer_has_a_six_month_trend_of_the_reports_figures(
    station_months: tuple[AppraisalReport, list[AppraisalReport], RegistrySummary],
) -> None:
    report, history, summary = station_months
    points = officer_trend("D0001", [report, *history], "households_visited")
    assert [p.month for p in points] == [*trend_months("2014-01"), "2014-01"]
    assert [p.value for p in points][-2:] == [3, 82]
    assert points[-1].stars == len(report.officer("D0001").awarded) > 0
    html = render_html(report, summary=summary, history=history)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="trend"') == 2
    assert '<g class="month current" data-month="2014-01">' in html
    assert "<title>2013-12: 3</title>" in html
    assert 'class="trend"' not in render_html(report, summary=summary)


def test_trend_chart_draws_a_gap_for_a_month_without_an_entry() -> None:
    points = [
        TrendPoint(month="2013-12", value=None, text="–", stars=0),
        TrendPoint(month="2014-01", value=Fraction(82), text="82", stars=3),
    ]
    chart = trend_chart(points, title="<D0001>", label="走访户数 households visited")
    assert chart.count("<rect") == 1
    assert 'class="gap"' in chart
    assert "★3" in chart
    assert "&lt;D0001&gt;" in chart


def test_evidence_shows_kind_and_record_and_the_callers_date_and_subject(
    report: AppraisalReport,
) -> None:
    refs = sorted(report.officer("D0001").evidence["visit"])
    parsed = parse_reference(refs[0])
    assert parsed.kind in {"VisitRecorded", "VisitFollowedUp"}
    assert parsed.key.startswith("V")
    assert parsed.text == refs[0]
    assert parse_reference("odd") == Reference(text="odd", kind="odd", key="")
    notes = {
        refs[0]: EvidenceNote(occurred_at=DAY, subject="household H000"),
        refs[1]: EvidenceNote(occurred_at=DAY.date().replace(day=12), subject="household H001"),
    }
    html = render_html(report, evidence=notes)
    assert f"{parsed.kind} <strong>{parsed.key}</strong>" in html
    assert '<time datetime="2014-01-10">2014-01-10</time> · household H000' in html
    assert f"{len(refs)} events, 2014-01-10 – 2014-01-12</summary>" in html


def test_evidence_prints_as_counts_unless_asked(report: AppraisalReport) -> None:
    assert '<details class="evidence" data-star="visit">' in render_html(report)
    opened = render_html(report, print_evidence=True)
    assert '<details class="evidence" data-star="visit" open>' in opened


def test_print_stylesheet_is_a4_wraps_commands_and_keeps_officers_whole(
    report: AppraisalReport,
) -> None:
    html = render_html(report)
    assert "@page { size: A4;" in html
    assert "section.officer { break-inside: avoid;" in html
    assert '<pre id="verify" class="commands">' in html
    assert "pre.commands { white-space: pre-wrap;" in html


def test_page_with_everything_is_the_same_bytes_twice(
    station_months: tuple[AppraisalReport, list[AppraisalReport], RegistrySummary],
) -> None:
    report, history, summary = station_months
    once = render_html(report, summary=summary, history=history)
    assert once == render_html(report, summary=summary, history=list(reversed(history)))


def test_an_eligible_star_the_quota_cut_says_why_it_was_not_awarded(
    report: AppraisalReport,
) -> None:
    saved = report.model_dump(mode="json")
    saved["officers"][0]["eligible"] = ["visit", "service"]
    saved["officers"][0]["not_awarded"] = {"service": "quota 1: ranked 2nd"}
    html = render_html(AppraisalReport.model_validate(saved))
    assert '<td class="star eligible" title="quota 1: ranked 2nd">☆</td>' in html
    assert "服务群众之星 Service: quota 1: ranked 2nd</p>" in html


def test_resolved_evidence_is_dated_in_the_stations_zone_with_its_household() -> None:
    station = beatpolice.connect("memory://", clock=lambda: RECORDED)
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    late = datetime(2014, 1, 9, 23, 30, tzinfo=UTC)  # 2014-01-10 07:30 in Asia/Shanghai
    households = [f"H{n:03d}" for n in range(80)]
    station.plan_visits(officer="D0001", month="2014-01", households=households)
    for n, household in enumerate(households):
        station.record_visit(
            id=f"V{n}",
            officer="D0001",
            household=household,
            occurred_at=late,
            people_match_register=True,
        )
        station.follow_up_visit(visit=f"V{n}", officer="D0001", occurred_at=late, satisfied=True)
    report = appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    notes = evidence_notes(report_evidence(station, report), time_zone=report.time_zone)
    assert set(notes) == set(report.officer("D0001").evidence["visit"])
    visit = next(ref for ref in notes if "VisitRecorded@" in ref and "/V7#" in ref)
    assert notes[visit].subject == "household H007"
    assert notes[visit].kind == "household visit"
    html = render_html(report, evidence=notes)
    assert '<time datetime="2014-01-10">2014-01-10</time> · household H007' in html
    assert "household visit <strong>V7</strong>" in html
    assert "events, 2014-01-10 – 2014-01-10</summary>" in html


def test_a_references_own_record_is_not_repeated_as_its_subject(report: AppraisalReport) -> None:
    ref = sorted(report.officer("D0001").evidence["visit"])[0]
    key = parse_reference(ref).key
    notes = {ref: EvidenceNote(occurred_at=DAY, subject=f"dispute {key}, household H9")}
    html = render_html(report, evidence=notes)
    day = '<time datetime="2014-01-10">2014-01-10</time>'
    assert f"<strong>{key}</strong> · {day} · household H9<br>" in html


def test_the_appraise_command_names_the_rule_sets_version(report: AppraisalReport) -> None:
    html = render_html(report, verify=VerifyHint(db="station.db"))
    named = f"--rules dezhou-2014@{report.rules.version} --as-of {report.as_of.isoformat()}"
    assert f"{named} --json" in html  # the version the report was made under, not the latest

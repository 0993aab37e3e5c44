"""A star's check is computed once: shortfalls, the JSON report and the HTML say the same.

Each test reads one renderer's output (the shortfall strings, the JSON's ``checks``,
the SVG gauges of the page) and holds it against the others, so a renderer that
recomputes a figure its own way (parses a metric, re-derives "met", formats a
percentage differently) fails here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import pytest

import beatpolice
from beatpolice import AppraisalReport, AuditMismatchError, appraise, verify
from beatpolice.appraisal import FiveStarRules
from beatpolice.domain.rules import GATE, OfficerInputs, StarCheck, evaluate_five_star
from beatpolice.domain.rules.ruleset import STARS, MediationStar, Stars, VisitStar
from beatpolice.projections.appraisal._from_events import appraise_events
from beatpolice.projections.appraisal._verify import stored_events
from beatpolice.report import render_html
from beatpolice.testing.month_examples import (
    BEIJING,
    enlist,
    leads,
    mediations,
    record,
    services,
    visits,
)

RECORDED = datetime(2014, 2, 1, tzinfo=UTC)
AS_OF = datetime(2014, 2, 2, tzinfo=BEIJING)
JAN = "2014-01"

# A rule set with the two traps a recomputing renderer falls into: a rate threshold
# that is not a whole percentage (2/3: "66.67%"), and a rate threshold of 0, which a
# rate with no denominator still does not meet.
RULES = FiveStarRules(
    name="checks-test",
    version="1",
    stars=Stars(
        visit=VisitStar(people_match_rate="2/3", satisfaction_rate="0"),
        mediation=MediationStar(disputes=2),
    ),
)


@pytest.fixture(scope="module")
def report() -> Iterator[AppraisalReport]:
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as station:
        record(station, enlist("D0001", "薛翠翠"))  # a full month, every star
        record(station, visits("D0001", JAN, 100))
        record(station, mediations("D0001", JAN, 3))
        record(station, leads("D0001", JAN, "criminal_lead", 10))
        record(station, services("D0001", JAN, 3))
        record(station, enlist("D0002", "张三"))  # near misses, with reasons
        record(station, visits("D0002", JAN, 79, satisfied=78))
        record(station, mediations("D0002", JAN, 2, unresolved=1, prefix="DSB"))
        record(station, services("D0002", JAN, 2))
        record(station, enlist("D0003", "李四"))  # the traps
        record(station, visits("D0003", JAN, 90, follow_ups=0, mismatched=40))
        record(station, enlist("D0004", "王五"))  # one household: the monthly minimum
        record(station, visits("D0004", JAN, 1))
        yield appraise(station, month=JAN, rules=RULES, as_of=AS_OF)


def _svg_gauges(page: str, badge: str) -> list[tuple[str, str, str, str, bool]]:
    section = page.split(f'<section class="officer" id="officer-{badge}">')[1]
    section = section.split("</section>")[0]
    found = re.findall(
        r'<g class="gauge (met|missed)" data-star="([^"]+)"><title>(.*?): (\S+) '
        r"\(threshold (\S+)\)</title>",
        section,
    )
    return [
        (
            star,
            html.unescape(label),
            html.unescape(value),
            html.unescape(threshold),
            state == "met",
        )
        for state, star, label, value, threshold in found
    ]


def _json_checks(officer: dict[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    return [
        (star, c["label"], c["value_text"], c["threshold_text"], c["met"])
        for star, checks in officer["checks"].items()
        for c in checks
    ]


def test_every_officer_has_every_check_of_every_star(report: AppraisalReport) -> None:
    for officer in report.officers:
        assert list(officer.checks) == [GATE, *STARS]
        assert [len(officer.checks[star]) for star in STARS] == [4, 3, 1, 1, 1]


def test_the_html_gauges_draw_the_json_checks(report: AppraisalReport) -> None:
    page = render_html(report)
    saved = json.loads(report.to_json())
    for officer in saved["officers"]:
        drawn = _svg_gauges(page, officer["badge"])
        assert drawn == _json_checks(officer), officer["badge"]
        assert len(drawn) == 11


def test_the_json_checks_state_exact_figures(report: AppraisalReport) -> None:
    saved = json.loads(report.to_json())
    for officer in saved["officers"]:
        for checks in officer["checks"].values():
            for check in checks:
                value, threshold = Fraction(check["value"]), Fraction(check["threshold"])
                if check["kind"] == "ratio":
                    n, d = check["numerator"], check["denominator"]
                    assert check["value_text"] == f"{n}/{d}"
                    assert value == (Fraction(n, d) if d else 0)
                    assert check["met"] == (d > 0 and value >= threshold)
                else:
                    assert isinstance(check["value"], int)
                    assert check["value_text"] == str(check["value"])
                    assert check["met"] == (value >= threshold)
        metrics = officer["metrics"]
        visit = {c["label"]: c for c in officer["checks"]["visit"]}
        assert visit["households visited"]["value"] == metrics["households_visited"]
        assert (
            visit["residents satisfied (群众满意率)"]["value_text"]
            == (metrics["satisfaction_rate"])
        )


def test_each_shortfall_is_the_words_of_its_missed_checks(report: AppraisalReport) -> None:
    for officer in json.loads(report.to_json())["officers"]:
        checks, shortfalls = officer["checks"], officer["shortfalls"]
        gate = [c["text"] for c in checks[GATE] if not c["met"]]
        for star in STARS:
            missed = [c for c in checks[star] if not c["met"]]
            if star in officer["eligible"]:
                assert not missed
                assert not gate
                assert star not in shortfalls
                continue
            why = shortfalls[star]
            if gate:
                assert why.startswith("; ".join(gate))
            for check in missed:
                if check["kind"] == "count" or check["denominator"]:
                    assert check["text"] in why  # the same words, so the same numbers
                    assert check["value_text"] in check["text"]
                    assert check["threshold_text"] in check["text"]


def test_the_traps_read_the_same_in_all_three(report: AppraisalReport) -> None:
    page = render_html(report)
    officer = report.officer("D0003")
    drawn = {label: (value, threshold, met) for _, label, value, threshold, met in (
        _svg_gauges(page, "D0003"))}  # fmt: skip
    people = drawn["people match the register (人号一致率)"]
    assert people == ("50/90", "66.67%", False)
    assert "people-match rate 50/90, 66.67% needed" in officer.shortfalls["visit"]
    satisfied = drawn["residents satisfied (群众满意率)"]
    assert satisfied == ("0/0", "0%", False)  # 0 >= 0, and still not met
    assert (
        "satisfaction rate has no denominator (no follow-up recorded), 0% needed"
        in officer.shortfalls["visit"]
    )


def test_the_rules_return_the_checks_the_report_carries(report: AppraisalReport) -> None:
    result = evaluate_five_star(OfficerInputs("D9", "无名", []), RULES)
    minimum = result.checks[GATE][0]
    assert isinstance(minimum, StarCheck)
    assert (minimum.value, minimum.threshold, minimum.met) == (0, 50, False)
    assert result.shortfalls["service"].startswith(minimum.text)
    idle = report.officer("D0004").checks
    gate = idle[GATE][0]
    assert gate.text == "no star this month: 1 households visited, the monthly minimum is 50"
    assert idle["mediation"][1].text == "0 disputes mediated: the rates have no denominator"
    assert report.officer("D0004").shortfalls["mediation"] == (
        f"{gate.text}; 0 disputes mediated, 2 needed"
    )


def test_verify_names_a_tampered_check_and_passes_a_report_without_checks(
    report: AppraisalReport,
) -> None:
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as station:
        record(station, enlist("D0001", "薛翠翠"))
        record(station, visits("D0001", JAN, 60))
        made = appraise(station, month=JAN, rules=RULES, as_of=AS_OF)
        saved = json.loads(made.to_json())
        saved["officers"][0]["checks"]["visit"][0]["met"] = True
        with pytest.raises(AuditMismatchError) as raised:
            verify(station, saved, rules=RULES)
        assert any("checks.visit.0.met True -> False" in d for d in raised.value.differences)
        for officer in saved["officers"]:
            del officer["checks"]  # a report of format 2 must carry every field
        with pytest.raises(AuditMismatchError, match="checks"):
            verify(station, saved, rules=RULES)
        old = appraise_events(
            stored_events(station),
            month=JAN,
            rules=RULES,
            as_of=AS_OF,
            now=RECORDED,
            fingerprint_format="beatpolice-appraisal/1",
        ).model_dump(mode="json", exclude={"fingerprint_format"})
        for officer in old["officers"]:
            del officer["checks"], officer["not_awarded"]  # a report made before 0.2
        assert verify(station, old, rules=RULES).fingerprint == old["fingerprint"]

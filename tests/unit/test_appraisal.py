"""Worked cases of the Dezhou article on a memory station: every star, both Dezhou readings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import beatpolice
from beatpolice import AppraisalError, AuditMismatchError, appraise, compare, verify
from beatpolice.appraisal import live_tallies
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


@pytest.fixture
def station() -> Iterator[beatpolice.Station]:
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as opened:
        yield opened


def _officer(station: beatpolice.Station, badge: str, *batches: list[dict[str, object]]) -> None:
    record(station, enlist(badge, f"民警{badge}"))
    for batch in batches:
        record(station, batch)


def test_xue_cuicui_visits_155_households_with_full_satisfaction_and_gets_the_visit_star(
    station: beatpolice.Station,
) -> None:
    record(station, enlist("D0001", "薛翠翠"))
    record(station, visits("D0001", JAN, 155))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.name == "薛翠翠"
    assert entry.metrics["households_visited"] == 155
    assert entry.metrics["satisfaction_rate"] == "155/155"
    assert entry.eligible == ["visit"]
    assert entry.awarded == ["visit"]
    assert len(entry.evidence["visit"]) == 155 * 2 + 1  # visits, follow-ups, the plan
    assert all(ref.startswith("beatpolice:") for ref in entry.evidence["visit"])


def test_households_count_once_however_often_visited(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 79), visits("D0001", JAN, 79, prefix="B"))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.metrics["visits"] == 158
    assert entry.metrics["households_visited"] == 79
    assert entry.shortfalls["visit"] == "79 households visited, 80 needed"


def test_one_unsatisfied_follow_up_costs_the_visit_star(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 100, satisfied=99))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.eligible == []
    assert entry.shortfalls["visit"] == "satisfaction rate 99/100, 100% needed"


def test_no_visit_plan_is_not_a_full_visit_plan_rate(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 90, plan=0))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.metrics["visit_plan_rate"] == "0/0"
    assert entry.shortfalls["visit"] == (
        "visit-plan rate has no denominator (no visit plan for the month), 100% needed"
    )


def test_no_follow_up_is_not_a_full_satisfaction_rate(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 90, follow_ups=0))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert (
        "satisfaction rate has no denominator (no follow-up recorded)" in entry.shortfalls["visit"]
    )


def test_people_not_matching_the_register_costs_the_visit_star(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 90, mismatched=1))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.shortfalls["visit"] == "people-match rate 89/90, 100% needed"


def test_three_mediations_with_one_unsatisfied_party_earn_no_mediation_star(
    station: beatpolice.Station,
) -> None:
    _officer(
        station, "D0001", visits("D0001", JAN, 60), mediations("D0001", JAN, 3, unsatisfied=1)
    )

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.metrics["disputes_mediated"] == 3
    assert entry.metrics["disputes_resolved"] == 3
    assert entry.metrics["disputes_satisfied"] == 2
    assert "mediation" not in entry.eligible
    assert entry.shortfalls["mediation"] == (
        "both parties satisfied in 2/3, 100% needed (DSP0: a party was not satisfied on follow-up)"
    )


def test_three_resolved_and_satisfied_mediations_earn_the_mediation_star(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), mediations("D0001", JAN, 3))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.eligible == ["mediation"]
    assert len(entry.evidence["mediation"]) == 9  # 3 mediations, 3 resolutions, 3 follow-ups


def test_two_mediations_fall_short_and_say_so(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), mediations("D0001", JAN, 2))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.shortfalls["mediation"] == "2 disputes mediated, 3 needed"


def test_a_failed_or_unfollowed_mediation_costs_the_star(station: beatpolice.Station) -> None:
    _officer(
        station,
        "D0001",
        visits("D0001", JAN, 60),
        mediations("D0001", JAN, 4, unresolved=1, without_follow_up=1),
    )

    shortfall = appraise(station, month=JAN, as_of=AS_OF).officer("D0001").shortfalls["mediation"]

    assert "resolved 3/4, 100% needed (not resolved: DSP0)" in shortfall
    assert "DSP1: no follow-up recorded" in shortfall


@pytest.mark.parametrize("kind", ["criminal_lead", "suspect_apprehended", "fugitive_caught"])
def test_one_criminal_lead_suspect_or_fugitive_earns_the_investigation_star(
    station: beatpolice.Station, kind: str
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), leads("D0001", JAN, kind, 1))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.eligible == ["investigation"]


def test_information_star_needs_ten_leads(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), leads("D0001", JAN, "information", 9))
    _officer(station, "D0002", visits("D0002", JAN, 60), leads("D0002", JAN, "information", 10))

    report = appraise(station, month=JAN, as_of=AS_OF)

    assert report.officer("D0001").shortfalls["information"] == "9 leads, 10 needed"
    assert report.officer("D0002").eligible == ["information"]


def test_service_star_counts_only_acknowledged_services(station: beatpolice.Station) -> None:
    _officer(
        station,
        "D0001",
        visits("D0001", JAN, 60),
        services("D0001", JAN, 2),
        services("D0001", JAN, 5, acknowledged=False, prefix="N"),
    )

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.metrics["services"] == 7
    assert entry.shortfalls["service"] == "2 acknowledged services, 3 needed"


def test_below_fifty_households_no_star_at_all(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 49), services("D0001", JAN, 5))

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.eligible == []
    assert entry.shortfalls["service"].startswith(
        "no star this month: 49 households visited, the monthly minimum is 50"
    )


def test_retracted_records_never_count(station: beatpolice.Station) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), services("D0001", JAN, 3))
    record(
        station,
        [
            {
                "type": "retract_record",
                "record": "S0",
                "officer": "D0001",
                "reason": "录入错误",
                "occurred_at": "2014-01-20T10:00:00+08:00",
            }
        ],
    )

    entry = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")

    assert entry.metrics["services_acknowledged"] == 2
    assert "service" not in entry.eligible


def test_strict_reading_makes_the_visit_threshold_gate_every_star(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), services("D0001", JAN, 3))
    _officer(station, "D0002", visits("D0002", JAN, 80), services("D0002", JAN, 3))

    lenient = appraise(station, month=JAN, rules="dezhou-2014", as_of=AS_OF)
    strict = appraise(station, month=JAN, rules="dezhou-2014-strict", as_of=AS_OF)

    assert lenient.officer("D0001").eligible == ["service"]
    assert strict.officer("D0001").eligible == []
    assert (
        strict.officer("D0001")
        .shortfalls["service"]
        .startswith(
            "no star this month: the visit gate is not met (60 households visited, 80 needed)"
        )
    )
    assert strict.officer("D0002").eligible == ["visit", "service"]


def test_what_if_names_who_loses_a_star_under_the_strict_reading(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 60), services("D0001", JAN, 3))

    comparison = compare(
        station, month=JAN, rules="dezhou-2014", against="dezhou-2014-strict", as_of=AS_OF
    )

    assert [(row.badge, row.gained, row.lost) for row in comparison.changed] == [
        ("D0001", [], ["service"])
    ]


def test_quota_awards_ten_stars_round_robin_by_score_then_badge(
    station: beatpolice.Station,
) -> None:
    for number in range(12):
        badge = f"D{number:04d}"
        _officer(station, badge, visits(badge, JAN, 60), services(badge, JAN, 3 + number % 3))

    report = appraise(station, month=JAN, as_of=AS_OF)

    losers = [o.badge for o in report.officers if not o.awarded]
    # five acknowledged services rank first, then four, then three; then badge ascending
    assert losers == ["D0006", "D0009"]
    assert all(o.eligible == ["service"] for o in report.officers)


def test_month_is_cut_by_field_time_in_the_station_time_zone(
    station: beatpolice.Station,
) -> None:
    record(station, enlist("D0001", "薛翠翠"))
    record(
        station,
        [
            {
                "type": "record_service",
                "id": "S1",
                "officer": "D0001",
                "kind": "x",
                "occurred_at": "2014-01-31T23:30:00+08:00",
                "acknowledged": True,
            },
            {
                "type": "record_service",
                "id": "S2",
                "officer": "D0001",
                "kind": "x",
                "occurred_at": "2014-01-31T16:30:00+00:00",
                "acknowledged": True,
            },
        ],
    )

    january = appraise(station, month=JAN, as_of=AS_OF).officer("D0001")
    february = appraise(station, month="2014-02", as_of=AS_OF).officer("D0001")

    assert january.metrics["services"] == 1
    assert february.metrics["services"] == 1


def test_as_of_counts_only_events_recorded_by_then() -> None:
    now = [RECORDED]
    decided = RECORDED + timedelta(minutes=30)
    with beatpolice.connect("memory://", clock=lambda: now[0]) as station:
        record(station, enlist("D0001", "薛翠翠"))
        record(station, visits("D0001", JAN, 80))
        now[0] = RECORDED + timedelta(hours=1)
        before = appraise(station, month=JAN, as_of=decided)
        now[0] = RECORDED + timedelta(days=3)
        record(
            station,
            [
                {
                    "type": "retract_record",
                    "record": "V0",
                    "officer": "D0001",
                    "reason": "重复录入",
                    "occurred_at": "2014-02-03T10:00:00+08:00",
                }
            ],
        )

        again = appraise(station, month=JAN, as_of=decided)
        latest = appraise(station, month=JAN, as_of=now[0])

    assert not before.provisional
    assert again.to_json() == before.to_json()
    assert before.officer("D0001").eligible == ["visit"]
    assert latest.officer("D0001").metrics["households_visited"] == 79
    assert latest.officer("D0001").eligible == []
    assert latest.fingerprint != before.fingerprint


def test_verify_passes_on_the_same_store_and_names_a_tampered_field(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 80))
    report = appraise(station, month=JAN, as_of=AS_OF)
    verify(station, report)

    data = report.model_dump(mode="json")
    data["officers"][0]["awarded"] = []
    data["officers"][0]["metrics"]["households_visited"] = 81
    with pytest.raises(AuditMismatchError) as raised:
        verify(station, data)

    assert "officer D0001: awarded [] -> ['visit']" in raised.value.differences
    assert "officer D0001: metrics.households_visited 81 -> 80" in raised.value.differences


def test_verify_names_the_rule_set_when_its_content_changed(
    station: beatpolice.Station,
) -> None:
    _officer(station, "D0001", visits("D0001", JAN, 80))
    data = appraise(station, month=JAN, as_of=AS_OF).model_dump(mode="json")
    data["rules"]["digest"] = "sha256:" + "0" * 64

    with pytest.raises(AuditMismatchError, match="rules: dezhou-2014 digest"):
        verify(station, data)


def test_a_report_within_the_settle_margin_is_provisional(
    station: beatpolice.Station,
) -> None:
    record(station, enlist("D0001", "薛翠翠"))

    assert appraise(station, month=JAN).provisional
    assert not appraise(station, month=JAN, as_of=RECORDED - timedelta(minutes=1)).provisional


def test_officers_enlisted_after_the_month_without_facts_are_not_listed() -> None:
    with beatpolice.connect("memory://", clock=lambda: datetime(2014, 3, 5, tzinfo=UTC)) as st:
        record(st, enlist("D0009", "新警"))
        assert appraise(st, month=JAN).officers == []


def test_refuses_unknown_rules_and_malformed_months(station: beatpolice.Station) -> None:
    with pytest.raises(AppraisalError, match="no rule set named 'nope'"):
        appraise(station, month=JAN, rules="nope")
    with pytest.raises(AppraisalError, match="month"):
        appraise(station, month="2014-1")
    with pytest.raises(AppraisalError, match="month"):
        appraise(station, month="2014", rules="dezhou-2014")


def test_scorecard_ranks_rewards_the_top_and_flags_the_bottom(
    station: beatpolice.Station,
) -> None:
    for number in range(7):
        badge = f"D{number:04d}"
        _officer(station, badge, services(badge, JAN, number))

    report = appraise(station, month=JAN, rules="scorecard-example", as_of=AS_OF)
    year = appraise(station, month="2014", rules="scorecard-example", as_of=AS_OF)

    by_badge = {o.badge: o for o in report.officers}
    assert by_badge["D0006"].metrics["points"] == "18"
    assert by_badge["D0006"].metrics["points.mass_work"] == "18"
    assert by_badge["D0006"].rank == 1
    assert [b for b, o in by_badge.items() if o.awarded] == ["D0004", "D0005", "D0006"]
    assert [b for b, o in by_badge.items() if o.flags] == ["D0001", "D0002", "D0003"]
    assert year.officer("D0006").metrics["points.2014-01"] == "18"


def test_live_tallies_follow_new_records_incrementally(station: beatpolice.Station) -> None:
    _officer(station, "D0001", services("D0001", JAN, 2))
    assert live_tallies(station, month=JAN)["D0001"]["services"] == 2

    record(station, services("D0001", JAN, 3, prefix="X"))

    assert live_tallies(station, month=JAN)["D0001"]["services"] == 5

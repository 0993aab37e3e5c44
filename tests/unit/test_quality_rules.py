"""The data-quality signals: their thresholds, boundaries, rule sets and evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import beatpolice
from beatpolice.domain.rules.quality import (
    BurstRule,
    Entry,
    LateEntryRule,
    NightWorkRule,
    QualityRules,
    SameMinuteFollowUpRule,
    SharedHouseholdRule,
    bursts,
    late_entries,
    nearest_rank,
    night_work,
    quality_digest,
    same_minute_follow_ups,
    shared_households,
)
from beatpolice.projections.quality import load_quality_rules

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2014, 1, 6, 9, tzinfo=ZONE)


def visit(n: int, minutes: float, *, household: str | None = None, badge: str = "D1") -> Entry:
    occurred = T0 + timedelta(minutes=minutes)
    return Entry(
        "visit", f"V{n}", badge, occurred, occurred + timedelta(hours=1), household or f"H{n}"
    )


def entry(n: int, lag_hours: float, kind: str = "service") -> Entry:
    occurred = T0 + timedelta(days=n % 20)
    return Entry(kind, f"R{n}", "D1", occurred, occurred + timedelta(hours=lag_hours))


# --- entry lag ------------------------------------------------------------------------


def test_nearest_rank_takes_a_value_at_rank_ceil_p_n_over_100() -> None:
    ten = [Fraction(v) for v in range(10, 0, -1)]
    assert nearest_rank(ten, 50) == 5
    assert nearest_rank(ten, 90) == 9
    assert nearest_rank([Fraction(7)], 90) == 7
    assert nearest_rank([Fraction(1), Fraction(2), Fraction(3)], 50) == 2


def test_nearest_rank_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 50)


def test_an_entry_ahead_of_its_field_time_has_a_negative_lag() -> None:
    assert entry(1, -1.5).lag == Fraction(-3, 2)


# --- burst ----------------------------------------------------------------------------


def test_as_many_households_as_allowed_within_the_window_is_no_burst() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    assert bursts([visit(n, 15 * n) for n in range(4)], rule, ZONE) == []


def test_one_household_more_within_the_half_open_window_is_a_burst() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    assert bursts([visit(n, 15 * n) for n in range(5)], rule, ZONE) == []  # 09:00 ... 10:00
    visits = [visit(n, 14 * n) for n in range(5)]  # 09:00 ... 09:56
    [finding] = bursts(visits, rule, ZONE)
    assert finding.kind == "burst"
    assert finding.records == ("V0", "V1", "V2", "V3", "V4")
    assert "5 households visited 2014-01-06 09:00 to 09:56" in finding.why


def test_a_household_visited_twice_in_the_window_counts_once() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    visits = [visit(n, 10 * n) for n in range(4)] + [visit(9, 50, household="H0")]
    assert bursts(visits, rule, ZONE) == []


def test_overlapping_windows_are_one_burst_and_separate_ones_two() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    morning = [visit(n, 10 * n) for n in range(8)]  # 09:00-10:10, one run
    evening = [visit(20 + n, 600 + 5 * n) for n in range(5)]  # 19:00-19:20
    found = bursts(morning + evening, rule, ZONE)
    assert [len(f.records) for f in found] == [8, 5]


def test_visits_of_another_kind_are_not_walked() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    leads = [visit(n, n)._replace(kind="lead") for n in range(9)]
    assert bursts(leads, rule, ZONE) == []


# --- late entries ---------------------------------------------------------------------


def test_late_entries_are_flagged_only_above_the_share() -> None:
    rule = LateEntryRule(after_hours=72, max_share="1/10")
    prompt = [entry(n, 2) for n in range(9)]
    assert late_entries([*prompt, entry(9, 100)], rule) == []  # exactly a tenth
    [finding] = late_entries([*prompt, entry(9, 100), entry(10, 80)], rule)
    assert finding.records == ("R10", "R9")
    assert "2 of 11 records (18.18%)" in finding.why


def test_a_record_entered_exactly_at_the_limit_is_not_late() -> None:
    rule = LateEntryRule(after_hours=72, max_share="0")
    assert late_entries([entry(1, 72)], rule) == []
    assert len(late_entries([entry(1, 72.01)], rule)) == 1


def test_min_records_holds_back_a_single_late_record() -> None:
    rule = LateEntryRule(after_hours=72, max_share="0", min_records=2)
    assert late_entries([entry(1, 100), entry(2, 1)], rule) == []


# --- night work, follow-ups, shared households -----------------------------------------


def test_night_is_cut_in_the_station_zone_and_ends_before_until() -> None:
    rule = NightWorkRule()
    at = [datetime(2014, 1, 6, h, m, tzinfo=ZONE) for h, m in ((0, 0), (4, 59), (5, 0))]
    entries = [Entry("visit", f"V{n}", "D1", t, t) for n, t in enumerate(at)]
    [finding] = night_work(entries, rule, ZONE)
    assert finding.records == ("V0", "V1")
    # the same instants read in UTC are daytime: nothing flagged
    assert night_work(entries, rule, ZoneInfo("UTC")) == []


def test_a_night_across_midnight_is_read_as_such() -> None:
    rule = NightWorkRule.model_validate({"from": "22:00", "until": "05:00"})
    at = [datetime(2014, 1, 6, h, tzinfo=ZONE) for h in (21, 22, 23, 3, 5)]
    entries = [Entry("visit", f"V{h.hour}", "D1", h, h) for h in at]
    [finding] = night_work(entries, rule, ZONE)
    assert finding.records == ("V22", "V23", "V3")


def test_a_follow_up_within_the_visits_minute_is_flagged_with_both_records() -> None:
    rule = SameMinuteFollowUpRule(within_seconds=60)
    seen = visit(1, 0)
    calls = [
        Entry("visit_follow_up", f"F{s}", "D1", seen.occurred + timedelta(seconds=s),
              seen.recorded, follows=seen.ref, follows_occurred=seen.occurred)
        for s in (59, 60)
    ]  # fmt: skip
    [finding] = same_minute_follow_ups([seen, *calls], rule)
    assert finding.records == ("F59", "V1")


def test_a_household_visited_by_two_officers_on_one_day_is_flagged_for_both() -> None:
    rule = SharedHouseholdRule()
    own = [visit(1, 0, household="H1"), visit(2, 300, household="H1")]
    assert shared_households(own, rule, ZONE) == {}
    other = visit(3, 600, household="H1", badge="D2")
    next_day = visit(4, 24 * 60, household="H1", badge="D3")
    found = shared_households([*own, other, next_day], rule, ZONE)
    assert sorted(found) == ["D1", "D2"]
    assert found["D1"][0].records == ("V1", "V2", "V3")


# --- rule sets ------------------------------------------------------------------------


def test_the_default_rule_set_is_shipped_and_named_by_version() -> None:
    rules = load_quality_rules("quality-default")
    assert rules.name == "quality-default"
    assert load_quality_rules(f"quality-default@{rules.version}") == rules
    assert rules.night_work.from_ == "00:00"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("quality-default@1999.1", "has no version '1999.1'"),
        ("dezhou-2014", "no quality rule set named 'dezhou-2014'"),
    ],
)
def test_unknown_rule_sets_are_refused(name: str, message: str) -> None:
    with pytest.raises(beatpolice.QualityError, match=message):
        load_quality_rules(name)


def test_a_station_loads_its_own_rule_set(tmp_path: Path) -> None:
    own = tmp_path / "strict.toml"
    own.write_text(
        'kind = "quality"\nname = "strict"\nversion = "1"\n'
        '[late_entry]\nafter_hours = 24\nmax_share = "0"\n'
        '[night_work]\nfrom = "22:00"\nuntil = "06:00"\n',
        "utf-8",
    )
    rules = load_quality_rules(own)
    assert (rules.late_entry.after_hours, rules.night_work.from_) == (24, "22:00")
    assert quality_digest(rules) != quality_digest(load_quality_rules("quality-default"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('name = "x"\nversion = "1"\n[late_entry]\nmax_share = "3/2"\n', "max_share"),
        ('name = "x"\nversion = "1"\n[burst]\nwindow_minutes = 0\n', "window_minutes"),
        ('name = "x"\nversion = "1"\n[night_work]\nfrom = "25:00"\n', "from"),
        ('name = "x"\nversion = "1"\nthreshold = 3\n', "threshold"),
        ('name = "x"\nversion = \n', "cannot load"),
    ],
)
def test_a_broken_rule_set_is_refused_naming_the_field(
    tmp_path: Path, body: str, field: str
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(body, "utf-8")
    with pytest.raises(beatpolice.QualityError, match=field):
        load_quality_rules(broken)


def test_a_rule_set_model_is_taken_as_it_is() -> None:
    rules = QualityRules(name="mine", version="1", burst=BurstRule(max_households=9))
    assert load_quality_rules(rules) is rules


# --- the API --------------------------------------------------------------------------


def test_a_quality_report_refuses_a_bad_month_and_a_naive_close() -> None:
    station = beatpolice.connect("memory://")
    with pytest.raises(beatpolice.QualityError, match="month: expected YYYY-MM"):
        beatpolice.quality(station, month="2014-1")
    with pytest.raises(beatpolice.QualityError, match="closed_at: must be timezone-aware"):
        beatpolice.quality(station, month="2014-01", closed_at=datetime(2014, 2, 1))
    assert issubclass(beatpolice.QualityError, beatpolice.BeatpoliceError)


def test_same_day_is_the_station_days_not_utcs() -> None:
    now = [datetime(2014, 1, 6, 15, 30, tzinfo=UTC)]  # 23:30 in Shanghai
    station = beatpolice.connect("memory://", clock=lambda: now[0])
    station.enlist_officer(badge="D1", name="甲", station="s", beat="b")
    station.record_service(id="S1", officer="D1", kind="x", occurred_at=now[0], acknowledged=True)
    now[0] = datetime(2014, 1, 6, 16, 30, tzinfo=UTC)  # 00:30 the next day in Shanghai
    station.record_service(
        id="S2", officer="D1", kind="x", occurred_at=now[0] - timedelta(hours=1),
        acknowledged=True,
    )  # fmt: skip

    officer = beatpolice.quality(station, month="2014-01").officer("D1")

    assert (officer.records, officer.entered_same_day) == (2, 1)
    assert officer.same_day_share == Decimal("0.5000")
    assert officer.entry_lag_median_hours == Decimal("0.00")
    assert officer.entry_lag_p90_hours == Decimal("1.00")


def test_honest_visits_just_before_and_after_a_burst_are_not_its_evidence() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    burst = [visit(n, 30 + 2 * n) for n in range(6)]  # 09:30 ... 09:40
    honest = [visit(10, 0), visit(11, 55), visit(12, 120)]  # 09:00, 09:55, 11:00
    [finding] = bursts([*honest, *burst], rule, ZONE)
    assert finding.records == ("V0", "V1", "V2", "V3", "V4", "V5")


def test_a_burst_keeps_an_end_visit_it_needs_to_be_one() -> None:
    rule = BurstRule(window_minutes=60, max_households=4)
    visits = [visit(n, 3 * n) for n in range(4)] + [visit(4, 40)]  # the fifth is needed
    [finding] = bursts(visits, rule, ZONE)
    assert finding.records == ("V0", "V1", "V2", "V3", "V4")

"""The escalation policy presets, the dispute rules and the working-day deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import beatpolice
from beatpolice import CalendarCoverageError
from beatpolice.domain.rules.deadlines import (
    add_days,
    deadline_for,
    is_counted_day,
    overdue,
)
from beatpolice.domain.rules.escalation import DeadlineCalendar, load_policy, policy_named
from beatpolice.domain.values import Level, Role
from beatpolice.testing import write_policy

CST = timezone(timedelta(hours=8))
RECORDED = datetime(2024, 10, 1, tzinfo=UTC)


def _station(policy: str = "qingdao-three-colour", url: str = "memory://") -> beatpolice.Station:
    station = beatpolice.connect(url, policy=policy, clock=lambda: RECORDED)
    station.enlist_officer(badge="F1", name="林凡", station="枫亭派出所", beat="一区")
    return station


def test_presets_load_with_their_names_and_versions() -> None:
    qingdao = load_policy("qingdao-three-colour")
    fengqiao = load_policy("fengqiao-tiers")
    assert [rule.tier for rule in fengqiao.levels] == ["village", "town", "county"]
    assert [rule.deadline_days for rule in qingdao.levels] == [3, 7, 15]
    assert fengqiao.referral.from_top_only
    assert not qingdao.referral.from_top_only
    assert qingdao.can_resolve(Level.BLUE, frozenset({Role.GRID_WORKER}))
    assert not qingdao.can_resolve(Level.YELLOW, frozenset({Role.LAWYER, Role.JUDICIAL_OFFICE}))
    assert policy_named("fengqiao-tiers", "1") is fengqiao


def test_opening_records_policy_name_and_version() -> None:
    station = _station("fengqiao-tiers")
    station.open_dispute(
        id="D1",
        officer="F1",
        category="parking",
        parties=["薛某", "陈某"],
        occurred_at=datetime(2022, 6, 3, 9, tzinfo=CST),
        physical_conflict=True,
    )
    opened = next(
        event for _, event in station.events() if type(event).__name__ == "DisputeOpened"
    )
    assert (opened.policy, opened.policy_version) == ("fengqiao-tiers", "1")
    assert opened.level is Level.BLUE  # the Fengting article: a scuffle settled in the village


def test_physical_conflict_opens_at_least_yellow_under_qingdao() -> None:
    station = _station()
    station.open_dispute(
        id="D1",
        officer="F1",
        category="fight",
        parties=["甲", "乙"],
        occurred_at=datetime(2024, 3, 1, 9, tzinfo=CST),
        physical_conflict=True,
    )
    assert station.dispute("D1").level is Level.YELLOW


def test_station_loads_its_own_policy_file(tmp_path: Path) -> None:
    own = load_policy("qingdao-three-colour").model_copy(
        update={"name": "our-station", "version": "7", "physical_conflict_level": Level.RED}
    )
    path = write_policy(own, tmp_path / "our-station.toml")
    station = _station(str(path))
    station.open_dispute(
        id="D1",
        officer="F1",
        category="fight",
        parties=["甲", "乙"],
        occurred_at=datetime(2024, 3, 1, 9, tzinfo=CST),
        physical_conflict=True,
    )
    assert station.dispute("D1").level is Level.RED
    assert (station.dispute("D1").policy, station.dispute("D1").policy_version) == (
        "our-station",
        "7",
    )


def test_same_name_and_version_with_other_rules_is_refused(tmp_path: Path) -> None:
    changed = load_policy("fengqiao-tiers").model_copy(update={"reopens_per_level": 3})
    with pytest.raises(ValueError, match="new version"):
        load_policy(write_policy(changed, tmp_path / "changed.toml"))


def test_escalation_records_from_to_reason_and_officer() -> None:
    station = _station()
    when = datetime(2024, 3, 1, 9, tzinfo=CST)
    station.open_dispute(
        id="D1", officer="F1", category="land", parties=["赵某", "黄某"], occurred_at=when
    )
    station.escalate_dispute(
        dispute="D1", officer="F1", to_level="red", reason="围墙", occurred_at=when
    )
    escalated = [
        event for _, event in station.events() if type(event).__name__ == "DisputeEscalated"
    ]
    assert [(e.from_level, e.to_level, e.reason, e.officer) for e in escalated] == [
        (Level.BLUE, Level.RED, "围墙", "F1")
    ]


def test_closed_dispute_refuses_escalation() -> None:
    station = _station()
    when = datetime(2024, 3, 1, 9, tzinfo=CST)
    station.open_dispute(
        id="D1", officer="F1", category="land", parties=["赵某", "黄某"], occurred_at=when
    )
    station.mediate_dispute(
        dispute="D1",
        officer="F1",
        participants=["grid_worker"],
        outcome="resolved",
        occurred_at=when,
    )
    with pytest.raises(beatpolice.DisputeClosedError, match="reopen it before you escalate"):
        station.escalate_dispute(
            dispute="D1", officer="F1", to_level="red", reason="x", occurred_at=when
        )


def test_fengqiao_refers_out_only_from_the_county() -> None:
    station = _station("fengqiao-tiers")
    when = datetime(2024, 3, 1, 9, tzinfo=CST)
    station.open_dispute(
        id="D1", officer="F1", category="land", parties=["赵某", "黄某"], occurred_at=when
    )
    with pytest.raises(beatpolice.RuleViolationError, match="only from the top tier"):
        station.refer_dispute(dispute="D1", officer="F1", to="县", reason="x", occurred_at=when)


def test_working_days_skip_national_day_and_count_make_up_saturday() -> None:
    qingdao = load_policy("qingdao-three-colour")
    # 2024: 1-7 October off, Saturday 12 October a make-up workday
    assert add_days(datetime(2024, 9, 30).date(), 1, qingdao) == datetime(2024, 10, 8).date()
    assert is_counted_day(datetime(2024, 10, 12).date(), DeadlineCalendar.CHINESE_WORKING_DAYS)
    assert not is_counted_day(datetime(2024, 10, 3).date(), DeadlineCalendar.CHINESE_WORKING_DAYS)


def test_deadline_of_a_yellow_dispute_before_national_day() -> None:
    qingdao = load_policy("qingdao-three-colour")
    start = datetime(2024, 9, 27, 16, tzinfo=CST)  # Friday
    # 29 Sep (Sunday, make-up), 30 Sep, 8, 9, 10, 11, 12 (Saturday, make-up) October
    assert deadline_for(start, Level.YELLOW, qingdao) == datetime(2024, 10, 13, tzinfo=CST)


def test_years_beyond_the_calendar_fall_back_or_refuse() -> None:
    far = datetime(2040, 1, 2).date()
    assert is_counted_day(far, DeadlineCalendar.CHINESE_WORKING_DAYS)  # a Monday
    with pytest.raises(CalendarCoverageError, match="does not cover 2040"):
        is_counted_day(far, DeadlineCalendar.CHINESE_WORKING_DAYS, fallback=None)


def test_overdue_lists_open_disputes_past_their_deadline() -> None:
    station = _station()
    opened = datetime(2024, 9, 27, 16, tzinfo=CST)
    for key in ("D1", "D2"):
        station.open_dispute(
            id=key, officer="F1", category="land", parties=["赵某", "黄某"], occurred_at=opened
        )
    station.mediate_dispute(
        dispute="D2",
        officer="F1",
        participants=["grid_worker"],
        outcome="resolved",
        occurred_at=opened,
    )
    disputes = [station.dispute("D1"), station.dispute("D2")]
    # blue: 3 working days: 29, 30 September and 8 October; due 9 October 00:00
    assert overdue(disputes, datetime(2024, 10, 8, 23, 59, tzinfo=CST)) == []
    late = overdue(disputes, datetime(2024, 10, 9, tzinfo=CST))
    assert [(item.dispute, item.tier) for item in late] == [("D1", "grid")]

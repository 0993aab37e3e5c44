"""The demo station generator and recorder: deterministic, consistent, varied, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from beatpolice.demo import DemoConfig, VisitProfile, generate, record
from beatpolice.domain.values import Level, VenueCategory

SMALL = DemoConfig(beats=2, officers_per_beat=2, households=440, venues=12)


def test_same_seed_gives_the_same_month() -> None:
    first, second = generate(SMALL), generate(SMALL)
    assert [e.command.digest() for e in first.entries] == [
        e.command.digest() for e in second.entries
    ]
    assert [e.recorded_at for e in first.entries] == [e.recorded_at for e in second.entries]


def test_another_seed_gives_another_month() -> None:
    other = generate(DemoConfig(seed=4, beats=2, officers_per_beat=2, households=440, venues=12))
    assert [e.command.digest() for e in other.entries] != [
        e.command.digest() for e in generate(SMALL).entries
    ]


def test_default_station_is_shaped_like_fengting() -> None:
    demo = generate()
    assert len(demo.officers) == 12
    assert Counter(officer.beat for officer in demo.officers) == {
        "第一责任区": 3,
        "第二责任区": 3,
        "第三责任区": 3,
        "第四责任区": 3,
    }
    commands = [entry.command for entry in demo.entries]
    planned = {h for cmd in commands if cmd.type == "plan_visits" for h in cmd.households}
    visited = {cmd.household for cmd in commands if cmd.type == "record_visit"}
    assert 1000 < len(planned | visited) <= 1500
    assert {cmd.category for cmd in commands if cmd.type == "register_venue"} == set(VenueCategory)
    opened = {cmd.level for cmd in commands if cmd.type == "open_dispute"}
    assert {Level.BLUE, Level.YELLOW, Level.RED} <= opened
    assert any(cmd.type == "refer_dispute" for cmd in commands)
    assert any(cmd.type == "reopen_dispute" for cmd in commands)
    assert any(cmd.type == "retract_record" for cmd in commands)


def test_every_officer_profile_mix_includes_stars_and_near_misses() -> None:
    profiles = [officer.profile.visit for officer in generate(SMALL).officers]
    assert VisitProfile.STAR in profiles
    assert len(set(profiles)) >= 3


def test_entries_are_in_recording_order_and_some_arrive_after_the_decision() -> None:
    demo = generate()
    times = [entry.recorded_at for entry in demo.entries]
    assert times == sorted(times)
    # three visits of the late-entries officer, with their follow-up calls
    assert demo.late_entries == 6
    assert all(
        e.command.occurred_at <= e.recorded_at
        for e in demo.entries
        if hasattr(e.command, "occurred_at")
    )


def test_recording_refuses_nothing() -> None:
    demo = generate(SMALL)
    url = "memory://"
    first = record(url, demo)
    assert first.refused == ()
    assert first.events >= first.commands


def test_recording_twice_into_one_sqlite_store_is_harmless(tmp_path: object) -> None:
    demo = generate(SMALL)
    url = f"sqlite:///{tmp_path}/station.db"
    first = record(url, demo)
    second = record(url, demo)
    assert first.refused == second.refused == ()
    assert second.events == 0
    assert second.resent == second.commands


def test_too_few_households_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="at least 400 households"):
        DemoConfig(beats=2, officers_per_beat=2, households=399)


def test_malformed_month_is_refused() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        DemoConfig(month="May 2022")

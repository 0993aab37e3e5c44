"""The readings of issue 12 (ADRs 0530-0536): plans, dispute follow-ups, the scorecard's
year, the quota's cut, rule versions, and what verify compares."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import beatpolice
from beatpolice import AppraisalError, AuditMismatchError, appraise, verify
from beatpolice.appraisal import FiveStarRules, load_rules
from beatpolice.domain.rules.catalogue import shipped_versions
from beatpolice.projections.appraisal import appraise_events, stored_events
from beatpolice.testing.month_examples import (
    BEIJING,
    enlist,
    record,
    services,
    visits,
)

RECORDED = datetime(2014, 3, 1, tzinfo=UTC)
JAN, DEC = "2014-01", "2013-12"
AS_OF = datetime(2014, 3, 2, tzinfo=BEIJING)


@pytest.fixture
def station() -> Any:
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as opened:
        record(opened, enlist("D0001", "薛翠翠"))
        yield opened


def _plan(station: beatpolice.Station, households: list[str]) -> int:
    return station.plan_visits(officer="D0001", month=JAN, households=households).events


def test_a_plan_reissued_after_another_is_the_plan(station: beatpolice.Station) -> None:
    recorded = [c for c in visits("D0001", JAN, 3) if c["type"] != "plan_visits"]
    a = [c["household"] for c in recorded if c["type"] == "record_visit"]
    b = [f"B{n}" for n in range(3)]
    record(station, recorded)

    assert [_plan(station, a), _plan(station, b), _plan(station, a)] == [1, 1, 1]
    assert _plan(station, a) == 0  # the plan in force, sent again: a re-send

    plans = [e for _, e in stored_events(station) if type(e).__name__ == "VisitsPlanned"]
    assert [list(getattr(p, "households", ())) for p in plans] == [a, b, a]
    report = appraise(station, month=JAN, as_of=AS_OF)
    rate = {c.label: c for c in report.officer("D0001").checks["visit"]}
    assert rate["planned households visited (入户走访率)"].value_text == "3/3"


def _dispute(station: beatpolice.Station) -> None:
    def at(day: str, hour: int) -> datetime:
        return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")

    station.open_dispute(
        id="D1",
        officer="D0001",
        category="邻里纠纷",
        parties=["甲", "乙"],
        occurred_at=at("2013-12-02", 9),
    )
    station.mediate_dispute(
        dispute="D1",
        officer="D0001",
        participants=["community_officer", "grid_worker"],
        outcome="resolved",
        occurred_at=at("2013-12-02", 10),
    )
    station.follow_up_dispute(
        dispute="D1", officer="D0001", parties_satisfied=True, occurred_at=at("2013-12-05", 9)
    )
    station.reopen_dispute(
        dispute="D1", officer="D0001", reason="又吵起来了", occurred_at=at("2014-01-06", 9)
    )
    station.mediate_dispute(
        dispute="D1",
        officer="D0001",
        participants=["community_officer", "grid_worker"],
        outcome="resolved",
        occurred_at=at("2014-01-07", 10),
    )


def _satisfied(report: beatpolice.AppraisalReport) -> str:
    checks = {c.label: c for c in report.officer("D0001").checks["mediation"]}
    return checks["both parties satisfied"].value_text


def test_a_follow_up_counts_only_for_the_resolution_it_follows(
    station: beatpolice.Station,
) -> None:
    _dispute(station)

    assert _satisfied(appraise(station, month=DEC, as_of=AS_OF)) == "1/1"
    january = appraise(station, month=JAN, as_of=AS_OF)
    assert _satisfied(january) == "0/1"
    verify(station, january)
    latest = load_rules("dezhou-2014").model_copy(update={"dispute_follow_up": "latest"})
    assert _satisfied(appraise(station, month=JAN, rules=latest, as_of=AS_OF)) == "1/1"


def test_the_rules_digest_of_a_shipped_version_is_unchanged_by_new_settings() -> None:
    rules = load_rules("dezhou-2014@2014.1")
    assert rules.dispute_follow_up == "after_resolution"
    # the digest 0.1 reports name (tests/samples/v0_1) stays the same
    from beatpolice.domain.rules.ruleset import rules_digest

    assert rules_digest(rules) == (
        "sha256:518371b2a3dd39a394cabc18255d8600f004d98ba76581957e12c1014720692e"
    )
    changed = rules.model_copy(update={"dispute_follow_up": "latest"})
    assert rules_digest(changed) != rules_digest(rules)


def test_the_years_points_of_a_month_are_that_months_report(
    station: beatpolice.Station,
) -> None:
    record(station, visits("D0001", JAN, 5) + services("D0001", JAN, 2))
    record(station, visits("D0001", "2014-02", 5, prefix="F"))  # the same households

    year = appraise(station, month="2014", rules="scorecard-example", as_of=AS_OF)
    months = [
        appraise(station, month=m, rules="scorecard-example", as_of=AS_OF)
        for m in (JAN, "2014-02")
    ]

    for month, report in zip((JAN, "2014-02"), months, strict=True):
        assert (
            year.officer("D0001").metrics[f"points.{month}"]
            == (report.officer("D0001").metrics["points"])
        )
    total = sum(Decimal(str(r.officer("D0001").metrics["points"])) for r in months)
    assert year.officer("D0001").metrics["points"] == str(total)
    verify(station, year)


def test_not_awarded_names_the_quota_position(station: beatpolice.Station) -> None:
    record(station, enlist("D0002", "苏振"))
    record(station, visits("D0001", JAN, 60) + services("D0001", JAN, 4))
    record(station, visits("D0002", JAN, 60) + services("D0002", JAN, 3, prefix="S2-"))
    one_star = FiveStarRules(name="one-star", version="1", quota=1)

    report = appraise(station, month=JAN, rules=one_star, as_of=AS_OF)

    assert report.officer("D0001").awarded == ["service"]
    why = report.officer("D0002").not_awarded["service"]
    assert why.startswith("cut by the quota: 2nd in the award order (2nd candidate for service")
    assert "awards 1 star" in why
    assert report.officer("D0001").not_awarded == {}
    saved = json.loads(report.to_json())
    saved["officers"][1]["not_awarded"] = {}
    with pytest.raises(AuditMismatchError, match="not_awarded"):
        verify(station, saved, rules=one_star)


def test_rule_versions_are_named_and_replayed(station: beatpolice.Station) -> None:
    assert "2014.1" in shipped_versions("dezhou-2014")
    assert load_rules("dezhou-2014").version == shipped_versions("dezhou-2014")[-1]
    with pytest.raises(AppraisalError, match=r"no version '1999\.9'.*shipped: 2014\.1"):
        load_rules("dezhou-2014@1999.9")
    with pytest.raises(AppraisalError, match="no rule set named 'nothing'"):
        load_rules("nothing@1")
    report = appraise(station, month=JAN, rules="dezhou-2014@2014.1", as_of=AS_OF)
    assert (report.rules.name, report.rules.version) == ("dezhou-2014", "2014.1")
    verify(station, report)  # replays under the version it names


def test_verify_covers_provisional(station: beatpolice.Station) -> None:
    report = appraise(station, month=JAN, as_of=RECORDED)  # as of now: provisional
    assert report.provisional
    verify(station, report)
    flipped = report.model_dump(mode="json") | {"provisional": False}
    with pytest.raises(AuditMismatchError, match="provisional"):
        verify(station, flipped)
    with beatpolice.connect("memory://", clock=lambda: RECORDED.replace(day=2)) as later:
        record(later, enlist("D0001", "薛翠翠"))
        # once as_of has settled, the report that said provisional is the final one
        settled = appraise(later, month=JAN, as_of=RECORDED)
        assert not settled.provisional
        verify(later, settled.model_dump(mode="json") | {"provisional": True})


def test_the_events_engine_gives_the_indexs_report(station: beatpolice.Station) -> None:
    record(station, visits("D0001", JAN, 60) + services("D0001", JAN, 4))
    made = appraise(station, month=JAN, as_of=AS_OF)

    again = appraise_events(
        stored_events(station), month=JAN, rules="dezhou-2014", as_of=AS_OF, now=RECORDED
    )

    assert again.model_dump(exclude={"log"}) == made.model_dump(exclude={"log"})


def test_the_disputes_registry_as_of_shows_the_field_then(
    station: beatpolice.Station,
) -> None:
    from beatpolice.projections.registries import open_registries

    _dispute(station)  # opened 12-02, resolved 12-02, reopened 01-06, resolved 01-07
    registries = open_registries(station)
    registries.catch_up()

    def row(moment: str) -> Any:
        found = registries.disputes(as_of=datetime.fromisoformat(moment)).rows
        return found[0] if found else None

    assert row("2013-12-01T00:00:00+08:00") is None  # not yet opened
    assert row("2013-12-02T09:30:00+08:00").status == "open"
    december = row("2013-12-31T00:00:00+08:00")
    assert (december.status, december.reopen_count, december.parties_satisfied) == (
        "resolved",
        0,
        True,
    )
    reopened = row("2014-01-06T12:00:00+08:00")
    assert (reopened.status, reopened.reopen_count, reopened.parties_satisfied) == (
        "reopened",
        1,
        None,
    )
    assert row("2014-02-01T00:00:00+08:00").status == "resolved"
    assert registries.disputes().rows[0].mediations == 2  # no as_of: as it stands now


def test_verify_covers_the_log_checkpoint(station: beatpolice.Station) -> None:
    record(station, visits("D0001", JAN, 60))
    report = appraise(station, month=JAN, as_of=AS_OF)
    assert report.log is not None
    assert verify(station, report).log == report.log
    forged = report.model_dump(mode="json")
    forged["log"]["root"] = "sha256:" + "0" * 64
    with pytest.raises(AuditMismatchError, match="log: the report was made on size"):
        verify(station, forged)


def test_a_report_cannot_downgrade_itself_to_format_1(station: beatpolice.Station) -> None:
    record(station, visits("D0001", JAN, 60))
    report = appraise(station, month=JAN, as_of=AS_OF)
    downgraded = appraise_events(
        stored_events(station),
        month=JAN,
        rules="dezhou-2014",
        as_of=AS_OF,
        now=RECORDED,
        fingerprint_format="beatpolice-appraisal/1",
    ).model_dump(mode="json") | {"log": report.model_dump(mode="json")["log"]}
    del downgraded["fingerprint_format"]  # claims to be 0.1's, yet carries 0.2's fields

    with pytest.raises(AuditMismatchError) as raised:
        verify(station, downgraded)
    assert any("has no checks" in d for d in raised.value.differences)
    assert any("has no log" in d for d in raised.value.differences)

"""Properties of appraisal: bitemporal replay, ingestion order, fingerprints, live tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice import appraise
from beatpolice.appraisal import live_tallies, load_rules
from beatpolice.domain.rules.ruleset import FiveStarRules
from beatpolice.projections.appraisal._engine import index_runner
from beatpolice.testing.month_examples import enlist, record

T0 = datetime(2014, 2, 10, tzinfo=UTC)
"""The recording clock: after every field time the strategies draw (up to 9 February)."""
BADGES = ("D0001", "D0002")


@st.composite
def field_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Independent records (visits, leads, services) of two officers in Jan-Feb 2014."""
    out: list[dict[str, Any]] = []
    for number in range(draw(st.integers(0, 25))):
        badge = draw(st.sampled_from(BADGES))
        day = draw(st.integers(1, 40))
        at = (datetime(2014, 1, 1, 9, tzinfo=UTC) + timedelta(days=day - 1)).isoformat()
        kind = draw(st.sampled_from(["visit", "lead", "service"]))
        if kind == "visit":
            out.append(
                {
                    "type": "record_visit",
                    "id": f"V{number}",
                    "officer": badge,
                    "household": f"H{draw(st.integers(0, 6))}",
                    "occurred_at": at,
                    "people_match_register": draw(st.booleans()),
                }
            )
        elif kind == "lead":
            out.append(
                {
                    "type": "report_lead",
                    "id": f"L{number}",
                    "officer": badge,
                    "kind": draw(st.sampled_from(["criminal_lead", "information"])),
                    "occurred_at": at,
                    "summary": "线索",
                }
            )
        else:
            out.append(
                {
                    "type": "record_service",
                    "id": f"S{number}",
                    "officer": badge,
                    "kind": "x",
                    "occurred_at": at,
                    "acknowledged": draw(st.booleans()),
                }
            )
    return out


def _late(records: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Follow-ups and retractions of some earlier records, as late entries."""
    late: list[dict[str, Any]] = []
    for item in records[:count]:
        if item["type"] == "record_visit":
            late.append(
                {
                    "type": "follow_up_visit",
                    "visit": item["id"],
                    "officer": item["officer"],
                    "occurred_at": item["occurred_at"],
                    "satisfied": True,
                }
            )
        else:
            late.append(
                {
                    "type": "retract_record",
                    "record": item["id"],
                    "officer": item["officer"],
                    "reason": "更正",
                    "occurred_at": item["occurred_at"],
                }
            )
    return late


DEZHOU = load_rules("dezhou-2014")
assert isinstance(DEZHOU, FiveStarRules)
LENIENT = FiveStarRules(
    name="tiny",
    version="1",
    minimum_households=0,
    stars=DEZHOU.stars.model_copy(
        update={"visit": DEZHOU.stars.visit.model_copy(update={"households": 2})}
    ),
)


@settings(max_examples=25, deadline=None)
@given(first=field_records(), more=field_records(), late=st.integers(0, 10))
def test_replay_as_of_t_is_unchanged_by_events_recorded_after_t(
    first: list[dict[str, Any]], more: list[dict[str, Any]], late: int
) -> None:
    now = [T0]
    with beatpolice.connect("memory://", clock=lambda: now[0]) as station:
        record(station, [c for b in BADGES for c in enlist(b, b)])
        record(station, first)
        now[0] = T0 + timedelta(hours=1)
        decided = appraise(station, month="2014-01", rules=LENIENT, as_of=T0)
        now[0] = T0 + timedelta(days=2)
        renamed = [{**c, "id": f"X{c['id']}"} for c in more]
        record(station, renamed + _late(first, late))
        replayed = appraise(station, month="2014-01", rules=LENIENT, as_of=T0)

    assert replayed.to_json() == decided.to_json()


@settings(max_examples=25, deadline=None)
@given(records=field_records(), data=st.data())
def test_appraisal_is_unchanged_by_ingestion_order_within_a_batch(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(records))
    reports = []
    for batch in (records, shuffled):
        with beatpolice.connect("memory://", clock=lambda: T0) as station:
            record(station, [c for b in BADGES for c in enlist(b, b)])
            record(station, batch)
            report = appraise(station, month="2014-01", rules=LENIENT)
            # the log's root follows the order events were written in; the rest may not
            reports.append(report.model_copy(update={"log": None}).to_json())

    assert reports[0] == reports[1]


@settings(max_examples=25, deadline=None)
@given(records=field_records().filter(bool), data=st.data())
def test_fingerprint_changes_when_a_counted_event_or_a_rule_changes(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    with beatpolice.connect("memory://", clock=lambda: T0) as station:
        record(station, [c for b in BADGES for c in enlist(b, b)])
        base = appraise(station, month="2014-01", rules=LENIENT)
        record(station, records)
        with_records = appraise(station, month="2014-01", rules=LENIENT)
        counted = [c for c in records if c["occurred_at"] < "2014-01-31T16"]
        if counted:
            victim = data.draw(st.sampled_from(counted))
            record(
                station,
                [
                    {
                        "type": "retract_record",
                        "record": victim["id"],
                        "officer": victim["officer"],
                        "reason": "更正",
                        "occurred_at": victim["occurred_at"],
                    }
                ],
            )
            retracted = appraise(station, month="2014-01", rules=LENIENT)
            assert retracted.fingerprint != with_records.fingerprint
        bumped = LENIENT.model_copy(update={"quota": LENIENT.quota + 1})
        rule_changed = appraise(station, month="2014-01", rules=bumped)

    if counted:
        assert with_records.fingerprint != base.fingerprint
    assert rule_changed.fingerprint != with_records.fingerprint


@settings(max_examples=20, deadline=None)
@given(batches=st.lists(field_records(), min_size=1, max_size=4), late=st.integers(0, 8))
def test_live_tallies_caught_up_batch_by_batch_equal_a_full_replay(
    batches: list[list[dict[str, Any]]], late: int
) -> None:
    with beatpolice.connect("memory://", clock=lambda: T0) as station:
        record(station, [c for b in BADGES for c in enlist(b, b)])
        for number, batch in enumerate(batches):
            renamed = [{**c, "id": f"B{number}{c['id']}"} for c in batch]
            record(station, renamed + _late(renamed, late))
            incremental = live_tallies(station, month="2014-01")
        index_runner(station).rebuild()
        replayed = live_tallies(station, month="2014-01")
        events = [event for _, event in station.events()]

    assert incremental == replayed
    assert {b: t["leads"] for b, t in incremental.items()} == _reference_leads(events)


def _reference_leads(events: list[Any]) -> dict[str, int]:
    """Leads of January (Beijing time) not retracted, counted straight from the log."""
    retracted = {(e.officer, e.record) for e in events if type(e).__name__ == "RecordRetracted"}
    counts: dict[str, int] = {}
    start, end = datetime(2013, 12, 31, 16, tzinfo=UTC), datetime(2014, 1, 31, 16, tzinfo=UTC)
    for e in events:
        recorded = type(e).__name__ in ("LeadReported", "VisitRecorded", "ServiceRendered")
        if recorded and start <= e.occurred_at < end:
            counts.setdefault(e.officer, 0)
            if type(e).__name__ == "LeadReported" and (e.officer, e.id) not in retracted:
                counts[e.officer] += 1
    return counts

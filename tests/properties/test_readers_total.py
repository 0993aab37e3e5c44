"""Readers are total: whatever a station accepts, every registry, appraisal and report reads.

Arbitrary commands (of every type, naming the station's records, with field times at
the very edges of the accepted range: 1990-01-01T00:00:00+08:00, the recording clock
plus the tolerance, under a clock of 2027 and one a day before the ceiling) are
recorded; then every registry, every shipped rule set's appraisal and its verification,
and the HTML report are computed over them. None of them may fail.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice import appraise, verify
from beatpolice.commands import COMMAND_TYPES
from beatpolice.domain.field_time import CEILING, DEFAULT_TOLERANCE, EARLIEST
from beatpolice.projections.registries import open_registries
from beatpolice.projections.registries._common import month_of
from beatpolice.report import render_html
from beatpolice.testing import commands

CLOCKS = (datetime(2027, 1, 1, tzinfo=UTC), CEILING - timedelta(days=1))
RULE_SETS = ("dezhou-2014", "dezhou-2014-strict", "scorecard-example")
POOLS = {
    "dispute": ("DA", "DB"),
    "venue": ("PA", "PB"),
    "visit": ("VA", "VB", "VC"),
    "record": ("VA", "LA", "SA"),
    "finding": ("FA", "FB"),
    "lead": ("LA", "LB"),
    "service": ("SA", "SB"),
    "other": ("XA", "XB"),
}
ID_POOL = {
    "open_dispute": "dispute",
    "register_venue": "venue",
    "record_visit": "visit",
    "report_lead": "lead",
    "record_service": "service",
}
WORLD = (
    "open_dispute",
    "open_dispute",
    "register_venue",
    "record_visit",
    "record_visit",
    "report_lead",
    "record_service",
    "inspect_venue",
)
"""Commands drawn first in every example, so that the records others follow exist."""
CREATING = {
    "open_dispute",
    "register_venue",
    "record_visit",
    "report_lead",
    "record_service",
    "inspect_venue",
}


def _edges(clock: datetime) -> list[datetime]:
    latest = min(clock + DEFAULT_TOLERANCE, CEILING - timedelta(microseconds=1))
    return [
        EARLIEST,
        EARLIEST + timedelta(microseconds=1),
        datetime(2014, 1, 31, 15, 59, 59, tzinfo=UTC),  # a month's last instant in Shanghai
        clock - timedelta(days=40),
        clock,
        latest,
    ]


@st.composite
def accepted_candidates(
    draw: st.DrawFn, clock: datetime, kind: str | None = None
) -> dict[str, Any]:
    """A well-formed command naming the station's few records, at an edge time."""
    kind = kind or draw(st.sampled_from(sorted(COMMAND_TYPES)))
    value: dict[str, Any] = draw(commands(kind)).model_dump(mode="json")
    for field in ("dispute", "venue", "visit", "record"):
        if field in value:
            value[field] = draw(st.sampled_from(POOLS[field]))
    if "id" in value:
        value["id"] = draw(st.sampled_from(POOLS[ID_POOL.get(kind, "other")]))
    if "finding" in value:
        value["finding"] = draw(st.sampled_from(POOLS["finding"]))
    if "officer" in value:
        value["officer"] = "D0001"
    if "occurred_at" in value:
        value["occurred_at"] = draw(st.sampled_from(_edges(clock))).isoformat()
    if "month" in value:
        value["month"] = draw(st.sampled_from(["1990-01", "2014-01", "2999-12"]))
    for finding in value.get("findings", ()):
        finding["id"] = draw(st.sampled_from(POOLS["finding"]))
        finding["rectify_by"] = draw(
            st.sampled_from([date(1990, 1, 1), date(2014, 2, 1), date(2999, 12, 31)])
        ).isoformat()
    return value


def _months(station: beatpolice.Station) -> set[str]:
    found = {"1990-01", "2999-12"}
    for _, event in station.events():
        occurred_at = getattr(event, "occurred_at", None)
        if isinstance(occurred_at, datetime):
            found.add(month_of(occurred_at, station.time_zone))
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), clock=st.sampled_from(CLOCKS))
def test_every_reader_reads_whatever_was_accepted(data: st.DataObject, clock: datetime) -> None:
    world = [data.draw(accepted_candidates(clock, kind)) for kind in WORLD]
    drawn = data.draw(st.lists(accepted_candidates(clock), min_size=1, max_size=30))
    # what creates a record comes first, so that most follow-ups find what they follow
    values = world + sorted(drawn, key=lambda value: value["type"] not in CREATING)
    with beatpolice.connect("memory://", clock=lambda: clock) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        for value in values:
            with suppress(beatpolice.BeatpoliceError):  # what matters is what was accepted
                station.handle(value)
        registries = open_registries(station)
        registries.catch_up()
        instants = [None, EARLIEST, clock, CEILING - timedelta(microseconds=1)]
        for month in sorted(_months(station)):
            registries.officers(month=month)
            registries.households(month=month)
            registries.disputes(month=month, count_open=True)
            for rules in RULE_SETS:
                report = appraise(station, month=month, rules=rules)
                verify(station, report)
                render_html(report)
        for as_of in instants:
            registries.disputes(as_of=as_of, only_overdue=as_of is not None)
            registries.venues(as_of=as_of, only_overdue=as_of is not None)

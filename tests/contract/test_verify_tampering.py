"""Verify trusts nothing derived: tamperings made directly in ``stored_events`` (SQLite
file and PostgreSQL) and in the appraisal index each fail ``verify`` (ADR 0532)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

import beatpolice
from beatpolice import AuditMismatchError, appraise, verify
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

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _month(station: beatpolice.Station) -> None:
    record(station, enlist("D0001", "薛翠翠") + enlist("D0002", "苏振"))
    record(station, visits("D0001", JAN, 90))
    record(station, visits("D0002", JAN, 60, prefix="B") + mediations("D0002", JAN, 3))
    record(station, leads("D0002", JAN, "criminal_lead", 2) + services("D0002", JAN, 3))


@contextmanager
def _sql(url: str) -> Iterator[Callable[..., list[Any]]]:
    """Run SQL straight on the store's database (``?`` placeholders on both)."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///") :])
        try:
            yield lambda query, *args: connection.execute(query, args).fetchall()
            connection.commit()
        finally:
            connection.close()
    else:
        with psycopg.connect(url) as pg:
            (table,) = pg.execute(  # eventsourcing names it after the application
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_name LIKE '%events'"
            ).fetchone() or ("stored_events",)

            def run(query: str, *args: Any) -> list[Any]:
                query = query.replace("?", "%s").replace("stored_events", table)
                cursor = pg.execute(query, args)
                return cursor.fetchall() if cursor.description else []

            yield run


def _edit(url: str, topic: str, old: bytes, new: bytes, *, nth: int = 0) -> None:
    """Replace ``old`` with ``new`` in the state of the nth stored event of ``topic``."""
    with _sql(url) as sql:
        rows = sql(
            "SELECT originator_id, originator_version, state FROM stored_events "
            "WHERE topic = ? ORDER BY originator_id, originator_version",
            topic,
        )
        matching = [row for row in rows if old in bytes(row[2])]
        originator, version, state = matching[nth]
        sql(
            "UPDATE stored_events SET state = ? "
            "WHERE originator_id = ? AND originator_version = ?",
            bytes(state).replace(old, new, 1),
            originator,
            version,
        )


def _delete(url: str, topic: str, marker: bytes) -> None:
    with _sql(url) as sql:
        rows = sql(
            "SELECT originator_id, originator_version, state FROM stored_events WHERE topic = ?",
            topic,
        )
        originator, version, _ = next(row for row in rows if marker in bytes(row[2]))
        sql(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            originator,
            version,
        )


TAMPERINGS: dict[str, Callable[[str], None]] = {
    "a follow-up's satisfaction flipped": lambda url: _edit(
        url, "beatpolice:VisitFollowedUp", b'"satisfied":true', b'"satisfied":false'
    ),
    "a dispute follow-up flipped": lambda url: _edit(
        url,
        "beatpolice:DisputeFollowedUp",
        b'"parties_satisfied":true',
        b'"parties_satisfied":false',
    ),
    "a visit's household changed": lambda url: _edit(
        url, "beatpolice:VisitRecorded", b'"household":"H1"', b'"household":"H999"'
    ),
    "a visit deleted": lambda url: _delete(url, "beatpolice:VisitRecorded", b'"id":"V3"'),
    "a lead deleted": lambda url: _delete(url, "beatpolice:LeadReported", b'"id":"L-'),
    "a field time moved to another month": lambda url: _edit(
        url, "beatpolice:VisitRecorded", b'"occurred_at":"2014-01-05', b'"occurred_at":"2014-02-05'
    ),
    "a service's acknowledgement flipped": lambda url: _edit(
        url, "beatpolice:ServiceRendered", b'"acknowledged":true', b'"acknowledged":false'
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_each_tampering_with_the_events_fails_verify(station_url: str, tampering: str) -> None:
    with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
        _month(station)
        report = appraise(station, month=JAN, as_of=AS_OF)
        verify(station, report)

    TAMPERINGS[tampering](station_url)

    with (
        beatpolice.connect(station_url, clock=lambda: RECORDED) as station,
        pytest.raises(AuditMismatchError) as raised,
    ):
        verify(station, report)
    assert any("D000" in difference for difference in raised.value.differences)


def test_a_fresh_report_from_a_gutted_index_fails_verify(station_url: str) -> None:
    with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
        _month(station)
        honest = appraise(station, month=JAN, as_of=AS_OF)  # the index is caught up

    with _sql(station_url) as sql:  # an insider deletes index rows of D0001's month
        sql("DELETE FROM bp_appraisal_facts WHERE key LIKE ?", "2014-01/D0001/0%")

    with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
        verify(station, honest)  # the events still say what the honest report says
        forged = appraise(station, month=JAN, as_of=AS_OF)
        assert forged.officer("D0001").metrics != honest.officer("D0001").metrics
        with pytest.raises(AuditMismatchError, match="officer D0001"):
            verify(station, forged)


DAMAGES = {
    "a topic that names no event": (
        "UPDATE stored_events SET topic = 'beatpolice:Forged' WHERE topic = ? AND "
        "originator_version = 2"
    ),
    "a state that is not the event's": (
        "UPDATE stored_events SET state = ? WHERE topic = ? AND originator_version = 2"
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_an_unreadable_event_is_a_difference_naming_where(station_url: str, damage: str) -> None:
    with beatpolice.connect(station_url, clock=lambda: RECORDED) as station:
        _month(station)
        report = appraise(station, month=JAN, as_of=AS_OF)
    with _sql(station_url) as sql:
        args: tuple[Any, ...] = ("beatpolice:VisitFollowedUp",)
        if "state" in damage:
            args = (b'{"satisfied": "perhaps"}', *args)
        sql(DAMAGES[damage], *args)

    with (
        beatpolice.connect(station_url, clock=lambda: RECORDED) as station,
        pytest.raises(AuditMismatchError, match="log: the stored event after position"),
    ):
        verify(station, report)

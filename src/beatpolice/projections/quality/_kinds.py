"""Which events are records the quality signals read: one line of configuration each.

Each line maps an event's topic to a :class:`RecordKind`: the kind's name, the
attribute holding its field time (a patrol is dated by when it ended), the attribute
naming a household (for bursts and shared households), and, for a record that
follows another (a visit's follow-up call, a request's answer), the attribute naming
the record it follows. Nothing else changes when a kind is added; the quality index's
version follows this table, so the index is rebuilt with the new kind filed.
"""

from __future__ import annotations

import zlib
from typing import Literal

import attrs

__all__ = ["RECORD_KINDS", "RETRACTION_TOPIC", "RecordKind", "kinds_version", "topic_of"]


@attrs.frozen
class RecordKind:
    """How one event topic is read as a record of the officer who made it."""

    kind: str
    """The record's kind, as the rule sets name it (``visit``, ``patrol``, ...)."""
    time: str = "occurred_at"
    """The attribute holding the field time."""
    household: str | None = None
    """The attribute naming the household concerned, if the kind has one."""
    follows: str | None = None
    """The attribute naming the record this one follows (its key is that record's id)."""
    key: str = "id"
    """The attribute holding the record's id (a follow-up's key is the followed id)."""
    owner: Literal["officer", "event"] = "officer"
    """Whose aggregate id a reference names: the officer's (the appraisal's references
    of visits, leads, services and follow-ups, ADR 0240) or the event's own."""


RECORD_KINDS: dict[str, RecordKind] = {
    "beatpolice:VisitRecorded": RecordKind("visit", household="household"),
    "beatpolice:VisitFollowedUp": RecordKind("visit_follow_up", follows="visit", key="visit"),
    "beatpolice:LeadReported": RecordKind("lead"),
    "beatpolice:ServiceRendered": RecordKind("service"),
    # the officer's day (contract 0.2): records of their own aggregates
    "beatpolice:InformationCollected": RecordKind(
        "information", household="household", owner="event"
    ),
    "beatpolice:PatrolCompleted": RecordKind("patrol", time="ended_at", owner="event"),
    "beatpolice:OutreachHeld": RecordKind("outreach", owner="event"),
    "beatpolice:MeetingHeld": RecordKind("meeting", owner="event"),
    "beatpolice:RequestReceived": RecordKind("request", household="household", owner="event"),
    "beatpolice:RequestAnswered": RecordKind(
        "request_answer", follows="request", key="request", owner="event"
    ),
    "beatpolice:FraudRiskAssessed": RecordKind("fraud_risk", household="household", owner="event"),
    "beatpolice:SurveyRecorded": RecordKind("survey", owner="event"),
}
"""Event topic -> how it is read. Order is the order kinds are listed."""

RETRACTION_TOPIC = "beatpolice:RecordRetracted"
"""A retraction (attributes ``record``, ``officer``): the record leaves every signal."""


def topic_of(kind: str) -> str:
    """The topic of the events of a kind (``visit`` -> ``beatpolice:VisitRecorded``)."""
    if kind == "retraction":
        return RETRACTION_TOPIC
    for topic, spec in RECORD_KINDS.items():
        if spec.kind == kind:
            return topic
    raise KeyError(kind)


def kinds_version() -> int:
    """A checksum of the table: the quality index is rebuilt when it changes."""
    return zlib.crc32(repr(sorted(RECORD_KINDS.items())).encode()) % 1000

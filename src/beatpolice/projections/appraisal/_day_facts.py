"""The facts of the officer's day (0.2) as the appraisal index files them.

Information collected, patrols, outreach, meetings, requests and their answers,
fraud-risk assessments, surveys and commendations: each event becomes one fact
``[kind, recorded, command, key, value, originator_id]`` in the index's ``day`` table,
under the field day of the record (a patrol's ``started_at``; an answer's own time).
They are kept apart from the 0.1 facts so that a rule set that does not count them
reads, decides and fingerprints exactly what it did before (ADR 0910).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beatpolice.domain.day_records import (
    CommendationReceived,
    FraudRiskAssessed,
    InformationCollected,
    MeetingHeld,
    OutreachHeld,
    PatrolCompleted,
    RequestAnswered,
    RequestReceived,
    SurveyRecorded,
)

__all__ = ["DAY_EVENTS", "day_fact"]

DAY_EVENTS: tuple[type[Any], ...] = (
    InformationCollected,
    PatrolCompleted,
    OutreachHeld,
    MeetingHeld,
    RequestReceived,
    RequestAnswered,
    FraudRiskAssessed,
    SurveyRecorded,
    CommendationReceived,
)


def day_fact(event: Any) -> tuple[str, str, Any, datetime]:
    """The fact's kind, key and value, and the field time it is filed under."""
    if isinstance(event, InformationCollected):
        category = event.category.value if event.category else None
        return "collected", event.id, [event.subject.value, category], event.occurred_at
    if isinstance(event, PatrolCompleted):
        seconds = int((event.ended_at - event.started_at).total_seconds())
        return (
            "patrol",
            event.id,
            [event.mode.value, seconds, list(event.points)],
            event.started_at,
        )
    if isinstance(event, OutreachHeld):
        return "outreach", event.id, [event.kind.value, event.reach], event.occurred_at
    if isinstance(event, MeetingHeld):
        return "meeting", event.id, [event.kind.value, event.attendees], event.occurred_at
    if isinstance(event, RequestReceived):
        return "request", event.id, event.channel.value, event.occurred_at
    if isinstance(event, RequestAnswered):
        return "answer", event.request, event.outcome.value, event.occurred_at
    if isinstance(event, FraudRiskAssessed):
        value = [event.script, event.matched, event.total, event.level]
        return "fraud_risk", event.id, value, event.occurred_at
    if isinstance(event, SurveyRecorded):
        value = [event.kind.value, event.respondents, event.positive]
        return "survey", event.id, value, event.occurred_at
    assert isinstance(event, CommendationReceived)
    return "commendation", event.id, event.kind.value, event.occurred_at

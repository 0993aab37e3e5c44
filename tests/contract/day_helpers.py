"""Commands of the rest of an officer's day (the contract's 0.2 table), for the suites.

:func:`day_commands` is one JSON-shaped command of each new type, in an order that
succeeds after ``contract_helpers.every_command``'s enlistment; between them they record
every event class of the 0.2 table.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

BEIJING = timezone(timedelta(hours=8))
FIELD_TIME = datetime(2014, 1, 3, 9, 30, tzinfo=BEIJING)
BADGE = "D0001"
SECOND = "D0002"
"""The officer whose patrol plan and transfer the day's commands record."""


def day_commands(badge: str = BADGE) -> list[dict[str, Any]]:
    """One command of every new type of 0.2, for officer ``badge`` (already enlisted),
    then the enlistment, patrol plan and transfer of officer :data:`SECOND`."""
    at = FIELD_TIME.isoformat()
    later = (FIELD_TIME + timedelta(days=1)).isoformat()
    return [
        {
            "type": "collect_information",
            "id": "I1",
            "officer": badge,
            "subject": "person",
            "category": "floating",
            "household": "H1",
            "summary": "新入住租户两人，已登记居住证",
            "occurred_at": at,
            "source": "grid_worker",
        },
        {
            "type": "record_patrol",
            "id": "PT1",
            "officer": badge,
            "started_at": at,
            "ended_at": (FIELD_TIME + timedelta(hours=2)).isoformat(),
            "points": ["P1"],
            "participants": ["auxiliary_officer", "grid_worker"],
            "mode": "foot",
        },
        {
            "type": "record_outreach",
            "id": "O1",
            "officer": badge,
            "kind": "reminder",
            "channel": "wechat_group",
            "topic": "anti_fraud",
            "reach": 420,
            "occurred_at": at,
        },
        {
            "type": "hold_meeting",
            "id": "M1",
            "officer": badge,
            "kind": "police_grid",
            "participants": ["community_officer", "grid_worker", "village_cadre"],
            "attendees": 9,
            "summary": "警格网格周例会，通报本周社情",
            "occurred_at": at,
        },
        {
            "type": "receive_request",
            "id": "R1",
            "officer": badge,
            "channel": "livelihood",
            "summary": "楼道路灯损坏，夜间出行不便",
            "occurred_at": at,
            "household": "H1",
        },
        {
            "type": "answer_request",
            "request": "R1",
            "officer": badge,
            "outcome": "helped_beyond_remit",
            "occurred_at": later,
        },
        {
            "type": "assess_fraud_risk",
            "id": "FR1",
            "officer": badge,
            "household": "H1",
            "script": "impersonating_authorities",
            "features": [f"PA{n:02d}" for n in range(1, 12)],
            "occurred_at": at,
        },
        {
            "type": "record_survey",
            "id": "SV1",
            "officer": badge,
            "kind": "security",
            "respondents": 40,
            "positive": 37,
            "occurred_at": at,
        },
        {
            "type": "receive_commendation",
            "id": "CM1",
            "officer": badge,
            "kind": "banner",
            "occurred_at": at,
            "giver": "王建国",
        },
        # The officer's own events last, for a second officer: a batch saves an
        # aggregate's events together, so these keep the log's order either way.
        {
            "type": "enlist_officer",
            "badge": SECOND,
            "name": "李明",
            "station": "德州市公安局",
            "beat": "一区",
        },
        {"type": "plan_patrols", "officer": SECOND, "month": "2014-01", "points": ["P1", "P2"]},
        {
            "type": "transfer_officer",
            "officer": SECOND,
            "station": "德州市公安局",
            "beat": "二区",
            "occurred_at": later,
        },
    ]

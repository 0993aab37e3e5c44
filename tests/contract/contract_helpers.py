"""Helpers of the contract suite: a station month that uses every command, and the raw log.

Kept out of the test modules so that worker processes (spawned, not forked) can
import what they run without importing pytest's test modules.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from day_helpers import day_commands

import beatpolice

BEIJING = timezone(timedelta(hours=8))
FIELD_TIME = datetime(2014, 1, 3, 9, 30, tzinfo=BEIJING)
"""When things happen in the field in these tests."""

BADGE = "D0001"

Stored = tuple[str, str, int, bytes]


def stored_events(station: beatpolice.Station) -> list[Stored]:
    """Every stored event as (topic, originator id, version, state bytes), in log order."""
    recorder: Any = station._app.recorder
    rows: list[Stored] = []
    start = 1
    while True:
        page = recorder.select_notifications(start=start, limit=500)
        rows.extend(
            (n.topic, str(n.originator_id), n.originator_version, _opened(station, n.state))
            for n in page
        )
        if len(page) < 500:
            return rows
        start = page[-1].id + 1


def _opened(station: beatpolice.Station, state: bytes) -> bytes:
    """The state with its sealed personal text opened: sealing draws a fresh nonce, so
    two stores never hold the same sealed bytes (ADR 0702)."""
    if b'"bpenc1:' not in state or station.keys is None:
        return bytes(state)
    return orjson.dumps(station.keys.open_document(orjson.loads(state)))


def enlist(station: beatpolice.Station, badge: str = BADGE) -> None:
    """Enlist the officer most tests work with."""
    station.enlist_officer(badge=badge, name="薛翠翠", station="德州市公安局", beat="一区")


def every_command() -> list[dict[str, Any]]:
    """One JSON-shaped command of every type of the contract, in an order that succeeds.

    Between them they record every event class of ``beatpolice.domain.EVENT_CLASSES``.
    """
    at = FIELD_TIME.isoformat()
    later = (FIELD_TIME + timedelta(days=1)).isoformat()
    return [
        {
            "type": "enlist_officer",
            "badge": BADGE,
            "name": "薛翠翠",
            "station": "德州市公安局",
            "beat": "一区",
        },
        {"type": "plan_visits", "officer": BADGE, "month": "2014-01", "households": ["H1", "H2"]},
        {
            "type": "record_visit",
            "id": "V1",
            "officer": BADGE,
            "household": "H1",
            "occurred_at": at,
            "people_match_register": True,
            "notes": "户主王建国，家中三口人",
        },
        {
            "type": "follow_up_visit",
            "visit": "V1",
            "officer": BADGE,
            "occurred_at": later,
            "satisfied": True,
        },
        {
            "type": "report_lead",
            "id": "L1",
            "officer": BADGE,
            "kind": "criminal_lead",
            "occurred_at": at,
            "summary": "盗窃电动车线索",
        },
        {
            "type": "record_service",
            "id": "S1",
            "officer": BADGE,
            "kind": "id_card_delivery",
            "occurred_at": at,
            "acknowledged": True,
        },
        {
            "type": "record_visit",
            "id": "V2",
            "officer": BADGE,
            "household": "H2",
            "occurred_at": at,
            "people_match_register": False,
        },
        {
            "type": "retract_record",
            "record": "V2",
            "officer": BADGE,
            "reason": "录入错误",
            "occurred_at": later,
        },
        {
            "type": "open_dispute",
            "id": "DSP1",
            "officer": BADGE,
            "category": "宅基地",
            "parties": ["张三", "李四"],
            "occurred_at": at,
        },
        {
            "type": "escalate_dispute",
            "dispute": "DSP1",
            "officer": BADGE,
            "to_level": "yellow",
            "reason": "发生肢体冲突",
            "occurred_at": at,
        },
        {
            "type": "mediate_dispute",
            "dispute": "DSP1",
            "officer": BADGE,
            "participants": ["community_officer", "judicial_office", "lawyer"],
            "outcome": "resolved",
            "occurred_at": later,
        },
        {
            "type": "follow_up_dispute",
            "dispute": "DSP1",
            "officer": BADGE,
            "parties_satisfied": True,
            "occurred_at": later,
        },
        {
            "type": "reopen_dispute",
            "dispute": "DSP1",
            "officer": BADGE,
            "reason": "再次发生争执",
            "occurred_at": later,
        },
        {
            "type": "refer_dispute",
            "dispute": "DSP1",
            "officer": BADGE,
            "to": "街道综治中心",
            "reason": "超出警格处理范围",
            "occurred_at": later,
        },
        {
            "type": "register_venue",
            "id": "VEN1",
            "name": "如家快捷酒店",
            "category": "hotel",
            "address": "德州市德城区新湖大街1号",
            "officer": BADGE,
            "occurred_at": at,
        },
        {
            "type": "inspect_venue",
            "venue": "VEN1",
            "officer": BADGE,
            "mode": "spot_check",
            "occurred_at": at,
            "findings": [
                {
                    "id": "F1",
                    "code": "real_name",
                    "description": "未落实实名登记",
                    "rectify_by": "2014-01-10",
                },
                {
                    "id": "F2",
                    "code": "fire_safety",
                    "description": "消防通道堵塞",
                    "rectify_by": "2014-01-10",
                },
            ],
        },
        {
            "type": "verify_rectification",
            "venue": "VEN1",
            "finding": "F1",
            "officer": BADGE,
            "passed": True,
            "occurred_at": later,
        },
        {
            "type": "verify_rectification",
            "venue": "VEN1",
            "finding": "F2",
            "officer": BADGE,
            "passed": False,
            "occurred_at": later,
        },
        *day_commands(),
        {
            "type": "erase_personal_data",
            "subject": "household:H-none",
            "reason": "request of 2014-01-20",
            "occurred_at": later,
        },
    ]

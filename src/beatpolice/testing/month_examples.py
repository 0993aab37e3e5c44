"""Worked examples of the Dezhou article as JSON commands, for tests, docs and demos.

Each function returns the commands (the contract's JSON shape) of one slice of an
officer's month; ``record`` applies them to a station in one batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from beatpolice.application.station import Station
from beatpolice.domain import commands

__all__ = [
    "BEIJING",
    "enlist",
    "leads",
    "mediations",
    "record",
    "services",
    "visits",
]

BEIJING = timezone(timedelta(hours=8))

Command = dict[str, Any]


def _at(month: str, index: int, *, hour: int = 9) -> str:
    year, number = int(month[:4]), int(month[5:])
    return datetime(year, number, 1 + index % 28, hour, index % 60, tzinfo=BEIJING).isoformat()


def enlist(badge: str, name: str) -> list[Command]:
    """Enlist an officer of 德州市公安局."""
    return [
        {
            "type": "enlist_officer",
            "badge": badge,
            "name": name,
            "station": "德州市公安局",
            "beat": "一区",
        }
    ]


def visits(
    badge: str,
    month: str,
    households: int,
    *,
    plan: int | None = None,
    satisfied: int | None = None,
    follow_ups: int | None = None,
    mismatched: int = 0,
    prefix: str = "",
) -> list[Command]:
    """Visits to ``households`` households (ids ``H0..``), a plan, and follow-up calls.

    Args:
        badge: the officer.
        month: ``YYYY-MM``.
        households: how many distinct households are visited.
        plan: planned households (``H0..``; default: exactly those visited; 0: no plan).
        satisfied: how many follow-ups are satisfied (default: all).
        follow_ups: how many visits are followed up (default: all).
        mismatched: how many visits find people not matching the register.
        prefix: prefix of the visit ids, to record more than one slice.
    """
    planned = households if plan is None else plan
    followed = households if follow_ups is None else follow_ups
    happy = followed if satisfied is None else satisfied
    out: list[Command] = []
    if planned:
        out.append(
            {
                "type": "plan_visits",
                "officer": badge,
                "month": month,
                "households": [f"H{i}" for i in range(planned)],
            }
        )
    for i in range(households):
        visit = f"{prefix}V{i}"
        out.append(
            {
                "type": "record_visit",
                "id": visit,
                "officer": badge,
                "household": f"H{i}",
                "occurred_at": _at(month, i),
                "people_match_register": i >= mismatched,
            }
        )
        if i < followed:
            out.append(
                {
                    "type": "follow_up_visit",
                    "visit": visit,
                    "officer": badge,
                    "occurred_at": _at(month, i, hour=10),
                    "satisfied": i < happy,
                }
            )
    return out


def mediations(
    badge: str,
    month: str,
    disputes: int,
    *,
    unsatisfied: int = 0,
    unresolved: int = 0,
    without_follow_up: int = 0,
    prefix: str = "DSP",
) -> list[Command]:
    """Disputes opened and mediated by ``badge``; the first ones go wrong as asked."""
    out: list[Command] = []
    for i in range(disputes):
        dispute = f"{prefix}{i}"
        out.append(
            {
                "type": "open_dispute",
                "id": dispute,
                "officer": badge,
                "category": "邻里纠纷",
                "parties": ["王某洪", "王某文"],
                "occurred_at": _at(month, i),
            }
        )
        resolved = i >= unresolved
        out.append(
            {
                "type": "mediate_dispute",
                "dispute": dispute,
                "officer": badge,
                "participants": ["community_officer", "grid_worker"],
                "outcome": "resolved" if resolved else "failed",
                "occurred_at": _at(month, i, hour=10),
            }
        )
        if resolved and i >= unresolved + without_follow_up:
            out.append(
                {
                    "type": "follow_up_dispute",
                    "dispute": dispute,
                    "officer": badge,
                    "parties_satisfied": i >= unresolved + without_follow_up + unsatisfied,
                    "occurred_at": _at(month, i, hour=11),
                }
            )
    return out


def leads(badge: str, month: str, kind: str, count: int, *, prefix: str = "") -> list[Command]:
    """``count`` leads of one kind."""
    return [
        {
            "type": "report_lead",
            "id": f"{prefix}L-{kind}-{i}",
            "officer": badge,
            "kind": kind,
            "occurred_at": _at(month, i),
            "summary": "线索",
        }
        for i in range(count)
    ]


def services(
    badge: str, month: str, count: int, *, acknowledged: bool = True, prefix: str = ""
) -> list[Command]:
    """``count`` services to residents."""
    return [
        {
            "type": "record_service",
            "id": f"{prefix}S{i}",
            "officer": badge,
            "kind": "id_card_delivery",
            "occurred_at": _at(month, i),
            "acknowledged": acknowledged,
        }
        for i in range(count)
    ]


def record(station: Station, batch: Iterable[Command]) -> None:
    """Record the commands in one transaction; raise the first refusal."""
    outcomes = station.handle_batch(commands.validate_command(c) for c in batch)
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome

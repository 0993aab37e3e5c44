"""The patrols registry (巡逻台账): must-patrol points planned and passed, per officer and month.

One row per officer and month with a patrol plan (必巡点, the Fengting article) or a patrol: the
points planned, the planned points passed by at least one patrol of the month, the
coverage as an exact fraction (passed / planned; ``0/0`` without a plan, which is not
100%), the points passed outside the plan, the patrols by mode, and the time patrolled
as exact hours. A patrol belongs to the month its ``started_at`` falls in (station's
zone; our reading, ADR 0906); a later plan for a month replaces the earlier one.

Tables (``bp_patrols_<table>``), every document small and bounded (ADR 0404):

- ``plans``: key ``YYYY-MM|badge``; the month's plan in force;
- ``patrols``: key ``YYYY-MM|badge|patrol``; one patrol: points, seconds, mode.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.day_records import PatrolCompleted
from beatpolice.domain.officer import PatrolsPlanned
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, Row

__all__ = ["PatrolRow", "PatrolsProjection", "patrols"]

NAME = "patrols"


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


class PatrolsProjection(RegistryProjection):
    """The fold of the patrols registry."""

    name = NAME
    version = 1
    tables = ("meta", "plans", "patrols")

    def _planned(self, view: DocumentView, event: PatrolsPlanned) -> None:
        view.put(
            "plans",
            _key(event.month, event.officer),
            {"officer": event.officer, "month": event.month, "points": sorted(set(event.points))},
        )

    def _patrolled(self, view: DocumentView, event: PatrolCompleted) -> None:
        month = self.month(event.started_at)
        view.put(
            "patrols",
            _key(month, event.officer, event.id),
            {
                "officer": event.officer,
                "month": month,
                "points": sorted(set(event.points)),
                "seconds": int((event.ended_at - event.started_at).total_seconds()),
                "mode": event.mode.value,
            },
        )

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        PatrolsPlanned: _planned,
        PatrolCompleted: _patrolled,
    }


class PatrolRow(Row):
    """One officer's patrols in one month."""

    officer: str
    month: str
    points_planned: int
    """Must-patrol points (必巡点) in the month's plan."""
    points_passed: int
    """Planned points passed by at least one patrol of the month."""
    coverage: str
    """``points_passed/points_planned``, exact and unreduced (``0/0`` without a plan)."""
    unplanned_points: tuple[str, ...]
    """Points passed that the plan does not name."""
    missed_points: tuple[str, ...]
    """Planned points no patrol of the month passed."""
    patrols: int
    patrols_by_mode: dict[str, int]
    hours: str
    """Time patrolled in the month, exact hours as a reduced fraction (``"7/2"``)."""


def _row(officer: str, month: str, plan: Document | None, done: list[Document]) -> PatrolRow:
    planned = set(plan["points"]) if plan else set()
    passed = {point for patrol in done for point in patrol["points"]}
    by_mode: dict[str, int] = {}
    for patrol in done:
        by_mode[patrol["mode"]] = by_mode.get(patrol["mode"], 0) + 1
    hours = Fraction(sum(patrol["seconds"] for patrol in done), 3600)
    return PatrolRow(
        officer=officer,
        month=month,
        points_planned=len(planned),
        points_passed=len(planned & passed),
        coverage=f"{len(planned & passed)}/{len(planned)}",
        unplanned_points=tuple(sorted(passed - planned)),
        missed_points=tuple(sorted(planned - passed)),
        patrols=len(done),
        patrols_by_mode=dict(sorted(by_mode.items())),
        hours=str(hours),
    )


def patrols(store: ViewStore, *, month: str, officer: str | None = None) -> list[PatrolRow]:
    """The patrols registry for ``month``, by officer.

    Args:
        store: the view store the registry was folded into.
        month: ``YYYY-MM``, cut in the station's zone.
        officer: only this badge.
    """
    plans = {doc["officer"]: doc for _, doc in store.scan(NAME, "plans", _key(month, ""))}
    done: dict[str, list[Document]] = {}
    prefix = _key(month, officer, "") if officer else _key(month, "")
    for _, patrol in store.scan(NAME, "patrols", prefix):
        done.setdefault(patrol["officer"], []).append(patrol)
    if officer is not None:
        plans = {badge: doc for badge, doc in plans.items() if badge == officer}
        done = {badge: found for badge, found in done.items() if badge == officer}
    return [
        _row(badge, month, plans.get(badge), done.get(badge, []))
        for badge in sorted({*plans, *done})
    ]

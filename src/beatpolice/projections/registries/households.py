"""The households registry (实有人口/入户走访台账): every household seen in visits or plans.

One row per household id: its last visit (when, by whom, and whether the people matched
the register, 人号一致), its visits in a month and in total, the visits still waiting
for their follow-up call (回访), and, for a month, the officers who planned to visit
it (走访计划) and have not yet done so. Retracted visits stop counting.

Tables (``bp_households_<table>``), every document small and bounded (ADR 0404):

- ``visits``: key ``badge|visit``; one visit: its household, month (station's zone),
  field time, officer, 人号一致, follow-up answer, and whether it was retracted. A
  follow-up or a retraction names the visit, so each rewrites only this document;
- ``plans``: key ``YYYY-MM|badge``; the officer's current plan for the month (a later
  plan replaces it) and every household any of its plans for the month ever named;
- ``fraud``: key household; its latest fraud-risk assessment (防诈研判) by field time;
- ``collected``: key ``household|badge|item``; an item of information collected about
  the household (信息采集): subject, category, source and time, never its text.

A household's row is put together when the registry is read, from its visits and the
plans naming it: folding an event writes one small document, whatever the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.day_records import FraudRiskAssessed, InformationCollected
from beatpolice.domain.officer import VisitsPlanned
from beatpolice.domain.records import RecordRetracted, VisitFollowedUp, VisitRecorded
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import (
    KEY_SEPARATOR,
    RegistryProjection,
    Row,
    later,
)

__all__ = ["Collected", "FraudRisk", "HouseholdRow", "HouseholdsProjection", "households"]

NAME = "households"


def _key(first: str, second: str) -> str:
    return f"{first}{KEY_SEPARATOR}{second}"


class HouseholdsProjection(RegistryProjection):
    """The fold of the households registry."""

    name = NAME
    version = 3
    tables = ("meta", "visits", "plans", "fraud", "collected")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The visit and plan documents an event reads."""
        if isinstance(event, VisitFollowedUp):
            return [("visits", _key(event.officer, event.visit))]
        if isinstance(event, RecordRetracted):
            return [("visits", _key(event.officer, event.record))]
        if isinstance(event, VisitsPlanned):
            return [("plans", _key(event.month, event.officer))]
        if isinstance(event, FraudRiskAssessed):
            return [("fraud", event.household)]
        return []

    def _visited(self, view: DocumentView, event: VisitRecorded) -> None:
        view.put(
            "visits",
            _key(event.officer, event.id),
            {
                "household": event.household,
                "id": event.id,
                "officer": event.officer,
                "month": self.month(event.occurred_at),
                "at": event.occurred_at.isoformat(),
                "people_match_register": event.people_match_register,
                "satisfied": None,
                "retracted": False,
            },
        )

    def _followed_up(self, view: DocumentView, event: VisitFollowedUp) -> None:
        key = _key(event.officer, event.visit)
        visit = view.get("visits", key)
        if visit is not None and not visit["retracted"]:
            visit["satisfied"] = event.satisfied
            view.put("visits", key, visit)

    def _retracted(self, view: DocumentView, event: RecordRetracted) -> None:
        key = _key(event.officer, event.record)
        visit = view.get("visits", key)
        if visit is not None:  # else a lead or a service
            visit["retracted"] = True
            view.put("visits", key, visit)

    def _planned(self, view: DocumentView, event: VisitsPlanned) -> None:
        key = _key(event.month, event.officer)
        before = view.get("plans", key) or {"named": []}
        view.put(
            "plans",
            key,
            {
                "month": event.month,
                "officer": event.officer,
                "households": sorted(set(event.households)),
                "named": sorted({*before["named"], *event.households}),
            },
        )

    def _assessed(self, view: DocumentView, event: FraudRiskAssessed) -> None:
        before = view.get("fraud", event.household)
        if before is None or later(before["at"], event.occurred_at):
            view.put(
                "fraud",
                event.household,
                {
                    "id": event.id,
                    "officer": event.officer,
                    "at": event.occurred_at.isoformat(),
                    "script": event.script,
                    "matched": event.matched,
                    "total": event.total,
                    "level": event.level,
                },
            )

    def _collected(self, view: DocumentView, event: InformationCollected) -> None:
        if event.household is None:
            return
        view.put(
            "collected",
            _key(event.household, _key(event.officer, event.id)),
            {
                "household": event.household,
                "id": event.id,
                "officer": event.officer,
                "at": event.occurred_at.isoformat(),
                "month": self.month(event.occurred_at),
                "subject": event.subject.value,
                "category": event.category.value if event.category else None,
                "source": event.source.value if event.source else "officer",
            },
        )

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        FraudRiskAssessed: _assessed,
        InformationCollected: _collected,
        VisitRecorded: _visited,
        VisitFollowedUp: _followed_up,
        RecordRetracted: _retracted,
        VisitsPlanned: _planned,
    }


class FraudRisk(Row):
    """A household's latest fraud-risk assessment: script, features matched, level."""

    id: str
    officer: str
    at: datetime
    script: str
    matched: int
    total: int
    level: str


class Collected(Row):
    """An item of information collected about a household (its text is not shown)."""

    id: str
    officer: str
    at: datetime
    subject: str
    category: str | None
    source: str


class HouseholdRow(Row):
    """One household in the registry, with the tallies of one month."""

    household: str
    last_visit: str | None
    """The id of the latest visit (by field time), None if never visited."""
    last_visit_at: datetime | None
    last_visit_officer: str | None
    people_match_register: bool | None
    """人号一致 at the last visit."""
    month: str
    visits_this_month: int
    visits_total: int
    open_follow_ups: tuple[str, ...]
    """Visits (``badge|visit``) still without their follow-up call (回访)."""
    planned_by: tuple[str, ...]
    """Officers whose plan for the month names this household."""
    unvisited_by: tuple[str, ...]
    """Of those, the officers who have not visited it in the month."""
    fraud_risk: FraudRisk | None = None
    """The latest fraud-risk assessment (by field time), of any month."""
    collected: tuple[Collected, ...] = ()
    """Information collected about the household in the month, by time."""


def _row(
    household: str, visits: list[Document], planned_by: list[str], month: str
) -> HouseholdRow:
    live = [visit for visit in visits if not visit["retracted"]]
    last = max(
        live,
        key=lambda v: (datetime.fromisoformat(v["at"]), _key(v["officer"], v["id"])),
        default=None,
    )
    in_month = [visit for visit in live if visit["month"] == month]
    visited_by = {visit["officer"] for visit in in_month}
    return HouseholdRow(
        household=household,
        last_visit=last["id"] if last else None,
        last_visit_at=datetime.fromisoformat(last["at"]) if last else None,
        last_visit_officer=last["officer"] if last else None,
        people_match_register=last["people_match_register"] if last else None,
        month=month,
        visits_this_month=len(in_month),
        visits_total=len(live),
        open_follow_ups=tuple(
            sorted(_key(v["officer"], v["id"]) for v in live if v["satisfied"] is None)
        ),
        planned_by=tuple(sorted(planned_by)),
        unvisited_by=tuple(sorted(badge for badge in planned_by if badge not in visited_by)),
    )


def _day(risk: Document | None, items: list[Document]) -> dict[str, Any]:
    return {
        "fraud_risk": FraudRisk.model_validate(risk) if risk else None,
        "collected": tuple(
            Collected.model_validate({k: v for k, v in item.items() if k not in _NOT_SHOWN})
            for item in sorted(items, key=lambda i: (datetime.fromisoformat(i["at"]), i["id"]))
        ),
    }


_NOT_SHOWN = ("household", "month")


def households(
    store: ViewStore,
    *,
    month: str,
    officer: str | None = None,
    unvisited: bool = False,
) -> list[HouseholdRow]:
    """The households registry for ``month``, by household id.

    Args:
        store: the view store the registry was folded into.
        month: ``YYYY-MM``, cut in the station's zone.
        officer: only households this officer ever visited or planned for the month.
        unvisited: only households planned for the month and not yet visited by the
            planning officer (by ``officer``, when given).
    """
    visits: dict[str, list[Document]] = {}
    for _, visit in store.scan(NAME, "visits"):
        visits.setdefault(visit["household"], []).append(visit)
    planned: dict[str, list[str]] = {household: [] for household in visits}
    risks = dict(store.scan(NAME, "fraud"))
    collected: dict[str, list[Document]] = {}
    for _, item in store.scan(NAME, "collected"):
        if item["month"] == month:
            collected.setdefault(item["household"], []).append(item)
    for household in (*risks, *collected):
        planned.setdefault(household, [])
    for _, plan in store.scan(NAME, "plans"):
        for household in plan["named"]:
            planned.setdefault(household, [])
        if plan["month"] == month:
            for household in plan["households"]:
                planned[household].append(plan["officer"])
    rows = []
    for household in sorted(planned):
        mine = visits.get(household, [])
        row = _row(household, mine, planned[household], month)
        row = row.model_copy(update=_day(risks.get(household), collected.get(household, [])))
        if (
            officer is not None
            and officer not in row.planned_by
            and not any(visit["officer"] == officer and not visit["retracted"] for visit in mine)
        ):
            continue
        if unvisited and not (
            officer in row.unvisited_by if officer is not None else row.unvisited_by
        ):
            continue
        rows.append(row)
    return rows

"""The households registry (实有人口/入户走访台账): every household seen in visits or plans.

One row per household id: its last visit (when, by whom, and whether the people matched
the register, 人号一致), its visits in a month and in total, the visits still waiting
for their follow-up call (回访), and, for a month, the officers who planned to visit
it (走访计划) and have not yet done so. Retracted visits stop counting.

Tables (``bp_households_<table>``):

- ``households``: key household id; its live visits and the plans naming it;
- ``visits``: key ``badge|visit``; the household of each visit, for follow-ups and
  retractions (which name the visit, not the household);
- ``plans``: key ``YYYY-MM|badge``; the officer's current plan for the month (a later
  plan replaces it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.officer import (
    RecordRetracted,
    VisitFollowedUp,
    VisitRecorded,
    VisitsPlanned,
)
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, Row

__all__ = ["HouseholdRow", "HouseholdsProjection", "households"]

NAME = "households"


def _visit_key(badge: str, visit: str) -> str:
    return f"{badge}{KEY_SEPARATOR}{visit}"


class HouseholdsProjection(RegistryProjection):
    """The fold of the households registry."""

    name = NAME
    version = 1
    tables = ("meta", "households", "visits", "plans")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The household, visit and plan documents an event reads."""
        if isinstance(event, VisitRecorded):
            return [("households", event.household)]
        if isinstance(event, VisitFollowedUp):
            return [("visits", _visit_key(event.officer, event.visit))]
        if isinstance(event, RecordRetracted):
            return [("visits", _visit_key(event.officer, event.record))]
        if isinstance(event, VisitsPlanned):
            return [("plans", f"{event.month}{KEY_SEPARATOR}{event.officer}")] + [
                ("households", household) for household in event.households
            ]
        return []

    def _household(self, view: DocumentView, household: str) -> Document:
        return view.get("households", household) or {
            "household": household,
            "visits": {},
            "planned": {},
        }

    def _visited(self, view: DocumentView, event: VisitRecorded) -> None:
        key = _visit_key(event.officer, event.id)
        household = self._household(view, event.household)
        household["visits"][key] = {
            "id": event.id,
            "officer": event.officer,
            "at": event.occurred_at.isoformat(),
            "month": self.month(event.occurred_at),
            "people_match_register": event.people_match_register,
            "satisfied": None,
        }
        view.put("households", event.household, household)
        view.put("visits", key, {"household": event.household, "retracted": False})

    def _followed_up(self, view: DocumentView, event: VisitFollowedUp) -> None:
        key = _visit_key(event.officer, event.visit)
        index = view.get("visits", key)
        if index is None or index["retracted"]:
            return
        household = self._household(view, index["household"])
        visit = household["visits"].get(key)
        if visit is not None:
            visit["satisfied"] = event.satisfied
            view.put("households", index["household"], household)

    def _retracted(self, view: DocumentView, event: RecordRetracted) -> None:
        key = _visit_key(event.officer, event.record)
        index = view.get("visits", key)
        if index is None or index["retracted"]:
            return  # a lead or service, or a visit already withdrawn
        household = self._household(view, index["household"])
        household["visits"].pop(key, None)
        view.put("households", index["household"], household)
        view.put("visits", key, {**index, "retracted": True})

    def _planned(self, view: DocumentView, event: VisitsPlanned) -> None:
        plan_key = f"{event.month}{KEY_SEPARATOR}{event.officer}"
        before = set((view.get("plans", plan_key) or {"households": []})["households"])
        after = set(event.households)
        for name in sorted(before - after):
            household = self._household(view, name)
            planners = [b for b in household["planned"].get(event.month, []) if b != event.officer]
            if planners:
                household["planned"][event.month] = planners
            else:
                household["planned"].pop(event.month, None)
            view.put("households", name, household)
        for name in sorted(after - before):
            household = self._household(view, name)
            household["planned"][event.month] = sorted(
                {*household["planned"].get(event.month, []), event.officer}
            )
            view.put("households", name, household)
        view.put("plans", plan_key, {"households": sorted(after)})

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        VisitRecorded: _visited,
        VisitFollowedUp: _followed_up,
        RecordRetracted: _retracted,
        VisitsPlanned: _planned,
    }


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


def _row(document: Document, month: str) -> HouseholdRow:
    visits: dict[str, Document] = document["visits"]
    last_key = max(
        visits, key=lambda k: (datetime.fromisoformat(visits[k]["at"]), k), default=None
    )
    last = visits[last_key] if last_key is not None else None
    planned_by = tuple(document["planned"].get(month, []))
    visited_by = {v["officer"] for v in visits.values() if v["month"] == month}
    return HouseholdRow(
        household=document["household"],
        last_visit=last["id"] if last else None,
        last_visit_at=datetime.fromisoformat(last["at"]) if last else None,
        last_visit_officer=last["officer"] if last else None,
        people_match_register=last["people_match_register"] if last else None,
        month=month,
        visits_this_month=sum(1 for v in visits.values() if v["month"] == month),
        visits_total=len(visits),
        open_follow_ups=tuple(sorted(k for k, v in visits.items() if v["satisfied"] is None)),
        planned_by=planned_by,
        unvisited_by=tuple(badge for badge in planned_by if badge not in visited_by),
    )


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
    rows = []
    for _, document in store.scan(NAME, "households"):
        row = _row(document, month)
        if (
            officer is not None
            and officer not in row.planned_by
            and not any(visit["officer"] == officer for visit in document["visits"].values())
        ):
            continue
        if unvisited and not (
            officer in row.unvisited_by if officer is not None else row.unvisited_by
        ):
            continue
        rows.append(row)
    return rows

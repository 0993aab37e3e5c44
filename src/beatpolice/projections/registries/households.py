"""The households registry (实有人口/入户走访台账): every household seen in visits or plans.

One row per household id: its last visit (when, by whom, and whether the people matched
the register, 人号一致), its visits in a month and in total, the visits still waiting
for their follow-up call (回访), and, for a month, the officers who planned to visit
it (走访计划) and have not yet done so. Retracted visits stop counting.

Tables (``bp_households_<table>``), every document small and bounded (ADR 0404):

- ``households``: key ``household|YYYY-MM``; the household's live visits in that month
  and the officers whose plan for the month names it. A household's registry row is
  the sum of its months, put together when the registry is read;
- ``visits``: key ``badge|visit``; the household and month of each visit, for
  follow-ups and retractions (which name the visit, not the household);
- ``plans``: key ``YYYY-MM|badge``; the officer's current plan for the month (a later
  plan replaces it).

Household names may hold ``|``; a key stays unambiguous because the month after the
last ``|`` has a fixed form, and rows are grouped by the ``household`` field anyway.
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


def _key(first: str, second: str) -> str:
    return f"{first}{KEY_SEPARATOR}{second}"


class HouseholdsProjection(RegistryProjection):
    """The fold of the households registry."""

    name = NAME
    version = 2
    tables = ("meta", "households", "visits", "plans")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The household-month, visit and plan documents an event reads first."""
        if isinstance(event, VisitRecorded):
            return [("households", _key(event.household, self.month(event.occurred_at)))]
        if isinstance(event, VisitFollowedUp):
            return [("visits", _key(event.officer, event.visit))]
        if isinstance(event, RecordRetracted):
            return [("visits", _key(event.officer, event.record))]
        if isinstance(event, VisitsPlanned):
            return [("plans", _key(event.month, event.officer))] + [
                ("households", _key(household, event.month)) for household in event.households
            ]
        return []

    def follows(self, view: DocumentView, event: DomainEvent) -> list[tuple[str, str]]:
        """The household-month of a visit followed up or retracted; a replaced plan's."""
        if isinstance(event, VisitFollowedUp | RecordRetracted):
            record = event.visit if isinstance(event, VisitFollowedUp) else event.record
            index = view.get("visits", _key(event.officer, record))
            if index is None or index["retracted"]:
                return []
            return [("households", _key(index["household"], index["month"]))]
        if isinstance(event, VisitsPlanned):
            plan = view.get("plans", _key(event.month, event.officer))
            return [
                ("households", _key(household, event.month))
                for household in (plan or {"households": []})["households"]
            ]
        return []

    def _household(self, view: DocumentView, household: str, month: str) -> Document:
        return view.get("households", _key(household, month)) or {
            "household": household,
            "month": month,
            "visits": {},
            "planned_by": [],
        }

    def _put(self, view: DocumentView, document: Document) -> None:
        view.put("households", _key(document["household"], document["month"]), document)

    def _visited(self, view: DocumentView, event: VisitRecorded) -> None:
        month = self.month(event.occurred_at)
        key = _key(event.officer, event.id)
        household = self._household(view, event.household, month)
        household["visits"][key] = {
            "id": event.id,
            "officer": event.officer,
            "at": event.occurred_at.isoformat(),
            "people_match_register": event.people_match_register,
            "satisfied": None,
        }
        self._put(view, household)
        view.put("visits", key, {"household": event.household, "month": month, "retracted": False})

    def _followed_up(self, view: DocumentView, event: VisitFollowedUp) -> None:
        key = _key(event.officer, event.visit)
        index = view.get("visits", key)
        if index is None or index["retracted"]:
            return
        household = self._household(view, index["household"], index["month"])
        visit = household["visits"].get(key)
        if visit is not None:
            visit["satisfied"] = event.satisfied
            self._put(view, household)

    def _retracted(self, view: DocumentView, event: RecordRetracted) -> None:
        key = _key(event.officer, event.record)
        index = view.get("visits", key)
        if index is None or index["retracted"]:
            return  # a lead or service, or a visit already withdrawn
        household = self._household(view, index["household"], index["month"])
        household["visits"].pop(key, None)
        self._put(view, household)
        view.put("visits", key, {**index, "retracted": True})

    def _planned(self, view: DocumentView, event: VisitsPlanned) -> None:
        plan_key = _key(event.month, event.officer)
        before = set((view.get("plans", plan_key) or {"households": []})["households"])
        after = set(event.households)
        for name in sorted(before - after):
            household = self._household(view, name, event.month)
            household["planned_by"] = [b for b in household["planned_by"] if b != event.officer]
            self._put(view, household)
        for name in sorted(after - before):
            household = self._household(view, name, event.month)
            household["planned_by"] = sorted({*household["planned_by"], event.officer})
            self._put(view, household)
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


def _row(household: str, months: list[Document], month: str) -> HouseholdRow:
    visits: dict[str, Document] = {}
    this_month: Document | None = None
    for document in months:
        visits.update(document["visits"])
        if document["month"] == month:
            this_month = document
    last_key = max(
        visits, key=lambda k: (datetime.fromisoformat(visits[k]["at"]), k), default=None
    )
    last = visits[last_key] if last_key is not None else None
    planned_by = tuple(this_month["planned_by"]) if this_month else ()
    in_month = this_month["visits"].values() if this_month else ()
    visited_by = {v["officer"] for v in in_month}
    return HouseholdRow(
        household=household,
        last_visit=last["id"] if last else None,
        last_visit_at=datetime.fromisoformat(last["at"]) if last else None,
        last_visit_officer=last["officer"] if last else None,
        people_match_register=last["people_match_register"] if last else None,
        month=month,
        visits_this_month=len(in_month),
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
    grouped: dict[str, list[Document]] = {}
    for _, document in store.scan(NAME, "households"):
        grouped.setdefault(document["household"], []).append(document)
    rows = []
    for household in sorted(grouped):
        months = grouped[household]
        row = _row(household, months, month)
        if (
            officer is not None
            and officer not in row.planned_by
            and not any(
                visit["officer"] == officer
                for document in months
                for visit in document["visits"].values()
            )
        ):
            continue
        if unvisited and not (
            officer in row.unvisited_by if officer is not None else row.unvisited_by
        ):
            continue
        rows.append(row)
    return rows

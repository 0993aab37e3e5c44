"""The fold of the officers registry: small documents per officer, month and record.

Split from :mod:`beatpolice.projections.registries.officers`, which re-exports it and
reads the documents into rows. Tables (``bp_officers_<table>``), every document small
and bounded (ADR 0404):

- ``officers``: key badge; who the officer is and the last activity;
- ``months``: key ``badge|YYYY-MM``; the month's counters (no lists that grow);
- ``households``: key ``badge|YYYY-MM|household``; how many live visits the officer
  paid the household in the month, so that distinct households, and planned households
  visited, are counted as visits come and go;
- ``plans``: key ``badge|YYYY-MM``; the officer's current plan for the month (a later
  plan replaces it), written once per plan;
- ``records``: key ``badge|record``; what each visit, lead or service counted, so a
  retraction can take it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.dispute import (
    DisputeEscalated,
    DisputeFollowedUp,
    DisputeOpened,
    DisputeReferred,
    DisputeReopened,
    DisputeResolved,
    MediationHeld,
)
from beatpolice.domain.officer import OfficerEnlisted, VisitsPlanned
from beatpolice.domain.records import (
    LeadReported,
    RecordRetracted,
    ServiceRendered,
    VisitFollowedUp,
    VisitRecorded,
)
from beatpolice.domain.venue import (
    RectificationFailed,
    RectificationVerified,
    VenueInspected,
    VenueRegistered,
)
from beatpolice.projections._runner import Document, DocumentView
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, later

__all__ = ["NAME", "OfficersProjection", "new_month"]

NAME = "officers"


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


def new_month(badge: str, month: str) -> Document:
    """The month document of an officer with nothing counted yet."""
    return {
        "badge": badge,
        "month": month,
        "households_planned": 0,
        "visits": 0,
        "households_visited": 0,
        "planned_visited": 0,
        "leads": 0,
        "leads_by_kind": {},
        "services": 0,
        "services_acknowledged": 0,
        "mediations": 0,
        "disputes": {},
        "resolved": 0,
    }


class OfficersProjection(RegistryProjection):
    """The fold of the officers registry."""

    name = NAME
    version = 2
    tables = ("meta", "officers", "months", "households", "plans", "records")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The officer, month, household, plan and record documents an event reads."""
        kind = type(event)
        if kind is VisitRecorded:
            assert isinstance(event, VisitRecorded)
            month = self.month(event.occurred_at)
            return [
                ("officers", event.officer),
                ("months", _key(event.officer, month)),
                ("households", _key(event.officer, month, event.household)),
                ("plans", _key(event.officer, month)),
            ]
        if kind is VisitsPlanned:
            assert isinstance(event, VisitsPlanned)
            return [
                ("months", _key(event.officer, event.month)),
                *(("households", _key(event.officer, event.month, h)) for h in event.households),
            ]
        if kind is OfficerEnlisted:
            assert isinstance(event, OfficerEnlisted)
            return [("officers", event.badge)]
        if kind is RecordRetracted:
            assert isinstance(event, RecordRetracted)
            return [("officers", event.officer), ("records", _key(event.officer, event.record))]
        if kind not in self.handlers:
            return []
        badge: str = event.officer  # type: ignore[attr-defined]
        if kind in _MONTHLY:
            month = self.month(event.occurred_at)  # type: ignore[attr-defined]
            return [("officers", badge), ("months", _key(badge, month))]
        return [("officers", badge)]

    def follows(self, view: DocumentView, event: DomainEvent) -> list[tuple[str, str]]:
        """The month, household and plan of the record a retraction takes back."""
        if isinstance(event, RecordRetracted):
            record = view.get("records", _key(event.officer, event.record))
            if record is None or record.get("retracted"):
                return []
            found = [("months", _key(event.officer, record["month"]))]
            if record["kind"] == "visit":
                found.append(
                    ("households", _key(event.officer, record["month"], record["household"]))
                )
                found.append(("plans", _key(event.officer, record["month"])))
            return found
        return []

    # --- documents --------------------------------------------------------------------

    def _officer(self, view: DocumentView, badge: str) -> Document:
        found = view.get("officers", badge)
        if found is None:
            # a record naming an officer whose enlistment this view has not seen
            found = {
                "badge": badge,
                "name": None,
                "station": None,
                "beat": None,
                "last_activity": None,
            }
        return found

    def _touch(self, view: DocumentView, badge: str, occurred_at: datetime) -> None:
        officer = self._officer(view, badge)
        if later(officer["last_activity"], occurred_at):
            officer["last_activity"] = occurred_at.isoformat()
            view.put("officers", badge, officer)

    def _month(self, view: DocumentView, badge: str, month: str) -> Document:
        return view.get("months", _key(badge, month)) or new_month(badge, month)

    def _put_month(self, view: DocumentView, document: Document) -> None:
        view.put("months", _key(document["badge"], document["month"]), document)

    def _visits(self, view: DocumentView, key: str) -> int:
        found = view.get("households", key)
        return 0 if found is None else int(found["visits"])

    def _in_plan(self, view: DocumentView, badge: str, month: str, household: str) -> bool:
        plan = view.get("plans", _key(badge, month))
        return plan is not None and household in plan["households"]

    # --- handlers ---------------------------------------------------------------------

    def _enlisted(self, view: DocumentView, event: OfficerEnlisted) -> None:
        officer = self._officer(view, event.badge)
        officer.update(name=event.name, station=event.station, beat=event.beat)
        view.put("officers", event.badge, officer)

    def _planned(self, view: DocumentView, event: VisitsPlanned) -> None:
        badge, name = event.officer, event.month
        # a JSON object, so that a visit asks "is it planned?" without building a set
        planned = dict.fromkeys(sorted(set(event.households)), 1)
        month = self._month(view, badge, name)
        month["households_planned"] = len(planned)
        month["planned_visited"] = sum(
            1 for household in planned if self._visits(view, _key(badge, name, household))
        )
        self._put_month(view, month)
        view.put("plans", _key(badge, name), {"households": planned})

    def _visited(self, view: DocumentView, event: VisitRecorded) -> None:
        badge, name = event.officer, self.month(event.occurred_at)
        month = self._month(view, badge, name)
        month["visits"] += 1
        key = _key(badge, name, event.household)
        visits = self._visits(view, key) + 1
        if visits == 1:
            month["households_visited"] += 1
            month["planned_visited"] += int(self._in_plan(view, badge, name, event.household))
        view.put("households", key, {"visits": visits})
        self._put_month(view, month)
        view.put(
            "records",
            _key(badge, event.id),
            {"kind": "visit", "month": name, "household": event.household},
        )
        self._touch(view, badge, event.occurred_at)

    def _lead(self, view: DocumentView, event: LeadReported) -> None:
        name = self.month(event.occurred_at)
        month = self._month(view, event.officer, name)
        month["leads"] += 1
        kinds: dict[str, int] = month["leads_by_kind"]
        kinds[event.kind.value] = kinds.get(event.kind.value, 0) + 1
        self._put_month(view, month)
        view.put(
            "records",
            _key(event.officer, event.id),
            {"kind": "lead", "month": name, "lead_kind": event.kind.value},
        )
        self._touch(view, event.officer, event.occurred_at)

    def _service(self, view: DocumentView, event: ServiceRendered) -> None:
        name = self.month(event.occurred_at)
        month = self._month(view, event.officer, name)
        month["services"] += 1
        month["services_acknowledged"] += int(event.acknowledged)
        self._put_month(view, month)
        view.put(
            "records",
            _key(event.officer, event.id),
            {"kind": "service", "month": name, "acknowledged": event.acknowledged},
        )
        self._touch(view, event.officer, event.occurred_at)

    def _retracted(self, view: DocumentView, event: RecordRetracted) -> None:
        self._touch(view, event.officer, event.occurred_at)
        key = _key(event.officer, event.record)
        record = view.get("records", key)
        if record is None or record.get("retracted"):
            return
        month = self._month(view, event.officer, record["month"])
        if record["kind"] == "visit":
            month["visits"] -= 1
            household = record["household"]
            household_key = _key(event.officer, record["month"], household)
            visits = self._visits(view, household_key) - 1
            if visits == 0:
                month["households_visited"] -= 1
                month["planned_visited"] -= int(
                    self._in_plan(view, event.officer, record["month"], household)
                )
            view.put("households", household_key, {"visits": visits})
        elif record["kind"] == "lead":
            month["leads"] -= 1
            kinds: dict[str, int] = month["leads_by_kind"]
            kinds[record["lead_kind"]] -= 1
            if not kinds[record["lead_kind"]]:
                del kinds[record["lead_kind"]]
        else:
            month["services"] -= 1
            month["services_acknowledged"] -= int(record["acknowledged"])
        self._put_month(view, month)
        view.put("records", key, {**record, "retracted": True})

    def _mediated(self, view: DocumentView, event: MediationHeld) -> None:
        month = self._month(view, event.officer, self.month(event.occurred_at))
        month["mediations"] += 1
        disputes: dict[str, int] = month["disputes"]  # the few the officer mediated that month
        disputes[event.dispute] = disputes.get(event.dispute, 0) + 1
        self._put_month(view, month)
        self._touch(view, event.officer, event.occurred_at)

    def _resolved(self, view: DocumentView, event: DisputeResolved) -> None:
        month = self._month(view, event.officer, self.month(event.occurred_at))
        month["resolved"] += 1
        self._put_month(view, month)
        self._touch(view, event.officer, event.occurred_at)

    def _active(self, view: DocumentView, event: Any) -> None:
        self._touch(view, event.officer, event.occurred_at)

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        OfficerEnlisted: _enlisted,
        VisitsPlanned: _planned,
        VisitRecorded: _visited,
        VisitFollowedUp: _active,
        LeadReported: _lead,
        ServiceRendered: _service,
        RecordRetracted: _retracted,
        MediationHeld: _mediated,
        DisputeResolved: _resolved,
        DisputeOpened: _active,
        DisputeEscalated: _active,
        DisputeFollowedUp: _active,
        DisputeReferred: _active,
        DisputeReopened: _active,
        VenueRegistered: _active,
        VenueInspected: _active,
        RectificationVerified: _active,
        RectificationFailed: _active,
    }


_MONTHLY = frozenset({LeadReported, ServiceRendered, MediationHeld, DisputeResolved})
"""Events whose handler changes the month's counters besides the last activity."""

"""The officers registry (民警台账): who each officer is and what they did in a month.

One row per enlisted officer: badge, name, station and beat; the month's visits and
households visited, leads, services, mediations and disputes mediated; and the last
activity (the latest field time of anything the officer did). Months are cut by
``occurred_at`` in the station's zone; retracted records stop counting.

Tables (``bp_officers_<table>``), every document small and bounded (ADR 0404):

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
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import (
    KEY_SEPARATOR,
    RegistryProjection,
    Row,
    later,
    parse_time,
)
from beatpolice.projections.registries._officers_day import BeatSpell, DayTally, day_of

__all__ = ["OfficerRow", "OfficersProjection", "officers"]

NAME = "officers"


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


def _new_month(badge: str, month: str) -> Document:
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
        return view.get("months", _key(badge, month)) or _new_month(badge, month)

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


class OfficerRow(Row):
    """One officer in the registry, with the tallies of one month."""

    badge: str
    name: str | None
    """None when the view saw records of this badge but not its enlistment."""
    station: str | None
    beat: str | None
    month: str
    households_planned: int
    """Households in the officer's visit plan for the month."""
    visits: int
    """Visits recorded in the month and not retracted."""
    households_visited: int
    """Distinct households those visits reached (a household counts once)."""
    planned_visited: int
    """Planned households visited in the month (the visit rate's numerator)."""
    leads: int
    leads_by_kind: dict[str, int]
    services: int
    services_acknowledged: int
    mediations: int
    """Mediation sessions the officer held in the month."""
    disputes_mediated: int
    """Distinct disputes the officer mediated in the month."""
    disputes_resolved: int
    """Disputes resolved by the officer's mediation in the month."""
    last_activity: datetime | None
    """The latest field time of anything the officer did (any month)."""
    beats: tuple[BeatSpell, ...] = ()
    """Where the officer served, from enlistment through every transfer (调动)."""
    day: DayTally = DayTally()
    """The month's information, patrols, outreach, meetings, requests, fraud checks,
    surveys and commendations."""


def officers(
    store: ViewStore,
    *,
    month: str,
    station: str | None = None,
    beat: str | None = None,
    officer: str | None = None,
) -> list[OfficerRow]:
    """The officers registry for ``month``, by badge.

    Args:
        store: the view store the registry was folded into.
        month: ``YYYY-MM``, cut in the station's zone.
        station: only officers of this station.
        beat: only officers of this beat.
        officer: only this badge.
    """
    everyone = [
        dict(doc)
        for key, doc in store.scan(NAME, "officers", officer or "")
        if key == officer or officer is None
    ]
    days = day_of(store, [document["badge"] for document in everyone], month)
    for document in everyone:  # a transfer moves the station and beat shown (ADR 0907)
        spells = days[document["badge"]][0]
        if spells and spells[-1].since is not None:
            document.update(station=spells[-1].station, beat=spells[-1].beat)
    found = [
        document
        for document in everyone
        if (station is None or document["station"] == station)
        and (beat is None or document["beat"] == beat)
    ]
    keys = [f"{document['badge']}{KEY_SEPARATOR}{month}" for document in found]
    months = store.load(NAME, "months", keys)
    rows = []
    for document, key in zip(found, keys, strict=True):
        tally = months.get(key) or _new_month(document["badge"], month)
        rows.append(
            OfficerRow(
                badge=document["badge"],
                name=document["name"],
                station=document["station"],
                beat=document["beat"],
                beats=tuple(days[document["badge"]][0]),
                day=days[document["badge"]][1],
                month=month,
                households_planned=tally["households_planned"],
                visits=tally["visits"],
                households_visited=tally["households_visited"],
                planned_visited=tally["planned_visited"],
                leads=tally["leads"],
                leads_by_kind=dict(sorted(tally["leads_by_kind"].items())),
                services=tally["services"],
                services_acknowledged=tally["services_acknowledged"],
                mediations=tally["mediations"],
                disputes_mediated=len(tally["disputes"]),
                disputes_resolved=tally["resolved"],
                last_activity=parse_time(document["last_activity"]),
            )
        )
    return rows

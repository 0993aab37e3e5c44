"""The venues registry (场所台账): each supervised venue, its inspections and open findings.

One row per venue: category, responsible officer, the last inspection (by field time)
and its mode, the inspections per month by mode (网上巡查, 日常检查, 不定期抽查), the
findings still open with their rectification deadlines, and which of them are overdue
as of an instant given by the caller (跟踪整改反馈). A finding's ``rectify_by`` is a
calendar day; it is overdue once that whole day has passed in the station's zone
(ADR 0403).

Tables (``bp_venues_<table>``), every document small and bounded (ADR 0404):

- ``venues``: key venue id; what the venue is and its last inspection;
- ``inspections``: key ``venue|YYYY-MM``; the month's inspections by mode;
- ``findings``: key ``venue|finding``; each finding, its deadline and its status.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.values import InspectionMode, VenueCategory
from beatpolice.domain.venue import (
    RectificationFailed,
    RectificationVerified,
    VenueInspected,
    VenueRegistered,
    ViolationFound,
)
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import (
    DEFAULT_TIME_ZONE,
    KEY_SEPARATOR,
    RegistryProjection,
    Row,
    later,
    parse_time,
    zone,
)

__all__ = ["FindingRow", "VenueRow", "VenuesProjection", "inspections_by_month", "venues"]

NAME = "venues"


def _key(venue: str, second: str) -> str:
    return f"{venue}{KEY_SEPARATOR}{second}"


class VenuesProjection(RegistryProjection):
    """The fold of the venues registry."""

    name = NAME
    version = 2
    tables = ("meta", "venues", "inspections", "findings")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The venue, month and finding documents an event reads."""
        if isinstance(event, VenueInspected):
            return [
                ("venues", event.venue),
                ("inspections", _key(event.venue, self.month(event.occurred_at))),
            ]
        if isinstance(event, RectificationVerified | RectificationFailed):
            return [("findings", _key(event.venue, event.finding))]
        if type(event) in self.handlers:
            return [("venues", event.venue)]  # type: ignore[attr-defined]
        return []

    def _registered(self, view: DocumentView, event: VenueRegistered) -> None:
        view.put(
            "venues",
            event.venue,
            {
                "venue": event.venue,
                "name": event.name,
                "category": event.category.value,
                "address": event.address,
                "officer": event.officer,
                "registered_at": event.occurred_at.isoformat(),
                "last_inspection": None,
            },
        )

    def _inspected(self, view: DocumentView, event: VenueInspected) -> None:
        venue = view.get("venues", event.venue)
        if venue is None:
            return
        month = _key(event.venue, self.month(event.occurred_at))
        by_mode = view.get("inspections", month) or {"venue": event.venue, "modes": {}}
        modes: dict[str, int] = by_mode["modes"]
        modes[event.mode.value] = modes.get(event.mode.value, 0) + 1
        view.put("inspections", month, by_mode)
        last = venue["last_inspection"]
        if later(None if last is None else last["at"], event.occurred_at):
            venue["last_inspection"] = {
                "at": event.occurred_at.isoformat(),
                "mode": event.mode.value,
                "officer": event.officer,
                "findings": len(event.findings),
            }
            view.put("venues", event.venue, venue)

    def _found(self, view: DocumentView, event: ViolationFound) -> None:
        if view.get("venues", event.venue) is None:
            return
        view.put(
            "findings",
            _key(event.venue, event.finding),
            {
                "venue": event.venue,
                "finding": event.finding,
                "code": event.code,
                "description": event.description,
                "rectify_by": event.rectify_by.isoformat(),
                "found_at": event.occurred_at.isoformat(),
                "officer": event.officer,
                "status": "open",
                "failed_checks": 0,
                "verified_at": None,
            },
        )

    def _checked(self, view: DocumentView, event: Any, *, passed: bool) -> None:
        key = _key(event.venue, event.finding)
        finding = view.get("findings", key)
        if finding is None:
            return
        if passed:
            finding.update(status="rectified", verified_at=event.occurred_at.isoformat())
        else:
            finding["failed_checks"] += 1
        view.put("findings", key, finding)

    def _verified(self, view: DocumentView, event: RectificationVerified) -> None:
        self._checked(view, event, passed=True)

    def _failed(self, view: DocumentView, event: RectificationFailed) -> None:
        self._checked(view, event, passed=False)

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        VenueRegistered: _registered,
        VenueInspected: _inspected,
        ViolationFound: _found,
        RectificationVerified: _verified,
        RectificationFailed: _failed,
    }


class FindingRow(Row):
    """An open finding of a venue and its rectification deadline."""

    finding: str
    code: str
    description: str
    rectify_by: date
    found_at: datetime
    officer: str
    failed_checks: int
    """Verifications that found the rectification not done."""
    overdue: bool
    """Its ``rectify_by`` day had passed at the registry's ``as_of``."""


class VenueRow(Row):
    """One venue in the registry."""

    venue: str
    name: str
    category: VenueCategory
    address: str
    officer: str
    """The responsible officer."""
    registered_at: datetime
    last_inspection_at: datetime | None
    last_inspection_mode: InspectionMode | None
    last_inspection_officer: str | None
    inspections: dict[str, dict[str, int]]
    """Inspections per month (station's zone) by mode."""
    inspections_total: int
    findings_total: int
    open_findings: tuple[FindingRow, ...]
    overdue_findings: tuple[str, ...]
    """Ids of the open findings past their deadline at ``as_of``."""


def _row(
    document: Document,
    months: dict[str, dict[str, int]],
    findings: list[Document],
    today: date | None,
) -> VenueRow:
    last = document["last_inspection"]
    open_findings = tuple(
        FindingRow(
            finding=f["finding"],
            code=f["code"],
            description=f["description"],
            rectify_by=date.fromisoformat(f["rectify_by"]),
            found_at=datetime.fromisoformat(f["found_at"]),
            officer=f["officer"],
            failed_checks=f["failed_checks"],
            overdue=today is not None and today > date.fromisoformat(f["rectify_by"]),
        )
        for f in findings
        if f["status"] == "open"
    )
    inspections = {month: dict(sorted(modes.items())) for month, modes in sorted(months.items())}
    return VenueRow(
        venue=document["venue"],
        name=document["name"],
        category=VenueCategory(document["category"]),
        address=document["address"],
        officer=document["officer"],
        registered_at=datetime.fromisoformat(document["registered_at"]),
        last_inspection_at=parse_time(None if last is None else last["at"]),
        last_inspection_mode=None if last is None else InspectionMode(last["mode"]),
        last_inspection_officer=None if last is None else last["officer"],
        inspections=inspections,
        inspections_total=sum(sum(modes.values()) for modes in inspections.values()),
        findings_total=len(findings),
        open_findings=tuple(sorted(open_findings, key=lambda f: (f.rectify_by, f.finding))),
        overdue_findings=tuple(f.finding for f in open_findings if f.overdue),
    )


def venues(
    store: ViewStore,
    *,
    as_of: datetime | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
    category: VenueCategory | None = None,
    officer: str | None = None,
    only_overdue: bool = False,
) -> list[VenueRow]:
    """The venues registry, by venue id.

    Args:
        store: the view store the registry was folded into.
        as_of: the instant at which rectifications are judged overdue (None: none is).
        time_zone: the zone whose calendar day ``as_of`` falls on (the station's).
        category: only venues of this category.
        officer: only venues this officer is responsible for.
        only_overdue: only venues with an overdue rectification (needs ``as_of``).

    Raises:
        ValueError: ``as_of`` is naive, or ``only_overdue`` without ``as_of``.
    """
    if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
        raise ValueError("as_of must be timezone-aware")
    if only_overdue and as_of is None:
        raise ValueError("only_overdue needs as_of: overdue as of when?")
    today = None if as_of is None else as_of.astimezone(zone(time_zone)).date()
    months: dict[str, dict[str, dict[str, int]]] = {}
    for key, document in store.scan(NAME, "inspections"):
        month = key.rpartition(KEY_SEPARATOR)[2]
        months.setdefault(document["venue"], {})[month] = document["modes"]
    findings: dict[str, list[Document]] = {}
    for _, document in store.scan(NAME, "findings"):
        findings.setdefault(document["venue"], []).append(document)
    rows = [
        _row(
            document,
            months.get(document["venue"], {}),
            sorted(findings.get(document["venue"], []), key=lambda f: str(f["finding"])),
            today,
        )
        for _, document in store.scan(NAME, "venues")
        if (category is None or document["category"] == category.value)
        and (officer is None or document["officer"] == officer)
    ]
    return [row for row in rows if row.overdue_findings or not only_overdue]


def inspections_by_month(rows: list[VenueRow]) -> dict[str, dict[str, int]]:
    """The inspections of ``rows`` per month by mode, summed over the venues."""
    total: dict[str, dict[str, int]] = {}
    for row in rows:
        for month, modes in row.inspections.items():
            into = total.setdefault(month, {})
            for mode, count in modes.items():
                into[mode] = into.get(mode, 0) + count
    return {month: dict(sorted(modes.items())) for month, modes in sorted(total.items())}

"""The commands of the public contract as keyword methods of a station.

One method per command, each building the command's model from its keyword arguments
and handing it to :meth:`Station.handle` (so the Python face decides exactly what the
JSON face does). The station inherits them; they live here so that the station's own
module keeps to handling and reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from beatpolice.application._station_day import DayCommandMethods
from beatpolice.domain import commands as c
from beatpolice.domain.values import Level, Role

if TYPE_CHECKING:
    from beatpolice.application.receipt import Receipt

__all__ = ["CommandMethods"]


class CommandMethods(DayCommandMethods):
    """The keyword methods of every command of the contract (mixed into the station);
    those of the 0.2 table come from :class:`DayCommandMethods`."""

    def handle(self, command: c.Command | dict[str, Any]) -> Receipt:
        """Check, decide and record one command (the station's own method)."""
        raise TypeError(f"{type(self).__name__} does not handle commands")  # pragma: no cover

    def enlist_officer(self, *, badge: str, name: str, station: str, beat: str) -> Receipt:
        """Enlist a community officer into a station's beat (``OfficerEnlisted``)."""
        return self.handle(c.build(c.EnlistOfficer, _fields(locals())))  # type: ignore[arg-type]

    def plan_visits(self, *, officer: str, month: str, households: Iterable[str]) -> Receipt:
        """Set the households an officer must visit in a month (``VisitsPlanned``)."""
        return self.handle(c.build(c.PlanVisits, _fields(locals())))  # type: ignore[arg-type]

    def record_visit(
        self,
        *,
        id: str,
        officer: str,
        household: str,
        occurred_at: datetime,
        people_match_register: bool,
        notes: str | None = None,
    ) -> Receipt:
        """Record a household visit (``VisitRecorded``)."""
        return self.handle(c.build(c.RecordVisit, _fields(locals())))  # type: ignore[arg-type]

    def follow_up_visit(
        self, *, visit: str, officer: str, occurred_at: datetime, satisfied: bool
    ) -> Receipt:
        """Record the follow-up call of a visit (``VisitFollowedUp``)."""
        return self.handle(c.build(c.FollowUpVisit, _fields(locals())))  # type: ignore[arg-type]

    def report_lead(
        self,
        *,
        id: str,
        officer: str,
        kind: str,
        occurred_at: datetime,
        summary: str,
        source: str | None = None,
    ) -> Receipt:
        """Report a lead (``LeadReported``); ``source``: who handed it over."""
        return self.handle(c.build(c.ReportLead, _fields(locals())))  # type: ignore[arg-type]

    def record_service(
        self,
        *,
        id: str,
        officer: str,
        kind: str,
        occurred_at: datetime,
        acknowledged: bool,
    ) -> Receipt:
        """Record a service to residents (``ServiceRendered``)."""
        return self.handle(c.build(c.RecordService, _fields(locals())))  # type: ignore[arg-type]

    def retract_record(
        self, *, record: str, officer: str, reason: str, occurred_at: datetime
    ) -> Receipt:
        """Retract a visit, lead or service (``RecordRetracted``)."""
        return self.handle(c.build(c.RetractRecord, _fields(locals())))  # type: ignore[arg-type]

    def open_dispute(
        self,
        *,
        id: str,
        officer: str,
        category: str,
        parties: Iterable[str],
        occurred_at: datetime,
        level: Level | str | None = None,
        physical_conflict: bool = False,
    ) -> Receipt:
        """Open a dispute (``DisputeOpened``)."""
        return self.handle(c.build(c.OpenDispute, _fields(locals())))  # type: ignore[arg-type]

    def escalate_dispute(
        self,
        *,
        dispute: str,
        officer: str,
        to_level: Level | str,
        reason: str,
        occurred_at: datetime,
    ) -> Receipt:
        """Raise a dispute's level (``DisputeEscalated``)."""
        return self.handle(c.build(c.EscalateDispute, _fields(locals())))  # type: ignore[arg-type]

    def mediate_dispute(
        self,
        *,
        dispute: str,
        officer: str,
        participants: Iterable[Role | str],
        outcome: str,
        occurred_at: datetime,
    ) -> Receipt:
        """Hold a mediation (``MediationHeld``, and ``DisputeResolved`` on success)."""
        return self.handle(c.build(c.MediateDispute, _fields(locals())))  # type: ignore[arg-type]

    def follow_up_dispute(
        self, *, dispute: str, officer: str, parties_satisfied: bool, occurred_at: datetime
    ) -> Receipt:
        """Record the phone follow-up with both parties (``DisputeFollowedUp``)."""
        return self.handle(c.build(c.FollowUpDispute, _fields(locals())))  # type: ignore[arg-type]

    def refer_dispute(
        self, *, dispute: str, officer: str, to: str, reason: str, occurred_at: datetime
    ) -> Receipt:
        """Refer a dispute out of the handling tiers, 上交 (``DisputeReferred``)."""
        return self.handle(c.build(c.ReferDispute, _fields(locals())))  # type: ignore[arg-type]

    def reopen_dispute(
        self, *, dispute: str, officer: str, reason: str, occurred_at: datetime
    ) -> Receipt:
        """Reopen a resolved or referred dispute (``DisputeReopened``)."""
        return self.handle(c.build(c.ReopenDispute, _fields(locals())))  # type: ignore[arg-type]

    def register_venue(
        self,
        *,
        id: str,
        name: str,
        category: str,
        address: str,
        officer: str,
        occurred_at: datetime,
    ) -> Receipt:
        """Register a venue under a responsible officer (``VenueRegistered``)."""
        return self.handle(c.build(c.RegisterVenue, _fields(locals())))  # type: ignore[arg-type]

    def inspect_venue(
        self,
        *,
        venue: str,
        officer: str,
        mode: str,
        occurred_at: datetime,
        findings: Iterable[dict[str, Any] | c.FindingSpec],
    ) -> Receipt:
        """Inspect a venue (``VenueInspected``, and ``ViolationFound`` per finding)."""
        return self.handle(c.build(c.InspectVenue, _fields(locals())))  # type: ignore[arg-type]

    def verify_rectification(
        self, *, venue: str, finding: str, officer: str, passed: bool, occurred_at: datetime
    ) -> Receipt:
        """Check a finding's rectification (``RectificationVerified`` or ``...Failed``)."""
        return self.handle(c.build(c.VerifyRectification, _fields(locals())))  # type: ignore[arg-type]

    def erase_personal_data(self, *, subject: str, reason: str, occurred_at: datetime) -> Receipt:
        """Erase a data subject's personal data: destroy its key (``PersonalDataErased``).

        ``subject`` is ``household:ID``, ``dispute:ID`` or ``record:OFFICER/ID``. The
        events stay; every reader shows ``[erased]`` in place of the subject's text.
        """
        return self.handle(c.build(c.ErasePersonalData, _fields(locals())))  # type: ignore[arg-type]


def _fields(arguments: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in arguments.items() if key != "self"}
    for key, value in fields.items():
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
            fields[key] = tuple(value)
    return fields

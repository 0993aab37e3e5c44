"""A supervised venue (场所) and its inspections, findings and rectifications.

Venues are registered and actively listed (主动列管) under a responsible officer, then
inspected online (网上巡查), routinely (日常检查) or by unannounced spot check
(不定期抽查). Each finding orders a rectification with a deadline, followed up until
it is verified (跟踪整改反馈); a failed verification leaves the finding open.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from eventsourcing.domain import event
from pydantic import AwareDatetime, BaseModel, ConfigDict
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.errors import IdConflictError, RuleViolationError, UnknownRecordError
from beatpolice.domain.field_time import check_not_before
from beatpolice.domain.values import InspectionMode, VenueCategory

__all__ = [
    "Finding",
    "RectificationFailed",
    "RectificationVerified",
    "Venue",
    "VenueInspected",
    "VenueRegistered",
    "ViolationFound",
]


class Finding(BaseModel):
    """A violation found in an inspection, to be rectified by a deadline."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: str
    code: str
    description: str
    rectify_by: date


class FindingState(BaseModel):
    """What the venue remembers of a finding."""

    model_config = ConfigDict(frozen=True)

    code: str
    rectify_by: date
    status: Literal["open", "rectified"] = "open"
    failed_checks: int = 0
    found_at: datetime | None = None
    """When the inspection that found it happened (None in snapshots kept by 0.1)."""


class VenueState(TypedDict):
    """Every attribute of :class:`Venue`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    key: str
    name: str
    category: VenueCategory
    address: str
    officer: str
    inspections: int
    findings: dict[str, FindingState]


class Venue(StationAggregate):
    """A venue under the station's supervision."""

    TOPIC = "beatpolice:Venue"
    State = VenueState

    class VenueRegistered(CreatedEvent):
        """The venue was registered and listed under a responsible officer."""

        TOPIC: ClassVar[str] = "beatpolice:VenueRegistered"
        venue: str
        name: str
        category: VenueCategory
        address: str
        officer: str
        occurred_at: AwareDatetime

    class VenueInspected(StationAggregate.Event):
        """An inspection of the venue, by mode, with the findings it made (maybe none)."""

        TOPIC: ClassVar[str] = "beatpolice:VenueInspected"
        venue: str
        officer: str
        mode: InspectionMode
        occurred_at: AwareDatetime
        findings: tuple[Finding, ...]

    class ViolationFound(StationAggregate.Event):
        """One finding of an inspection, ordering a rectification by a deadline."""

        TOPIC: ClassVar[str] = "beatpolice:ViolationFound"
        venue: str
        finding: str
        code: str
        description: str
        rectify_by: date
        officer: str
        occurred_at: AwareDatetime

    class RectificationVerified(StationAggregate.Event):
        """The finding's rectification was checked and passed; the finding is closed."""

        TOPIC: ClassVar[str] = "beatpolice:RectificationVerified"
        venue: str
        finding: str
        officer: str
        occurred_at: AwareDatetime

    class RectificationFailed(StationAggregate.Event):
        """The finding's rectification was checked and failed; the finding stays open."""

        TOPIC: ClassVar[str] = "beatpolice:RectificationFailed"
        venue: str
        finding: str
        officer: str
        occurred_at: AwareDatetime

    @staticmethod
    def create_id(venue: str) -> UUID:
        """A venue's aggregate id follows from the caller's id alone."""
        return stable_id("venue", venue)

    @event(VenueRegistered)
    def __init__(
        self,
        venue: str,
        name: str,
        category: VenueCategory,
        address: str,
        officer: str,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.key = venue
        self.name = name
        self.category = category
        self.address = address
        self.officer = officer
        self.inspections = 0
        self.findings: dict[str, FindingState] = {}

    def inspect(
        self,
        officer: str,
        mode: InspectionMode,
        occurred_at: datetime,
        findings: tuple[Finding, ...],
        command: str,
    ) -> None:
        """Record an inspection and order a rectification for each finding."""
        ids = [finding.id for finding in findings]
        if len(set(ids)) != len(ids):
            raise RuleViolationError(
                "findings: a finding id appears twice in one inspection",
                rule="finding ids are unique within a venue",
            )
        for finding_id in ids:
            if finding_id in self.findings:
                raise IdConflictError(
                    f"findings: finding {finding_id!r} of venue {self.key!r} "
                    "was recorded before with other content",
                    rule="finding ids are unique within a venue",
                )
        self._inspect(
            venue=self.key,
            officer=officer,
            mode=mode,
            occurred_at=occurred_at,
            findings=findings,
            command=command,
        )
        for finding in findings:
            self._find_violation(
                venue=self.key,
                finding=finding.id,
                code=finding.code,
                description=finding.description,
                rectify_by=finding.rectify_by,
                officer=officer,
                occurred_at=occurred_at,
                command=command,
            )

    @event(VenueInspected)
    def _inspect(
        self,
        venue: str,
        officer: str,
        mode: InspectionMode,
        occurred_at: datetime,
        findings: tuple[Finding, ...],
        command: str,
    ) -> None:
        self.inspections += 1

    @event(ViolationFound)
    def _find_violation(
        self,
        venue: str,
        finding: str,
        code: str,
        description: str,
        rectify_by: date,
        officer: str,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.findings[finding] = FindingState(
            code=code, rectify_by=rectify_by, found_at=occurred_at
        )

    def verify_rectification(
        self, finding: str, officer: str, passed: bool, occurred_at: datetime, command: str
    ) -> None:
        """Check a finding's rectification: passed closes it, failed keeps it open."""
        state = self.findings.get(finding)
        if state is None:
            raise UnknownRecordError(
                finding, field="finding", detail=f"never found at venue {self.key!r}"
            )
        if state.status == "rectified":
            raise RuleViolationError(
                f"finding: {finding!r} of venue {self.key!r} was already verified as rectified",
                rule="a rectified finding is closed",
            )
        check_not_before("occurred_at", occurred_at, state.found_at, f"finding {finding!r}")
        if passed:
            self._verify(
                venue=self.key,
                finding=finding,
                officer=officer,
                occurred_at=occurred_at,
                command=command,
            )
        else:
            self._fail(
                venue=self.key,
                finding=finding,
                officer=officer,
                occurred_at=occurred_at,
                command=command,
            )

    @event(RectificationVerified)
    def _verify(
        self, venue: str, finding: str, officer: str, occurred_at: datetime, command: str
    ) -> None:
        self.findings[finding] = self.findings[finding].model_copy(update={"status": "rectified"})

    @event(RectificationFailed)
    def _fail(
        self, venue: str, finding: str, officer: str, occurred_at: datetime, command: str
    ) -> None:
        state = self.findings[finding]
        self.findings[finding] = state.model_copy(
            update={"failed_checks": state.failed_checks + 1}
        )


VenueRegistered = Venue.VenueRegistered
VenueInspected = Venue.VenueInspected
ViolationFound = Venue.ViolationFound
RectificationVerified = Venue.RectificationVerified
RectificationFailed = Venue.RectificationFailed

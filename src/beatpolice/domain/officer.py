"""The community officer (社区民警) and the field records kept in the officer's name.

An officer is enlisted once, by badge (警号), into a station (派出所) and a beat
(责任区). Everything the officer records in the field belongs to this aggregate:
monthly visit plans (走访计划), household visits (入户走访) and their follow-up calls
(回访), leads (线索), services to residents (服务群众), and retractions of any of those.

Record ids are chosen by the caller and are unique within the officer: a re-sent
record is recognised and not recorded twice; the same id with other content is
refused. Nothing is ever deleted: a retraction is an event of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal
from uuid import UUID

import attrs
from eventsourcing.domain import event
from pydantic import AwareDatetime
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.errors import IdConflictError, RuleViolationError, UnknownRecordError
from beatpolice.domain.field_time import check_not_before
from beatpolice.domain.values import LeadKind

__all__ = [
    "LeadReported",
    "Officer",
    "OfficerEnlisted",
    "RecordRetracted",
    "ServiceRendered",
    "VisitFollowedUp",
    "VisitRecorded",
    "VisitsPlanned",
]

RecordKind = Literal["visit", "lead", "service"]


_KIND_CODES: dict[str, RecordKind] = {"v": "visit", "l": "lead", "s": "service"}


@attrs.frozen
class FieldRecord:
    """What the officer aggregate remembers of one visit, lead or service.

    Kept in the aggregate (and its snapshots) as a short code, ``v@…``, ``vf@…``,
    ``lr@…`` ...: the kind's letter, then ``r`` once retracted and ``f`` once followed
    up, then ``@`` and the field time in microseconds since the Unix epoch (so that a
    follow-up or retraction dated before the record is refused), so an officer with
    10,000 records still loads quickly. Codes kept by 0.1 have no time.
    """

    kind: RecordKind
    retracted: bool = False
    followed_up: bool = False
    occurred_at: int | None = None
    """The record's field time in microseconds since the epoch; None if not known."""

    def encode(self) -> str:
        """The short code stored in the aggregate's state."""
        code = self.kind[0] + ("r" if self.retracted else "") + ("f" if self.followed_up else "")
        return code if self.occurred_at is None else f"{code}@{self.occurred_at}"

    @classmethod
    def decode(cls, code: str) -> FieldRecord:
        """Read a short code back."""
        flags, _, micros = code.partition("@")
        return cls(
            kind=_KIND_CODES[flags[0]],
            retracted="r" in flags[1:],
            followed_up="f" in flags[1:],
            occurred_at=int(micros) if micros else None,
        )

    @classmethod
    def new(cls, kind: RecordKind, occurred_at: datetime) -> FieldRecord:
        """A fresh record of ``kind`` that happened at ``occurred_at``."""
        return cls(kind=kind, occurred_at=_micros(occurred_at))

    def field_time(self) -> datetime | None:
        """When the record happened in the field (UTC), if the aggregate knows."""
        if self.occurred_at is None:
            return None
        return _EPOCH + timedelta(microseconds=self.occurred_at)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class OfficerState(TypedDict):
    """Every attribute of :class:`Officer`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    badge: str
    name: str
    station: str
    beat: str
    plans: dict[str, tuple[str, ...]]
    records: dict[str, str]


class Officer(StationAggregate):
    """A community officer and the field records kept in the officer's name."""

    TOPIC = "beatpolice:Officer"
    State = OfficerState

    class OfficerEnlisted(CreatedEvent):
        """An officer joined a station's beat (入警/分配到责任区)."""

        TOPIC: ClassVar[str] = "beatpolice:OfficerEnlisted"
        badge: str
        name: str
        station: str
        beat: str

    class VisitsPlanned(StationAggregate.Event):
        """The households an officer must visit in a month (the visit rate's denominator)."""

        TOPIC: ClassVar[str] = "beatpolice:VisitsPlanned"
        officer: str
        month: str
        households: tuple[str, ...]

    class VisitRecorded(StationAggregate.Event):
        """入户走访: a household visit, and whether people matched the register (人号一致)."""

        TOPIC: ClassVar[str] = "beatpolice:VisitRecorded"
        id: str
        officer: str
        household: str
        occurred_at: AwareDatetime
        people_match_register: bool
        notes: str | None = None

    class VisitFollowedUp(StationAggregate.Event):
        """回访: the resident was asked whether they were satisfied with the visit."""

        TOPIC: ClassVar[str] = "beatpolice:VisitFollowedUp"
        visit: str
        officer: str
        occurred_at: AwareDatetime
        satisfied: bool

    class LeadReported(StationAggregate.Event):
        """线索: a criminal-case lead, an apprehension, a fugitive caught, or information."""

        TOPIC: ClassVar[str] = "beatpolice:LeadReported"
        id: str
        officer: str
        kind: LeadKind
        occurred_at: AwareDatetime
        summary: str

    class ServiceRendered(StationAggregate.Event):
        """服务群众: a service to residents, and whether the public acknowledged it."""

        TOPIC: ClassVar[str] = "beatpolice:ServiceRendered"
        id: str
        officer: str
        kind: str
        occurred_at: AwareDatetime
        acknowledged: bool

    class RecordRetracted(StationAggregate.Event):
        """A visit, lead or service withdrawn; it stays in the log and never counts again."""

        TOPIC: ClassVar[str] = "beatpolice:RecordRetracted"
        record: str
        record_kind: str
        officer: str
        reason: str
        occurred_at: AwareDatetime

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 2 keeps records as short codes and commands as short digests."""
        StationAggregate.upcast_v1_v2(state)
        state["records"] = {
            record_id: FieldRecord(
                kind=record["kind"],
                retracted=record.get("retracted", False),
                followed_up=record.get("followed_up") is not None,
            ).encode()
            for record_id, record in state["records"].items()
        }

    @staticmethod
    def create_id(badge: str) -> UUID:
        """An officer's aggregate id follows from the badge alone."""
        return stable_id("officer", badge)

    @event(OfficerEnlisted)
    def __init__(self, badge: str, name: str, station: str, beat: str, command: str) -> None:
        self.badge = badge
        self.name = name
        self.station = station
        self.beat = beat
        self.plans: dict[str, tuple[str, ...]] = {}
        self.records: dict[str, str] = {}

    def record(self, record_id: str) -> FieldRecord | None:
        """What the officer's records say of a visit, lead or service (None if unknown)."""
        code = self.records.get(record_id)
        return FieldRecord.decode(code) if code is not None else None

    def plan_visits(self, month: str, households: tuple[str, ...], command: str) -> None:
        """Set the month's visit plan; a later plan for the same month replaces it."""
        self._plan_visits(officer=self.badge, month=month, households=households, command=command)

    @event(VisitsPlanned)
    def _plan_visits(
        self, officer: str, month: str, households: tuple[str, ...], command: str
    ) -> None:
        self.plans[month] = households

    def record_visit(
        self,
        id: str,
        household: str,
        occurred_at: datetime,
        people_match_register: bool,
        notes: str | None,
        command: str,
    ) -> None:
        """Record a household visit under a fresh id."""
        self._check_new_record(id, command)
        self._record_visit(
            id=id,
            officer=self.badge,
            household=household,
            occurred_at=occurred_at,
            people_match_register=people_match_register,
            notes=notes,
            command=command,
        )

    @event(VisitRecorded)
    def _record_visit(
        self,
        id: str,
        officer: str,
        household: str,
        occurred_at: datetime,
        people_match_register: bool,
        notes: str | None,
        command: str,
    ) -> None:
        self.records[id] = FieldRecord.new("visit", occurred_at).encode()

    def follow_up_visit(
        self, visit: str, occurred_at: datetime, satisfied: bool, command: str
    ) -> None:
        """Record the follow-up call of a visit; a visit is followed up once."""
        record = self._live_record(visit, field="visit", kind="visit")
        if record.followed_up:
            raise IdConflictError(
                f"visit: visit {visit!r} was already followed up with other content",
                rule="a visit is followed up once",
                field="visit",
            )
        check_not_before("occurred_at", occurred_at, record.field_time(), f"visit {visit!r}")
        self._follow_up_visit(
            visit=visit,
            officer=self.badge,
            occurred_at=occurred_at,
            satisfied=satisfied,
            command=command,
        )

    @event(VisitFollowedUp)
    def _follow_up_visit(
        self, visit: str, officer: str, occurred_at: datetime, satisfied: bool, command: str
    ) -> None:
        record = FieldRecord.decode(self.records[visit])
        self.records[visit] = attrs.evolve(record, followed_up=True).encode()

    def report_lead(
        self,
        id: str,
        kind: LeadKind,
        occurred_at: datetime,
        summary: str,
        command: str,
    ) -> None:
        """Report a lead under a fresh id."""
        self._check_new_record(id, command)
        self._report_lead(
            id=id,
            officer=self.badge,
            kind=kind,
            occurred_at=occurred_at,
            summary=summary,
            command=command,
        )

    @event(LeadReported)
    def _report_lead(
        self,
        id: str,
        officer: str,
        kind: LeadKind,
        occurred_at: datetime,
        summary: str,
        command: str,
    ) -> None:
        self.records[id] = FieldRecord.new("lead", occurred_at).encode()

    def record_service(
        self,
        id: str,
        kind: str,
        occurred_at: datetime,
        acknowledged: bool,
        command: str,
    ) -> None:
        """Record a service to residents under a fresh id."""
        self._check_new_record(id, command)
        self._record_service(
            id=id,
            officer=self.badge,
            kind=kind,
            occurred_at=occurred_at,
            acknowledged=acknowledged,
            command=command,
        )

    @event(ServiceRendered)
    def _record_service(
        self,
        id: str,
        officer: str,
        kind: str,
        occurred_at: datetime,
        acknowledged: bool,
        command: str,
    ) -> None:
        self.records[id] = FieldRecord.new("service", occurred_at).encode()

    def retract_record(
        self, record: str, reason: str, occurred_at: datetime, command: str
    ) -> None:
        """Withdraw a visit, lead or service; it will never count again."""
        kept = self._live_record(record, field="record")
        check_not_before("occurred_at", occurred_at, kept.field_time(), f"record {record!r}")
        self._retract_record(
            record=record,
            record_kind=kept.kind,
            officer=self.badge,
            reason=reason,
            occurred_at=occurred_at,
            command=command,
        )

    @event(RecordRetracted)
    def _retract_record(
        self,
        record: str,
        record_kind: str,
        officer: str,
        reason: str,
        occurred_at: datetime,
        command: str,
    ) -> None:
        kept = FieldRecord.decode(self.records[record])
        self.records[record] = attrs.evolve(kept, retracted=True).encode()

    def _check_new_record(self, record_id: str, command: str) -> None:
        # an exact re-send never gets here: the station recognises it by its digest
        code = self.records.get(record_id)
        if code is not None:
            existing = FieldRecord.decode(code)
            raise IdConflictError(
                f"id: {record_id!r} of officer {self.badge!r} was recorded before "
                f"as a {existing.kind} with other content",
                field="id",
            )

    def _live_record(
        self, record_id: str, *, field: str, kind: RecordKind | None = None
    ) -> FieldRecord:
        record = self.record(record_id)
        if record is None or (kind is not None and record.kind != kind):
            raise UnknownRecordError(
                record_id,
                field=field,
                detail=f"no {kind or 'visit, lead or service'} with this id "
                f"was recorded by officer {self.badge!r}",
            )
        if record.retracted:
            raise RuleViolationError(
                f"{field}: {record.kind} {record_id!r} was retracted",
                rule="retracted records are closed to further changes",
            )
        return record


OfficerEnlisted = Officer.OfficerEnlisted
VisitsPlanned = Officer.VisitsPlanned
VisitRecorded = Officer.VisitRecorded
VisitFollowedUp = Officer.VisitFollowedUp
LeadReported = Officer.LeadReported
ServiceRendered = Officer.ServiceRendered
RecordRetracted = Officer.RecordRetracted

"""A field record (一条记录) an officer makes: a visit, a lead or a service, on its own.

Each household visit (入户走访), lead (线索) or service to residents (服务群众) is an
aggregate of its own, found by the officer's badge and the caller's record id. Its id
is an idempotency key the store enforces: two writers creating the same record meet on
the record's first version, and the loser sees it as a re-send (same content) or an
:class:`~beatpolice.domain.errors.IdConflictError` (other content). A visit's follow-up
call (回访) and any record's retraction are events of the record itself, so recording
for an officer never loads, and never waits on, the officer's other records (ADR 0240).

Record ids are unique within the officer, across kinds: a lead cannot take the id of a
visit. Nothing is ever deleted: a retraction is an event of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.day_values import InformationSource
from beatpolice.domain.errors import IdConflictError, RuleViolationError, UnknownRecordError
from beatpolice.domain.field_time import check_not_before
from beatpolice.domain.privacy import PERSONAL
from beatpolice.domain.values import LeadKind

__all__ = [
    "FieldRecord",
    "LeadReported",
    "RecordKind",
    "RecordRetracted",
    "ServiceRendered",
    "VisitFollowedUp",
    "VisitRecorded",
    "record_key",
    "unknown_record",
]

RecordKind = Literal["visit", "lead", "service"]

TOPIC = "beatpolice:FieldRecord"


def record_key(officer: str, record: str) -> str:
    """The key a record is found by: the officer's badge and the caller's record id."""
    return f"{officer}/{record}"


class FieldRecordState(TypedDict):
    """Every attribute of :class:`FieldRecord`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    key: str
    officer: str
    kind: RecordKind
    occurred_at: datetime
    retracted: bool
    followed_up: bool


class _Created(CreatedEvent):
    """Base of the three events that create a record (a v1 event had no topic field)."""

    class_version: ClassVar[int] = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 2: the record is an aggregate of its own (in 0.1, the officer's)."""
        state.setdefault("originator_topic", TOPIC)


def _start(
    record: FieldRecord, kind: RecordKind, record_id: str, officer: str, occurred_at: datetime
) -> None:
    record.key = record_id
    record.officer = officer
    record.kind = kind
    record.occurred_at = occurred_at
    record.retracted = False
    record.followed_up = False


class FieldRecord(StationAggregate):
    """One visit, lead or service, and what later happened to it."""

    TOPIC = TOPIC
    State = FieldRecordState

    class VisitRecorded(_Created):
        """入户走访: a household visit, and whether people matched the register (人号一致)."""

        TOPIC: ClassVar[str] = "beatpolice:VisitRecorded"
        id: str
        officer: str
        household: str
        occurred_at: AwareDatetime
        people_match_register: bool
        notes: Annotated[str | None, PERSONAL] = None

        def apply(self, aggregate: Any) -> None:
            _start(aggregate, "visit", self.id, self.officer, self.occurred_at)

    class LeadReported(_Created):
        """线索: a criminal-case lead, an apprehension, a fugitive caught, or information."""

        TOPIC: ClassVar[str] = "beatpolice:LeadReported"
        id: str
        officer: str
        kind: LeadKind
        occurred_at: AwareDatetime
        summary: Annotated[str, PERSONAL]
        source: InformationSource | None = Field(default=None, exclude_if=lambda v: v is None)
        """Who handed the lead over (0.2). Unset, it is not stored: an event without it
        has the bytes it had in 0.1."""

        def apply(self, aggregate: Any) -> None:
            _start(aggregate, "lead", self.id, self.officer, self.occurred_at)

    class ServiceRendered(_Created):
        """服务群众: a service to residents, and whether the public acknowledged it."""

        TOPIC: ClassVar[str] = "beatpolice:ServiceRendered"
        id: str
        officer: str
        kind: str
        occurred_at: AwareDatetime
        acknowledged: bool

        def apply(self, aggregate: Any) -> None:
            _start(aggregate, "service", self.id, self.officer, self.occurred_at)

    class VisitFollowedUp(StationAggregate.Event):
        """回访: the resident was asked whether they were satisfied with the visit."""

        TOPIC: ClassVar[str] = "beatpolice:VisitFollowedUp"
        visit: str
        officer: str
        occurred_at: AwareDatetime
        satisfied: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.followed_up = True

    class RecordRetracted(StationAggregate.Event):
        """A visit, lead or service withdrawn; it stays in the log and never counts again."""

        TOPIC: ClassVar[str] = "beatpolice:RecordRetracted"
        record: str
        record_kind: str
        officer: str
        reason: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime

        def apply(self, aggregate: Any) -> None:
            aggregate.retracted = True

    if TYPE_CHECKING:  # set by the created events (eventsourcing would make annotations
        # into __init__ parameters)
        key: str
        officer: str
        kind: RecordKind
        occurred_at: datetime
        retracted: bool
        followed_up: bool

    @staticmethod
    def create_id(key: str) -> UUID:
        """A record's aggregate id follows from :func:`record_key` alone."""
        return stable_id("fieldrecord", key)

    # --- creating ---------------------------------------------------------------------

    @classmethod
    def visit(
        cls,
        *,
        id: str,
        officer: str,
        household: str,
        occurred_at: datetime,
        people_match_register: bool,
        notes: str | None,
        command: str,
    ) -> FieldRecord:
        """A new household visit."""
        return cls._new(
            cls.VisitRecorded,
            id=id,
            officer=officer,
            household=household,
            occurred_at=occurred_at,
            people_match_register=people_match_register,
            notes=notes,
            command=command,
        )

    @classmethod
    def lead(
        cls,
        *,
        id: str,
        officer: str,
        kind: LeadKind,
        occurred_at: datetime,
        summary: str,
        command: str,
        source: InformationSource | None = None,
    ) -> FieldRecord:
        """A new lead."""
        return cls._new(
            cls.LeadReported,
            id=id,
            officer=officer,
            kind=kind,
            occurred_at=occurred_at,
            summary=summary,
            command=command,
            source=source,
        )

    @classmethod
    def service(
        cls,
        *,
        id: str,
        officer: str,
        kind: str,
        occurred_at: datetime,
        acknowledged: bool,
        command: str,
    ) -> FieldRecord:
        """A new service to residents."""
        return cls._new(
            cls.ServiceRendered,
            id=id,
            officer=officer,
            kind=kind,
            occurred_at=occurred_at,
            acknowledged=acknowledged,
            command=command,
        )

    @classmethod
    def _new(cls, event_class: type[_Created], **fields: Any) -> FieldRecord:
        # eventsourcing's _create() takes the aggregate id as ``id``, which is also the
        # name of the record id's field: the created event is built here instead.
        created = event_class(
            originator_topic=TOPIC,
            originator_id=cls.create_id(record_key(fields["officer"], fields["id"])),
            originator_version=cls.INITIAL_VERSION,
            timestamp=event_class.create_timestamp(),
            **fields,
        )
        record: FieldRecord = created.mutate(None)
        record.pending_events.append(created)
        return record

    # --- what happens to a record -----------------------------------------------------

    def follow_up(self, occurred_at: datetime, satisfied: bool, command: str) -> None:
        """Record the follow-up call of a visit; a visit is followed up once."""
        self._refuse_unless_live(field="visit", kind="visit")
        if self.followed_up:
            raise IdConflictError(
                f"visit: visit {self.key!r} was already followed up with other content",
                rule="a visit is followed up once",
                field="visit",
            )
        check_not_before("occurred_at", occurred_at, self.occurred_at, f"visit {self.key!r}")
        self.trigger_event(
            self.VisitFollowedUp,
            visit=self.key,
            officer=self.officer,
            occurred_at=occurred_at,
            satisfied=satisfied,
            command=command,
        )

    def retract(self, reason: str, occurred_at: datetime, command: str) -> None:
        """Withdraw the record; it will never count again."""
        self._refuse_unless_live(field="record")
        check_not_before("occurred_at", occurred_at, self.occurred_at, f"record {self.key!r}")
        self.trigger_event(
            self.RecordRetracted,
            record=self.key,
            record_kind=self.kind,
            officer=self.officer,
            reason=reason,
            occurred_at=occurred_at,
            command=command,
        )

    def refuse_other_content(self, field: str) -> None:
        """Refuse a creating command that reuses this record's id with other content."""
        raise IdConflictError(
            f"{field}: {self.key!r} of officer {self.officer!r} was recorded before "
            f"as a {self.kind} with other content",
            field=field,
        )

    def _refuse_unless_live(self, *, field: str, kind: RecordKind | None = None) -> None:
        if kind is not None and self.kind != kind:
            raise unknown_record(self.officer, self.key, field, kind)
        if self.retracted:
            raise RuleViolationError(
                f"{field}: {self.kind} {self.key!r} was retracted",
                rule="retracted records are closed to further changes",
            )


def unknown_record(
    officer: str, record: str, field: str, kind: RecordKind | None = None
) -> UnknownRecordError:
    """The refusal of a command that names a record the officer never made."""
    return UnknownRecordError(
        record,
        field=field,
        detail=f"no {kind or 'visit, lead or service'} with this id "
        f"was recorded by officer {officer!r}",
    )


VisitRecorded = FieldRecord.VisitRecorded
VisitFollowedUp = FieldRecord.VisitFollowedUp
LeadReported = FieldRecord.LeadReported
ServiceRendered = FieldRecord.ServiceRendered
RecordRetracted = FieldRecord.RecordRetracted

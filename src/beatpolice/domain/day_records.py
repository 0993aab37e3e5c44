"""The rest of an officer's day as records that stand alone (four of the sources).

Information collected (信息采集), a patrol (巡逻), an outreach (提醒、宣传), a meeting
(例会、恳谈会), a resident's request (群众诉求), a fraud-risk assessment (防诈研判), a
survey (满意度、安全感、熟悉率) and a commendation (感谢信、锦旗): each is an aggregate of
its own, like a visit (:mod:`beatpolice.domain.records`, ADR 0240), found by the
officer's badge and the caller's record id. Its id is an idempotency key the store
enforces: the same command twice is recorded once, the same id with other content is
an :class:`~beatpolice.domain.errors.IdConflictError`. A request is received, then
answered once; its answer is an event of the request itself.

These records share one id space per officer, apart from visits, leads and services
(ADR 0901): a patrol cannot take the id of a survey of the same officer.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.day_values import (
    CommendationKind,
    InformationSource,
    InformationSubject,
    MeetingKind,
    OutreachChannel,
    OutreachKind,
    PatrolMode,
    PersonCategory,
    RequestChannel,
    RequestOutcome,
    SurveyKind,
)
from beatpolice.domain.errors import IdConflictError, UnknownRequestError
from beatpolice.domain.field_time import check_not_before
from beatpolice.domain.privacy import PERSONAL
from beatpolice.domain.records import record_key
from beatpolice.domain.values import Role

__all__ = [
    "CommendationReceived",
    "DayRecord",
    "DayRecordKind",
    "FraudRiskAssessed",
    "InformationCollected",
    "MeetingHeld",
    "OutreachHeld",
    "PatrolCompleted",
    "RequestAnswered",
    "RequestReceived",
    "SurveyRecorded",
    "unknown_request",
]

DayRecordKind = Literal[
    "information",
    "patrol",
    "outreach",
    "meeting",
    "request",
    "fraud_risk",
    "survey",
    "commendation",
]

TOPIC = "beatpolice:DayRecord"


class DayRecordState(TypedDict):
    """Every attribute of :class:`DayRecord`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    key: str
    officer: str
    kind: str
    occurred_at: datetime
    answered: bool


class _Created(CreatedEvent):
    """Base of the events that create a day record."""

    KIND: ClassVar[str]

    def apply(self, aggregate: Any) -> None:
        values = vars(self)
        aggregate.key = values["id"]
        aggregate.officer = values["officer"]
        aggregate.kind = self.KIND
        aggregate.occurred_at = values.get("occurred_at") or values["started_at"]
        aggregate.answered = False


class DayRecord(StationAggregate):
    """One record of an officer's day other than a visit, lead or service."""

    TOPIC = TOPIC
    State = DayRecordState

    class InformationCollected(_Created):
        """信息采集: an item of information about a person, household, building, venue,
        weak spot or public sentiment, and who handed it to the officer."""

        TOPIC: ClassVar[str] = "beatpolice:InformationCollected"
        KIND: ClassVar[str] = "information"
        id: str
        officer: str
        subject: InformationSubject
        category: PersonCategory | None = None
        household: str | None = None
        summary: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime
        source: InformationSource | None = None

    class PatrolCompleted(_Created):
        """巡逻: a patrol, the must-patrol points it passed and who went along."""

        TOPIC: ClassVar[str] = "beatpolice:PatrolCompleted"
        KIND: ClassVar[str] = "patrol"
        id: str
        officer: str
        started_at: AwareDatetime
        ended_at: AwareDatetime
        points: tuple[str, ...]
        participants: tuple[Role, ...]
        mode: PatrolMode

    class OutreachHeld(_Created):
        """勤提醒、勤宣传: a reminder, publicity or lecture, and how many it reached."""

        TOPIC: ClassVar[str] = "beatpolice:OutreachHeld"
        KIND: ClassVar[str] = "outreach"
        id: str
        officer: str
        kind: OutreachKind
        channel: OutreachChannel
        topic: str
        reach: int
        occurred_at: AwareDatetime

    class MeetingHeld(_Created):
        """警网融合例会, 警民恳谈会 or community committee work."""

        TOPIC: ClassVar[str] = "beatpolice:MeetingHeld"
        KIND: ClassVar[str] = "meeting"
        id: str
        officer: str
        kind: MeetingKind
        participants: tuple[Role, ...]
        attendees: int
        summary: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime

    class RequestReceived(_Created):
        """群众诉求: a resident's request, and the channel it came through."""

        TOPIC: ClassVar[str] = "beatpolice:RequestReceived"
        KIND: ClassVar[str] = "request"
        id: str
        officer: str
        channel: RequestChannel
        summary: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime
        household: str | None = None

    class FraudRiskAssessed(_Created):
        """防诈研判: the features of a fraud script a caller showed, and the risk level."""

        TOPIC: ClassVar[str] = "beatpolice:FraudRiskAssessed"
        KIND: ClassVar[str] = "fraud_risk"
        id: str
        officer: str
        household: str
        script: str
        features: tuple[str, ...]
        occurred_at: AwareDatetime
        catalogue: str
        catalogue_version: str
        matched: int
        total: int
        level: str

    class SurveyRecorded(_Created):
        """A survey: respondents and positive answers (a rate is their exact fraction)."""

        TOPIC: ClassVar[str] = "beatpolice:SurveyRecorded"
        KIND: ClassVar[str] = "survey"
        id: str
        officer: str
        kind: SurveyKind
        respondents: int
        positive: int
        occurred_at: AwareDatetime

    class CommendationReceived(_Created):
        """感谢信、锦旗: the public thanked the officer."""

        TOPIC: ClassVar[str] = "beatpolice:CommendationReceived"
        KIND: ClassVar[str] = "commendation"
        id: str
        officer: str
        kind: CommendationKind
        occurred_at: AwareDatetime
        giver: Annotated[str | None, PERSONAL] = None

    class RequestAnswered(StationAggregate.Event):
        """A request was answered: resolved, helped beyond remit, referred or declined."""

        TOPIC: ClassVar[str] = "beatpolice:RequestAnswered"
        request: str
        officer: str
        outcome: RequestOutcome
        occurred_at: AwareDatetime

        def apply(self, aggregate: Any) -> None:
            aggregate.answered = True

    if TYPE_CHECKING:  # set by the created events
        key: str
        officer: str
        kind: str
        occurred_at: datetime
        answered: bool

    @staticmethod
    def create_id(key: str) -> UUID:
        """A day record's aggregate id follows from :func:`record_key` alone."""
        return stable_id("dayrecord", key)

    @classmethod
    def create(cls, event_class: type[_Created], **fields: Any) -> DayRecord:
        """A new record of the kind ``event_class`` creates, from its decided fields."""
        # eventsourcing's _create() takes the aggregate id as ``id``, which is also the
        # name of the record id's field: the created event is built here instead.
        created = event_class(
            originator_topic=TOPIC,
            originator_id=cls.create_id(record_key(fields["officer"], fields["id"])),
            originator_version=cls.INITIAL_VERSION,
            timestamp=event_class.create_timestamp(),
            **fields,
        )
        record: DayRecord = created.mutate(None)
        record.pending_events.append(created)
        return record

    def answer(self, outcome: RequestOutcome, occurred_at: datetime, command: str) -> None:
        """Answer a received request; a request is answered once, never before it came."""
        if self.kind != "request":
            raise unknown_request(self.officer, self.key)
        if self.answered:
            raise IdConflictError(
                f"request: request {self.key!r} was already answered with other content",
                rule="a request is answered once",
                field="request",
            )
        check_not_before("occurred_at", occurred_at, self.occurred_at, f"request {self.key!r}")
        self.trigger_event(
            self.RequestAnswered,
            request=self.key,
            officer=self.officer,
            outcome=outcome,
            occurred_at=occurred_at,
            command=command,
        )

    def refuse_other_content(self, field: str) -> None:
        """Refuse a creating command that reuses this record's id with other content."""
        raise IdConflictError(
            f"{field}: {self.key!r} of officer {self.officer!r} was recorded before "
            f"as a {self.kind.replace('_', ' ')} record with other content",
            field=field,
        )


def unknown_request(officer: str, request: str) -> UnknownRequestError:
    """The refusal of an answer to a request the officer never received."""
    return UnknownRequestError(
        request, field="request", detail=f"no request with this id was received by {officer!r}"
    )


InformationCollected = DayRecord.InformationCollected
PatrolCompleted = DayRecord.PatrolCompleted
OutreachHeld = DayRecord.OutreachHeld
MeetingHeld = DayRecord.MeetingHeld
RequestReceived = DayRecord.RequestReceived
RequestAnswered = DayRecord.RequestAnswered
FraudRiskAssessed = DayRecord.FraudRiskAssessed
SurveyRecorded = DayRecord.SurveyRecorded
CommendationReceived = DayRecord.CommendationReceived

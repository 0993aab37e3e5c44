"""The commands of the rest of an officer's day (the contract's 0.2 table), as models.

Transfers, information collection, patrol plans and patrols, outreach, meetings,
residents' requests and their answers, fraud-risk assessments, surveys and
commendations. They join :data:`beatpolice.domain.commands.Command` and are imported
from :mod:`beatpolice.commands` like every other command.

Example:
    >>> from beatpolice.domain.commands import parse_command
    >>> survey = parse_command(
    ...     '{"type": "record_survey", "id": "SV1", "officer": "D0001",'
    ...     ' "kind": "security", "respondents": 40, "positive": 37,'
    ...     ' "occurred_at": "2014-01-20T10:00:00+08:00"}'
    ... )
    >>> survey.positive, survey.respondents
    (37, 40)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, ValidationInfo, field_validator

from beatpolice.domain._command_base import When, _Command
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
from beatpolice.domain.values import Badge, Month, Name, RecordId, Role, ShortText

__all__ = [
    "DAY_COMMANDS",
    "AnswerRequest",
    "AssessFraudRisk",
    "CollectInformation",
    "HoldMeeting",
    "PlanPatrols",
    "ReceiveCommendation",
    "ReceiveRequest",
    "RecordOutreach",
    "RecordPatrol",
    "RecordSurvey",
    "TransferOfficer",
]

Count = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]
"""A number of people (reached, attending, asked): a JSON integer, not a string."""


class TransferOfficer(_Command):
    """Move an officer to another beat or station (调动)."""

    type: Literal["transfer_officer"] = "transfer_officer"
    officer: Badge
    station: Name
    beat: Name
    occurred_at: When


class CollectInformation(_Command):
    """Record an item of information collected (信息采集, 一日一采、一日一录)."""

    type: Literal["collect_information"] = "collect_information"
    id: RecordId
    officer: Badge
    subject: InformationSubject
    category: PersonCategory | None = None
    household: Name | None = None
    summary: ShortText
    occurred_at: When
    source: InformationSource | None = None

    @field_validator("category")
    @classmethod
    def _only_for_people(
        cls, category: PersonCategory | None, info: ValidationInfo
    ) -> PersonCategory | None:
        subject = info.data.get("subject")
        if category is not None and subject is not None and subject != InformationSubject.PERSON:
            raise ValueError(
                f"a category is given only for the subject 'person', not {str(subject)!r} "
                "(rule: categories of people: permanent, floating, key_person, hardship, "
                "petitioner)"
            )
        return category


class PlanPatrols(_Command):
    """Set the must-patrol points (必巡点) an officer must pass in a month."""

    type: Literal["plan_patrols"] = "plan_patrols"
    officer: Badge
    month: Month
    points: tuple[Name, ...] = Field(max_length=5_000)

    @field_validator("points")
    @classmethod
    def _once_each(cls, points: tuple[str, ...]) -> tuple[str, ...]:
        # a point counts once however often it is listed, as households do
        return tuple(dict.fromkeys(points))


class RecordPatrol(_Command):
    """Record a patrol (巡逻): when, the points passed, who went along, and how."""

    type: Literal["record_patrol"] = "record_patrol"
    id: RecordId
    officer: Badge
    started_at: When
    ended_at: When
    points: tuple[Name, ...] = Field(max_length=1_000)
    participants: tuple[Role, ...] = Field(max_length=50)
    mode: PatrolMode

    @field_validator("points")
    @classmethod
    def _once_each(cls, points: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(points))


class RecordOutreach(_Command):
    """Record a reminder, publicity or lecture (勤提醒、勤宣传) and the people it reached."""

    type: Literal["record_outreach"] = "record_outreach"
    id: RecordId
    officer: Badge
    kind: OutreachKind
    channel: OutreachChannel
    topic: Name
    reach: Count
    occurred_at: When


class HoldMeeting(_Command):
    """Record a police-grid meeting, a resident forum or community committee work."""

    type: Literal["hold_meeting"] = "hold_meeting"
    id: RecordId
    officer: Badge
    kind: MeetingKind
    participants: tuple[Role, ...] = Field(max_length=50)
    attendees: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
    summary: ShortText
    occurred_at: When


class ReceiveRequest(_Command):
    """Record a resident's request (群众诉求) and the channel it came through."""

    type: Literal["receive_request"] = "receive_request"
    id: RecordId
    officer: Badge
    channel: RequestChannel
    summary: ShortText
    occurred_at: When
    household: Name | None = None


class AnswerRequest(_Command):
    """Answer a request the officer received."""

    type: Literal["answer_request"] = "answer_request"
    request: RecordId
    officer: Badge
    outcome: RequestOutcome
    occurred_at: When


class AssessFraudRisk(_Command):
    """Assess a household's fraud risk against a script of the station's catalogue."""

    type: Literal["assess_fraud_risk"] = "assess_fraud_risk"
    id: RecordId
    officer: Badge
    household: Name
    script: RecordId
    features: tuple[RecordId, ...] = Field(max_length=100)
    occurred_at: When

    @field_validator("features")
    @classmethod
    def _once_each(cls, features: tuple[str, ...]) -> tuple[str, ...]:
        # a feature observed twice is one feature matched
        return tuple(dict.fromkeys(features))


class RecordSurvey(_Command):
    """Record a survey: how many answered and how many answered yes (an exact rate)."""

    type: Literal["record_survey"] = "record_survey"
    id: RecordId
    officer: Badge
    kind: SurveyKind
    respondents: Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
    positive: Count
    occurred_at: When

    @field_validator("positive")
    @classmethod
    def _at_most_respondents(cls, positive: int, info: ValidationInfo) -> int:
        respondents = info.data.get("respondents")
        if isinstance(respondents, int) and positive > respondents:
            raise ValueError(
                f"{positive} positive answers but {respondents} respondents "
                "(rule: positive answers are at most the respondents)"
            )
        return positive


class ReceiveCommendation(_Command):
    """Record a commendation: a letter (感谢信), a banner (锦旗), praise on a hotline."""

    type: Literal["receive_commendation"] = "receive_commendation"
    id: RecordId
    officer: Badge
    kind: CommendationKind
    occurred_at: When
    giver: Name | None = None


DAY_COMMANDS: tuple[type[_Command], ...] = (
    TransferOfficer,
    CollectInformation,
    PlanPatrols,
    RecordPatrol,
    RecordOutreach,
    HoldMeeting,
    ReceiveRequest,
    AnswerRequest,
    AssessFraudRisk,
    RecordSurvey,
    ReceiveCommendation,
)
"""The commands of this module, in the contract's order."""

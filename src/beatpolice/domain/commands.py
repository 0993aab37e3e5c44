"""The command vocabulary of the contract as pydantic models: one model per command.

The same models serve all three faces: the station's keyword methods build them, JSON
lines are parsed into them (``"type"`` picks the model), and ``beatpolice schema
commands`` prints their JSON Schema. A model that validates is well-formed; whether
the station accepts it (known officer, rising level, ...) is decided when it is handled.

The officer's own commands are defined here, with the ``Command`` union and the parsing;
the commands of disputes, venues, the rest of the day and erasure are in
``commands_disputes``, ``commands_venues``, ``commands_day`` and ``commands_privacy``.

Example:
    >>> from beatpolice.domain.commands import parse_command
    >>> command = parse_command(
    ...     '{"type": "enlist_officer", "badge": "D0001", "name": "薛翠翠",'
    ...     ' "station": "德州市公安局", "beat": "一区"}'
    ... )
    >>> command.name
    '薛翠翠'
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import Field, StrictBool, TypeAdapter, ValidationError, field_validator

from beatpolice.domain import commands_day as day
from beatpolice.domain._command_base import When, _Command
from beatpolice.domain.commands_disputes import (
    EscalateDispute,
    FollowUpDispute,
    MediateDispute,
    OpenDispute,
    ReferDispute,
    ReopenDispute,
)
from beatpolice.domain.commands_privacy import ErasePersonalData
from beatpolice.domain.commands_venues import (
    FindingSpec,
    InspectVenue,
    RegisterVenue,
    VerifyRectification,
)
from beatpolice.domain.day_values import InformationSource
from beatpolice.domain.errors import InvalidCommandError
from beatpolice.domain.values import Badge, LeadKind, LongText, Month, Name, RecordId, ShortText

__all__ = [
    "COMMAND_MODELS",
    "COMMAND_TYPES",
    "AnswerRequest",
    "AssessFraudRisk",
    "CollectInformation",
    "Command",
    "EnlistOfficer",
    "ErasePersonalData",
    "EscalateDispute",
    "FindingSpec",
    "FollowUpDispute",
    "FollowUpVisit",
    "HoldMeeting",
    "InspectVenue",
    "MediateDispute",
    "OpenDispute",
    "PlanPatrols",
    "PlanVisits",
    "ReceiveCommendation",
    "ReceiveRequest",
    "RecordOutreach",
    "RecordPatrol",
    "RecordService",
    "RecordSurvey",
    "RecordVisit",
    "ReferDispute",
    "RegisterVenue",
    "ReopenDispute",
    "ReportLead",
    "RetractRecord",
    "TransferOfficer",
    "VerifyRectification",
    "parse_command",
    "validate_command",
]


class EnlistOfficer(_Command):
    """Enlist a community officer (社区民警) into a station's beat."""

    type: Literal["enlist_officer"] = "enlist_officer"
    badge: Badge
    name: Name
    station: Name
    beat: Name


class PlanVisits(_Command):
    """Set the households an officer must visit in a month (走访计划)."""

    type: Literal["plan_visits"] = "plan_visits"
    officer: Badge
    month: Month
    households: tuple[Name, ...] = Field(max_length=20_000)

    @field_validator("households")
    @classmethod
    def _once_each(cls, households: tuple[str, ...]) -> tuple[str, ...]:
        # A household counts once however often it is listed (our reading, ADR 0003).
        return tuple(dict.fromkeys(households))


class RecordVisit(_Command):
    """Record a household visit (入户走访)."""

    type: Literal["record_visit"] = "record_visit"
    id: RecordId
    officer: Badge
    household: Name
    occurred_at: When
    people_match_register: StrictBool
    notes: LongText | None = None


class FollowUpVisit(_Command):
    """Record the follow-up call of a visit (回访): was the resident satisfied?"""

    type: Literal["follow_up_visit"] = "follow_up_visit"
    visit: RecordId
    officer: Badge
    occurred_at: When
    satisfied: StrictBool


class ReportLead(_Command):
    """Report a lead (线索), and who handed it to the officer (``source``, optional)."""

    ADDED_LATER: ClassVar[frozenset[str]] = frozenset({"source"})

    type: Literal["report_lead"] = "report_lead"
    id: RecordId
    officer: Badge
    kind: LeadKind
    occurred_at: When
    summary: ShortText
    source: InformationSource | None = None


class RecordService(_Command):
    """Record a service to residents (服务群众)."""

    type: Literal["record_service"] = "record_service"
    id: RecordId
    officer: Badge
    kind: Name
    occurred_at: When
    acknowledged: StrictBool


class RetractRecord(_Command):
    """Retract a visit, lead or service; it stays in the log and never counts again."""

    type: Literal["retract_record"] = "retract_record"
    record: RecordId
    officer: Badge
    reason: ShortText
    occurred_at: When


Command = Annotated[
    EnlistOfficer
    | PlanVisits
    | RecordVisit
    | FollowUpVisit
    | ReportLead
    | RecordService
    | RetractRecord
    | OpenDispute
    | EscalateDispute
    | MediateDispute
    | FollowUpDispute
    | ReferDispute
    | ReopenDispute
    | RegisterVenue
    | InspectVenue
    | VerifyRectification
    | day.TransferOfficer
    | day.CollectInformation
    | day.PlanPatrols
    | day.RecordPatrol
    | day.RecordOutreach
    | day.HoldMeeting
    | day.ReceiveRequest
    | day.AnswerRequest
    | day.AssessFraudRisk
    | day.RecordSurvey
    | day.ReceiveCommendation
    | ErasePersonalData,
    Field(discriminator="type"),
]
"""Any command; ``"type"`` says which."""

_MODELS: tuple[type[_Command], ...] = (
    EnlistOfficer,
    PlanVisits,
    RecordVisit,
    FollowUpVisit,
    ReportLead,
    RecordService,
    RetractRecord,
    OpenDispute,
    EscalateDispute,
    MediateDispute,
    FollowUpDispute,
    ReferDispute,
    ReopenDispute,
    RegisterVenue,
    InspectVenue,
    VerifyRectification,
    ErasePersonalData,
    *day.DAY_COMMANDS,
)

COMMAND_TYPES: dict[str, type[_Command]] = {
    model.model_fields["type"].default: model for model in _MODELS
}
"""Every command model by its ``type``."""

COMMAND_MODELS: tuple[type[_Command], ...] = tuple(COMMAND_TYPES.values())
"""Every command model (for ``isinstance``)."""

_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)


def _invalid(error: ValidationError, command: str) -> InvalidCommandError:
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    if location and location[0] in COMMAND_TYPES:
        location = location[1:]
    field = ".".join(location) or "type"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "is not a field of this command"
    elif first["type"] == "missing":
        message = "is required"
    elif first["type"] == "union_tag_invalid":
        message = f"unknown command type; expected one of {', '.join(sorted(COMMAND_TYPES))}"
    elif first["type"] == "union_tag_not_found":
        message = "is required (the command's name)"
    more = len(error.errors()) - 1
    if more:
        message = f"{message} (and {more} more problem{'s' if more > 1 else ''})"
    return InvalidCommandError(field, message, command=command)


AnswerRequest = day.AnswerRequest
AssessFraudRisk = day.AssessFraudRisk
CollectInformation = day.CollectInformation
HoldMeeting = day.HoldMeeting
PlanPatrols = day.PlanPatrols
ReceiveCommendation = day.ReceiveCommendation
ReceiveRequest = day.ReceiveRequest
RecordOutreach = day.RecordOutreach
RecordPatrol = day.RecordPatrol
RecordSurvey = day.RecordSurvey
TransferOfficer = day.TransferOfficer


def parse_command(line: str | bytes) -> Command:
    """Parse one JSON command, refusing it with :class:`InvalidCommandError` if malformed."""
    try:
        return _ADAPTER.validate_json(line)
    except ValidationError as error:
        raise _invalid(error, _type_of(line)) from None


def validate_command(data: object) -> Command:
    """Validate a command given as a Python mapping (``{"type": ..., ...}``).

    Anything else (a list, a string, a model that is not a command) is refused with
    :class:`InvalidCommandError` too.
    """
    if not isinstance(data, dict):
        raise InvalidCommandError("type", f"a command is a JSON object, not {type(data).__name__}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        kind = data.get("type", "")
        raise _invalid(error, kind if isinstance(kind, str) else "") from None


def build(model: type[_Command], fields: dict[str, Any]) -> _Command:
    """Build ``model`` from keyword arguments, refusing bad input with our error."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise _invalid(error, model.model_fields["type"].default) from None


def _type_of(line: str | bytes) -> str:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return ""
    kind = data.get("type", "") if isinstance(data, dict) else ""
    return kind if isinstance(kind, str) else ""

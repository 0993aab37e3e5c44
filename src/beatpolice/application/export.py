"""A store's commands, read back from its events: what ``beatpolice export`` writes.

Every event records the digest of the command that caused it. Each command is rebuilt
from the first event it caused (an officer's enlistment from ``OfficerEnlisted``, a
visit from ``VisitRecorded``, ...): its fields are the event's, renamed where the
event names them otherwise (a dispute's ``id`` is the event's ``dispute``). Events that
only follow another of the same command (``DisputeResolved`` after a successful
mediation, ``ViolationFound`` per finding of an inspection, ``PolicyAdopted`` before
the first dispute under a policy) give no command of their own. The rebuilt command's
digest is checked against the recorded one, so what is written is the command that was
recorded, ids, field times and contents alike (ADR 0807).

Ingested into a new store, the commands reproduce the station: the same registries,
the same metrics and stars. Only the recorded times are the new store's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import attrs

from beatpolice.domain._command_base import _Command
from beatpolice.domain.commands import COMMAND_TYPES
from beatpolice.domain.errors import InvalidCommandError

__all__ = ["EXPORTED", "FOLLOWERS", "ExportReport", "Exported", "command_of", "export_commands"]


@attrs.frozen
class _Shape:
    """How one event gives back its command: the command's type and renamed fields."""

    command: str
    renames: Mapping[str, str] = attrs.field(factory=dict)
    """Command field -> event field, where the names differ."""
    constants: Mapping[str, object] = attrs.field(factory=dict)
    """Command fields the event's type alone decides."""


EXPORTED: dict[str, _Shape] = {
    "OfficerEnlisted": _Shape("enlist_officer"),
    "VisitsPlanned": _Shape("plan_visits"),
    "VisitRecorded": _Shape("record_visit"),
    "VisitFollowedUp": _Shape("follow_up_visit"),
    "LeadReported": _Shape("report_lead"),
    "ServiceRendered": _Shape("record_service"),
    "RecordRetracted": _Shape("retract_record"),
    "DisputeOpened": _Shape("open_dispute", {"id": "dispute", "level": "requested_level"}),
    "DisputeEscalated": _Shape("escalate_dispute"),
    "MediationHeld": _Shape("mediate_dispute"),
    "DisputeFollowedUp": _Shape("follow_up_dispute"),
    "DisputeReferred": _Shape("refer_dispute"),
    "DisputeReopened": _Shape("reopen_dispute"),
    "VenueRegistered": _Shape("register_venue", {"id": "venue"}),
    "VenueInspected": _Shape("inspect_venue"),
    "RectificationVerified": _Shape("verify_rectification", constants={"passed": True}),
    "RectificationFailed": _Shape("verify_rectification", constants={"passed": False}),
    "OfficerTransferred": _Shape("transfer_officer"),
    "InformationCollected": _Shape("collect_information"),
    "PatrolsPlanned": _Shape("plan_patrols"),
    "PatrolCompleted": _Shape("record_patrol"),
    "OutreachHeld": _Shape("record_outreach"),
    "MeetingHeld": _Shape("hold_meeting"),
    "RequestReceived": _Shape("receive_request"),
    "RequestAnswered": _Shape("answer_request"),
    "FraudRiskAssessed": _Shape("assess_fraud_risk"),
    "SurveyRecorded": _Shape("record_survey"),
    "CommendationReceived": _Shape("receive_commendation"),
    "PersonalDataErased": _Shape("erase_personal_data"),
}
"""Each event that starts a command, by the name in its topic (``beatpolice:NAME``)."""

FOLLOWERS = frozenset({"DisputeResolved", "ViolationFound", "PolicyAdopted"})
"""Events that only follow another event of the same command."""


class EventSource(Protocol):
    """What the export reads: the station's events in recording order."""

    @property
    def time_zone(self) -> str:
        """The zone months are cut in."""
        ...

    def events(self, *, start: int = 1, page: int = 1000) -> Iterator[tuple[int, Any]]:
        """Every recorded event with its position, in recording order."""
        ...


@attrs.frozen
class Exported:
    """One command rebuilt from the log."""

    position: int
    """The log position of the event it was rebuilt from."""
    command: dict[str, Any]
    """The command as JSON (``"type"`` first), ready for ``ingest``."""
    exact: bool
    """The rebuilt command's digest is the recorded one (False after an erasure: the
    text reads ``[erased]``)."""


@attrs.define
class ExportReport:
    """Counts of an export."""

    events: int = 0
    commands: int = 0
    inexact: int = 0
    """Commands whose digest differs from the recorded one (erased personal text)."""
    skipped: int = 0
    """Commands left out by the filters."""


def _name(event: object) -> str:
    topic = str(getattr(type(event), "TOPIC", "") or type(event).__name__)
    return topic.rpartition(":")[2]


def command_of(event: object) -> dict[str, Any] | None:
    """The command that caused ``event``, as JSON, or None for an event that only
    follows another of its command.

    Raises:
        InvalidCommandError: an event of a kind this version cannot export.
    """
    model = _rebuilt(event)
    return None if model is None else _json(model)


def _json(command: _Command) -> dict[str, Any]:
    return {
        "type": command.type,
        **command.model_dump(mode="json", exclude={"type"}, exclude_none=True),
    }


def _rebuilt(event: object) -> _Command | None:
    name = _name(event)
    if name in FOLLOWERS:
        return None
    shape = EXPORTED.get(name)
    if shape is None:
        raise InvalidCommandError("type", f"no command gives the event {name}; cannot export it")
    model = COMMAND_TYPES[shape.command]
    dump = getattr(event, "model_dump", None)
    fields: dict[str, Any] = dump(mode="json") if dump is not None else dict(vars(event))
    payload: dict[str, Any] = {"type": shape.command}
    for field in model.model_fields:
        if field == "type":
            continue
        if field in shape.constants:
            payload[field] = shape.constants[field]
        else:
            source = shape.renames.get(field, field)
            if source in fields:
                payload[field] = fields[source]
    return model.model_validate(payload)


def _month_of(command: Mapping[str, Any], zone: ZoneInfo) -> str | None:
    if isinstance(command.get("month"), str):
        return str(command["month"])
    when = command.get("occurred_at") or command.get("started_at")
    if not isinstance(when, str):
        return None
    return datetime.fromisoformat(when).astimezone(zone).strftime("%Y-%m")


def _officer_of(command: Mapping[str, Any]) -> str | None:
    found = command.get("officer", command.get("badge"))
    return None if found is None else str(found)


def export_commands(
    station: EventSource,
    *,
    month: str | None = None,
    officer: str | None = None,
    report: ExportReport | None = None,
    page: int = 1000,
    digest: Callable[[_Command], str] | None = None,
) -> Iterator[Exported]:
    """The station's commands, in the order they were recorded.

    Args:
        station: the station to read.
        month: only commands whose field time (or plan month) lies in this month, cut
            in the station's time zone; commands with no field time (enlistments) are
            always kept, so that the export can be ingested into an empty store.
        officer: only commands of this badge (its enlistment included).
        report: counts to fill as the export goes.
        page: events read per query.
        digest: the station's digest of a command (a keyed one when the store seals
            personal data); the plain digest by default.

    Yields:
        Each command, with the position of its first event and whether it is exact.
    """
    report = ExportReport() if report is None else report
    zone = ZoneInfo(station.time_zone)
    wanted: list[Callable[[Mapping[str, Any]], bool]] = []
    if month is not None:
        wanted.append(lambda command: _month_of(command, zone) in (None, month))
    if officer is not None:
        wanted.append(lambda command: _officer_of(command) == officer)
    for position, event in station.events(page=page):
        report.events += 1
        model = _rebuilt(event)
        if model is None:
            continue
        command = _json(model)
        if not all(keep(command) for keep in wanted):
            report.skipped += 1
            continue
        exact = (model.digest() if digest is None else digest(model)) == getattr(
            event, "command", None
        )
        report.commands += 1
        report.inexact += 0 if exact else 1
        yield Exported(position, command, exact)

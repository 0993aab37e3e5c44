"""How the commands of the rest of an officer's day are decided (the contract's 0.2 table).

Transfers and patrol plans are the officer's own events. Every other command creates
a :class:`~beatpolice.domain.day_records.DayRecord` of its own, reading only the
officer's enlistment and the record (ADR 0240, 0901); an answer reads the request it
answers. A fraud-risk assessment is decided against the station's fraud-script
catalogue, and the event keeps what the catalogue said (ADR 0905).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from beatpolice.domain import commands_day as d
from beatpolice.domain._base import short_digest
from beatpolice.domain.day_records import DayRecord, unknown_request
from beatpolice.domain.errors import FieldTimeError, UnknownOfficerError
from beatpolice.domain.field_time import CAUSAL_RULE
from beatpolice.domain.officer import Officer
from beatpolice.domain.records import record_key
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue

if TYPE_CHECKING:  # handlers.py merges these handlers, so it cannot be imported here
    from beatpolice.application.policy_book import PolicyBook
    from beatpolice.application.unit_of_work import UnitOfWork

Handler = Callable[["PolicyBook", "UnitOfWork", Any, str], int]
"""Decides one command (as in :mod:`beatpolice.application.handlers`)."""

__all__ = ["DAY_HANDLERS", "catalogue_of"]

Decide = Callable[[Any, FraudCatalogue], tuple[type[Any], dict[str, Any]]]
"""From a command (and the catalogue): the created event's class and its fields."""


def catalogue_of(book: PolicyBook) -> FraudCatalogue:
    """The fraud-script catalogue of the station whose book this is."""
    return book.fraud_scripts


def _officer(uow: UnitOfWork, badge: str) -> Officer:
    found = uow.find(Officer, badge)
    if found is None:
        raise UnknownOfficerError(badge, field="officer")
    return found


def _on_officer(action: Callable[[Officer, Any, str], None]) -> Handler:
    """A handler for a command on the officer's own aggregate."""

    def handler(book: PolicyBook, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        officer = _officer(uow, cmd.officer)
        if officer.has_seen(digest):
            return 0
        before = officer.version
        action(officer, cmd, digest)
        return officer.version - before

    return handler


def _on_plan_patrols(book: PolicyBook, uow: UnitOfWork, cmd: d.PlanPatrols, digest: str) -> int:
    """A later plan always replaces the earlier one: a plan is a re-send only when it is
    the month's plan in force, not when it repeats an older one (A, B, A; ADR 0530)."""
    officer = _officer(uow, cmd.officer)
    in_force = officer.patrol_plan_in_force(cmd.month)
    if in_force == short_digest(digest) or (in_force is None and officer.has_seen(digest)):
        return 0
    before = officer.version
    officer.plan_patrols(cmd.month, cmd.points, digest)
    return officer.version - before


def _creating(decide: Decide) -> Handler:
    """A handler for a command that creates a day record of an officer."""

    def handler(book: PolicyBook, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        _officer(uow, cmd.officer)
        existing = uow.find(DayRecord, record_key(cmd.officer, cmd.id))
        if existing is not None:
            if existing.has_seen(digest):
                return 0
            existing.refuse_other_content("id")
        event_class, fields = decide(cmd, catalogue_of(book))
        uow.add(DayRecord.create(event_class, command=digest, **fields))
        return 1

    return handler


def _fields(cmd: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(cmd).items() if name != "type"}


def _as_is(event_class: type[Any]) -> Decide:
    """The created event carries the command's fields as they are."""
    return lambda cmd, _: (event_class, _fields(cmd))


def _patrol(cmd: d.RecordPatrol, _: FraudCatalogue) -> tuple[type[Any], dict[str, Any]]:
    if cmd.ended_at < cmd.started_at:
        raise FieldTimeError(
            "ended_at",
            f"{cmd.ended_at.isoformat()} is before the patrol started "
            f"({cmd.started_at.isoformat()})",
            rule=CAUSAL_RULE,
        )
    return DayRecord.PatrolCompleted, _fields(cmd)


def _fraud_risk(
    cmd: d.AssessFraudRisk, catalogue: FraudCatalogue
) -> tuple[type[Any], dict[str, Any]]:
    assessment = catalogue.assess(cmd.script, cmd.features)
    return DayRecord.FraudRiskAssessed, {
        **_fields(cmd),
        "features": assessment.features,
        "catalogue": catalogue.name,
        "catalogue_version": catalogue.version,
        "matched": assessment.matched,
        "total": assessment.total,
        "level": assessment.level,
    }


def _on_answer(book: PolicyBook, uow: UnitOfWork, cmd: d.AnswerRequest, digest: str) -> int:
    _officer(uow, cmd.officer)
    request = uow.find(DayRecord, record_key(cmd.officer, cmd.request))
    if request is None or request.kind != "request":
        raise unknown_request(cmd.officer, cmd.request)
    if request.has_seen(digest):
        return 0
    before = request.version
    request.answer(cmd.outcome, cmd.occurred_at, digest)
    return request.version - before


DAY_HANDLERS: dict[type[Any], Handler] = {
    d.TransferOfficer: _on_officer(
        lambda o, cmd, digest: o.transfer(cmd.station, cmd.beat, cmd.occurred_at, digest)
    ),
    d.CollectInformation: _creating(_as_is(DayRecord.InformationCollected)),
    d.PlanPatrols: _on_plan_patrols,
    d.RecordPatrol: _creating(_patrol),
    d.RecordOutreach: _creating(_as_is(DayRecord.OutreachHeld)),
    d.HoldMeeting: _creating(_as_is(DayRecord.MeetingHeld)),
    d.ReceiveRequest: _creating(_as_is(DayRecord.RequestReceived)),
    d.AnswerRequest: _on_answer,
    d.AssessFraudRisk: _creating(_fraud_risk),
    d.RecordSurvey: _creating(_as_is(DayRecord.SurveyRecorded)),
    d.ReceiveCommendation: _creating(_as_is(DayRecord.CommendationReceived)),
}
"""The handlers of the commands of :mod:`beatpolice.domain.commands_day`."""

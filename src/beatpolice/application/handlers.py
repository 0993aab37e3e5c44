"""How each command is decided: one handler each, over a unit of work.

A handler finds the aggregates a command names (through the unit of work, which keeps
what a batch has loaded), refuses the command with one error if a rule says no, and
otherwise lets the aggregate trigger its events. It returns how many events it
recorded: 0 for an exact re-send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from beatpolice.application.handlers_day import DAY_HANDLERS
from beatpolice.application.handlers_privacy import PRIVACY_HANDLERS
from beatpolice.application.policy_book import PolicyBook
from beatpolice.application.unit_of_work import UnitOfWork
from beatpolice.domain import commands as c
from beatpolice.domain._base import StationAggregate, short_digest
from beatpolice.domain.dispute import Dispute
from beatpolice.domain.errors import (
    IdConflictError,
    UnknownDisputeError,
    UnknownOfficerError,
    UnknownRecordError,
    UnknownVenueError,
)
from beatpolice.domain.officer import Officer
from beatpolice.domain.policy_record import PolicyRecord, key
from beatpolice.domain.records import FieldRecord, RecordKind, record_key, unknown_record
from beatpolice.domain.rules.escalation import EscalationPolicy
from beatpolice.domain.venue import Finding, Venue

__all__ = ["HANDLERS", "Handler"]

A = TypeVar("A", bound=StationAggregate)


Handler = Callable[[PolicyBook, "UnitOfWork", Any, str], int]
"""Decides one command: ``(the station's policies, unit of work, command, digest)``."""


_UNKNOWN: dict[type[StationAggregate], type[UnknownRecordError]] = {
    Officer: UnknownOfficerError,
    Dispute: UnknownDisputeError,
    Venue: UnknownVenueError,
}


def _existing(uow: UnitOfWork, kind: type[A], key: str, field: str) -> A:
    found = uow.find(kind, key)
    if found is None:
        raise _UNKNOWN[kind](key, field=field)
    return found


def _is_resend(uow: UnitOfWork, kind: type[A], key: str, field: str, digest: str) -> bool:
    """Whether a creating command was recorded before; other content under its id is refused."""
    existing = uow.find(kind, key)
    if existing is None:
        return False
    if existing.has_seen(digest):
        return True
    raise IdConflictError(
        f"{field}: {kind.__name__.lower()} {key!r} was recorded before with other content",
        field=field,
    )


def _on(kind: type[A], field: str, action: Callable[[A, Any, str, PolicyBook], None]) -> Handler:
    """A handler for a command on an existing aggregate (``field`` names it, or the
    officer's own aggregate), by an enlisted officer."""

    def handler(book: PolicyBook, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        officer = _existing(uow, Officer, cmd.officer, "officer")
        aggregate = (
            officer if kind is Officer else _existing(uow, kind, getattr(cmd, field), field)
        )
        if aggregate.has_seen(digest):
            return 0
        before = aggregate.version
        action(cast(A, aggregate), cmd, digest, book)
        return aggregate.version - before

    return handler


def _creating_record(make: Callable[[Any, str], FieldRecord]) -> Handler:
    """A handler for a command that creates a visit, lead or service of an officer.

    Only the officer's enlistment and the record itself are read: never the officer's
    other records. The record's id is its aggregate's id, so the store refuses a second
    creation (the loser is decided again and sees a re-send or an id conflict).
    """

    def handler(book: PolicyBook, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        _existing(uow, Officer, cmd.officer, "officer")
        existing = uow.find(FieldRecord, record_key(cmd.officer, cmd.id))
        if existing is not None:
            if existing.has_seen(digest):
                return 0
            existing.refuse_other_content("id")
        uow.add(make(cmd, digest))
        return 1

    return handler


def _on_record(field: str, action: Callable[[FieldRecord, Any, str], None]) -> Handler:
    """A handler for a follow-up or retraction: it touches only the record it names."""
    kind: RecordKind | None = "visit" if field == "visit" else None

    def handler(book: PolicyBook, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        _existing(uow, Officer, cmd.officer, "officer")
        record = uow.find(FieldRecord, record_key(cmd.officer, getattr(cmd, field)))
        if record is None or (kind is not None and record.kind != kind):
            raise unknown_record(cmd.officer, getattr(cmd, field), field, kind)
        if record.has_seen(digest):
            return 0
        before = record.version
        action(record, cmd, digest)
        return record.version - before

    return handler


def _on_plan_visits(book: PolicyBook, uow: UnitOfWork, cmd: c.PlanVisits, digest: str) -> int:
    """A later plan always replaces the earlier one (ADR 0530): a plan is a re-send only
    when it is the month's plan in force, not when it repeats an older one (A, B, A)."""
    officer = _existing(uow, Officer, cmd.officer, "officer")
    in_force = officer.plan_in_force(cmd.month)
    if in_force == short_digest(digest) or (in_force is None and officer.has_seen(digest)):
        return 0
    before = officer.version
    officer.plan_visits(cmd.month, cmd.households, digest)
    return officer.version - before


def _on_enlist(book: PolicyBook, uow: UnitOfWork, cmd: c.EnlistOfficer, digest: str) -> int:
    if _is_resend(uow, Officer, cmd.badge, "badge", digest):
        return 0
    uow.add(
        Officer(badge=cmd.badge, name=cmd.name, station=cmd.station, beat=cmd.beat, command=digest)
    )
    return 1


def _on_open_dispute(book: PolicyBook, uow: UnitOfWork, cmd: c.OpenDispute, digest: str) -> int:
    _existing(uow, Officer, cmd.officer, "officer")
    policy = book.policy
    # read before the dispute, so that a batch saves the policy's record before it
    adopted = uow.find(PolicyRecord, key(policy.name, policy.version)) is None
    if _is_resend(uow, Dispute, cmd.id, "id", digest):
        return 0
    dispute = Dispute.open(
        id=cmd.id,
        officer=cmd.officer,
        category=cmd.category,
        parties=cmd.parties,
        occurred_at=cmd.occurred_at,
        level=cmd.level,
        physical_conflict=cmd.physical_conflict,
        policy=policy,
        command=digest,
    )
    if adopted:
        # the first dispute under a policy records it, so that any process finds it
        uow.add(PolicyRecord.adopt(policy, digest))
    uow.add(dispute)
    return 1 + adopted


def _rules(book: PolicyBook, dispute: Dispute) -> EscalationPolicy:
    """The policy a dispute was opened under, from the station's book."""
    return book.lookup(dispute.policy, dispute.policy_version or None)


def _on_register_venue(
    book: PolicyBook, uow: UnitOfWork, cmd: c.RegisterVenue, digest: str
) -> int:
    _existing(uow, Officer, cmd.officer, "officer")
    if _is_resend(uow, Venue, cmd.id, "id", digest):
        return 0
    uow.add(
        Venue(
            venue=cmd.id,
            name=cmd.name,
            category=cmd.category,
            address=cmd.address,
            officer=cmd.officer,
            occurred_at=cmd.occurred_at,
            command=digest,
        )
    )
    return 1


def _findings(specs: tuple[c.FindingSpec, ...]) -> tuple[Finding, ...]:
    return tuple(
        Finding(id=s.id, code=s.code, description=s.description, rectify_by=s.rectify_by)
        for s in specs
    )


HANDLERS: dict[type[Any], Handler] = {
    c.EnlistOfficer: _on_enlist,
    c.PlanVisits: _on_plan_visits,
    c.RecordVisit: _creating_record(
        lambda cmd, d: FieldRecord.visit(
            id=cmd.id,
            officer=cmd.officer,
            household=cmd.household,
            occurred_at=cmd.occurred_at,
            people_match_register=cmd.people_match_register,
            notes=cmd.notes,
            command=d,
        )
    ),
    c.FollowUpVisit: _on_record(
        "visit",
        lambda r, cmd, d: r.follow_up(cmd.occurred_at, cmd.satisfied, d),
    ),
    c.ReportLead: _creating_record(
        lambda cmd, d: FieldRecord.lead(
            id=cmd.id,
            officer=cmd.officer,
            kind=cmd.kind,
            occurred_at=cmd.occurred_at,
            summary=cmd.summary,
            command=d,
            source=cmd.source,
        )
    ),
    c.RecordService: _creating_record(
        lambda cmd, d: FieldRecord.service(
            id=cmd.id,
            officer=cmd.officer,
            kind=cmd.kind,
            occurred_at=cmd.occurred_at,
            acknowledged=cmd.acknowledged,
            command=d,
        )
    ),
    c.RetractRecord: _on_record(
        "record", lambda r, cmd, d: r.retract(cmd.reason, cmd.occurred_at, d)
    ),
    c.OpenDispute: _on_open_dispute,
    c.EscalateDispute: _on(
        Dispute,
        "dispute",
        lambda dis, cmd, d, book: dis.escalate(
            cmd.officer, cmd.to_level, cmd.reason, cmd.occurred_at, d, policy=_rules(book, dis)
        ),
    ),
    c.MediateDispute: _on(
        Dispute,
        "dispute",
        lambda dis, cmd, d, book: dis.mediate(
            cmd.officer,
            cmd.participants,
            cmd.outcome,
            cmd.occurred_at,
            _rules(book, dis),
            d,
        ),
    ),
    c.FollowUpDispute: _on(
        Dispute,
        "dispute",
        lambda dis, cmd, d, _: dis.follow_up(
            cmd.officer, cmd.parties_satisfied, cmd.occurred_at, d
        ),
    ),
    c.ReferDispute: _on(
        Dispute,
        "dispute",
        lambda dis, cmd, d, book: dis.refer(
            cmd.officer, cmd.to, cmd.reason, cmd.occurred_at, d, policy=_rules(book, dis)
        ),
    ),
    c.ReopenDispute: _on(
        Dispute,
        "dispute",
        lambda dis, cmd, d, book: dis.reopen(
            cmd.officer, cmd.reason, cmd.occurred_at, _rules(book, dis), d
        ),
    ),
    c.RegisterVenue: _on_register_venue,
    c.InspectVenue: _on(
        Venue,
        "venue",
        lambda v, cmd, d, _: v.inspect(
            cmd.officer, cmd.mode, cmd.occurred_at, _findings(cmd.findings), d
        ),
    ),
    c.VerifyRectification: _on(
        Venue,
        "venue",
        lambda v, cmd, d, _: v.verify_rectification(
            cmd.finding, cmd.officer, cmd.passed, cmd.occurred_at, d
        ),
    ),
    **DAY_HANDLERS,
    **PRIVACY_HANDLERS,
}

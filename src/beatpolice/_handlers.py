"""How each command is decided: a unit of work over aggregates, and one handler each.

A handler finds the aggregates a command names (through the unit of work, which keeps
what a batch has loaded), refuses the command with one error if a rule says no, and
otherwise lets the aggregate trigger its events. It returns how many events it
recorded: 0 for an exact re-send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application

from beatpolice import commands as c
from beatpolice.domain._base import StationAggregate, stable_id
from beatpolice.domain.dispute import Dispute
from beatpolice.domain.errors import (
    IdConflictError,
    UnknownDisputeError,
    UnknownOfficerError,
    UnknownVenueError,
)
from beatpolice.domain.escalation import EscalationPolicy
from beatpolice.domain.officer import Officer
from beatpolice.domain.venue import Finding, Venue

__all__ = ["CACHE_SIZE", "HANDLERS", "UnitOfWork", "project"]

CACHE_SIZE = 5000
"""Aggregates a station keeps in memory between transactions (least recently used go).
A cached aggregate may be stale if another process wrote since; the version check on
save then refuses the batch, the cache is dropped, and the batch is decided again."""

A = TypeVar("A", bound=StationAggregate)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Fold events into an aggregate (eventsourcing's projector, without its checks)."""
    # eventsourcing's default projector checks each event against a Protocol with
    # isinstance (about 10 µs an event); our events all have ``mutate``.
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class UnitOfWork:
    """The aggregates one transaction reads and changes."""

    def __init__(
        self, app: Application[UUID], cache: dict[UUID, StationAggregate] | None = None
    ) -> None:
        self._app = app
        self._cache = cache if cache is not None else {}
        self._loaded: dict[UUID, StationAggregate | None] = {}

    def find(self, kind: type[A], key: str) -> A | None:
        aggregate_id = stable_id(kind.__name__.lower(), key)
        if aggregate_id not in self._loaded and aggregate_id in self._cache:
            # Another writer (process, station) may have recorded events since this one
            # cached the aggregate: catch up on them, or a command would be decided on
            # stale state (a follow-up of a visit recorded elsewhere refused as unknown).
            cached = self._cache[aggregate_id]
            newer = list(self._app.events.get(aggregate_id, gt=cached.version))
            self._loaded[aggregate_id] = project(cached, newer) if newer else cached
        if aggregate_id not in self._loaded:
            try:
                found = self._app.repository.get(aggregate_id, projector_func=project)
            except Exception as error:  # eventsourcing's AggregateNotFoundError et al.
                if type(error).__name__ != "AggregateNotFoundError":
                    raise
                found = None
            self._loaded[aggregate_id] = found
        found = self._loaded[aggregate_id]
        if found is not None and not isinstance(found, kind):
            raise TypeError(f"{key!r} is a {type(found).__name__}, not a {kind.__name__}")
        return found

    def add(self, aggregate: StationAggregate) -> None:
        self._loaded[aggregate.id] = aggregate

    def pending(self) -> list[StationAggregate]:
        return [agg for agg in self._loaded.values() if agg is not None and agg.pending_events]

    def keep(self) -> None:
        """After a successful save: remember what was loaded for the next batch."""
        for aggregate_id, aggregate in self._loaded.items():
            if aggregate is not None:
                self._cache.pop(aggregate_id, None)
                self._cache[aggregate_id] = aggregate
        while len(self._cache) > CACHE_SIZE:
            del self._cache[next(iter(self._cache))]


Handler = Callable[[EscalationPolicy, "UnitOfWork", Any, str], int]
"""Decides one command: ``(policy for new disputes, unit of work, command, digest)``."""


def _enlisted(uow: UnitOfWork, badge: str) -> Officer:
    officer = uow.find(Officer, badge)
    if officer is None:
        raise UnknownOfficerError(badge, field="officer")
    return officer


def _opened(uow: UnitOfWork, dispute: str) -> Dispute:
    found = uow.find(Dispute, dispute)
    if found is None:
        raise UnknownDisputeError(dispute, field="dispute")
    return found


def _registered(uow: UnitOfWork, venue: str) -> Venue:
    found = uow.find(Venue, venue)
    if found is None:
        raise UnknownVenueError(venue, field="venue")
    return found


def _count(aggregate: StationAggregate, before: int) -> int:
    return aggregate.version - before


def _on_enlist(
    policy: EscalationPolicy, uow: UnitOfWork, cmd: c.EnlistOfficer, digest: str
) -> int:
    existing = uow.find(Officer, cmd.badge)
    if existing is not None:
        if existing.has_seen(digest):
            return 0
        raise IdConflictError(f"badge: officer {cmd.badge!r} was enlisted with other details")
    uow.add(
        Officer(badge=cmd.badge, name=cmd.name, station=cmd.station, beat=cmd.beat, command=digest)
    )
    return 1


def _on_officer_record(
    action: Callable[[Officer, Any, str], None],
) -> Handler:
    """A handler for a command recorded in the officer's own aggregate."""

    def handler(policy: EscalationPolicy, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        officer = _enlisted(uow, cmd.officer)
        if officer.has_seen(digest):
            return 0
        before = officer.version
        action(officer, cmd, digest)
        return _count(officer, before)

    return handler


def _on_dispute(
    action: Callable[[Dispute, Any, str], None],
) -> Handler:
    """A handler for a command on an open dispute, by an enlisted officer."""

    def handler(policy: EscalationPolicy, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        _enlisted(uow, cmd.officer)
        dispute = _opened(uow, cmd.dispute)
        if dispute.has_seen(digest):
            return 0
        before = dispute.version
        action(dispute, cmd, digest)
        return _count(dispute, before)

    return handler


def _on_venue(
    action: Callable[[Venue, Any, str], None],
) -> Handler:
    """A handler for a command on a registered venue, by an enlisted officer."""

    def handler(policy: EscalationPolicy, uow: UnitOfWork, cmd: Any, digest: str) -> int:
        _enlisted(uow, cmd.officer)
        venue = _registered(uow, cmd.venue)
        if venue.has_seen(digest):
            return 0
        before = venue.version
        action(venue, cmd, digest)
        return _count(venue, before)

    return handler


def _on_open_dispute(
    policy: EscalationPolicy, uow: UnitOfWork, cmd: c.OpenDispute, digest: str
) -> int:
    _enlisted(uow, cmd.officer)
    existing = uow.find(Dispute, cmd.id)
    if existing is not None:
        if existing.has_seen(digest):
            return 0
        raise IdConflictError(f"id: dispute {cmd.id!r} was opened before with other content")
    uow.add(
        Dispute.open(
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
    )
    return 1


def _on_register_venue(
    policy: EscalationPolicy, uow: UnitOfWork, cmd: c.RegisterVenue, digest: str
) -> int:
    _enlisted(uow, cmd.officer)
    existing = uow.find(Venue, cmd.id)
    if existing is not None:
        if existing.has_seen(digest):
            return 0
        raise IdConflictError(f"id: venue {cmd.id!r} was registered before with other content")
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
    c.PlanVisits: _on_officer_record(
        lambda o, cmd, d: o.plan_visits(cmd.month, cmd.households, d)
    ),
    c.RecordVisit: _on_officer_record(
        lambda o, cmd, d: o.record_visit(
            cmd.id, cmd.household, cmd.occurred_at, cmd.people_match_register, cmd.notes, d
        )
    ),
    c.FollowUpVisit: _on_officer_record(
        lambda o, cmd, d: o.follow_up_visit(cmd.visit, cmd.occurred_at, cmd.satisfied, d)
    ),
    c.ReportLead: _on_officer_record(
        lambda o, cmd, d: o.report_lead(cmd.id, cmd.kind, cmd.occurred_at, cmd.summary, d)
    ),
    c.RecordService: _on_officer_record(
        lambda o, cmd, d: o.record_service(cmd.id, cmd.kind, cmd.occurred_at, cmd.acknowledged, d)
    ),
    c.RetractRecord: _on_officer_record(
        lambda o, cmd, d: o.retract_record(cmd.record, cmd.reason, cmd.occurred_at, d)
    ),
    c.OpenDispute: _on_open_dispute,
    c.EscalateDispute: _on_dispute(
        lambda dis, cmd, d: dis.escalate(cmd.officer, cmd.to_level, cmd.reason, cmd.occurred_at, d)
    ),
    c.MediateDispute: _on_dispute(
        lambda dis, cmd, d: dis.mediate(
            cmd.officer,
            cmd.participants,
            cmd.outcome,
            cmd.occurred_at,
            dis.rules(),
            d,
        )
    ),
    c.FollowUpDispute: _on_dispute(
        lambda dis, cmd, d: dis.follow_up(cmd.officer, cmd.parties_satisfied, cmd.occurred_at, d)
    ),
    c.ReferDispute: _on_dispute(
        lambda dis, cmd, d: dis.refer(cmd.officer, cmd.to, cmd.reason, cmd.occurred_at, d)
    ),
    c.ReopenDispute: _on_dispute(
        lambda dis, cmd, d: dis.reopen(cmd.officer, cmd.reason, cmd.occurred_at, dis.rules(), d)
    ),
    c.RegisterVenue: _on_register_venue,
    c.InspectVenue: _on_venue(
        lambda v, cmd, d: v.inspect(
            cmd.officer, cmd.mode, cmd.occurred_at, _findings(cmd.findings), d
        )
    ),
    c.VerifyRectification: _on_venue(
        lambda v, cmd, d: v.verify_rectification(
            cmd.finding, cmd.officer, cmd.passed, cmd.occurred_at, d
        )
    ),
}

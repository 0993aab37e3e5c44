"""The community officer (社区民警): enlistment, transfers, and the monthly plans.

An officer is enlisted once, by badge (警号), into a station (派出所) and a beat
(责任区), may be transferred to another beat or station (调动), and is given a visit
plan (走访计划) and a patrol plan of must-patrol points (必巡点) each month. What the
officer records in the field (visits, leads, services, patrols, ...) are records of
their own (:mod:`beatpolice.domain.records`, :mod:`beatpolice.domain.day_records`).
The aggregate's state is the enlistment alone (a transfer replaces its station and
beat): it does not grow however long the officer serves, and two devices recording for
one officer never conflict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, NotRequired
from uuid import UUID

from eventsourcing.domain import event
from pydantic import AwareDatetime
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, short_digest, stable_id
from beatpolice.domain.errors import RuleViolationError

__all__ = ["Officer", "OfficerEnlisted", "OfficerTransferred", "PatrolsPlanned", "VisitsPlanned"]


PLANS_KEPT = 24
"""How many of the latest months planned the officer's state remembers (ADR 0530)."""


class OfficerState(TypedDict):
    """Every attribute of :class:`Officer`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    _plans: NotRequired[dict[str, str]]
    _patrol_plans: NotRequired[dict[str, str]]
    badge: str
    name: str
    station: str
    beat: str


class Officer(StationAggregate):
    """A community officer: enlistment and visit plans."""

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

    class OfficerTransferred(StationAggregate.Event):
        """The officer moved to another beat or station (调动); earlier work stays theirs."""

        TOPIC: ClassVar[str] = "beatpolice:OfficerTransferred"
        officer: str
        from_station: str
        from_beat: str
        station: str
        beat: str
        occurred_at: AwareDatetime

    class PatrolsPlanned(StationAggregate.Event):
        """The must-patrol points (必巡点) of an officer's month (the coverage's denominator)."""

        TOPIC: ClassVar[str] = "beatpolice:PatrolsPlanned"
        officer: str
        month: str
        points: tuple[str, ...]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 2 remembered records as short codes and commands as short digests."""
        StationAggregate.upcast_v1_v2(state)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 3: the officer's records are aggregates of their own (ADR 0240), and
        plans are read from their events, not kept in the state."""
        state.pop("records", None)
        state.pop("plans", None)

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

    def plan_visits(self, month: str, households: tuple[str, ...], command: str) -> None:
        """Set the month's visit plan; a later plan for the same month replaces it."""
        self._plan_visits(officer=self.badge, month=month, households=households, command=command)

    @event(VisitsPlanned)
    def _plan_visits(
        self, officer: str, month: str, households: tuple[str, ...], command: str
    ) -> None:
        # The registries and the appraisal read the plans from the events; the state
        # keeps only which command made each recent month's plan in force (ADR 0530), so
        # that a plan re-issued after another (A, B, A) is recorded, not taken as a
        # re-send. Bounded: the last PLANS_KEPT months planned.
        plans: dict[str, str] | None = getattr(self, "_plans", None)
        if plans is None:
            plans = {}
            self._plans = plans
        plans.pop(month, None)
        plans[month] = short_digest(command)
        while len(plans) > PLANS_KEPT:
            plans.pop(next(iter(plans)))

    def plan_in_force(self, month: str) -> str | None:
        """The short digest of the command whose plan is in force for ``month``.

        None when this officer's state does not know (no plan, or one older than the
        last :data:`PLANS_KEPT` months planned, or a snapshot made before 0.2).
        """
        plans: dict[str, str] | None = getattr(self, "_plans", None)
        return None if plans is None else plans.get(month)

    def transfer(self, station: str, beat: str, occurred_at: datetime, command: str) -> None:
        """Move the officer to ``beat`` of ``station``; a transfer must change something."""
        if (station, beat) == (self.station, self.beat):
            raise RuleViolationError(
                f"beat: officer {self.badge!r} already serves beat {beat!r} of {station!r}",
                rule="a transfer moves the officer to another beat or station",
                field="beat",
            )
        self._transfer(
            officer=self.badge,
            from_station=self.station,
            from_beat=self.beat,
            station=station,
            beat=beat,
            occurred_at=occurred_at,
            command=command,
        )

    @event(OfficerTransferred)
    def _transfer(
        self,
        officer: str,
        from_station: str,
        from_beat: str,
        station: str,
        beat: str,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.station = station
        self.beat = beat

    def plan_patrols(self, month: str, points: tuple[str, ...], command: str) -> None:
        """Set the month's must-patrol points; a later plan for the same month replaces it."""
        self._plan_patrols(officer=self.badge, month=month, points=points, command=command)

    @event(PatrolsPlanned)
    def _plan_patrols(
        self, officer: str, month: str, points: tuple[str, ...], command: str
    ) -> None:
        # read from the events by the registries, as visit plans are; the state keeps
        # which command made each recent month's patrol plan in force (as for visits)
        plans: dict[str, str] | None = getattr(self, "_patrol_plans", None)
        if plans is None:
            plans = {}
            self._patrol_plans = plans
        plans.pop(month, None)
        plans[month] = short_digest(command)
        while len(plans) > PLANS_KEPT:
            plans.pop(next(iter(plans)))

    def patrol_plan_in_force(self, month: str) -> str | None:
        """The short digest of the command whose patrol plan is in force for ``month``."""
        plans: dict[str, str] | None = getattr(self, "_patrol_plans", None)
        return None if plans is None else plans.get(month)


OfficerEnlisted = Officer.OfficerEnlisted
VisitsPlanned = Officer.VisitsPlanned
OfficerTransferred = Officer.OfficerTransferred
PatrolsPlanned = Officer.PatrolsPlanned

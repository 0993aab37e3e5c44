"""Dispute deadlines (办理时限): when each level must be done with, and which are overdue.

Our reading (ADR 0102), configurable in each
:class:`~beatpolice.domain.rules.escalation.EscalationPolicy`: every level has a deadline of
``deadline_days`` days, counted by the policy's calendar (by default Chinese working
days: weekends and official holidays skipped, make-up workdays 调休 counted, from the
maintained ``chinesecalendar`` package). As in Chinese procedural law, the day the
clock starts does not count (期间开始的日不计算在期间内): a blue dispute with 3 working
days reached on a Friday afternoon is due by the end of the following Wednesday. The
deadline is the first instant after that last day, midnight in the policy's time zone.

Everything here is a pure function of its arguments: the registries call
:func:`overdue` over their rows, and :func:`dispute_clock` folds a dispute's events as
of any instant, so "which disputes were overdue on 1 March" is answered from the
events alone.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from beatpolice.domain.rules.escalation import load_policy
    >>> from beatpolice.domain.values import Level
    >>> friday = datetime(2024, 9, 13, 15, 0, tzinfo=timezone(timedelta(hours=8)))
    >>> deadline_for(friday, Level.BLUE, load_policy("qingdao-three-colour")).isoformat()
    '2024-09-20T00:00:00+08:00'

(Monday 16 and Tuesday 17 September 2024 were the Mid-Autumn holiday, Saturday 14 a
make-up workday: the three working days are the 14th, 18th and 19th.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import attrs
import chinese_calendar  # type: ignore[import-untyped]

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.dispute import (
    DisputeEscalated,
    DisputeOpened,
    DisputeReferred,
    DisputeReopened,
    DisputeResolved,
)
from beatpolice.domain.errors import CalendarCoverageError
from beatpolice.domain.rules.escalation import (
    DeadlineCalendar,
    DeadlineStart,
    EscalationPolicy,
    policy_named,
)
from beatpolice.domain.values import Level

__all__ = [
    "DisputeClock",
    "Overdue",
    "Timed",
    "add_days",
    "deadline_for",
    "dispute_clock",
    "is_counted_day",
    "is_overdue",
    "overdue",
]


@lru_cache(maxsize=8192)
def _chinese_workday(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # chinesecalendar's way of saying "year not covered"
        return None


def is_counted_day(
    day: date,
    calendar: DeadlineCalendar,
    *,
    fallback: DeadlineCalendar | None = DeadlineCalendar.WEEKDAYS,
) -> bool:
    """Whether ``day`` counts towards a deadline under ``calendar``.

    Args:
        day: a calendar day in the policy's time zone.
        calendar: how days are counted.
        fallback: how to count in a year the Chinese holiday calendar does not cover
            (the package covers 2004 to the year after its release); None refuses.

    Raises:
        CalendarCoverageError: the year is not covered and there is no fallback.
    """
    if calendar is DeadlineCalendar.CALENDAR_DAYS:
        return True
    if calendar is DeadlineCalendar.WEEKDAYS:
        return day.weekday() < 5
    working = _chinese_workday(day)
    if working is not None:
        return working
    if fallback is None or fallback is DeadlineCalendar.CHINESE_WORKING_DAYS:
        raise CalendarCoverageError(
            f"the Chinese holiday calendar (chinesecalendar {chinese_calendar.__version__}) "
            f"does not cover {day.year}; update the package or give the policy a "
            "calendar_fallback"
        )
    return is_counted_day(day, fallback)


def add_days(start: date, days: int, policy: EscalationPolicy) -> date:
    """The ``days``-th counted day after ``start`` (``start`` itself never counts)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_counted_day(day, policy.calendar, fallback=policy.calendar_fallback):
            counted += 1
    return day


def deadline_for(start: datetime, level: Level, policy: EscalationPolicy) -> datetime | None:
    """The instant by which a dispute that reached ``level`` at ``start`` must be done.

    Args:
        start: when the clock started (the dispute reached the level, or was opened);
            timezone-aware.
        level: the dispute's level; a level the policy lacks takes the next rung up.
        policy: the policy the dispute was opened under.

    Returns:
        Midnight after the last allowed day, in the policy's time zone; None when the
        level has no deadline.

    Raises:
        ValueError: ``start`` is naive.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    days = policy.rule(level).deadline_days
    if days is None:
        return None
    zone = ZoneInfo(policy.time_zone)
    last = add_days(start.astimezone(zone).date(), days, policy)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)


class Timed(Protocol):
    """What :func:`overdue` reads of a dispute: a :class:`DisputeClock`, an aggregate, a row."""

    @property
    def key(self) -> str:
        """The dispute's id."""

    @property
    def policy(self) -> str:
        """The name of the policy it was opened under."""

    @property
    def policy_version(self) -> str:
        """That policy's version ("" when the opening event predates versions)."""

    @property
    def level(self) -> Level:
        """Its level now."""

    @property
    def is_closed(self) -> bool:
        """Resolved or referred."""

    @property
    def opened_at(self) -> datetime:
        """When it was last opened or reopened (field time)."""

    @property
    def level_since(self) -> datetime:
        """When it reached its level or was last (re)opened, whichever is later."""


@attrs.frozen
class DisputeClock:
    """A dispute's state as far as deadlines go, folded from its events."""

    key: str
    policy: str
    policy_version: str
    level: Level
    status: str
    opened_at: datetime
    level_since: datetime

    @property
    def is_closed(self) -> bool:
        """Resolved or referred."""
        return self.status != "open"


@attrs.frozen
class Overdue:
    """A dispute past its level's deadline."""

    dispute: str
    level: Level
    tier: str
    since: datetime
    """When its clock started."""
    due: datetime
    """The deadline it missed."""
    policy: str


def _policy_of(
    subject: Timed, policies: Callable[[str, str | None], EscalationPolicy]
) -> EscalationPolicy:
    return policies(subject.policy, subject.policy_version or None)


def _clock_start(subject: Timed, policy: EscalationPolicy) -> datetime:
    if policy.deadline_from is DeadlineStart.OPENED:
        return subject.opened_at
    return subject.level_since


def is_overdue(
    subject: Timed,
    as_of: datetime,
    *,
    policies: Callable[[str, str | None], EscalationPolicy] = policy_named,
) -> bool:
    """Whether an open dispute has passed its level's deadline at ``as_of``.

    Args:
        subject: the dispute (a :class:`DisputeClock`, a ``Dispute`` or a registry row).
        as_of: the instant of the question, timezone-aware.
        policies: finds a policy by name and version (the loaded and shipped ones).
    """
    if subject.is_closed:
        return False
    policy = _policy_of(subject, policies)
    due = deadline_for(_clock_start(subject, policy), subject.level, policy)
    return due is not None and as_of >= due


def overdue(
    disputes: Iterable[Timed],
    as_of: datetime,
    *,
    policies: Callable[[str, str | None], EscalationPolicy] = policy_named,
) -> list[Overdue]:
    """The open disputes past their level's deadline at ``as_of``, most overdue first.

    Args:
        disputes: the disputes as they stood at ``as_of`` (see :func:`dispute_clock`).
        as_of: the instant of the question, timezone-aware.
        policies: finds a policy by name and version (the loaded and shipped ones).

    Raises:
        ValueError: ``as_of`` is naive.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware")
    found = []
    for subject in disputes:
        if subject.is_closed:
            continue
        policy = _policy_of(subject, policies)
        since = _clock_start(subject, policy)
        due = deadline_for(since, subject.level, policy)
        if due is not None and as_of >= due:
            found.append(
                Overdue(
                    dispute=subject.key,
                    level=subject.level,
                    tier=policy.rule(subject.level).tier,
                    since=since,
                    due=due,
                    policy=policy.name,
                )
            )
    return sorted(found, key=lambda late: (late.due, late.dispute))


def dispute_clock(
    events: Iterable[DomainEvent],
    *,
    as_of: datetime | None = None,
    recorded_by: datetime | None = None,
) -> DisputeClock | None:
    """Fold one dispute's events into its :class:`DisputeClock` as of an instant.

    Args:
        events: the dispute's events in order (other events are ignored).
        as_of: count only what happened in the field at or before this instant
            (``occurred_at``); None counts everything.
        recorded_by: count only events the store recorded at or before this instant
            (``timestamp``), to ask what the station knew then; None counts everything.

    Returns:
        The clock, or None when the dispute had not been opened by then.
    """
    clock: DisputeClock | None = None
    for item in events:
        occurred = getattr(item, "occurred_at", None)
        if as_of is not None and occurred is not None and occurred > as_of:
            continue
        if recorded_by is not None and item.timestamp > recorded_by:
            continue
        if isinstance(item, DisputeOpened):
            clock = DisputeClock(
                key=item.dispute,
                policy=item.policy,
                policy_version=item.policy_version,
                level=item.level,
                status="open",
                opened_at=item.occurred_at,
                level_since=item.occurred_at,
            )
        elif clock is None:
            continue
        elif isinstance(item, DisputeEscalated):
            clock = attrs.evolve(clock, level=item.to_level, level_since=item.occurred_at)
        elif isinstance(item, DisputeResolved):
            clock = attrs.evolve(clock, status="resolved")
        elif isinstance(item, DisputeReferred):
            clock = attrs.evolve(clock, status="referred")
        elif isinstance(item, DisputeReopened):
            clock = attrs.evolve(
                clock, status="open", opened_at=item.occurred_at, level_since=item.occurred_at
            )
    return clock

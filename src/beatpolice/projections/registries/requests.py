"""The requests registry (群众诉求台账): residents' requests, open and answered, by channel.

A request (群众诉求) reaches the officer through the petition system (信访), police
review (警务评议), livelihood policing (民生警务), a hotline or in person, and is
answered: resolved, helped beyond police remit, referred, or declined. A request is
overdue when it was not answered by its reply deadline: ``reply_days`` counted days
after the day it was received (the day of receipt does not count), counted by the
calendar of the station's escalation policy (Chinese working days by default). The
default of 15 working days is our reading (the fifteen days in which petition rules
give a first answer to a petitioner), configurable per query (ADR 0908). As for
disputes, "overdue" is judged at an ``as_of`` instant of field time; without one
nothing is overdue.

Tables (``bp_requests_<table>``): ``requests``, key ``badge|request``; one request.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.day_records import RequestAnswered, RequestReceived
from beatpolice.domain.rules.deadlines import add_days
from beatpolice.domain.rules.escalation import DEFAULT_POLICY, EscalationPolicy, load_policy
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, Row

__all__ = [
    "DEFAULT_REPLY_DAYS",
    "RequestRow",
    "RequestsProjection",
    "RequestsRegistry",
    "reply_deadline",
    "requests",
]

NAME = "requests"

DEFAULT_REPLY_DAYS = 15
"""Counted days to answer a request (our reading, ADR 0908)."""

RequestStatus = Literal["open", "answered"]


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


class RequestsProjection(RegistryProjection):
    """The fold of the requests registry."""

    name = NAME
    version = 1
    tables = ("meta", "requests")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The request an answer completes."""
        if isinstance(event, RequestAnswered):
            return [("requests", _key(event.officer, event.request))]
        return []

    def _received(self, view: DocumentView, event: RequestReceived) -> None:
        view.put(
            "requests",
            _key(event.officer, event.id),
            {
                "id": event.id,
                "officer": event.officer,
                "channel": event.channel.value,
                "household": event.household,
                "month": self.month(event.occurred_at),
                "received_at": event.occurred_at.isoformat(),
                "answered_at": None,
                "outcome": None,
            },
        )

    def _answered(self, view: DocumentView, event: RequestAnswered) -> None:
        key = _key(event.officer, event.request)
        found = view.get("requests", key)
        if found is not None:
            found.update(answered_at=event.occurred_at.isoformat(), outcome=event.outcome.value)
            view.put("requests", key, found)

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        RequestReceived: _received,
        RequestAnswered: _answered,
    }


def reply_deadline(received_at: datetime, days: int, policy: EscalationPolicy) -> datetime:
    """Midnight after the ``days``-th counted day after the day of ``received_at``."""
    zone = ZoneInfo(policy.time_zone)
    last = add_days(received_at.astimezone(zone).date(), days, policy)
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)


class RequestRow(Row):
    """One request and where it stands."""

    id: str
    officer: str
    channel: str
    household: str | None
    month: str
    received_at: datetime
    status: RequestStatus
    answered_at: datetime | None
    outcome: str | None
    reply_by: datetime
    """The reply deadline (first instant after the last counted day)."""
    overdue: bool
    """Not answered by ``reply_by``: open past it at ``as_of``, or answered after it."""


class ChannelTally(Row):
    """Requests of one channel."""

    received: int
    open: int
    answered: int
    overdue: int


class RequestsRegistry(Row):
    """The requests asked for, and their tallies by channel."""

    as_of: datetime | None
    reply_days: int
    rows: tuple[RequestRow, ...]
    by_channel: dict[str, ChannelTally]


def requests(
    store: ViewStore,
    *,
    as_of: datetime | None = None,
    month: str | None = None,
    status: RequestStatus | None = None,
    channel: str | None = None,
    officer: str | None = None,
    only_overdue: bool = False,
    reply_days: int = DEFAULT_REPLY_DAYS,
    policy: EscalationPolicy | None = None,
) -> RequestsRegistry:
    """The requests registry: every request received (in ``month``, when given).

    Args:
        store: the view store the registry was folded into.
        as_of: the field-time instant at which "open" and "overdue" are judged; an
            answer dated after it does not count yet (None: every answer counts, and
            only requests answered late are overdue).
        month: only requests received in this ``YYYY-MM`` (station's zone).
        status: only ``open`` or ``answered`` ones.
        channel: only this channel.
        officer: only this badge's.
        only_overdue: only the overdue ones.
        reply_days: counted days to answer (ADR 0908).
        policy: whose calendar counts the days (the shipped default policy's when None).

    Raises:
        ValueError: ``as_of`` is naive or ``reply_days`` is below 1.
    """
    if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
        raise ValueError("as_of must be timezone-aware")
    if reply_days < 1:
        raise ValueError(f"reply_days must be at least 1, got {reply_days}")
    calendar = policy or load_policy(DEFAULT_POLICY)
    rows = []
    for _, found in store.scan(NAME, "requests", _key(officer, "") if officer else ""):
        row = _row(found, as_of, reply_days, calendar)
        if as_of is not None and row.received_at > as_of:
            continue
        if (month is not None and row.month != month) or (
            channel is not None and row.channel != channel
        ):
            continue
        rows.append(row)
    tallies: dict[str, ChannelTally] = {}
    for row in rows:
        before = tallies.get(row.channel) or ChannelTally(
            received=0, open=0, answered=0, overdue=0
        )
        tallies[row.channel] = ChannelTally(
            received=before.received + 1,
            open=before.open + (row.status == "open"),
            answered=before.answered + (row.status == "answered"),
            overdue=before.overdue + row.overdue,
        )
    shown = [
        row
        for row in rows
        if (status is None or row.status == status) and (not only_overdue or row.overdue)
    ]
    shown.sort(key=lambda row: (row.received_at, row.officer, row.id))
    return RequestsRegistry(
        as_of=as_of,
        reply_days=reply_days,
        rows=tuple(shown),
        by_channel=dict(sorted(tallies.items())),
    )


def _row(
    found: Document, as_of: datetime | None, reply_days: int, policy: EscalationPolicy
) -> RequestRow:
    received_at = datetime.fromisoformat(found["received_at"])
    answered_at = datetime.fromisoformat(found["answered_at"]) if found["answered_at"] else None
    if answered_at is not None and as_of is not None and answered_at > as_of:
        answered_at = None  # answered later than the instant asked about
    due = reply_deadline(received_at, reply_days, policy)
    # late when answered after the deadline, or still open once it passed
    late = answered_at >= due if answered_at is not None else as_of is not None and as_of >= due
    return RequestRow(
        id=found["id"],
        officer=found["officer"],
        channel=found["channel"],
        household=found["household"],
        month=found["month"],
        received_at=received_at,
        status="answered" if answered_at is not None else "open",
        answered_at=answered_at,
        outcome=found["outcome"] if answered_at is not None else None,
        reply_by=due,
        overdue=late,
    )

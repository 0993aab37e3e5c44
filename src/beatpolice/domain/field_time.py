"""Field time (发生时间) is checked: in range, and never before what it follows.

A field time is the caller's word for when something happened in the field. Two rules
hold for every command (ADR 0206):

- **Range.** It lies between :data:`EARLIEST` (1990-01-01T00:00:00+08:00, before any
  station system that feeds this library existed) and the recording clock plus a
  tolerance (a station setting, :data:`DEFAULT_TOLERANCE` = 24 hours, for clocks that
  drift and entries made just after midnight in another zone). Nothing is accepted at
  or after :data:`CEILING` whatever the clock says, so that every reader's arithmetic
  (month ends, deadlines in working days) stays in range.
- **Causal order.** A follow-up, mediation, escalation, referral, reopening,
  retraction or rectification check is not dated before the visit, dispute, record or
  finding it follows. The aggregates apply it with :func:`check_not_before`.

These are pure functions; the station calls :func:`check_command_times` before a
command is decided, with its clock and tolerance.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> beijing = timezone(timedelta(hours=8))
    >>> latest = latest_allowed(datetime(2014, 1, 31, tzinfo=beijing), timedelta(hours=24))
    >>> check_field_time("occurred_at", datetime(2014, 1, 3, 9, 30, tzinfo=beijing), latest)
    >>> check_field_time("occurred_at", datetime(1989, 12, 31, tzinfo=beijing), latest)
    Traceback (most recent call last):
    ...
    beatpolice.domain.errors.FieldTimeError: occurred_at: 1989-12-31T00:00:00+08:00 is \
before 1990-01-01T00:00:00+08:00 [rule: a field time lies between 1990 and the recording \
clock plus the tolerance]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone

from beatpolice.domain.errors import FieldTimeError

__all__ = [
    "CAUSAL_RULE",
    "CEILING",
    "DEFAULT_TOLERANCE",
    "EARLIEST",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "RANGE_RULE",
    "check_command_times",
    "check_field_date",
    "check_field_time",
    "check_not_before",
    "latest_allowed",
]

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone(timedelta(hours=8)))
"""No field time is earlier than this."""

CEILING = datetime(2999, 12, 31, tzinfo=UTC)
"""No field time is at or after this, whatever the recording clock says: in any zone
(offsets up to +14:00) it is still in the month 2999-12, the last month there is."""

EARLIEST_DATE = date(1990, 1, 1)
"""No field date (a rectification deadline) is earlier than this."""

LATEST_DATE = date(2999, 12, 31)
"""No field date is later than this."""

DEFAULT_TOLERANCE = timedelta(hours=24)
"""How far after the recording clock a field time may lie (a station setting)."""

RANGE_RULE = "a field time lies between 1990 and the recording clock plus the tolerance"
CAUSAL_RULE = "nothing is dated before what it follows"

TIME_FIELDS = ("occurred_at", "started_at", "ended_at")
"""The fields of a command that hold field times."""


def latest_allowed(recording: datetime, tolerance: timedelta) -> datetime:
    """The latest field time accepted when the recording clock reads ``recording``."""
    try:
        return min(recording + tolerance, CEILING)
    except OverflowError:
        return CEILING


def check_field_time(field: str, value: datetime, latest: datetime) -> None:
    """Refuse a field time outside ``[EARLIEST, latest]`` (and at or after the ceiling).

    Raises:
        FieldTimeError: naming ``field`` and the range rule.
    """
    if value < EARLIEST:
        raise FieldTimeError(
            field, f"{value.isoformat()} is before {EARLIEST.isoformat()}", rule=RANGE_RULE
        )
    if value >= CEILING:
        raise FieldTimeError(
            field, f"{value.isoformat()} is not before {CEILING.isoformat()}", rule=RANGE_RULE
        )
    if value > latest:
        raise FieldTimeError(
            field,
            f"{value.isoformat()} is later than the recording clock plus the tolerance "
            f"({latest.astimezone(UTC).isoformat()})",
            rule=RANGE_RULE,
        )


def check_field_date(field: str, value: date, *, not_before: date | None = None) -> None:
    """Refuse a field date outside 1990-01-01 … 2999-12-31 or before ``not_before``."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise FieldTimeError(
            field,
            f"{value.isoformat()} is not between {EARLIEST_DATE} and {LATEST_DATE}",
            rule=RANGE_RULE,
        )
    if not_before is not None and value < not_before:
        raise FieldTimeError(
            field,
            f"{value.isoformat()} is before the day it was ordered ({not_before})",
            rule=CAUSAL_RULE,
        )


def check_not_before(field: str, value: datetime, earlier: datetime | None, what: str) -> None:
    """Refuse ``value`` when it is dated before ``earlier``, the time of ``what``.

    ``earlier`` is None when the time of what it follows is not known (records kept by
    0.1, whose aggregates did not remember it); nothing is refused then.

    Raises:
        FieldTimeError: naming ``field`` and the causal rule.
    """
    if earlier is not None and value < earlier:
        raise FieldTimeError(
            field,
            f"{value.isoformat()} is before {what} ({earlier.isoformat()})",
            rule=CAUSAL_RULE,
        )


def _times(fields: Mapping[str, object]) -> Iterator[tuple[str, datetime]]:
    for name in TIME_FIELDS:
        value = fields.get(name)
        if isinstance(value, datetime):
            yield name, value


def check_command_times(fields: Mapping[str, object], *, latest: datetime) -> None:
    """Check every field time and field date of a command before it is decided.

    ``fields`` are the command's fields by name; ``latest`` is the latest field time
    accepted (:func:`latest_allowed`). Field times must be in range; the deadlines of
    findings (``rectify_by``) must be real days, not before the inspection's own day in
    its offset.

    Raises:
        FieldTimeError: the first field time or date that breaks a rule.
    """
    for name, value in _times(fields):
        check_field_time(name, value, latest)
    occurred_at = fields.get("occurred_at")
    findings = fields.get("findings")
    if isinstance(findings, tuple):
        day = occurred_at.date() if isinstance(occurred_at, datetime) else None
        for index, finding in enumerate(findings):
            rectify_by = getattr(finding, "rectify_by", None)
            if isinstance(rectify_by, date):
                check_field_date(f"findings.{index}.rectify_by", rectify_by, not_before=day)

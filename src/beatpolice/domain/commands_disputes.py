"""The commands of a dispute (矛盾纠纷): opening, escalation, mediation, follow-up, referral.

They join :data:`beatpolice.domain.commands.Command` and are imported from
:mod:`beatpolice.commands` like every other command; the rules that decide them are the
dispute's (:mod:`beatpolice.domain.dispute`).

Example:
    >>> from beatpolice.domain.commands import parse_command
    >>> command = parse_command(
    ...     '{"type": "escalate_dispute", "dispute": "DSP1", "officer": "D0001",'
    ...     ' "to_level": "red", "reason": "threats", "occurred_at": "2014-01-05T10:00:00+08:00"}'
    ... )
    >>> command.to_level.value
    'red'
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from beatpolice.domain._command_base import When, _Command
from beatpolice.domain.values import Badge, Level, Name, Outcome, RecordId, Role, ShortText

__all__ = [
    "EscalateDispute",
    "FollowUpDispute",
    "MediateDispute",
    "OpenDispute",
    "ReferDispute",
    "ReopenDispute",
]


class OpenDispute(_Command):
    """Open a dispute (矛盾纠纷) between two or more parties."""

    type: Literal["open_dispute"] = "open_dispute"
    id: RecordId
    officer: Badge
    category: Name
    parties: tuple[Name, ...] = Field(min_length=2, max_length=100)
    occurred_at: When
    level: Level | None = None
    physical_conflict: StrictBool = False


class EscalateDispute(_Command):
    """Raise a dispute's warning level (三色预警)."""

    type: Literal["escalate_dispute"] = "escalate_dispute"
    dispute: RecordId
    officer: Badge
    to_level: Level
    reason: ShortText
    occurred_at: When


class MediateDispute(_Command):
    """Hold a mediation of a dispute, with its participants and outcome."""

    type: Literal["mediate_dispute"] = "mediate_dispute"
    dispute: RecordId
    officer: Badge
    participants: tuple[Role, ...] = Field(min_length=1, max_length=50)
    outcome: Outcome
    occurred_at: When


class FollowUpDispute(_Command):
    """Record the phone follow-up with both parties of a resolved dispute."""

    type: Literal["follow_up_dispute"] = "follow_up_dispute"
    dispute: RecordId
    officer: Badge
    parties_satisfied: StrictBool
    occurred_at: When


class ReferDispute(_Command):
    """Refer a dispute out of the handling tiers (上交)."""

    type: Literal["refer_dispute"] = "refer_dispute"
    dispute: RecordId
    officer: Badge
    to: Name
    reason: ShortText
    occurred_at: When


class ReopenDispute(_Command):
    """Reopen a resolved or referred dispute that flared up again."""

    type: Literal["reopen_dispute"] = "reopen_dispute"
    dispute: RecordId
    officer: Badge
    reason: ShortText
    occurred_at: When

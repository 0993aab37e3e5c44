"""A dispute as its commands see it: the state it keeps, and the rules checked against it.

:class:`DisputeState` names every attribute a :class:`~beatpolice.domain.dispute.Dispute`
keeps (its snapshots are typed by it). The checks below read the dispute as it stands
and the escalation policy it was opened under, before any event is decided, and refuse a
command by naming the rule it breaks (``[rule: ...]``):

- a dispute has two or more distinct parties (``RuleViolationError``);
- a level only rises, and only while the dispute is open (``EscalationRefusedError``);
- a resolution needs a mediation with the level's required roles
  (``MediationRefusedError``);
- a resolved or referred dispute refuses escalation, mediation and referral until it
  is reopened (``DisputeClosedError``);
- a policy may allow referral (上交) only from its top tier (``RuleViolationError``);
- a follow-up comes after a resolution, a reopening after a closing;
- nothing happens to a dispute before it was opened, or last reopened (``FieldTimeError``).

Split from :mod:`beatpolice.domain.dispute`, whose command methods call these as
``check.<rule>`` and then trigger the events; no check runs on replay.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain.errors import (
    DisputeClosedError,
    EscalationRefusedError,
    MediationRefusedError,
    RuleViolationError,
)
from beatpolice.domain.field_time import check_not_before
from beatpolice.domain.privacy import PERSONAL
from beatpolice.domain.rules.escalation import EscalationPolicy
from beatpolice.domain.values import Level, Outcome, Role

if TYPE_CHECKING:
    from beatpolice.domain.dispute import Dispute

__all__ = [
    "DisputeState",
    "Status",
    "escalation",
    "follow_up",
    "mediation",
    "parties",
    "referral",
    "reopening",
]

Status = Literal["open", "resolved", "referred"]


class DisputeState(TypedDict):
    """Every attribute of :class:`~beatpolice.domain.dispute.Dispute`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    key: str
    officer: str
    category: str
    parties: Annotated[tuple[str, ...], PERSONAL]
    policy: str
    policy_version: str
    level: Level
    status: Status
    opened_at: datetime
    level_since: datetime
    physical_conflict: bool
    reopen_count: int
    mediations: int


def parties(named: tuple[str, ...]) -> None:
    """Refuse a dispute opened between fewer than two distinct parties."""
    if len(set(named)) < 2:
        raise RuleViolationError(
            "parties: a dispute needs at least two distinct parties",
            rule="a dispute has two or more parties",
        )


def escalation(
    dispute: Dispute, to_level: Level, occurred_at: datetime, policy: EscalationPolicy
) -> Level:
    """The level an escalation to ``to_level`` raises the dispute to, or a refusal.

    A level the policy lacks takes the next rung up; at the top level there is nowhere
    to rise, and leaving the top tier is a referral (上交).
    """
    _open(dispute, "escalate")
    _after_opening(dispute, occurred_at)
    target = policy.escalation_target(dispute.level, to_level)
    if target is not None:
        return target
    if dispute.level == policy.top and to_level.rank > dispute.level.rank:
        raise EscalationRefusedError(
            f"to_level: dispute {dispute.key!r} is at the top level of policy "
            f"{policy.name} ({dispute.level.value}, tier {policy.rule(dispute.level).tier}); "
            "leaving the top tier is a referral (refer_dispute, 上交)"
        )
    raise EscalationRefusedError(
        f"to_level: dispute {dispute.key!r} is {dispute.level.value}; "
        f"{to_level.value} would not raise it"
    )


def mediation(
    dispute: Dispute,
    participants: tuple[Role, ...],
    outcome: Outcome,
    occurred_at: datetime,
    policy: EscalationPolicy,
) -> None:
    """Refuse a mediation of a closed dispute, or a resolution its level's roles missed."""
    _open(dispute, "mediate")
    _after_opening(dispute, occurred_at)
    if outcome is Outcome.RESOLVED and not policy.can_resolve(
        dispute.level, frozenset(participants)
    ):
        raise MediationRefusedError(
            f"participants: a {dispute.level.value} dispute is resolved only with "
            f"{policy.required_text(dispute.level)} present (policy {policy.name})"
        )


def follow_up(dispute: Dispute, occurred_at: datetime) -> None:
    """Refuse a follow-up of a dispute that is not resolved."""
    if dispute.status != "resolved":
        raise RuleViolationError(
            f"dispute: {dispute.key!r} is {dispute.status}, not resolved",
            rule="a follow-up comes after a resolution",
        )
    _after_opening(dispute, occurred_at)


def referral(dispute: Dispute, occurred_at: datetime, policy: EscalationPolicy) -> None:
    """Refuse a referral of a closed dispute, or from below the tier the policy requires."""
    _open(dispute, "refer")
    _after_opening(dispute, occurred_at)
    if not policy.can_refer(dispute.level):
        raise RuleViolationError(
            f"dispute: {dispute.key!r} is {dispute.level.value} (tier "
            f"{policy.rule(dispute.level).tier}); policy {policy.name} refers a dispute out "
            f"only from its top tier ({policy.rule(policy.top).tier}): escalate it first",
            rule="a dispute leaves only from the top tier",
        )


def reopening(dispute: Dispute, occurred_at: datetime) -> None:
    """Refuse to reopen a dispute that is open."""
    if not dispute.is_closed:
        raise RuleViolationError(
            f"dispute: {dispute.key!r} is already open",
            rule="only a resolved or referred dispute is reopened",
        )
    _after_opening(dispute, occurred_at)


def _after_opening(dispute: Dispute, occurred_at: datetime) -> None:
    what = "the dispute was reopened" if dispute.reopen_count else "the dispute was opened"
    check_not_before("occurred_at", occurred_at, dispute.opened_at, what)


def _open(dispute: Dispute, action: str) -> None:
    if dispute.is_closed:
        raise DisputeClosedError(
            f"dispute: {dispute.key!r} is {dispute.status}; reopen it before you {action}"
        )

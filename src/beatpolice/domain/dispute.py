"""A dispute (矛盾纠纷) and its life: opening, escalation, mediation, follow-up, referral.

A dispute opens at a warning level (三色预警: blue, yellow, red), rises while it is
open, is resolved by a mediation that its level's required participants attended
(调解成功), may be referred out of the top tier (上交), and may be reopened. The rules
that decide these come from an :class:`~beatpolice.domain.rules.escalation.EscalationPolicy`
named, with its version, in the opening event; the command methods decide with it
and the event bodies below only assign, so a replay never consults a policy.

Every rule a command can break is named in its refusal (``[rule: ...]``); those checks,
and the state a dispute keeps, are in :mod:`beatpolice.domain._dispute_rules`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

from eventsourcing.domain import event
from pydantic import AwareDatetime

from beatpolice.domain import _dispute_rules as check
from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain._dispute_rules import DisputeState, Status
from beatpolice.domain.privacy import PERSONAL
from beatpolice.domain.rules.escalation import EscalationPolicy, policy_named
from beatpolice.domain.values import Level, Outcome, Role

__all__ = [
    "Dispute",
    "DisputeEscalated",
    "DisputeFollowedUp",
    "DisputeOpened",
    "DisputeReferred",
    "DisputeReopened",
    "DisputeResolved",
    "MediationHeld",
]


class Dispute(StationAggregate):
    """A dispute between residents, handled under an escalation policy."""

    TOPIC = "beatpolice:Dispute"
    State = DisputeState

    class DisputeOpened(CreatedEvent):
        """A dispute was taken up at a level, under a named escalation policy."""

        TOPIC: ClassVar[str] = "beatpolice:DisputeOpened"
        dispute: str
        officer: str
        category: str
        parties: Annotated[tuple[str, ...], PERSONAL]
        occurred_at: AwareDatetime
        level: Level
        requested_level: Level | None = None
        physical_conflict: bool
        policy: str
        policy_version: str = ""
        """The policy's version; "" in events recorded before versions were kept."""

    class DisputeEscalated(StationAggregate.Event):
        """The dispute's level rose, from one level to another, for a reason, by an officer."""

        TOPIC: ClassVar[str] = "beatpolice:DisputeEscalated"
        dispute: str
        officer: str
        from_level: Level
        to_level: Level
        reason: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime

    class MediationHeld(StationAggregate.Event):
        """A mediation session at the dispute's level, with its participants and outcome."""

        TOPIC: ClassVar[str] = "beatpolice:MediationHeld"
        dispute: str
        officer: str
        level: Level
        participants: tuple[Role, ...]
        outcome: Outcome
        occurred_at: AwareDatetime

    class DisputeResolved(StationAggregate.Event):
        """调解成功: the dispute was resolved by mediation at its level."""

        TOPIC: ClassVar[str] = "beatpolice:DisputeResolved"
        dispute: str
        officer: str
        level: Level
        occurred_at: AwareDatetime

    class DisputeFollowedUp(StationAggregate.Event):
        """A phone follow-up with both parties: are they satisfied with the result?"""

        TOPIC: ClassVar[str] = "beatpolice:DisputeFollowedUp"
        dispute: str
        officer: str
        parties_satisfied: bool
        occurred_at: AwareDatetime

    class DisputeReferred(StationAggregate.Event):
        """上交: the dispute left the handling tiers and was referred out."""

        TOPIC: ClassVar[str] = "beatpolice:DisputeReferred"
        dispute: str
        officer: str
        to: str
        reason: Annotated[str, PERSONAL]
        level: Level
        occurred_at: AwareDatetime

    class DisputeReopened(StationAggregate.Event):
        """A resolved or referred dispute flared up again and was reopened."""

        TOPIC: ClassVar[str] = "beatpolice:DisputeReopened"
        dispute: str
        officer: str
        reason: Annotated[str, PERSONAL]
        occurred_at: AwareDatetime

    @staticmethod
    def create_id(dispute: str) -> UUID:
        """A dispute's aggregate id follows from the caller's id alone."""
        return stable_id("dispute", dispute)

    @classmethod
    def open(
        cls,
        *,
        id: str,
        officer: str,
        category: str,
        parties: tuple[str, ...],
        occurred_at: datetime,
        level: Level | None,
        physical_conflict: bool,
        policy: EscalationPolicy,
        command: str,
    ) -> Dispute:
        """Open a dispute at the level its policy's triage gives (肢体冲突: at least yellow)."""
        check.parties(parties)
        return cls(
            dispute=id,
            officer=officer,
            category=category,
            parties=parties,
            occurred_at=occurred_at,
            level=policy.opening_level(level, physical_conflict),
            requested_level=level,
            physical_conflict=physical_conflict,
            policy=policy.name,
            policy_version=policy.version,
            command=command,
        )

    @event(DisputeOpened)
    def __init__(
        self,
        dispute: str,
        officer: str,
        category: str,
        parties: tuple[str, ...],
        occurred_at: datetime,
        level: Level,
        requested_level: Level | None,
        physical_conflict: bool,
        policy: str,
        command: str,
        policy_version: str = "",
    ) -> None:
        self.key = dispute
        self.officer = officer
        self.category = category
        self.parties = parties
        self.policy = policy
        self.policy_version = policy_version
        self.level = level
        self.status: Status = "open"
        self.opened_at = occurred_at
        self.level_since = occurred_at
        self.physical_conflict = physical_conflict
        self.reopen_count = 0
        self.mediations = 0

    @property
    def is_closed(self) -> bool:
        """Resolved or referred: closed to escalation and mediation until reopened."""
        return self.status != "open"

    def rules(self) -> EscalationPolicy:
        """The escalation policy this dispute was opened under (name and version)."""
        return policy_named(self.policy, self.policy_version or None)

    def escalate(
        self,
        officer: str,
        to_level: Level,
        reason: str,
        occurred_at: datetime,
        command: str,
        *,
        policy: EscalationPolicy | None = None,
    ) -> None:
        """Raise the dispute's warning level; a level never falls while open.

        A level the policy lacks takes the next rung up; at the top level there is
        nowhere to rise, and leaving the top tier is a referral (上交).
        """
        target = check.escalation(self, to_level, occurred_at, policy or self.rules())
        self._escalate(
            dispute=self.key,
            officer=officer,
            from_level=self.level,
            to_level=target,
            reason=reason,
            occurred_at=occurred_at,
            command=command,
        )

    @event(DisputeEscalated)
    def _escalate(
        self,
        dispute: str,
        officer: str,
        from_level: Level,
        to_level: Level,
        reason: str,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.level = to_level
        self.level_since = occurred_at

    def mediate(
        self,
        officer: str,
        participants: tuple[Role, ...],
        outcome: Outcome,
        occurred_at: datetime,
        policy: EscalationPolicy,
        command: str,
    ) -> None:
        """Hold a mediation; a resolution needs the participants the level requires."""
        check.mediation(self, participants, outcome, occurred_at, policy)
        self._hold_mediation(
            dispute=self.key,
            officer=officer,
            level=self.level,
            participants=participants,
            outcome=outcome,
            occurred_at=occurred_at,
            command=command,
        )
        if outcome is Outcome.RESOLVED:
            self._resolve(
                dispute=self.key,
                officer=officer,
                level=self.level,
                occurred_at=occurred_at,
                command=command,
            )

    @event(MediationHeld)
    def _hold_mediation(
        self,
        dispute: str,
        officer: str,
        level: Level,
        participants: tuple[Role, ...],
        outcome: Outcome,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.mediations += 1

    @event(DisputeResolved)
    def _resolve(
        self, dispute: str, officer: str, level: Level, occurred_at: datetime, command: str
    ) -> None:
        self.status = "resolved"

    def follow_up(
        self, officer: str, parties_satisfied: bool, occurred_at: datetime, command: str
    ) -> None:
        """Record the phone follow-up with both parties after a resolution."""
        check.follow_up(self, occurred_at)
        self._follow_up(
            dispute=self.key,
            officer=officer,
            parties_satisfied=parties_satisfied,
            occurred_at=occurred_at,
            command=command,
        )

    @event(DisputeFollowedUp)
    def _follow_up(
        self,
        dispute: str,
        officer: str,
        parties_satisfied: bool,
        occurred_at: datetime,
        command: str,
    ) -> None:
        pass

    def refer(
        self,
        officer: str,
        to: str,
        reason: str,
        occurred_at: datetime,
        command: str,
        *,
        policy: EscalationPolicy | None = None,
    ) -> None:
        """Refer the dispute out of the handling tiers (上交), from the top tier if required."""
        check.referral(self, occurred_at, policy or self.rules())
        self._refer(
            dispute=self.key,
            officer=officer,
            to=to,
            reason=reason,
            level=self.level,
            occurred_at=occurred_at,
            command=command,
        )

    @event(DisputeReferred)
    def _refer(
        self,
        dispute: str,
        officer: str,
        to: str,
        reason: str,
        level: Level,
        occurred_at: datetime,
        command: str,
    ) -> None:
        self.status = "referred"

    def reopen(
        self,
        officer: str,
        reason: str,
        occurred_at: datetime,
        policy: EscalationPolicy,
        command: str,
    ) -> None:
        """Reopen a closed dispute; repeated flare-ups raise its level (policy)."""
        check.reopening(self, occurred_at)
        reopenings = self.reopen_count + 1
        raised = policy.level_after_reopening(self.level, reopenings)
        self._reopen(
            dispute=self.key,
            officer=officer,
            reason=reason,
            occurred_at=occurred_at,
            command=command,
        )
        if raised != self.level:
            self._escalate(
                dispute=self.key,
                officer=officer,
                from_level=self.level,
                to_level=raised,
                reason=f"reopened {reopenings} times ({policy.name})",
                occurred_at=occurred_at,
                command=command,
            )

    @event(DisputeReopened)
    def _reopen(
        self, dispute: str, officer: str, reason: str, occurred_at: datetime, command: str
    ) -> None:
        self.status = "open"
        self.reopen_count += 1
        self.opened_at = occurred_at
        self.level_since = occurred_at


DisputeOpened = Dispute.DisputeOpened
DisputeEscalated = Dispute.DisputeEscalated
MediationHeld = Dispute.MediationHeld
DisputeResolved = Dispute.DisputeResolved
DisputeFollowedUp = Dispute.DisputeFollowedUp
DisputeReferred = Dispute.DisputeReferred
DisputeReopened = Dispute.DisputeReopened

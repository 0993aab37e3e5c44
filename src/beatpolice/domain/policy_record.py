"""An escalation policy as the store remembers it (政策随库): adopted once, read anywhere.

The first time a station opens a dispute under a policy, the policy's name, version and
whole content are recorded in the store as :class:`PolicyAdopted`. Any process opening
the store later (another terminal, a registry worker, an auditor years on) finds the
policy a dispute was opened under there, without the file it was first loaded from
(ADR 0207).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.rules.escalation import EscalationPolicy

__all__ = ["PolicyAdopted", "PolicyRecord"]


class PolicyRecordState(TypedDict):
    """Every attribute of :class:`PolicyRecord`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    policy: str
    policy_version: str
    document: str


class PolicyRecord(StationAggregate):
    """One version of an escalation policy, recorded in the store."""

    TOPIC = "beatpolice:PolicyRecord"
    State = PolicyRecordState

    class PolicyAdopted(CreatedEvent):
        """A policy was first used in this store; ``document`` is its content as JSON."""

        TOPIC: ClassVar[str] = "beatpolice:PolicyAdopted"
        policy: str
        policy_version: str
        document: str

    @staticmethod
    def create_id(policy: str, policy_version: str) -> UUID:
        """A policy record's id follows from the policy's name and version."""
        return stable_id("policyrecord", key(policy, policy_version))

    @classmethod
    def adopt(cls, policy: EscalationPolicy, command: str) -> PolicyRecord:
        """Record ``policy`` (caused by the command with digest ``command``)."""
        return cls(
            policy=policy.name,
            policy_version=policy.version,
            document=policy.model_dump_json(),
            command=command,
        )

    @event(PolicyAdopted)
    def __init__(self, policy: str, policy_version: str, document: str, command: str) -> None:
        self.policy_name = policy
        self.policy_version = policy_version
        self.document = document

    def policy(self) -> EscalationPolicy:
        """The policy as it was recorded."""
        return EscalationPolicy.model_validate_json(self.document)


def key(name: str, version: str) -> str:
    """The key a policy record is found by: ``NAME@VERSION``."""
    return f"{name}@{version}"


PolicyAdopted = PolicyRecord.PolicyAdopted

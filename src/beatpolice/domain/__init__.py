"""The domain of beatpolice: the officer, dispute and venue aggregates and their events.

Plain Python on eventsourcing's aggregate base: no storage, no I/O. Every event named
in the contract is importable from here by that name.
"""

from beatpolice.domain._base import DomainEvent, command_digest, frozen_clock, stable_id
from beatpolice.domain.dispute import (
    Dispute,
    DisputeEscalated,
    DisputeFollowedUp,
    DisputeOpened,
    DisputeReferred,
    DisputeReopened,
    DisputeResolved,
    MediationHeld,
)
from beatpolice.domain.officer import Officer, OfficerEnlisted, VisitsPlanned
from beatpolice.domain.policy_record import PolicyAdopted, PolicyRecord
from beatpolice.domain.records import (
    FieldRecord,
    LeadReported,
    RecordRetracted,
    ServiceRendered,
    VisitFollowedUp,
    VisitRecorded,
)
from beatpolice.domain.rules.escalation import EscalationPolicy, LevelRule, load_policy
from beatpolice.domain.values import (
    InspectionMode,
    LeadKind,
    Level,
    Outcome,
    Role,
    VenueCategory,
)
from beatpolice.domain.venue import (
    Finding,
    RectificationFailed,
    RectificationVerified,
    Venue,
    VenueInspected,
    VenueRegistered,
    ViolationFound,
)

EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    OfficerEnlisted,
    VisitsPlanned,
    VisitRecorded,
    VisitFollowedUp,
    LeadReported,
    ServiceRendered,
    RecordRetracted,
    DisputeOpened,
    DisputeEscalated,
    MediationHeld,
    DisputeResolved,
    DisputeFollowedUp,
    DisputeReferred,
    DisputeReopened,
    VenueRegistered,
    VenueInspected,
    ViolationFound,
    RectificationVerified,
    RectificationFailed,
    PolicyAdopted,
)
"""Every event class, in contract order (then the ones the store keeps for itself)."""

__all__ = [
    "EVENT_CLASSES",
    "Dispute",
    "DisputeEscalated",
    "DisputeFollowedUp",
    "DisputeOpened",
    "DisputeReferred",
    "DisputeReopened",
    "DisputeResolved",
    "DomainEvent",
    "EscalationPolicy",
    "FieldRecord",
    "Finding",
    "InspectionMode",
    "LeadKind",
    "LeadReported",
    "Level",
    "LevelRule",
    "MediationHeld",
    "Officer",
    "OfficerEnlisted",
    "Outcome",
    "PolicyAdopted",
    "PolicyRecord",
    "RecordRetracted",
    "RectificationFailed",
    "RectificationVerified",
    "Role",
    "ServiceRendered",
    "Venue",
    "VenueCategory",
    "VenueInspected",
    "VenueRegistered",
    "ViolationFound",
    "VisitFollowedUp",
    "VisitRecorded",
    "VisitsPlanned",
    "command_digest",
    "frozen_clock",
    "load_policy",
    "stable_id",
]

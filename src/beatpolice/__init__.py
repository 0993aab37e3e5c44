"""beatpolice: community policing (社区警务) field work as immutable events.

Record what officers do in the field, rebuild a station's registries from it, and
replay any month's five-star appraisal exactly as it was decided or as it stands now.

Example:
    >>> import beatpolice
    >>> station = beatpolice.connect("memory://")
    >>> station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区").events
    1
"""

from beatpolice.adapters.store.connect import connect
from beatpolice.application.receipt import Receipt
from beatpolice.application.retries import retry_on_conflict
from beatpolice.application.station import Station
from beatpolice.domain.errors import (
    AppraisalError,
    AuditMismatchError,
    BeatpoliceError,
    CalendarCoverageError,
    CommandFailedError,
    ConcurrencyError,
    DisputeClosedError,
    EscalationRefusedError,
    FieldTimeError,
    IdConflictError,
    InvalidCommandError,
    MasterKeyError,
    MediationRefusedError,
    MissingExtraError,
    NotAStoreError,
    QualityError,
    RuleViolationError,
    SealError,
    SettingError,
    StorageError,
    UnknownDisputeError,
    UnknownFraudScriptError,
    UnknownOfficerError,
    UnknownPolicyError,
    UnknownRecordError,
    UnknownRequestError,
    UnknownVenueError,
)
from beatpolice.projections.appraisal._engine import appraise, compare, verify
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.quality import QualityReport, quality

__version__ = "0.2.0.dev0"

__all__ = [
    "AppraisalError",
    "AppraisalReport",
    "AuditMismatchError",
    "BeatpoliceError",
    "CalendarCoverageError",
    "CommandFailedError",
    "ConcurrencyError",
    "DisputeClosedError",
    "EscalationRefusedError",
    "FieldTimeError",
    "IdConflictError",
    "InvalidCommandError",
    "MasterKeyError",
    "MediationRefusedError",
    "MissingExtraError",
    "NotAStoreError",
    "QualityError",
    "QualityReport",
    "Receipt",
    "RuleViolationError",
    "SealError",
    "SettingError",
    "Station",
    "StorageError",
    "UnknownDisputeError",
    "UnknownFraudScriptError",
    "UnknownOfficerError",
    "UnknownPolicyError",
    "UnknownRecordError",
    "UnknownRequestError",
    "UnknownVenueError",
    "__version__",
    "appraise",
    "compare",
    "connect",
    "quality",
    "retry_on_conflict",
    "verify",
]

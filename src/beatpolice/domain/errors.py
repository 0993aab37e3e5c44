"""Every error beatpolice raises on purpose, in one tree.

A refused command changes nothing and raises exactly one of these, naming the field
or the record and the rule that refused it::

    BeatpoliceError
    ├── InvalidCommandError          a field is malformed (naive time, unknown enum, ...)
    ├── UnknownRecordError           the command names something never recorded
    │   ├── UnknownOfficerError
    │   ├── UnknownDisputeError
    │   ├── UnknownVenueError
    │   └── UnknownRequestError      an answer to a request never received
    ├── RuleViolationError           well-formed, but a domain rule refuses it
    │   ├── IdConflictError          same id, other content
    │   ├── FieldTimeError           a field time out of range or before what it follows
    │   ├── DisputeClosedError       a closed or referred dispute
    │   ├── EscalationRefusedError   the level would not rise
    │   ├── MediationRefusedError    the level's required participants are missing
    │   └── UnknownFraudScriptError  a fraud script or feature not in the catalogue
    ├── AppraisalError               an appraisal asked with an unknown rule set, bad month
    │   └── QualityError             a quality report asked with an unknown rule set, bad month
    ├── AuditMismatchError           a report differs from its recomputation
    ├── SealError                    a seal key, checkpoint or bundle is unreadable or forged
    ├── CalendarCoverageError        no holiday calendar for a deadline's year
    ├── ConcurrencyError             another writer changed the aggregate first
    ├── SettingError                 a station setting is unusable (time zone, tolerance)
    │   └── MasterKeyError           the master key is missing, malformed or not this store's
    ├── UnknownPolicyError           a dispute's escalation policy is in neither the
    │                                store nor the package
    ├── CommandFailedError           a command could not be decided (a defect; only
    │                                that command is refused, its batch goes on)
    ├── MissingExtraError            a feature needs an optional extra not installed
    └── StorageError                 the store could not be opened or used
        └── NotAStoreError           the file or database is not a beatpolice store

``ConcurrencyError`` is the only one worth retrying; see
:func:`beatpolice.retry_on_conflict`.
"""

from __future__ import annotations

import re

__all__ = [
    "AppraisalError",
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
    "RuleViolationError",
    "SealError",
    "SettingError",
    "StorageError",
    "UnknownDisputeError",
    "UnknownFraudScriptError",
    "UnknownOfficerError",
    "UnknownPolicyError",
    "UnknownRecordError",
    "UnknownRequestError",
    "UnknownVenueError",
]

_FIELD_PREFIX = re.compile(r"^([a-z_][a-z_0-9.]*): ")


class BeatpoliceError(Exception):
    """Base of every error beatpolice raises on purpose."""


class InvalidCommandError(BeatpoliceError, ValueError):
    """A command's field is malformed; ``field`` names it and ``rule`` says what is wrong."""

    def __init__(self, field: str, rule: str, *, command: str = "") -> None:
        self.field = field
        self.rule = rule
        self.command = command
        where = f"{command}.{field}" if command else field
        super().__init__(f"{where}: {rule}")


class UnknownRecordError(BeatpoliceError, LookupError):
    """The command names an officer, dispute, venue or record that was never recorded.

    ``field`` names the command's field that holds the unknown key and ``rule`` the
    rule it broke (every command names things that were recorded before it).
    """

    kind = "record"
    rule = "a command names only records that were recorded before it"

    def __init__(self, key: str, *, field: str = "", detail: str = "") -> None:
        self.key = key
        self.field = field
        message = f"unknown {self.kind} {key!r}"
        if field:
            message = f"{field}: {message}"
        if detail:
            message = f"{message} ({detail})"
        super().__init__(f"{message} [rule: {self.rule}]")


class UnknownOfficerError(UnknownRecordError):
    """No officer with this badge has been enlisted."""

    kind = "officer"
    rule = "an officer is enlisted before anything is recorded under the badge"


class UnknownDisputeError(UnknownRecordError):
    """No dispute with this id has been opened."""

    kind = "dispute"
    rule = "a dispute is opened before anything is recorded on it"


class UnknownVenueError(UnknownRecordError):
    """No venue with this id has been registered."""

    kind = "venue"
    rule = "a venue is registered before it is inspected"


class UnknownRequestError(UnknownRecordError):
    """No request with this id was received by the officer who answers it."""

    kind = "request"
    rule = "a request is received before it is answered"


class RuleViolationError(BeatpoliceError):
    """A well-formed command that a domain rule refuses; ``rule`` names the rule.

    ``field`` names the command's field the rule looked at: given explicitly, or read
    from a message of the form ``"field: what is wrong"``; empty when neither says.
    """

    rule = "domain rule"

    def __init__(self, message: str, *, rule: str = "", field: str = "") -> None:
        if rule:
            self.rule = rule
        if not field:
            prefix = _FIELD_PREFIX.match(message)
            field = prefix.group(1) if prefix else ""
        self.field = field
        super().__init__(f"{message} [rule: {self.rule}]")


class IdConflictError(RuleViolationError):
    """The id was recorded before with other content (an id is an idempotency key)."""

    rule = "same id, same content"


class FieldTimeError(RuleViolationError):
    """A field time outside the accepted range, or dated before what it follows.

    ``field`` names the time field (``occurred_at``, ``started_at``, ``ended_at``) and
    ``rule`` the rule it broke (ADR 0206).
    """

    rule = "a field time lies between 1990 and the recording clock plus the tolerance"

    def __init__(self, field: str, message: str, *, rule: str = "") -> None:
        super().__init__(f"{field}: {message}", rule=rule, field=field)


class DisputeClosedError(RuleViolationError):
    """A closed (resolved) or referred dispute refuses escalation and mediation."""

    rule = "closed disputes are reopened before anything else"


class EscalationRefusedError(RuleViolationError):
    """An escalation that would not raise the dispute's level."""

    rule = "a level only rises"


class MediationRefusedError(RuleViolationError):
    """A mediation that cannot resolve the dispute at its level (participants missing)."""

    rule = "a resolution needs the level's required participants"


class UnknownFraudScriptError(RuleViolationError, LookupError):
    """A fraud-risk assessment names a script, or a feature of it, that is not in the
    station's fraud-script catalogue; ``field`` is ``script`` or ``features.N``."""

    rule = "a fraud script and its features are in the station's catalogue"


class AppraisalError(BeatpoliceError, ValueError):
    """An appraisal cannot be made as asked (unknown rule set, bad month or ``as_of``)."""


class QualityError(AppraisalError):
    """A quality report cannot be made as asked (unknown rule set, bad month or ``closed_at``)."""


class AuditMismatchError(BeatpoliceError):
    """A recomputed appraisal differs from the report; ``differences`` names each."""

    def __init__(self, differences: list[str]) -> None:
        self.differences = differences
        super().__init__("the report does not match its recomputation: " + "; ".join(differences))


class SealError(BeatpoliceError, ValueError):
    """A seal key, checkpoint or bundle cannot be read, or its signature does not hold."""


class CalendarCoverageError(BeatpoliceError, LookupError):
    """The holiday calendar does not cover a year and the policy allows no fallback."""


class ConcurrencyError(BeatpoliceError):
    """Another writer saved the same aggregate first; nothing of this command was written.

    Retrying re-reads the aggregate and decides again (commands are idempotent, so a
    retry never records twice).
    """


class StorageError(BeatpoliceError):
    """The event store could not be opened or used (bad URL, unreachable server, ...)."""


class SettingError(BeatpoliceError, ValueError):
    """A station setting cannot be used: an unknown time zone, a negative tolerance, ..."""


class MasterKeyError(SettingError):
    """The station's master key is missing, malformed, or not the key of this store.

    Personal text is never shown as garbage: without the right key nothing is read.
    """


class UnknownPolicyError(BeatpoliceError, LookupError):
    """A dispute names an escalation policy (name and version) that this process cannot
    find: it is neither recorded in the store nor shipped with the package."""


class CommandFailedError(BeatpoliceError):
    """A command could not be decided because of a defect, not a rule.

    Only that command is refused (nothing of it is written) and the rest of its batch
    goes on; the message names the command and the underlying error so that it can be
    reported. ``__cause__`` holds the original exception.
    """

    rule = "a command is recorded or refused, never half-decided"
    field = ""


class NotAStoreError(StorageError):
    """The file or database is not a beatpolice store (another application's, damaged,
    missing for a read command); nothing was written to it."""


class MissingExtraError(BeatpoliceError, ImportError):
    """A feature needs an optional part of beatpolice (an extra) that is not installed.

    The message is one line naming the feature, the extra and how to install it, e.g.
    ``postgresql:// stores: the 'postgres' extra is needed (psycopg is not installed):
    pip install 'beatpolice[postgres]'``. ``extra`` holds the extra's name, ``module`` the
    library that could not be imported.
    """

    def __init__(self, feature: str, extra: str, module: str, *, why: str = "") -> None:
        self.feature = feature
        self.extra = extra
        self.module = module
        cause = why or f"{module} is not installed"
        super().__init__(
            f"{feature}: the '{extra}' extra is needed ({cause}): "
            f"pip install 'beatpolice[{extra}]'"
        )

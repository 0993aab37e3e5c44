"""Residents' personal data (个人信息): which fields hold it, whose it is, and erasure.

A field of an event that holds a resident's personal text is marked ``Personal`` in its
annotation (``notes: Annotated[str | None, PERSONAL]``); the store's mapper encrypts
every marked field with the data key of the event's *data subject*, and reads it back
as :data:`ERASED` once that key is destroyed (ADR 0700). Which subject an event's
personal text belongs to follows from the event alone (:func:`subject_of`):

- ``dispute:D``: the parties and words of dispute ``D``;
- ``record:OFFICER/ID``: a visit's notes, a lead's or information's summary, a request,
  a meeting, a commendation: anything an officer records under a record id. A record
  made at a household is also the household's: erasing ``household:H`` erases every
  record made at ``H``.

An erasure (:class:`PersonalDataErased`) is an event of its own aggregate, one per
subject: it says which subject, why and when, never what was erased.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar, Literal
from uuid import UUID

import attrs
from eventsourcing.domain import event
from pydantic import AwareDatetime, BaseModel
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from beatpolice.domain._base import CreatedEvent, StationAggregate, stable_id
from beatpolice.domain.errors import RuleViolationError
from beatpolice.domain.field_time import check_not_before

__all__ = [
    "ERASED",
    "PERSONAL",
    "Erasure",
    "Personal",
    "PersonalDataErased",
    "Subject",
    "SubjectKind",
    "parse_subject",
    "personal_fields",
    "subject_of",
]

ERASED = "[erased]"
"""What every reader shows in place of personal text whose key was destroyed."""

SubjectKind = Literal["household", "dispute", "record"]


class Personal:
    """The marker of a field holding a resident's personal text (``Annotated[str, PERSONAL]``).

    The mapper encrypts a marked ``str`` (or each string of a marked tuple of strings)
    with the data subject's key; ``None`` stays ``None``. Ids, times, kinds, counts and
    flags are never marked: the appraisal counts them (ADR 0700).
    """

    def __repr__(self) -> str:
        return "PERSONAL"


PERSONAL = Personal()
"""The one instance of :class:`Personal` that annotations carry."""


@attrs.frozen
class Subject:
    """A data subject: whose personal text a key protects.

    Example:
        >>> parse_subject("record:D0001/V7")
        Subject(kind='record', key='D0001/V7', household=None)
        >>> str(parse_subject("household:H001"))
        'household:H001'
    """

    kind: SubjectKind
    key: str
    household: str | None = None
    """For a record made at a household: the household, erased with it."""

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


_SUBJECT = re.compile(r"^(household|dispute):([^\s/:][^\s]*)$|^record:([^\s/]+)/([^\s]+)$")


def parse_subject(text: str) -> Subject:
    """The subject named ``household:H``, ``dispute:D`` or ``record:OFFICER/ID``.

    Raises:
        ValueError: ``text`` names no subject in one of these forms.
    """
    found = _SUBJECT.match(text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a data subject: give household:ID, dispute:ID or record:OFFICER/ID"
        )
    if found.group(1):
        kind: SubjectKind = "household" if found.group(1) == "household" else "dispute"
        return Subject(kind, found.group(2))
    return Subject("record", f"{found.group(3)}/{found.group(4)}")


@lru_cache(maxsize=256)
def personal_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The names of ``cls``'s fields marked :data:`PERSONAL`, in declaration order."""
    return tuple(
        name
        for name, info in cls.model_fields.items()
        if any(isinstance(item, Personal) for item in info.metadata)
    )


def personal_state(annotations: dict[str, Any]) -> tuple[str, ...]:
    """The keys of an aggregate's ``State`` annotated :data:`PERSONAL` (for snapshots)."""
    return tuple(
        name
        for name, annotation in annotations.items()
        if any(isinstance(item, Personal) for item in getattr(annotation, "__metadata__", ()))
    )


_KINDS: dict[type, str] = {}
"""Each event class's subject kind, as :func:`subject_of` first worked it out."""


def _subject_kind(cls: type) -> str:
    kind = _KINDS.get(cls)
    if kind is None:
        declared = getattr(cls, "PERSONAL_SUBJECT", None)
        if declared is None:
            declared = "dispute" if cls.__qualname__.split(".")[0] == "Dispute" else "record"
        kind = _KINDS[cls] = str(declared)
    return kind


def subject_of(cls: type[Any], data: dict[str, Any]) -> Subject:
    """The data subject of an event of class ``cls`` with fields ``data``.

    A class may say which kind it is with ``PERSONAL_SUBJECT`` (``"dispute"`` or
    ``"record"``); otherwise an event of an aggregate named ``Dispute`` is the
    dispute's, and any other the record's: ``officer`` and the first of ``id``,
    ``visit``, ``record`` name it, and ``household``, when present, links it.
    """
    kind = _subject_kind(cls)
    if kind == "dispute":
        return Subject("dispute", str(data.get("dispute") or data.get("key") or data["id"]))
    if kind == "household":
        return Subject("household", str(data["household"]))
    if "key" in data and "officer" in data and "id" not in data:  # a record's snapshot
        return Subject("record", str(data["key"]))
    record = data.get("id") or data.get("visit") or data.get("record") or data.get("request")
    household = data.get("household")
    return Subject(
        "record",
        f"{data['officer']}/{record}",
        household=household if isinstance(household, str) else None,
    )


# --- erasure ----------------------------------------------------------------------------


class ErasureState(TypedDict):
    """Every attribute of :class:`Erasure`, for snapshots."""

    _created_on: datetime
    _modified_on: datetime
    _commands: set[str]
    subject: str
    occurred_at: datetime


class Erasure(StationAggregate):
    """The erasure of one data subject's personal data (删除个人信息), recorded once."""

    TOPIC = "beatpolice:Erasure"
    State = ErasureState

    class PersonalDataErased(CreatedEvent):
        """A subject's key was destroyed: which subject, why and when; never the data."""

        TOPIC: ClassVar[str] = "beatpolice:PersonalDataErased"
        subject: str
        reason: str
        occurred_at: AwareDatetime

    @staticmethod
    def create_id(subject: str) -> UUID:
        """An erasure's aggregate id follows from the subject alone."""
        return stable_id("erasure", subject)

    @classmethod
    def erase(
        cls, *, subject: Subject, reason: str, occurred_at: datetime, command: str
    ) -> Erasure:
        """Record the erasure of ``subject``'s personal data (its key is destroyed on save)."""
        return cls(subject=str(subject), reason=reason, occurred_at=occurred_at, command=command)

    @event(PersonalDataErased)
    def __init__(self, subject: str, reason: str, occurred_at: datetime, command: str) -> None:
        self.subject = subject
        self.occurred_at = occurred_at

    def refuse_again(self, occurred_at: datetime) -> None:
        """A subject is erased once: a second request with other content is refused."""
        check_not_before("occurred_at", occurred_at, self.occurred_at, f"erasure {self.subject}")
        raise RuleViolationError(
            f"subject: {self.subject} was already erased (its key is destroyed)",
            rule="a data subject is erased once",
            field="subject",
        )


PersonalDataErased = Erasure.PersonalDataErased

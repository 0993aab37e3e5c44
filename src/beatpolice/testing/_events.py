"""Strategies for the events of :data:`beatpolice.domain.EVENT_CLASSES`.

Events are built field by field from their pydantic models, with the envelope an
event store gives them (originator id and version, recorded timestamp, command
digest, and the aggregate's topic on an opening event). They are well-formed, not
consistent histories: use them for the mapper, schemas and folds that must accept any
single event; drive a station with commands for histories.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from eventsourcing.utils import get_topic
from hypothesis import strategies as st
from pydantic import BaseModel

from beatpolice import domain
from beatpolice.domain._base import CreatedEvent, DomainEvent
from beatpolice.testing import _fields as f

__all__ = ["events"]

_ENVELOPE = ("originator_id", "originator_version", "timestamp", "command", "originator_topic")

_DIGESTS = st.binary(min_size=32, max_size=32).map(lambda raw: "sha256:" + raw.hex())


def _aggregate_topic(cls: type[DomainEvent]) -> str:
    owner = getattr(domain, cls.__qualname__.split(".")[0])
    return get_topic(owner)


def _for_annotation(name: str, annotation: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([_for_annotation(name, arg) for arg in arguments])
    if annotation is type(None):
        return st.none()
    if origin is tuple:
        return st.lists(_for_annotation(name, arguments[0]), max_size=4).map(tuple)
    if annotation is str:
        if name in (
            "dispute",
            "venue",
            "officer",
            "visit",
            "record",
            "finding",
            "id",
            "badge",
            "request",
        ):
            return f.record_ids()
        if name == "month":
            return f.months()
        return f.names()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(min_value=0, max_value=10**6)  # counts of people and features
    if isinstance(annotation, type) and issubclass(annotation, datetime):
        return f.aware_datetimes()
    if annotation is date:
        return f.dates()
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return st.fixed_dictionaries(
            {
                key: _for_annotation(key, info.annotation)
                for key, info in annotation.model_fields.items()
            }
        ).map(annotation.model_validate)
    if "AwareDatetime" in repr(annotation):
        return f.aware_datetimes()
    raise TypeError(f"no strategy for event field {name}: {annotation!r}")


@cache
def _event_strategy(cls: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "originator_id": st.uuids(),
        "originator_version": st.integers(min_value=2, max_value=10**6),
        "timestamp": f.aware_datetimes(),
        "command": _DIGESTS,
    }
    if issubclass(cls, CreatedEvent):
        fields["originator_version"] = st.just(1)
        fields["originator_topic"] = st.just(_aggregate_topic(cls))
    for name, info in cls.model_fields.items():
        if name not in _ENVELOPE:
            fields[name] = _for_annotation(name, info.annotation)
    return st.fixed_dictionaries(fields).map(lambda values: cls(**values))


def events(*classes: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    """Well-formed events of the given classes (every event class when none is given).

    Example:
        >>> from hypothesis import given
        >>> from beatpolice.adapters.store.mapper import decode_event, encode_event
        >>> from eventsourcing.utils import get_topic
        >>> @given(events())
        ... def test_round_trip(event):
        ...     stored = encode_event(event)
        ...     topic = get_topic(type(event))
        ...     again = decode_event(
        ...         topic, stored, event.originator_id, event.originator_version
        ...     )
        ...     assert again == event
        >>> test_round_trip()
    """
    chosen = classes or domain.EVENT_CLASSES
    return st.one_of([_event_strategy(cls) for cls in chosen])

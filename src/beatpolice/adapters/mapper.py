"""Stores beatpolice's pydantic events as JSON, upcasting old versions on the way in.

A stored event's state is the event's JSON (originator id and version included, so a
current event validates in one pass of pydantic's JSON parser). An event class whose
``class_version`` is above 1 writes it as the JSON's first key; reading an older version runs the
class's ``upcast_vN_vN+1(state)`` static methods in order before validation, so a
schema change never orphans stored events. eventsourcing's pydantic example mapper
skips this step; ours does not.
"""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

__all__ = ["JSONTranscoder", "PydanticMapper", "decode_event", "encode_event"]


class JSONTranscoder(Transcoder):
    """orjson for anything eventsourcing itself asks to encode (never our events)."""

    def encode(self, obj: Any) -> bytes:
        """Encode ``obj`` as JSON bytes."""
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        """Decode JSON bytes."""
        return orjson.loads(data)


_VERSIONED = b'{"class_version":'


def encode_event(event: BaseModel) -> bytes:
    """The stored JSON of an event, with its ``class_version`` when above 1."""
    class_version = getattr(type(event), "class_version", 1)
    if class_version == 1:
        return event.__pydantic_serializer__.to_json(event)
    # first key, so a reader tells versioned JSON from its first bytes
    return orjson.dumps({"class_version": class_version, **event.model_dump(mode="json")})


def decode_event(topic: str, state: bytes, originator_id: UUID | str, version: int) -> BaseModel:
    """Rebuild an event from its stored JSON, upcasting an older ``class_version``."""
    cls = cast(type[BaseModel], resolve_topic(topic))
    class_version = getattr(cls, "class_version", 1)
    if class_version == 1 and not state.startswith(_VERSIONED):
        return cls.model_validate_json(state)
    data: dict[str, Any] = orjson.loads(state)
    from_version = data.pop("class_version", 1)
    while from_version < class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(data)
        from_version += 1
    data["originator_id"] = str(originator_id)
    data["originator_version"] = version
    return cls.model_validate_json(orjson.dumps(data))


class PydanticMapper(Mapper[UUID]):
    """eventsourcing's mapper for beatpolice events (no compression or cipher yet)."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """Encode a domain event for the store."""
        state = encode_event(cast(BaseModel, domain_event))
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Decode a stored event (upcasting it if it is of an older version)."""
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        event = decode_event(
            stored_event.topic, state, stored_event.originator_id, stored_event.originator_version
        )
        return cast(DomainEventProtocol[UUID], event)

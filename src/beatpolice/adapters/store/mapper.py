"""Stores beatpolice's pydantic events as JSON, upcasting old versions on the way in.

A stored event's state is the event's JSON (originator id and version included, so a
current event validates in one pass of pydantic's JSON parser). An event class whose
``class_version`` is above 1 writes it as the JSON's first key; reading an older version runs the
class's ``upcast_vN_vN+1(state)`` static methods in order before validation, so a
schema change never orphans stored events. eventsourcing's pydantic example mapper
skips this step; ours does not.

Residents' personal text is sealed on the way out and opened on the way in (ADR 0700,
0702): every field marked :data:`~beatpolice.domain.privacy.PERSONAL` (and every marked
key of a snapshot's state) is stored as a sealed value of the event's data subject,
when the mapper has a :attr:`PydanticMapper.keyring`. Reading opens any sealed value it
finds, whatever the event's version; :meth:`PydanticMapper.to_sealed_event` leaves
them sealed, for the projections, which copy them without reading them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol, cast, get_type_hints
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder as _EventsourcingJSONTranscoder
from eventsourcing.persistence import Mapper, StoredEvent, TranscodingNotRegisteredError
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from beatpolice.domain._base import AggregateSnapshot
from beatpolice.domain.privacy import Subject, personal_fields, personal_state, subject_of

__all__ = ["JSONTranscoder", "PydanticMapper", "Sealer", "decode_event", "encode_event"]


class Sealer(Protocol):
    """What seals and opens personal text (the station's keyring)."""

    def seal_text(self, subject: Subject, text: str) -> str:
        """``text`` sealed under ``subject``'s data key."""
        ...

    def open_document(self, document: Any) -> Any:
        """JSON data with every sealed value in it opened."""
        ...


_LEAF = frozenset({str, int, bool, type(None)})
_NATIVE = _LEAF | {float}
_TUPLE = "tuple_as_list"


class JSONTranscoder(_EventsourcingJSONTranscoder):
    """orjson for anything eventsourcing itself asks to encode (never our events).

    Types survive the round trip exactly, as eventsourcing's ``TranscoderTestCase``
    asks: ``str``, ``int``, ``float``, ``bool``, ``None``, ``dict`` (string keys) and
    ``list`` are JSON; a ``tuple`` and any object of a registered type (subclasses of
    the JSON types included) become ``{"_type_": name, "_data_": ...}``; anything else
    is refused with ``TranscodingNotRegisteredError`` rather than flattened to its base
    type. It is an eventsourcing ``JSONTranscoder``, so an application registers its
    default transcodings (UUID, Decimal, datetime) on it. PydanticMapper does not
    call it for events or snapshots: they are pydantic's own JSON.

    Example:
        >>> from uuid import UUID
        >>> from eventsourcing.persistence import UUIDAsHex
        >>> transcoder = JSONTranscoder()
        >>> transcoder.register(UUIDAsHex())
        >>> transcoder.encode((1, "a"))
        b'{"_type_":"tuple_as_list","_data_":[1,"a"]}'
        >>> transcoder.decode(transcoder.encode({"id": UUID(int=1)}))
        {'id': UUID('00000000-0000-0000-0000-000000000001')}
    """

    def encode(self, obj: Any) -> bytes:
        """Encode ``obj`` as compact UTF-8 JSON.

        Args:
            obj: JSON types, tuples and objects of registered types, nested at will.

        Returns:
            The JSON bytes.

        Raises:
            TranscodingNotRegisteredError: An object of a type with no transcoding.
            ValueError: A NaN or infinite float (JSON has none).
        """
        return orjson.dumps(self._plain(obj))

    def decode(self, data: bytes) -> Any:
        """Decode JSON bytes, rebuilding tuples and objects of registered types.

        Args:
            data: JSON as :meth:`encode` (or eventsourcing's ``JSONTranscoder``) wrote it.

        Returns:
            The decoded object.

        Raises:
            TranscodingNotRegisteredError: A tagged object whose name is not registered.
        """
        value = orjson.loads(data)
        # a tag needs its key spelled out, or escaped with \u: without either, none
        if b"_type_" not in data and b"\\u" not in data:
            return value
        return self._rebuild(value)

    def _plain(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _NATIVE:
            if kind is float and obj - obj != 0:  # NaN or infinity
                msg = f"{obj!r} is not a JSON number"
                raise ValueError(msg)
            return obj
        # leaves of the common types are kept inline: a call per leaf is most of the cost
        if kind is dict:
            return {
                key: value if type(value) in _LEAF else self._plain(value)
                for key, value in obj.items()
            }
        if kind is list:
            return [value if type(value) in _LEAF else self._plain(value) for value in obj]
        transcoding = self.types.get(kind)
        if transcoding is not None:
            return {"_type_": transcoding.name, "_data_": self._plain(transcoding.encode(obj))}
        if kind is tuple:
            return {"_type_": _TUPLE, "_data_": [self._plain(value) for value in obj]}
        msg = (
            f"Object of type {kind} is not serializable. "
            "Please define and register a custom transcoding for this type."
        )
        raise TranscodingNotRegisteredError(msg)

    def _rebuild(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [self._rebuild(item) for item in value]
        if kind is not dict:
            return value
        if len(value) != 2 or "_type_" not in value or "_data_" not in value:
            return {key: self._rebuild(item) for key, item in value.items()}
        name = value["_type_"]
        data = self._rebuild(value["_data_"])
        transcoding = self.names.get(name) if isinstance(name, str) else None
        if transcoding is not None:
            return transcoding.decode(data)
        if name == _TUPLE and type(data) is list:
            return tuple(data)
        msg = (
            f"Data serialized with name '{name}' is not deserializable. "
            "Please register a custom transcoding for this type."
        )
        raise TranscodingNotRegisteredError(msg)


_VERSIONED = b'{"class_version":'
_SEALED = b'"bpenc1:'


@lru_cache(maxsize=256)
def _personal_state(topic: str) -> tuple[type[Any], tuple[str, ...]]:
    aggregate = cast(type[Any], resolve_topic(topic))
    state = getattr(aggregate, "State", None)
    hints = get_type_hints(state, include_extras=True) if state is not None else {}
    return aggregate, personal_state(hints)


def _seal(
    values: dict[str, Any], names: tuple[str, ...], subject: Subject, sealer: Sealer
) -> None:
    for name in names:
        value = values.get(name)
        if isinstance(value, str):
            values[name] = sealer.seal_text(subject, value)
        elif isinstance(value, list):
            values[name] = [
                sealer.seal_text(subject, item) if isinstance(item, str) else item
                for item in value
            ]


def _sealed_json(event: BaseModel, sealer: Sealer | None) -> dict[str, Any] | None:
    """The event's JSON data with its personal fields sealed; None when it has none."""
    if sealer is None:
        return None
    if isinstance(event, AggregateSnapshot):
        aggregate, names = _personal_state(event.topic)
        if not names:
            return None
        data = event.model_dump(mode="json")
        _seal(data["state"], names, subject_of(aggregate, data["state"]), sealer)
        return data
    names = personal_fields(type(event))
    if not names:
        return None
    data = event.model_dump(mode="json")
    _seal(data, names, subject_of(type(event), data), sealer)
    return data


def encode_event(event: BaseModel, sealer: Sealer | None = None) -> bytes:
    """The stored JSON of an event, with its ``class_version`` when above 1.

    With a ``sealer``, the event's personal fields are stored sealed.
    """
    class_version = getattr(type(event), "class_version", 1)
    data = _sealed_json(event, sealer)
    if data is None:
        if class_version == 1:
            return event.__pydantic_serializer__.to_json(event)
        data = event.model_dump(mode="json")
    if class_version == 1:
        return orjson.dumps(data)
    # first key, so a reader tells versioned JSON from its first bytes
    return orjson.dumps({"class_version": class_version, **data})


def decode_event(
    topic: str,
    state: bytes,
    originator_id: UUID | str,
    version: int,
    opener: Sealer | None = None,
) -> BaseModel:
    """Rebuild an event from its stored JSON, upcasting an older ``class_version``.

    With an ``opener``, sealed personal text is opened (``[erased]`` once its key is
    destroyed); without one it is left sealed.
    """
    cls = cast(type[BaseModel], resolve_topic(topic))
    class_version = getattr(cls, "class_version", 1)
    sealed = opener is not None and _SEALED in state
    if class_version == 1 and not sealed and not state.startswith(_VERSIONED):
        return cls.model_validate_json(state)
    data: dict[str, Any] = orjson.loads(state)
    if sealed:
        assert opener is not None
        data = opener.open_document(data)
    from_version = data.pop("class_version", 1)
    while from_version < class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(data)
        from_version += 1
    data["originator_id"] = str(originator_id)
    data["originator_version"] = version
    return cls.model_validate_json(orjson.dumps(data))


class PydanticMapper(Mapper[UUID]):
    """eventsourcing's mapper for beatpolice events, sealing personal text (no compressor)."""

    keyring: Sealer | None = None
    """The station's keyring; set by the station when it opens (None: nothing sealed)."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """Encode a domain event for the store, its personal fields sealed."""
        state = encode_event(cast(BaseModel, domain_event), self.keyring)
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
        """Decode a stored event (upcasting it if it is of an older version), opened."""
        return self._decode(stored_event, self.keyring)

    def to_sealed_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Decode a stored event leaving its personal text sealed (for projections)."""
        return self._decode(stored_event, None)

    def _decode(
        self, stored_event: StoredEvent, opener: Sealer | None
    ) -> DomainEventProtocol[UUID]:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        event = decode_event(
            stored_event.topic,
            state,
            stored_event.originator_id,
            stored_event.originator_version,
            opener,
        )
        return cast(DomainEventProtocol[UUID], event)

"""The machinery shared by the three aggregates: base event, snapshot, clock and ids.

Events are frozen, strict pydantic models that eventsourcing can replay. Each carries:

- ``timestamp``: when the store recorded it (set by the clock, never by the caller);
- ``occurred_at`` (on field events): when it happened in the field, given by the caller;
- ``command``: the digest of the command that caused it, the idempotency key that lets
  a re-sent command be recognised after any number of replays, and the canonical,
  recording-time hash that appraisal fingerprints are built from.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, ClassVar, Self, cast
from uuid import UUID, uuid5

import orjson
from eventsourcing.domain import (  # _init_mentions_id: see CreatedEvent.mutate
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
    _init_mentions_id,
)
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter

__all__ = [
    "NAMESPACE",
    "CreatedEvent",
    "DomainEvent",
    "StationAggregate",
    "command_digest",
    "frozen_clock",
    "now",
    "short_digest",
    "stable_id",
]

NAMESPACE = UUID("6b1f3e0e-8f0a-5c53-9d0e-3c2a5b7e9a10")
"""Namespace of the deterministic aggregate ids (uuid5 of ``kind:key``)."""


@lru_cache(maxsize=4096)  # the officers, disputes and venues in use; not every record
def stable_id(kind: str, key: str) -> UUID:
    """The aggregate id of an officer (by badge), a dispute or a venue (by caller id)."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


_clock: ContextVar[Callable[[], datetime]] = ContextVar("beatpolice_clock", default=_utc_now)


def now() -> datetime:
    """The recording instant, from the clock in force (the wall clock by default)."""
    return _clock.get()()


@contextmanager
def frozen_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    """Record events with ``clock()`` as their recorded time (tests, imports of history)."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


def command_digest(kind: str, payload: dict[str, Any]) -> str:
    """The canonical digest of a command: sha256 over sorted-key JSON of its fields.

    Datetimes are reduced to the instant in UTC, so ``09:30+08:00`` and ``01:30Z`` are
    the same command.
    """
    body = orjson.dumps({"type": kind, **payload}, default=_canonical, option=_DIGEST_OPTIONS)
    return "sha256:" + hashlib.sha256(body).hexdigest()


_DIGEST_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return dict(vars(value))
    raise TypeError(type(value).__name__)


def short_digest(digest: str) -> str:
    """The last 64 bits of a command digest: what an aggregate remembers of a command.

    Snapshots of an officer with 10,000 commands stay small; two different commands on
    one aggregate share a short digest with a probability of about n²/2⁶⁵.
    """
    return digest[-16:]


class DomainEvent(BaseModel, CanMutateAggregate[UUID]):
    """Base of every beatpolice event: immutable, validated, replayable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    TOPIC: ClassVar[str]
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    command: str

    @staticmethod
    def create_timestamp() -> datetime:
        """The recorded time comes from the clock in force, so tests can fix it."""
        return now()

    def mutate(self, aggregate: Any) -> Any:
        """Apply the event, then remember the command that caused it."""
        mutated = super().mutate(aggregate)
        if mutated is not None:
            mutated._commands.add(short_digest(self.command))
        return mutated


class CreatedEvent(DomainEvent, CanInitAggregate[UUID]):
    """Base of the events that start an aggregate."""

    originator_topic: str

    def mutate(self, aggregate: Any) -> Any:
        """Build the aggregate this event starts.

        What eventsourcing's ``CanInitAggregate.mutate`` does, with the aggregate class
        and its ``__init__`` parameters looked up once per topic instead of by
        signature inspection at every event (a fifth of a created record's cost).
        """
        assert aggregate is None
        aggregate_class, parameters, takes_id = _init_plan(self.originator_topic)
        built: Any = aggregate_class.__new__(aggregate_class)
        built.__base_init__(self.originator_id, self.originator_version, self.timestamp)
        data = vars(self)
        arguments = {name: data[name] for name in parameters if name in data}
        if takes_id:
            arguments["id"] = self.originator_id
        built.__init__(**arguments)
        self.apply(built)
        built._commands.add(short_digest(self.command))
        return built


@lru_cache(maxsize=256)
def _init_plan(topic: str) -> tuple[Any, tuple[str, ...], bool]:
    """An aggregate class, the parameters of its ``__init__``, whether one is its id."""
    aggregate_class: Any = resolve_topic(topic)
    parameters = tuple(inspect.signature(aggregate_class.__init__).parameters)
    takes_id = aggregate_class in _init_mentions_id
    return aggregate_class, tuple(name for name in parameters if name != "self"), takes_id


class AggregateSnapshot(BaseModel, CanSnapshotAggregate[UUID]):
    """A snapshot: the aggregate's state as JSON-native data, typed by its ``State``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TOPIC: ClassVar[str]

    originator_id: UUID
    originator_version: int
    timestamp: AwareDatetime
    topic: str
    state: dict[str, Any]

    @staticmethod
    def create_timestamp() -> datetime:
        """Snapshots are stamped by the same clock as events."""
        return now()

    @classmethod
    def take(cls, aggregate: Any) -> Self:
        """Capture ``aggregate`` through its class's typed state adapter."""
        aggregate_cls = cast(type[StationAggregate], type(aggregate))
        state = {
            key: value
            for key, value in vars(aggregate).items()
            if key not in ("_id", "_version", "_pending_events")
        }
        dumped = aggregate_cls.state_adapter().dump_python(state, mode="json")
        if aggregate_cls.class_version > 1:
            dumped["class_version"] = aggregate_cls.class_version
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(aggregate_cls),
            state=dumped,
        )

    def mutate(self, _: Any) -> Any:
        """Rebuild the aggregate, upcasting an older state and restoring its types."""
        aggregate_cls = cast(type[StationAggregate], resolve_topic(self.topic))
        stored = dict(self.state)
        version = stored.pop("class_version", 1)
        while version < aggregate_cls.class_version:
            getattr(aggregate_cls, f"upcast_v{version}_v{version + 1}")(stored)
            version += 1
        state: dict[str, Any] = dict(aggregate_cls.state_adapter().validate_python(stored))
        state["_id"] = self.originator_id
        state["_version"] = self.originator_version
        state["_pending_events"] = []
        aggregate = object.__new__(aggregate_cls)
        object.__setattr__(aggregate, "__dict__", state)
        return aggregate


class StationAggregate(BaseAggregate[UUID]):
    """Base of Officer, Dispute and Venue: deterministic ids and typed snapshots."""

    TOPIC: ClassVar[str]
    State: ClassVar[type]
    """A TypedDict naming every attribute of the aggregate, for snapshots."""
    class_version: ClassVar[int] = 3
    """Version of ``State``; a snapshot of an older one is upcast when it is read."""

    _state_adapters: ClassVar[dict[type, TypeAdapter[Any]]] = {}

    class Event(DomainEvent):
        """Base of the aggregate's own events."""

    def __base_init__(
        self, originator_id: Any, originator_version: int, timestamp: datetime
    ) -> None:
        super().__base_init__(originator_id, originator_version, timestamp)
        self._commands: set[str] = set()

    @classmethod
    def state_adapter(cls) -> TypeAdapter[Any]:
        """The pydantic adapter that (de)serialises this aggregate's ``State``."""
        try:
            return cls._state_adapters[cls]
        except KeyError:
            adapter: TypeAdapter[Any] = TypeAdapter(cls.State)
            cls._state_adapters[cls] = adapter
            return adapter

    def has_seen(self, digest: str) -> bool:
        """Whether the command with this digest was already applied (a re-send)."""
        return short_digest(digest) in self._commands

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 2 remembers short command digests instead of whole ones."""
        state["_commands"] = [short_digest(digest) for digest in state["_commands"]]

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 3: an officer's records are aggregates of their own (ADR 0240), and
        a venue's findings carry ``found_at`` (optional: a version 2 finding is of
        unknown time, ADR 0206). Aggregates with more to change override this.
        """

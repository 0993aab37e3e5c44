"""Stored samples of every event class replay through the real mapper (schema evolution).

``tests/samples/events`` holds, per event class and class version, the exact bytes a
store held (written by ``tests/samples/make_samples.py``). A change to an event class
that can no longer read one of them, or a new class or version without a sample, fails
here: stored data must never be orphaned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

import beatpolice  # noqa: F401 - registers the snapshot topic
from beatpolice.adapters.store.mapper import JSONTranscoder, PydanticMapper
from beatpolice.domain import EVENT_CLASSES, Dispute, DomainEvent, Officer, Venue
from beatpolice.domain._base import AggregateSnapshot, StationAggregate

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EVENT_SAMPLES = sorted((SAMPLES / "events").glob("*.json"))
SNAPSHOT_SAMPLES = sorted((SAMPLES / "snapshots").glob("*.json"))


def _load(path: Path) -> tuple[dict[str, Any], StoredEvent]:
    sample = json.loads(path.read_text(encoding="utf-8"))
    stored = StoredEvent(
        originator_id=UUID(sample["originator_id"]),
        originator_version=sample["originator_version"],
        topic=sample["topic"],
        state=sample["state"].encode("utf-8"),
    )
    return sample, stored


@pytest.fixture
def mapper() -> PydanticMapper:
    """The mapper the station uses, without compression or encryption."""
    return PydanticMapper(transcoder=JSONTranscoder())


def test_every_event_class_has_a_sample_of_its_current_version() -> None:
    have = {path.name for path in EVENT_SAMPLES}
    missing = [
        f"{cls.TOPIC.split(':', 1)[1]}.v{cls.class_version}.json"
        for cls in EVENT_CLASSES
        if f"{cls.TOPIC.split(':', 1)[1]}.v{cls.class_version}.json" not in have
    ]
    assert missing == [], "run tests/samples/make_samples.py and commit the new samples"


def test_every_sample_names_a_known_event_class() -> None:
    topics = {cls.TOPIC for cls in EVENT_CLASSES}
    for path in EVENT_SAMPLES:
        sample, _ = _load(path)
        assert sample["topic"] in topics, path.name


@pytest.mark.parametrize("path", EVENT_SAMPLES, ids=[p.stem for p in EVENT_SAMPLES])
def test_stored_sample_decodes_and_re_encodes(path: Path, mapper: PydanticMapper) -> None:
    sample, stored = _load(path)

    event = mapper.to_domain_event(stored)

    assert isinstance(event, DomainEvent)
    assert get_topic(type(event)) == sample["topic"]
    assert event.originator_id == stored.originator_id
    assert event.originator_version == stored.originator_version
    again = mapper.to_stored_event(event)
    assert again.topic == stored.topic
    assert (again.originator_id, again.originator_version) == (
        stored.originator_id,
        stored.originator_version,
    )
    if sample["class_version"] == type(event).class_version:
        assert again.state == stored.state
    else:
        assert mapper.to_domain_event(again) == event


@pytest.mark.parametrize("path", SNAPSHOT_SAMPLES, ids=[p.stem for p in SNAPSHOT_SAMPLES])
def test_stored_snapshot_rebuilds_its_aggregate(path: Path, mapper: PydanticMapper) -> None:
    sample, stored = _load(path)

    snapshot = mapper.to_domain_event(stored)

    assert isinstance(snapshot, AggregateSnapshot)
    aggregate = snapshot.mutate(None)
    assert isinstance(aggregate, StationAggregate)
    assert type(aggregate).__name__ == sample["aggregate"]
    assert aggregate.version == stored.originator_version
    assert aggregate.has_seen(_first_command(stored))
    if sample.get("class_version", 1) == type(aggregate).class_version:
        again = mapper.to_stored_event(AggregateSnapshot.take(aggregate))
        state = orjson.loads(again.state)["state"]
        original = orjson.loads(stored.state)["state"]
        state["_commands"] = sorted(state["_commands"])
        original["_commands"] = sorted(original["_commands"])
        assert state == original


def _first_command(stored: StoredEvent) -> str:
    # version 1 snapshots kept whole digests, version 2 the last 16 hex digits;
    # has_seen takes a whole digest, so rebuild one that ends the same way
    remembered: str = sorted(orjson.loads(stored.state)["state"]["_commands"])[0]
    return "sha256:" + remembered.rjust(64, "0")[-64:]


def test_every_aggregate_has_a_snapshot_sample_of_its_current_version() -> None:
    have = {path.stem for path in SNAPSHOT_SAMPLES}
    wanted = {f"{cls.__name__}.v{cls.class_version}" for cls in (Officer, Dispute, Venue)}
    assert wanted <= have, "run tests/samples/make_samples.py and commit the new samples"

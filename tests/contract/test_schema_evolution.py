"""Upcasting: a v1 event stored in a real SQLite file is read as its v2 (and v3) class.

The event classes are defined here, under topics of their own, so the test does not
depend on any real event ever reaching version 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import uuid4

import orjson
import pytest
from contract_helpers import FIELD_TIME
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import register_topic

import beatpolice
from beatpolice.adapters.store.mapper import encode_event
from beatpolice.domain import DomainEvent


class NoteTakenV1(DomainEvent):
    """The event as version 1 of the code wrote it."""

    TOPIC: ClassVar[str] = "beatpolice-test:NoteTakenV1"
    text: str
    occurred_at: datetime


class NoteTaken(DomainEvent):
    """Version 2 added a required ``language``; v1 notes were all Chinese."""

    TOPIC: ClassVar[str] = "beatpolice-test:NoteTaken"
    class_version: ClassVar[int] = 2
    text: str
    occurred_at: datetime
    language: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Notes stored before v2 were written in Chinese."""
        state["language"] = "zh"


class NoteFiled(DomainEvent):
    """Version 3 renamed ``text`` to ``body`` after version 2 added ``language``."""

    TOPIC: ClassVar[str] = "beatpolice-test:NoteFiled"
    class_version: ClassVar[int] = 3
    body: str
    occurred_at: datetime
    language: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Notes stored before v2 were written in Chinese."""
        state["language"] = "zh"

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """``text`` became ``body``."""
        state["body"] = state.pop("text")


# Aggregates register their nested events' topics; free-standing classes register here.
for _cls in (NoteTakenV1, NoteTaken, NoteFiled):
    register_topic(_cls.TOPIC, _cls)


def _v1_bytes(originator_id: Any, version: int) -> bytes:
    return encode_event(
        NoteTakenV1(
            originator_id=originator_id,
            originator_version=version,
            timestamp=datetime.fromisoformat("2014-02-01T00:00:00+00:00"),
            command="sha256:" + "0" * 64,
            text="群众反映楼道灯坏了",
            occurred_at=FIELD_TIME,
        )
    )


@pytest.fixture
def sqlite_station(tmp_path: Path, clock: Callable[[], datetime]) -> beatpolice.Station:
    """A station on a real SQLite file."""
    return beatpolice.connect(f"sqlite:///{tmp_path / 'station.db'}", clock=clock)


def test_stored_v1_event_is_upcast_through_the_real_mapper_and_store(
    sqlite_station: beatpolice.Station, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    app: Any = sqlite_station._app
    originator = uuid4()
    v1 = _v1_bytes(originator, 1)
    assert b"class_version" not in v1
    assert b"language" not in v1
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=originator, originator_version=1, topic=NoteTaken.TOPIC, state=v1
            )
        ]
    )
    sqlite_station.close()

    with beatpolice.connect(f"sqlite:///{tmp_path / 'station.db'}", clock=clock) as reopened:
        [(_, event)] = list(reopened.events())

    assert isinstance(event, NoteTaken)
    assert event.language == "zh"
    assert event.text == "群众反映楼道灯坏了"
    assert event.occurred_at == FIELD_TIME
    assert event.originator_id == originator


def test_v2_event_is_stored_with_its_version_and_read_back(
    sqlite_station: beatpolice.Station,
) -> None:
    app: Any = sqlite_station._app
    event = NoteTaken(
        originator_id=uuid4(),
        originator_version=1,
        timestamp=datetime.fromisoformat("2014-02-01T00:00:00+00:00"),
        command="sha256:" + "1" * 64,
        text="note",
        occurred_at=FIELD_TIME,
        language="en",
    )
    stored = app.mapper.to_stored_event(event)
    assert orjson.loads(stored.state)["class_version"] == 2
    app.recorder.insert_events([stored])

    [(_, read)] = list(sqlite_station.events())

    assert read == event
    sqlite_station.close()


def test_upcasting_runs_every_step_from_the_stored_version(
    sqlite_station: beatpolice.Station,
) -> None:
    app: Any = sqlite_station._app
    v1_id, v2_id = uuid4(), uuid4()
    v2 = orjson.loads(_v1_bytes(v2_id, 1))
    v2.update(language="ug", class_version=2)
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=v1_id,
                originator_version=1,
                topic=NoteFiled.TOPIC,
                state=_v1_bytes(v1_id, 1),
            ),
            StoredEvent(
                originator_id=v2_id,
                originator_version=1,
                topic=NoteFiled.TOPIC,
                state=orjson.dumps(v2),
            ),
        ]
    )

    events = [event for _, event in sqlite_station.events()]

    assert [type(e) for e in events] == [NoteFiled, NoteFiled]
    assert [(e.body, e.language) for e in events] == [
        ("群众反映楼道灯坏了", "zh"),
        ("群众反映楼道灯坏了", "ug"),
    ]
    sqlite_station.close()

"""The project's ``Transcoder`` passes eventsourcing's own ``TranscoderTestCase``, whole.

eventsourcing's suite for its ``JSONTranscoder`` skips six of the fourteen tests (tuples
and subclasses of ``dict``, ``list``, ``str`` and ``int`` come back as their base type);
ours skips none. The subclass transcodings below are what the suite expects a caller
to register (the names ``mydict`` etc. are fixed by its expected bytes); the suite itself
registers nothing. Below it, what the station relies on: eventsourcing's application
registers its default transcodings (UUID, Decimal, datetime) on ours, the mapper
never hands it an event or a snapshot (the write path's speed is pydantic's), and what the
suite does not pin (unregistered subclasses are refused, not flattened; decoding a
document without tagged objects is a plain parse).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import (
    StoredEvent,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from eventsourcing.tests import persistence as peer
from eventsourcing.tests.persistence import (
    CustomType1AsDict,
    CustomType2AsDict,
    MyInt,
    MyList,
    MyStr,
)
from eventsourcing.tests.persistence import Mydict as MyDict
from eventsourcing.utils import get_topic

import beatpolice  # noqa: F401 - registers the snapshot topic
from beatpolice.adapters.store.mapper import JSONTranscoder, PydanticMapper

_SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLES = sorted(_SAMPLES.glob("events/*.json")) + sorted(_SAMPLES.glob("snapshots/*.json"))

BADGE_UUID = UUID("b2723fe2c01a40d2875ea3aac6a09ff5")


class MyDictAsDict(Transcoding):
    type = MyDict
    name = "mydict"

    def encode(self, obj: MyDict[Any, Any]) -> dict[Any, Any]:
        return dict(obj)

    def decode(self, data: dict[Any, Any]) -> MyDict[Any, Any]:
        return MyDict(data)


class MyListAsList(Transcoding):
    type = MyList
    name = "mylist"

    def encode(self, obj: MyList[Any]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> MyList[Any]:
        return MyList(data)


class MyStrAsStr(Transcoding):
    type = MyStr
    name = "mystr"

    def encode(self, obj: MyStr) -> str:
        return str(obj)

    def decode(self, data: str) -> MyStr:
        return MyStr(data)


class MyIntAsInt(Transcoding):
    type = MyInt
    name = "myint"

    def encode(self, obj: MyInt) -> int:
        return int(obj)

    def decode(self, data: int) -> MyInt:
        return MyInt(data)


def _registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (
        UUIDAsHex(),
        CustomType1AsDict(),
        CustomType2AsDict(),
        MyDictAsDict(),
        MyListAsList(),
        MyStrAsStr(),
        MyIntAsInt(),
    ):
        transcoder.register(transcoding)
    return transcoder


class TestBeatpoliceJSONTranscoder(peer.TranscoderTestCase):
    """All fourteen of eventsourcing's transcoder tests, none skipped."""

    def construct_transcoder(self) -> Transcoder:
        return _registered(JSONTranscoder())


def test_the_peer_suite_is_run_whole() -> None:
    ours, theirs = TestBeatpoliceJSONTranscoder, peer.TranscoderTestCase
    names = [name for name in dir(ours) if name.startswith("test_")]
    assert len(names) == 14
    for name in names:
        assert getattr(ours, name) is getattr(theirs, name)
        assert not getattr(getattr(ours, name), "__unittest_skip__", False)


def test_an_application_registers_its_default_transcodings_on_ours() -> None:
    app = Application[UUID](
        env={
            "TRANSCODER_TOPIC": get_topic(JSONTranscoder),
            "PERSISTENCE_MODULE": "eventsourcing.popo",
        }
    )
    transcoder = app.mapper.transcoder
    assert type(transcoder) is JSONTranscoder
    when = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    obj = {"id": BADGE_UUID, "when": when, "amount": Decimal("12.50"), "pair": (1, "a")}

    data = transcoder.encode(obj)

    assert data == (
        b'{"id":{"_type_":"uuid_hex","_data_":"b2723fe2c01a40d2875ea3aac6a09ff5"},'
        b'"when":{"_type_":"datetime_iso","_data_":"2025-03-01T09:30:00+00:00"},'
        b'"amount":{"_type_":"decimal_str","_data_":"12.50"},'
        b'"pair":{"_type_":"tuple_as_list","_data_":[1,"a"]}}'
    )
    assert transcoder.decode(data) == obj


@pytest.mark.parametrize(
    "obj",
    [MyStr("a"), {"k": [MyInt(1)]}, MyDict({"a": 1}), (MyList([1]),)],
    ids=["str", "nested-int", "dict", "list-in-tuple"],
)
def test_an_unregistered_subclass_is_refused_not_flattened(obj: Any) -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="is not serializable"):
        JSONTranscoder().encode(obj)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_a_float_json_cannot_hold_is_refused(number: float) -> None:
    with pytest.raises(ValueError, match="is not a JSON number"):
        JSONTranscoder().encode({"a": [number]})


def test_a_dict_key_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError):
        JSONTranscoder().encode({1: "a"})


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1,"b":[true,null,1.5,"x"]}',
        b'{"\\u005ftype_":"tuple_as_list","_data_":[1]}',
        b'[{"_type_":"tuple_as_list","_data_":[]},{"_type_":1}]',
    ],
    ids=["untagged", "escaped-tag", "tag-in-list"],
)
def test_decoding_matches_a_plain_parse_plus_tags(data: bytes) -> None:
    expected = json.loads(
        data, object_hook=lambda d: tuple(d["_data_"]) if set(d) == {"_type_", "_data_"} else d
    )
    assert JSONTranscoder().decode(data) == expected


class _Refusing(Transcoder):
    def encode(self, obj: Any) -> bytes:
        raise AssertionError("the event path called the transcoder")

    def decode(self, data: bytes) -> Any:
        raise AssertionError("the event path called the transcoder")


@pytest.mark.parametrize("path", SAMPLES, ids=[p.parent.name + "/" + p.stem for p in SAMPLES])
def test_events_and_snapshots_never_reach_the_transcoder(path: Path) -> None:
    sample = json.loads(path.read_text(encoding="utf-8"))
    stored = StoredEvent(
        originator_id=UUID(sample["originator_id"]),
        originator_version=sample["originator_version"],
        topic=sample["topic"],
        state=sample["state"].encode("utf-8"),
    )
    mapper = PydanticMapper(transcoder=_Refusing())

    again = mapper.to_stored_event(mapper.to_domain_event(stored))

    assert again.topic == stored.topic


def test_an_unknown_tag_is_refused_on_decode() -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="'custom_type3_as_dict'"):
        JSONTranscoder().decode(b'[{"_type_":"custom_type3_as_dict","_data_":""}]')

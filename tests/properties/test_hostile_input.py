"""No input can poison a store: arbitrary JSON through ``handle`` and ``ingest``.

Every value a station system (or a hostile user) can send is either recorded or
refused with a :class:`~beatpolice.BeatpoliceError`; nothing else escapes, and the
stored log is exactly what the accepted commands alone store, recorded on a fresh
station. The values are commands of every type with fields replaced by arbitrary
JSON: times at and beyond every bound (year 1, year 9999, -14:00 offsets), numbers for
strings, nested junk, control characters in field names and values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice.application.ingest import ingest_lines
from beatpolice.commands import COMMAND_TYPES
from beatpolice.testing import commands

CLOCK = datetime(2027, 1, 1, tzinfo=UTC)
"""The recording clock: after every field time :func:`beatpolice.testing.commands` draws."""

EXTREME_TIMES = (
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "1989-12-31T23:59:59+08:00",
    "1990-01-01T00:00:00+08:00",
    "1990-01-01T00:00:00+08:01",
    "2027-01-02T00:00:00Z",
    "2027-01-02T00:00:01Z",
    "2038-01-19T03:14:08Z",
    "2014-01-03T09:30:00",
    "2014-01-03",
    "2014-13-40T99:99:99+08:00",
    "0000-00-00T00:00:00Z",
)
NASTY_TEXT = (
    "\u001b[2K\rlegacy.jsonl:1: fine\n",
    "\x00",
    "\ud800",
    "\u202e",
    "A" * 70,
    " ",
    "D0001",
    "DSP1",
    "VEN1",
    "V1",
    "F1",
    "9999-12",
    "0000-01",
    "2014-01",
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(EXTREME_TIMES)
    | st.sampled_from(NASTY_TEXT)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)

REFERENCES = {
    "officer": ("D0001", "D0002"),
    "dispute": ("DSP1",),
    "venue": ("VEN1",),
    "visit": ("V1",),
    "record": ("V1", "L1"),
    "finding": ("F1",),
}


@st.composite
def hostile_values(draw: st.DrawFn) -> Any:
    """A command of any type, mutated; sometimes not a command at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    kind = draw(st.sampled_from(sorted(COMMAND_TYPES)))
    value: dict[str, Any] = draw(commands(kind)).model_dump(mode="json")
    for field, known in REFERENCES.items():
        # name the records the station knows, so that many commands are accepted
        if field in value and draw(st.booleans()):
            value[field] = draw(st.sampled_from(known))
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from([*sorted(value), "occurred_at", "extra", "\u001b[2K"]))
        value[field] = draw(json_values | st.sampled_from(EXTREME_TIMES))
    return value


SETUP: tuple[dict[str, Any], ...] = (
    {
        "type": "enlist_officer",
        "badge": "D0001",
        "name": "薛翠翠",
        "station": "德州",
        "beat": "一区",
    },
    {
        "type": "open_dispute",
        "id": "DSP1",
        "officer": "D0001",
        "category": "邻里纠纷",
        "parties": ["王某洪", "王某文"],
        "occurred_at": "2014-01-05T09:00:00+08:00",
    },
    {
        "type": "register_venue",
        "id": "VEN1",
        "name": "网吧",
        "category": "internet_cafe",
        "address": "新湖大街",
        "officer": "D0001",
        "occurred_at": "2014-01-02T09:00:00+08:00",
    },
    {
        "type": "record_visit",
        "id": "V1",
        "officer": "D0001",
        "household": "H1",
        "occurred_at": "2014-01-06T09:00:00+08:00",
        "people_match_register": True,
    },
    {
        "type": "inspect_venue",
        "venue": "VEN1",
        "officer": "D0001",
        "mode": "routine",
        "occurred_at": "2014-01-07T09:00:00+08:00",
        "findings": [
            {"id": "F1", "code": "ID-03", "description": "未实名", "rectify_by": "2014-01-20"}
        ],
    },
)


def _station() -> beatpolice.Station:
    station = beatpolice.connect("memory://", clock=lambda: CLOCK)
    for command in SETUP:
        station.handle(command)
    return station


Entry = tuple[str, str, int, bytes]


def _log(station: beatpolice.Station) -> list[Entry]:
    # the events as read back: their stored bytes differ from store to store, since
    # personal text is sealed under fresh nonces (ADR 0702)
    return [
        (
            event.TOPIC,
            str(event.originator_id),
            event.originator_version,
            orjson.dumps(event.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS),
        )
        for _, event in station.events()
    ]


def _by_aggregate(log: list[Entry]) -> list[Entry]:
    return sorted(log, key=lambda row: (row[1], row[2]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(hostile_values(), max_size=8))
def test_handle_records_or_refuses_and_nothing_else(values: list[Any]) -> None:
    accepted: list[Any] = []
    refusals: list[str] = []
    with _station() as station:
        for value in values:
            try:
                station.handle(value)
            except beatpolice.BeatpoliceError as error:
                refusals.append(str(error))
            else:
                accepted.append(value)
        stored = _log(station)
    assert all(refusals)  # every refusal says why
    with _station() as again:
        for value in accepted:
            again.handle(value)
        assert _log(again) == stored


def _lines(values: list[Any], junk: list[bytes]) -> Iterator[bytes]:
    for index, value in enumerate(values):
        yield orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS) if _dumpable(value) else b"{"
        if index < len(junk):
            yield junk[index]


def _dumpable(value: Any) -> bool:
    try:
        orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return False  # lone surrogates and integers beyond 64 bits have no JSON here
    return True


junk_lines = st.lists(
    st.binary(max_size=40)
    .filter(lambda line: b"\n" not in line)
    .map(lambda line: line if line.strip() else b"x")
    | st.sampled_from([b"[" * 5000, b"\xef\xbb\xbf{}", b"\xff\xfe", b"null", b"1e999"]),
    max_size=3,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(hostile_values(), max_size=10), junk=junk_lines, size=st.integers(1, 4))
def test_ingest_decides_every_line_and_stores_only_the_accepted_ones(
    values: list[Any], junk: list[bytes], size: int
) -> None:
    lines = list(_lines(values, junk))
    refused: list[int] = []
    with _station() as station:
        report = ingest_lines(
            station, lines, batch_size=size, on_refused=lambda r: refused.append(r.line)
        )
        stored = _log(station)
    assert report.lines == len(lines)
    assert report.recorded + report.resent + len(refused) == report.lines
    assert refused == sorted(refused)
    kept = [line for number, line in enumerate(lines, start=1) if number not in set(refused)]
    with _station() as again:
        replay = ingest_lines(again, kept, batch_size=size)
        # a batch is saved aggregate by aggregate, and without the refused lines the
        # batches fall differently: each aggregate's history is what must be equal
        assert _by_aggregate(_log(again)) == _by_aggregate(stored)
    assert replay.ok


@pytest.mark.parametrize(
    "value",
    [
        {**SETUP[3], "id": "V9", "occurred_at": "9999-12-31T23:59:59.999999Z"},
        {**SETUP[3], "id": "V9", "occurred_at": "0001-01-01T00:00:00+08:00"},
        {**SETUP[3], "id": "V9", "occurred_at": "9999-12-31T23:59:59-14:00"},
        {**SETUP[3], "id": "V9", "occurred_at": "1989-12-31T23:59:59+08:00"},
        {**SETUP[3], "id": "V9", "occurred_at": "2027-01-02T00:00:00.000001Z"},
        {**SETUP[1], "id": "DSP9", "occurred_at": "9999-12-31T00:00:00Z"},
    ],
    ids=["year-9999", "year-1", "year-9999-minus-14", "1989", "just-past-tolerance", "dispute"],
)
def test_field_time_out_of_range_is_refused_naming_the_field(value: dict[str, Any]) -> None:
    with _station() as station:
        before = _log(station)
        with pytest.raises(beatpolice.FieldTimeError) as refused:
            station.handle(value)
        assert refused.value.field == "occurred_at"
        assert str(refused.value).startswith("occurred_at: ")
        assert _log(station) == before


def test_the_tolerance_is_a_station_setting() -> None:
    late = {**SETUP[3], "id": "V9", "occurred_at": "2027-01-03T00:00:00Z"}
    with _station() as station, pytest.raises(beatpolice.FieldTimeError):
        station.handle(late)
    wider = beatpolice.connect("memory://", clock=lambda: CLOCK, tolerance=timedelta(days=3))
    with wider:
        for command in SETUP:
            wider.handle(command)
        assert wider.handle(late).events == 1

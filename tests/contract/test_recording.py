"""The station's behaviour on every backend: recording, re-sends, id conflicts, batches.

Each test runs against memory, SQLite and PostgreSQL (the ``station`` fixture), and
compares the raw stored log (topic, originator, version, state bytes) rather than
what the station says it did.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from contract_helpers import BADGE, FIELD_TIME, enlist, every_command, stored_events

import beatpolice
from beatpolice import IdConflictError, commands
from beatpolice.domain import EVENT_CLASSES, DomainEvent, RecordRetracted


def _python_kwargs(command: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the Python face: real datetimes, dates and tuples."""
    model = commands.validate_command(command)
    return model.model_dump(exclude={"type"})


def _record_all(station: beatpolice.Station, face: str) -> list[beatpolice.Receipt]:
    receipts = []
    for command in every_command():
        if face == "python":
            method = getattr(station, command["type"])
            receipts.append(method(**_python_kwargs(command)))
        elif face == "dict":
            receipts.append(station.handle(command))
        else:
            receipts.append(station.handle(commands.parse_command(json.dumps(command))))
    return receipts


@pytest.mark.parametrize("face", ["python", "dict", "json"])
def test_every_command_is_recorded_identically_through_each_face(
    station: beatpolice.Station, face: str, clock: Any
) -> None:
    receipts = _record_all(station, face)

    assert all(receipt.events >= 1 for receipt in receipts)
    log = stored_events(station)
    assert len(log) == sum(receipt.events for receipt in receipts)
    assert {topic for topic, *_ in log} == {cls.TOPIC for cls in EVENT_CLASSES}
    with beatpolice.connect("memory://", clock=clock) as reference:
        _record_all(reference, "dict")
        assert log == stored_events(reference)


def test_recorded_events_keep_field_time_apart_from_recorded_time(
    station: beatpolice.Station,
) -> None:
    _record_all(station, "dict")

    events = [event for _, event in station.events()]
    field_events = [event for event in events if hasattr(event, "occurred_at")]
    assert field_events
    for event in events:
        assert event.timestamp == datetime(2014, 2, 1, tzinfo=UTC)
    visit = next(e for e in events if type(e).__name__ == "VisitRecorded")
    assert visit.occurred_at == FIELD_TIME
    assert visit.occurred_at.utcoffset() == FIELD_TIME.utcoffset()


def test_events_are_numbered_in_recording_order(station: beatpolice.Station) -> None:
    _record_all(station, "dict")

    numbers = [number for number, _ in station.events(page=7)]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(set(numbers)) == len(stored_events(station))
    assert [n for n, _ in station.events(start=numbers[5], page=3)] == numbers[5:]


def test_exact_resend_of_every_command_records_nothing(station: beatpolice.Station) -> None:
    first = _record_all(station, "dict")
    before = stored_events(station)

    again = _record_all(station, "dict")

    assert [receipt.events for receipt in again] == [0] * len(again)
    assert all(receipt.duplicate for receipt in again)
    assert [r.digest for r in again] == [r.digest for r in first]
    assert stored_events(station) == before


def test_resend_as_json_with_same_instant_in_another_offset_records_nothing(
    station: beatpolice.Station,
) -> None:
    _record_all(station, "dict")
    before = stored_events(station)

    for command in every_command():
        moved = dict(command)
        if "occurred_at" in moved:
            instant = datetime.fromisoformat(moved["occurred_at"]).astimezone(UTC)
            moved["occurred_at"] = instant.isoformat().replace("+00:00", "Z")
        receipt = station.handle(commands.parse_command(orjson.dumps(moved)))
        assert receipt.events == 0, command["type"]

    assert stored_events(station) == before


def test_resend_through_the_python_face_after_json_records_nothing(
    station: beatpolice.Station,
) -> None:
    _record_all(station, "json")
    before = stored_events(station)

    receipts = _record_all(station, "python")

    assert sum(receipt.events for receipt in receipts) == 0
    assert stored_events(station) == before


CONFLICTS: list[tuple[str, dict[str, Any]]] = [
    ("enlist_officer", {"name": "王五"}),
    ("record_visit", {"household": "H9"}),
    ("record_visit", {"occurred_at": "2014-01-03T09:31:00+08:00"}),
    ("follow_up_visit", {"satisfied": False}),
    ("report_lead", {"summary": "另一条线索"}),
    ("record_service", {"acknowledged": False}),
    ("open_dispute", {"category": "停车纠纷"}),
    ("register_venue", {"address": "德州市德城区东风路2号"}),
]


@pytest.mark.parametrize(
    ("kind", "change"), CONFLICTS, ids=[f"{k}-{next(iter(c))}" for k, c in CONFLICTS]
)
def test_same_id_with_other_content_is_refused(
    station: beatpolice.Station, kind: str, change: dict[str, Any]
) -> None:
    _record_all(station, "dict")
    before = stored_events(station)
    original = next(command for command in every_command() if command["type"] == kind)

    with pytest.raises(IdConflictError) as refused:
        station.handle({**original, **change})

    assert refused.value.field in {"badge", "id", "visit"}
    assert str(refused.value).startswith(f"{refused.value.field}: ")
    assert stored_events(station) == before


def test_record_id_reused_for_another_kind_of_record_is_refused(
    station: beatpolice.Station,
) -> None:
    _record_all(station, "dict")
    before = stored_events(station)

    with pytest.raises(IdConflictError, match="V1"):
        station.report_lead(
            id="V1", officer=BADGE, kind="information", occurred_at=FIELD_TIME, summary="x"
        )
    assert stored_events(station) == before


def test_finding_id_reused_in_a_later_inspection_is_refused(station: beatpolice.Station) -> None:
    _record_all(station, "dict")
    before = stored_events(station)

    with pytest.raises(IdConflictError, match="F1"):
        station.inspect_venue(
            venue="VEN1",
            officer=BADGE,
            mode="routine",
            occurred_at=FIELD_TIME,
            findings=[
                {"id": "F1", "code": "other", "description": "其他", "rectify_by": "2014-03-01"}
            ],
        )
    assert stored_events(station) == before


def test_chinese_text_round_trips_exactly(station: beatpolice.Station) -> None:
    # Traditional and simplified forms, a supplementary-plane character (𠮷), full-width
    # punctuation and a decomposed accent are all kept exactly as sent, never normalised.
    name = "𠮷田　薛翠翠（臺灣）"
    address = "德州市德城区新湖大街１号，e\u0301"
    station.enlist_officer(badge=BADGE, name=name, station="德州市公安局新湖派出所", beat="一区")
    station.register_venue(
        id="VEN1",
        name="如家快捷酒店",
        category="hotel",
        address=address,
        officer=BADGE,
        occurred_at=FIELD_TIME,
    )

    assert station.officer(BADGE).name == name
    assert station.venue("VEN1").address == address
    events = [event for _, event in station.events()]
    assert events[0].name == name
    assert events[1].address == address
    states = [orjson.loads(state) for *_, state in stored_events(station)]
    assert states[0]["name"] == name
    assert states[1]["address"] == address


def test_retraction_is_an_event_and_deletes_nothing(station: beatpolice.Station) -> None:
    enlist(station)
    station.record_visit(
        id="V1", officer=BADGE, household="H1", occurred_at=FIELD_TIME, people_match_register=True
    )
    before = stored_events(station)

    receipt = station.retract_record(
        record="V1", officer=BADGE, reason="录入错误", occurred_at=FIELD_TIME
    )

    after = stored_events(station)
    assert receipt.events == 1
    assert after[: len(before)] == before
    assert [topic for topic, *_ in after[len(before) :]] == [RecordRetracted.TOPIC]
    retraction = [event for _, event in station.events()][-1]
    assert isinstance(retraction, RecordRetracted)
    assert (retraction.record, retraction.record_kind) == ("V1", "visit")
    assert station.record(BADGE, "V1").retracted


def test_retracted_record_refuses_a_second_retraction_and_a_follow_up(
    station: beatpolice.Station,
) -> None:
    _record_all(station, "dict")
    before = stored_events(station)

    with pytest.raises(beatpolice.RuleViolationError, match="retracted"):
        station.retract_record(record="V2", officer=BADGE, reason="再撤回", occurred_at=FIELD_TIME)
    with pytest.raises(beatpolice.RuleViolationError, match="retracted"):
        station.follow_up_visit(visit="V2", officer=BADGE, occurred_at=FIELD_TIME, satisfied=True)
    assert stored_events(station) == before


def test_batch_records_the_good_commands_and_none_of_the_refused(
    station: beatpolice.Station,
) -> None:
    good = every_command()
    refused = [
        {**good[2], "officer": "NOBODY"},
        {**good[3], "visit": "NEVER"},
        {**good[16], "finding": "NEVER"},
        {**good[6], "household": "H9"},  # V2 conflicts with the V2 recorded just before it
    ]
    batch = [*good[:3], refused[0], *good[3:7], refused[1], refused[3], *good[7:], refused[2]]

    outcomes = station.handle_batch(commands.validate_command(c) for c in batch)

    errors = [o for o in outcomes if isinstance(o, beatpolice.BeatpoliceError)]
    expected: list[type[beatpolice.BeatpoliceError]] = [
        beatpolice.UnknownOfficerError,
        beatpolice.UnknownRecordError,
        IdConflictError,
        beatpolice.UnknownRecordError,
    ]
    assert [type(e) for e in errors] == expected
    receipts = [o for o in outcomes if isinstance(o, beatpolice.Receipt)]
    assert len(receipts) == len(good)
    with beatpolice.connect("memory://", clock=lambda: datetime(2014, 2, 1, tzinfo=UTC)) as ref:
        for command in good:
            ref.handle(command)
        assert stored_events(station) == stored_events(ref)


def test_batch_with_only_refused_commands_changes_nothing(station: beatpolice.Station) -> None:
    enlist(station)
    before = stored_events(station)
    bad = every_command()[2]

    outcomes = station.handle_batch(
        [commands.validate_command({**bad, "officer": "NOBODY"}) for _ in range(3)]
    )

    assert all(isinstance(o, beatpolice.UnknownOfficerError) for o in outcomes)
    assert stored_events(station) == before


def test_batch_recognises_a_command_repeated_within_it(station: beatpolice.Station) -> None:
    command = commands.validate_command(every_command()[0])

    outcomes = station.handle_batch([command, command])

    assert [o.events for o in outcomes if isinstance(o, beatpolice.Receipt)] == [1, 0]
    assert len(stored_events(station)) == 1


def test_events_decode_to_the_domain_classes(station: beatpolice.Station) -> None:
    _record_all(station, "dict")

    for _, event in station.events():
        assert isinstance(event, DomainEvent)
        assert type(event) in EVENT_CLASSES


@pytest.mark.parametrize("failure", ["refusal", "defect"])
def test_a_handler_failing_after_triggering_an_event_refuses_that_command_only(
    station: beatpolice.Station, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from beatpolice import UnknownRecordError
    from beatpolice.application import handlers as _handlers

    station.enlist_officer(badge="D9", name="薛翠翠", station="德州", beat="一区")
    before = stored_events(station)
    record_visit = _handlers.HANDLERS[commands.RecordVisit]

    def half_then_fail(policy: Any, uow: Any, cmd: Any, digest: str) -> int:
        record_visit(policy, uow, cmd, digest)
        if failure == "refusal":
            raise UnknownRecordError("X", field="record")
        raise KeyError("a defect in a handler")

    monkeypatch.setitem(_handlers.HANDLERS, commands.RecordVisit, half_then_fail)
    good = commands.EnlistOfficer(badge="D10", name="林凡", station="德州", beat="二区")
    bad = commands.RecordVisit(
        id="V1",
        officer="D9",
        household="H1",
        occurred_at=FIELD_TIME,
        people_match_register=True,
    )
    also_good = commands.EnlistOfficer(badge="D11", name="林一", station="德州", beat="三区")

    outcomes = station.handle_batch([good, bad, also_good])

    expected = UnknownRecordError if failure == "refusal" else beatpolice.CommandFailedError
    assert [type(outcome) for outcome in outcomes] == [
        beatpolice.Receipt,
        expected,
        beatpolice.Receipt,
    ]
    with beatpolice.connect("memory://", clock=lambda: datetime(2014, 2, 1, tzinfo=UTC)) as ref:
        ref.enlist_officer(badge="D9", name="薛翠翠", station="德州", beat="一区")
        ref.handle_batch([good, also_good])
        assert stored_events(station) == stored_events(ref)
    assert stored_events(station)[: len(before)] == before
    monkeypatch.undo()
    assert station.handle(bad).events == 1  # the station's cache was not left half-changed

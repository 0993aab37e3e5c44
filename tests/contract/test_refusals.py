"""Every refusal of issue 2, item 4: one error from our tree, naming field and rule.

Each bad command is sent after a full station month has been recorded, through the
JSON face (``parse_command`` and ``handle``) and, where Python can express it, the
keyword face; the full stored log must be the same afterwards.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from contract_helpers import BADGE, FIELD_TIME, every_command, stored_events

import beatpolice
from beatpolice import (
    BeatpoliceError,
    InvalidCommandError,
    UnknownDisputeError,
    UnknownOfficerError,
    UnknownRecordError,
    UnknownVenueError,
    commands,
)


def _base(kind: str) -> dict[str, Any]:
    return next(command for command in every_command() if command["type"] == kind)


def _bad(command_type: str, /, **change: Any) -> dict[str, Any]:
    command = {**_base(command_type), **change}
    return {key: value for key, value in command.items() if value is not _DROP}


_DROP = object()
_NAIVE = "2014-01-03T09:30:00"

# (id, bad command, expected error class, field it names, words of the rule it names)
REFUSALS: list[tuple[str, dict[str, Any], type[BeatpoliceError], str, str]] = [
    (
        "naive-time",
        _bad("record_visit", id="V9", occurred_at=_NAIVE),
        InvalidCommandError,
        "occurred_at",
        "timezone",
    ),
    (
        "bare-date",
        _bad("report_lead", id="L9", occurred_at="2014-01-03"),
        InvalidCommandError,
        "occurred_at",
        "offset",
    ),
    (
        "numeric-time",
        _bad("report_lead", id="L9", occurred_at=1388712600),
        InvalidCommandError,
        "occurred_at",
        "ISO 8601",
    ),
    (
        "unknown-officer",
        _bad("record_visit", id="V9", officer="D9999"),
        UnknownOfficerError,
        "officer",
        "unknown officer",
    ),
    (
        "unknown-officer-on-venue",
        _bad("register_venue", id="VEN9", officer="D9999"),
        UnknownOfficerError,
        "officer",
        "unknown officer",
    ),
    (
        "unknown-dispute",
        _bad("escalate_dispute", dispute="NODISPUTE"),
        UnknownDisputeError,
        "dispute",
        "unknown dispute",
    ),
    (
        "unknown-venue",
        _bad("inspect_venue", venue="NOVENUE"),
        UnknownVenueError,
        "venue",
        "unknown venue",
    ),
    (
        "unknown-lead-kind",
        _bad("report_lead", id="L9", kind="rumour"),
        InvalidCommandError,
        "kind",
        "criminal_lead",
    ),
    (
        "unknown-venue-category",
        _bad("register_venue", id="VEN9", category="casino"),
        InvalidCommandError,
        "category",
        "hotel",
    ),
    (
        "unknown-mode",
        _bad("inspect_venue", mode="drive_by"),
        InvalidCommandError,
        "mode",
        "spot_check",
    ),
    (
        "unknown-level",
        _bad("escalate_dispute", to_level="purple"),
        InvalidCommandError,
        "to_level",
        "yellow",
    ),
    (
        "unknown-role",
        _bad("mediate_dispute", participants=["judge"]),
        InvalidCommandError,
        "participants.0",
        "lawyer",
    ),
    (
        "unknown-outcome",
        _bad("mediate_dispute", outcome="maybe"),
        InvalidCommandError,
        "outcome",
        "resolved",
    ),
    (
        "extra-field",
        _bad("record_visit", id="V9", colour="red"),
        InvalidCommandError,
        "colour",
        "not a field",
    ),
    (
        "extra-field-in-finding",
        _bad(
            "inspect_venue",
            findings=[
                {"id": "F9", "code": "c", "description": "d", "rectify_by": "2014-02-01", "x": 1}
            ],
        ),
        InvalidCommandError,
        "findings.0.x",
        "not a field",
    ),
    (
        "missing-field",
        _bad("record_visit", id="V9", people_match_register=_DROP),
        InvalidCommandError,
        "people_match_register",
        "required",
    ),
    (
        "unknown-command",
        {"type": "promote_officer", "badge": BADGE},
        InvalidCommandError,
        "type",
        "unknown command type",
    ),
    (
        "empty-name",
        _bad("enlist_officer", badge="D0002", name=""),
        InvalidCommandError,
        "name",
        "empty",
    ),
    (
        "blank-name",
        _bad("enlist_officer", badge="D0002", name="   "),
        InvalidCommandError,
        "name",
        "blank",
    ),
    ("empty-id", _bad("record_visit", id=""), InvalidCommandError, "id", "at least 1"),
    (
        "empty-summary",
        _bad("report_lead", id="L9", summary=""),
        InvalidCommandError,
        "summary",
        "empty",
    ),
    (
        "over-long-name",
        _bad("enlist_officer", badge="D0002", name="薛" * 101),
        InvalidCommandError,
        "name",
        "at most 100",
    ),
    (
        "over-long-summary",
        _bad("report_lead", id="L9", summary="线" * 501),
        InvalidCommandError,
        "summary",
        "at most 500",
    ),
    (
        "over-long-notes",
        _bad("record_visit", id="V9", notes="记" * 5001),
        InvalidCommandError,
        "notes",
        "at most 5000",
    ),
    ("over-long-id", _bad("record_visit", id="V" * 65), InvalidCommandError, "id", "at most 64"),
    (
        "zero-width-name",
        _bad("enlist_officer", badge="D0002", name="薛\u200b翠翠"),
        InvalidCommandError,
        "name",
        "zero-width",
    ),
    (
        "bidi-override-address",
        _bad("register_venue", id="VEN9", address="德州\u202e1号"),
        InvalidCommandError,
        "address",
        "zero-width",
    ),
    (
        "control-char-name",
        _bad("enlist_officer", badge="D0002", name="薛\x07翠翠"),
        InvalidCommandError,
        "name",
        "control",
    ),
    (
        "newline-in-name",
        _bad("enlist_officer", badge="D0002", name="薛\n翠翠"),
        InvalidCommandError,
        "name",
        "single line",
    ),
    (
        "zero-width-party",
        _bad("open_dispute", id="DSP9", parties=["张三", "李\ufeff四"]),
        InvalidCommandError,
        "parties.1",
        "zero-width",
    ),
    (
        "one-party",
        _bad("open_dispute", id="DSP9", parties=["张三"]),
        InvalidCommandError,
        "parties",
        "at least 2",
    ),
    ("bad-month", _bad("plan_visits", month="2014-13"), InvalidCommandError, "month", "pattern"),
    (
        "string-bool",
        _bad("record_visit", id="V9", people_match_register="yes"),
        InvalidCommandError,
        "people_match_register",
        "boolean",
    ),
    (
        "follow-up-of-unknown-visit",
        _bad("follow_up_visit", visit="V404"),
        UnknownRecordError,
        "visit",
        "unknown record",
    ),
    (
        "follow-up-of-a-lead",
        _bad("follow_up_visit", visit="L1"),
        UnknownRecordError,
        "visit",
        "no visit",
    ),
    (
        "retract-unknown-record",
        _bad("retract_record", record="X404"),
        UnknownRecordError,
        "record",
        "unknown record",
    ),
    (
        "verify-finding-never-found",
        _bad("verify_rectification", finding="F404"),
        UnknownRecordError,
        "finding",
        "never found",
    ),
]


@pytest.fixture(scope="module")
def recorded(module_station: beatpolice.Station) -> beatpolice.Station:
    """A station with a full month recorded (every command once), shared by the module.

    Sharing is sound because every test here asserts that the log did not change.
    """
    for command in every_command():
        module_station.handle(command)
    return module_station


@pytest.mark.parametrize(
    ("command", "error", "field", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_bad_command_is_refused_with_one_error_naming_field_and_rule(
    recorded: beatpolice.Station,
    command: dict[str, Any],
    error: type[BeatpoliceError],
    field: str,
    rule: str,
) -> None:
    before = stored_events(recorded)

    with pytest.raises(BeatpoliceError) as refused:
        recorded.handle(commands.parse_command(json.dumps(command)))

    assert type(refused.value) is error
    assert refused.value.field == field  # type: ignore[attr-defined]
    message = str(refused.value)
    assert field in message
    assert rule.lower() in message.lower()
    assert refused.value.rule  # type: ignore[attr-defined]
    assert "\n" not in message
    assert stored_events(recorded) == before
    if command["type"] in commands.COMMAND_TYPES:
        with pytest.raises(error) as as_mapping:
            recorded.handle(command)
        assert str(as_mapping.value) == message
        assert stored_events(recorded) == before


def test_naive_datetime_is_refused_through_the_python_face(
    recorded: beatpolice.Station,
) -> None:
    before = stored_events(recorded)

    with pytest.raises(InvalidCommandError) as refused:
        recorded.record_visit(
            id="V9",
            officer=BADGE,
            household="H1",
            occurred_at=datetime(2014, 1, 3, 9, 30),
            people_match_register=True,
        )

    assert refused.value.field == "occurred_at"
    assert "timezone" in refused.value.rule
    assert stored_events(recorded) == before


def test_unknown_enum_is_refused_through_the_python_face(recorded: beatpolice.Station) -> None:
    before = stored_events(recorded)

    with pytest.raises(InvalidCommandError) as refused:
        recorded.report_lead(
            id="L9", officer=BADGE, kind="gossip", occurred_at=FIELD_TIME, summary="x"
        )

    assert refused.value.field == "kind"
    assert stored_events(recorded) == before


def test_several_problems_still_give_one_error(recorded: beatpolice.Station) -> None:
    command = _bad("record_visit", id="", household="", occurred_at=_NAIVE, colour="red")

    with pytest.raises(InvalidCommandError) as refused:
        recorded.handle(command)

    assert "more problems" in str(refused.value)


def test_unknown_officer_is_refused_before_anything_on_a_new_station(
    station: beatpolice.Station,
) -> None:
    with pytest.raises(UnknownOfficerError) as refused:
        station.handle(_base("record_visit"))

    assert refused.value.field == "officer"
    assert stored_events(station) == []


def test_verification_after_rectification_is_refused(recorded: beatpolice.Station) -> None:
    before = stored_events(recorded)

    with pytest.raises(beatpolice.RuleViolationError, match="already verified"):
        recorded.verify_rectification(
            venue="VEN1", finding="F1", officer=BADGE, passed=False, occurred_at=FIELD_TIME
        )

    assert stored_events(recorded) == before

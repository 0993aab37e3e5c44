"""The commands of the rest of an officer's day (0.2) on every backend.

Transfers, information, patrol plans and patrols, outreach, meetings, requests and
their answers, fraud-risk assessments, surveys and commendations: each recorded through
the three faces, re-sent, conflicting, and refused naming field and rule, leaving the
stored log unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from contract_helpers import BADGE, FIELD_TIME, enlist, stored_events
from day_helpers import SECOND, day_commands

import beatpolice
from beatpolice import commands
from beatpolice.domain import (
    FraudRiskAssessed,
    InformationCollected,
    OfficerTransferred,
    PatrolCompleted,
    RequestAnswered,
)

DAY_TOPICS = {
    "beatpolice:InformationCollected",
    "beatpolice:PatrolsPlanned",
    "beatpolice:PatrolCompleted",
    "beatpolice:OutreachHeld",
    "beatpolice:MeetingHeld",
    "beatpolice:RequestReceived",
    "beatpolice:RequestAnswered",
    "beatpolice:FraudRiskAssessed",
    "beatpolice:SurveyRecorded",
    "beatpolice:CommendationReceived",
    "beatpolice:OfficerTransferred",
}


def _record(station: beatpolice.Station, face: str) -> list[beatpolice.Receipt]:
    enlist(station)
    receipts = []
    for command in day_commands():
        if face == "python":
            kwargs = commands.validate_command(command).model_dump(exclude={"type"})
            receipts.append(getattr(station, command["type"])(**kwargs))
        elif face == "dict":
            receipts.append(station.handle(command))
        else:
            receipts.append(station.handle(commands.parse_command(json.dumps(command))))
    return receipts


def _events(station: beatpolice.Station) -> list[Any]:
    return [event for _, event in station.events()]


@pytest.mark.parametrize("face", ["python", "dict", "json"])
def test_every_day_command_is_recorded_identically_through_each_face(
    station: beatpolice.Station, face: str, clock: Callable[[], datetime]
) -> None:
    receipts = _record(station, face)

    assert all(receipt.events == 1 for receipt in receipts)
    log = stored_events(station)
    assert {topic for topic, *_ in log} >= DAY_TOPICS
    with beatpolice.connect("memory://", clock=clock) as reference:
        _record(reference, "dict")
        assert log == stored_events(reference)


def test_a_resent_day_command_records_nothing(station: beatpolice.Station) -> None:
    _record(station, "dict")
    before = stored_events(station)

    again = [station.handle(command) for command in day_commands()[:-3]]

    assert all(receipt.duplicate for receipt in again)
    assert stored_events(station) == before


@pytest.mark.parametrize(
    ("index", "change"),
    [
        (0, {"summary": "另一条信息"}),
        (1, {"mode": "vehicle"}),
        (2, {"reach": 1}),
        (3, {"attendees": 2}),
        (4, {"channel": "hotline"}),
        (6, {"features": ["PA01"]}),
        (7, {"positive": 1}),
        (8, {"kind": "letter"}),
    ],
)
def test_the_same_id_with_other_content_is_refused(
    station: beatpolice.Station, index: int, change: dict[str, Any]
) -> None:
    _record(station, "dict")
    before = stored_events(station)

    with pytest.raises(beatpolice.IdConflictError) as refusal:
        station.handle({**day_commands()[index], **change})

    assert refusal.value.field == "id"
    assert stored_events(station) == before


def test_day_record_ids_are_shared_across_the_new_kinds(station: beatpolice.Station) -> None:
    enlist(station)
    station.record_survey(
        id="X1", officer=BADGE, kind="satisfaction", respondents=3, positive=3,
        occurred_at=FIELD_TIME,
    )  # fmt: skip

    with pytest.raises(beatpolice.IdConflictError, match="survey"):
        station.receive_commendation(id="X1", officer=BADGE, kind="letter", occurred_at=FIELD_TIME)


def test_an_answer_to_an_unknown_request_is_refused(station: beatpolice.Station) -> None:
    _record(station, "dict")
    before = stored_events(station)

    with pytest.raises(beatpolice.UnknownRequestError) as refusal:
        station.answer_request(
            request="NEVER", officer=BADGE, outcome="resolved", occurred_at=FIELD_TIME
        )
    with pytest.raises(beatpolice.UnknownRequestError):
        station.answer_request(
            request="SV1", officer=BADGE, outcome="resolved", occurred_at=FIELD_TIME
        )

    assert refusal.value.field == "request"
    assert "a request is received before it is answered" in str(refusal.value)
    assert isinstance(refusal.value, beatpolice.UnknownRecordError)
    assert stored_events(station) == before


def test_a_request_is_answered_once_and_never_before_it_came(
    station: beatpolice.Station,
) -> None:
    enlist(station)
    station.receive_request(
        id="R9", officer=BADGE, channel="petition", summary="邻里噪音", occurred_at=FIELD_TIME
    )
    with pytest.raises(beatpolice.FieldTimeError) as early:
        station.answer_request(
            request="R9", officer=BADGE, outcome="resolved",
            occurred_at=FIELD_TIME - timedelta(minutes=1),
        )  # fmt: skip
    station.answer_request(request="R9", officer=BADGE, outcome="referred", occurred_at=FIELD_TIME)
    with pytest.raises(beatpolice.IdConflictError, match="answered once"):
        station.answer_request(
            request="R9", officer=BADGE, outcome="resolved", occurred_at=FIELD_TIME
        )

    assert early.value.field == "occurred_at"
    answers = [e for e in _events(station) if isinstance(e, RequestAnswered)]
    assert [a.outcome for a in answers] == ["referred"]


def test_a_patrol_that_ends_before_it_starts_is_refused(station: beatpolice.Station) -> None:
    enlist(station)

    with pytest.raises(beatpolice.FieldTimeError) as refusal:
        station.record_patrol(
            id="PT9", officer=BADGE, started_at=FIELD_TIME,
            ended_at=FIELD_TIME - timedelta(seconds=1), points=[], participants=[], mode="foot",
        )  # fmt: skip

    assert refusal.value.field == "ended_at"
    assert "nothing is dated before what it follows" in str(refusal.value)
    assert not any(isinstance(e, PatrolCompleted) for e in _events(station))


def test_a_patrol_in_the_future_is_refused_on_either_time(station: beatpolice.Station) -> None:
    enlist(station)
    future = datetime(2014, 3, 1, tzinfo=FIELD_TIME.tzinfo)

    with pytest.raises(beatpolice.FieldTimeError) as refusal:
        station.record_patrol(
            id="PT9", officer=BADGE, started_at=FIELD_TIME, ended_at=future, points=[],
            participants=[], mode="bicycle",
        )  # fmt: skip

    assert refusal.value.field == "ended_at"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"type": "record_survey", "respondents": 3, "positive": 4}, "positive"),
        ({"type": "record_survey", "respondents": 0, "positive": 0}, "respondents"),
        (
            {"type": "collect_information", "subject": "building", "category": "floating"},
            "category",
        ),
        ({"type": "collect_information", "subject": "planet"}, "subject"),
        ({"type": "record_outreach", "reach": -1}, "reach"),
        ({"type": "hold_meeting", "attendees": 0}, "attendees"),
        ({"type": "record_patrol", "mode": "horse"}, "mode"),
        ({"type": "answer_request", "outcome": "ignored"}, "outcome"),
    ],
)
def test_malformed_day_commands_are_refused_naming_the_field(
    station: beatpolice.Station, command: dict[str, Any], field: str
) -> None:
    _record(station, "dict")
    before = stored_events(station)
    base = next(c for c in day_commands() if c["type"] == command["type"])

    with pytest.raises(beatpolice.InvalidCommandError) as refusal:
        station.handle({**base, "id": "NEW", **command})

    assert refusal.value.field == field
    assert stored_events(station) == before


def test_a_fraud_assessment_records_matched_total_and_level(
    station: beatpolice.Station,
) -> None:
    _record(station, "dict")

    (assessment,) = [e for e in _events(station) if isinstance(e, FraudRiskAssessed)]

    assert (assessment.matched, assessment.total, assessment.level) == (11, 15, "high")
    assert (assessment.catalogue, assessment.catalogue_version) == ("mps-common", "2024.1")


@pytest.mark.parametrize(
    ("script", "features", "field"),
    [("no_such_script", [], "script"), ("fake_loan", ["FL01", "PA01"], "features.1")],
)
def test_an_unknown_fraud_script_or_feature_is_refused(
    station: beatpolice.Station, script: str, features: list[str], field: str
) -> None:
    enlist(station)

    with pytest.raises(beatpolice.UnknownFraudScriptError) as refusal:
        station.assess_fraud_risk(
            id="FR9", officer=BADGE, household="H1", script=script, features=features,
            occurred_at=FIELD_TIME,
        )  # fmt: skip

    assert refusal.value.field == field
    assert "catalogue" in refusal.value.rule
    assert not any(isinstance(e, FraudRiskAssessed) for e in _events(station))


def test_a_station_assesses_against_its_own_catalogue(
    station_url: str, clock: Callable[[], datetime], tmp_path: Path
) -> None:
    own = tmp_path / "our-scripts.toml"
    own.write_text(
        'name = "our-scripts"\nversion = "1"\n'
        '[[levels]]\nlevel = "watch"\nat_least = "0"\n'
        '[[levels]]\nlevel = "act"\nat_least = "1/2"\n'
        '[[scripts]]\nid = "fake_parcel"\ntitle = "快递理赔"\n'
        'features = [{code = "A", text = "自称客服"}, {code = "B", text = "要求共享屏幕"}]\n',
        encoding="utf-8",
    )
    with beatpolice.connect(station_url, clock=clock, fraud_scripts=own) as ours:
        enlist(ours)
        ours.assess_fraud_risk(
            id="FR1", officer=BADGE, household="H1", script="fake_parcel", features=["B"],
            occurred_at=FIELD_TIME,
        )  # fmt: skip
        (assessment,) = [e for e in _events(ours) if isinstance(e, FraudRiskAssessed)]
        assert ours.fraud_scripts.name == "our-scripts"

    assert (assessment.matched, assessment.total, assessment.level) == (1, 2, "act")
    assert assessment.catalogue == "our-scripts"


def test_an_unusable_catalogue_setting_is_refused(station_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nversion = "1"\nlevels = []\nscripts = []\n', encoding="utf-8")

    with pytest.raises(beatpolice.SettingError, match="levels"):
        beatpolice.connect(station_url, fraud_scripts=broken)
    with pytest.raises(beatpolice.SettingError, match="neither a shipped catalogue"):
        beatpolice.connect(station_url, fraud_scripts="no-such-catalogue")


def test_a_transfer_moves_the_officer_and_keeps_the_old_beat_in_the_event(
    station: beatpolice.Station,
) -> None:
    _record(station, "dict")

    (transfer,) = [e for e in _events(station) if isinstance(e, OfficerTransferred)]
    officer = station.officer(SECOND)

    assert (transfer.from_beat, transfer.beat) == ("一区", "二区")
    assert officer.beat == "二区"
    with pytest.raises(beatpolice.RuleViolationError) as refusal:
        station.transfer_officer(
            officer=SECOND, station="德州市公安局", beat="二区", occurred_at=FIELD_TIME
        )
    assert refusal.value.field == "beat"


def test_day_commands_of_an_unknown_officer_are_refused(station: beatpolice.Station) -> None:
    for command in day_commands():
        if command["type"] == "enlist_officer":
            continue
        with pytest.raises(beatpolice.UnknownOfficerError):
            station.handle({**command, "officer": "NOBODY"})
    assert stored_events(station) == []


def test_information_keeps_subject_category_and_source(station: beatpolice.Station) -> None:
    _record(station, "dict")

    (item,) = [e for e in _events(station) if isinstance(e, InformationCollected)]

    assert (item.subject, item.category, item.source, item.household) == (
        "person",
        "floating",
        "grid_worker",
        "H1",
    )

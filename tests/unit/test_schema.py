"""``beatpolice schema``: the JSON Schema a station system in another language validates with."""

from __future__ import annotations

import orjson
import pytest
from jsonschema import Draft202012Validator

from beatpolice.adapters.cli import main
from beatpolice.adapters.schema import command_schema, event_schema
from beatpolice.commands import COMMAND_TYPES
from beatpolice.domain import EVENT_CLASSES


def test_command_schema_is_valid_and_names_every_command() -> None:
    schema = command_schema()
    Draft202012Validator.check_schema(schema)
    assert set(schema["discriminator"]["mapping"]) == set(COMMAND_TYPES)


@pytest.mark.parametrize(
    ("command", "valid"),
    [
        (
            {
                "type": "enlist_officer",
                "badge": "D1",
                "name": "薛翠翠",
                "station": "德州",
                "beat": "一区",
            },
            True,
        ),
        ({"type": "enlist_officer", "badge": "D1", "name": "薛翠翠", "station": "德州"}, False),
        (
            {
                "type": "report_lead",
                "id": "L1",
                "officer": "D1",
                "kind": "rumour",
                "occurred_at": "2014-01-03T09:30:00+08:00",
                "summary": "x",
            },
            False,
        ),
        (
            {
                "type": "record_service",
                "id": "S1",
                "officer": "D1",
                "kind": "id_card_delivery",
                "occurred_at": "2014-01-03T09:30:00+08:00",
                "acknowledged": True,
                "extra": 1,
            },
            False,
        ),
    ],
)
def test_the_schema_agrees_with_the_models(command: dict[str, object], valid: bool) -> None:
    errors = list(Draft202012Validator(command_schema()).iter_errors(command))
    assert (not errors) is valid


def test_event_schema_lists_every_event_with_its_topic() -> None:
    schema = event_schema()
    assert list(schema["events"]) == [cls.__name__ for cls in EVENT_CLASSES]
    for cls in EVENT_CLASSES:
        entry = schema["events"][cls.__name__]
        Draft202012Validator.check_schema(entry)
        assert entry["x-topic"] == f"beatpolice:{cls.__name__}"


@pytest.mark.parametrize("which", ["commands", "events"])
def test_cli_prints_the_schema_as_json(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", which]) == 0
    printed = orjson.loads(capsys.readouterr().out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"

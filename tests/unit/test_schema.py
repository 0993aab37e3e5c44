"""``beatpolice schema``: the JSON Schemas a station system in another language validates with."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import orjson
import pytest
from hypothesis import given
from jsonschema import Draft202012Validator

from beatpolice import InvalidCommandError
from beatpolice.adapters._schema_text import forbidden_pattern, not_blank_pattern
from beatpolice.adapters.cli import main
from beatpolice.adapters.schema import SCHEMAS, command_schema, event_schema
from beatpolice.commands import COMMAND_TYPES
from beatpolice.domain import EVENT_CLASSES
from beatpolice.domain.commands import validate_command
from beatpolice.domain.values import check_text
from beatpolice.testing import InvalidCommand, commands, invalid_commands

# erase_personal_data's subject rule is a field validator the schema does not carry yet
TYPES = tuple(sorted(set(COMMAND_TYPES) - {"erase_personal_data"}))

VALIDATOR = Draft202012Validator(command_schema())


def _json(data: Any) -> Any:
    return orjson.loads(orjson.dumps(data))


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = SCHEMAS[name]()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f":{name}")
    assert "discriminator" not in orjson.dumps(schema).decode()


def test_type_is_required_and_names_every_command() -> None:
    schema = command_schema()
    assert schema["required"] == ["type"]
    assert set(schema["properties"]["type"]["enum"]) == set(COMMAND_TYPES)
    assert [e.validator for e in VALIDATOR.iter_errors({"badge": "D1"})] == ["required"]
    assert [e.validator for e in VALIDATOR.iter_errors({"type": "enlist"})] == ["enum"]


def test_a_blank_name_is_refused_by_the_schema_as_by_python() -> None:
    bad = {
        "type": "enlist_officer",
        "badge": "D1",
        "name": "\u3000",
        "station": "德",
        "beat": "一",
    }
    errors = list(VALIDATOR.iter_errors(bad))
    assert [list(e.absolute_path) for e in errors] == [["name"]]
    with pytest.raises(InvalidCommandError, match="name"):
        validate_command(bad)


@given(commands(*TYPES))
def test_valid_commands_pass_the_schema(command: Any) -> None:
    data = _json(command.model_dump(mode="json"))
    assert list(VALIDATOR.iter_errors(data)) == []


@given(invalid_commands(*TYPES))
def test_a_command_broken_in_one_field_gets_one_error_naming_it(broken: InvalidCommand) -> None:
    data = _json(broken.data)
    with pytest.raises(InvalidCommandError):
        validate_command(data)
    errors = list(VALIDATOR.iter_errors(data))
    assert len(errors) == 1, [e.message for e in errors]
    (error,) = errors
    where = ".".join(str(part) for part in error.absolute_path)
    if error.validator in ("required", "additionalProperties"):
        assert broken.field in error.message
    else:
        assert where == broken.field


def test_the_text_patterns_refuse_exactly_what_check_text_refuses() -> None:
    # every BMP character, and on the astral planes both sides of every change of category
    points = list(range(0x10000)) + [
        side
        for point in range(0x10000, 0x110000)
        if unicodedata.category(chr(point)) != unicodedata.category(chr(point - 1))
        for side in (point - 1, point)
    ]
    every = "".join(chr(point) for point in sorted(set(points)))
    refused = set()
    for char in every:
        if not ("a" + char).isprintable():  # check_text looks no further otherwise
            try:
                check_text("a" + char)
            except ValueError:
                refused.add(char)
    assert set(re.findall(forbidden_pattern("text"), every)) == refused
    assert set(re.findall(forbidden_pattern("line"), every)) == refused | {"\n", "\t"}
    spaces = {char for char in every if not re.search(not_blank_pattern(), char)}
    assert spaces == {char for char in every if not char.strip()}


def test_event_schema_dispatches_on_the_topic() -> None:
    schema = event_schema()
    assert set(schema["properties"]["topic"]["enum"]) == {c.TOPIC for c in EVENT_CLASSES}
    validator = Draft202012Validator(schema)
    sample = orjson.loads(
        b'{"topic": "beatpolice:VisitFollowedUp", "class_version": 1, "state": {'
        b'"originator_id": "a11aea1a-2b6f-556e-a4dd-92a5fba294d8", "originator_version": 4,'
        b'"timestamp": "2014-02-01T00:00:00Z", "command": "sha256:1",'
        b'"visit": "V1", "officer": "D0001", "occurred_at": "2014-01-04T09:30:00+08:00",'
        b'"satisfied": true}}'
    )
    assert [e.message for e in validator.iter_errors(sample)] == []
    sample["state"]["satisfied"] = "yes"
    assert [list(e.absolute_path) for e in validator.iter_errors(sample)] == [
        ["state", "satisfied"]
    ]


@pytest.mark.parametrize("which", list(SCHEMAS))
def test_cli_prints_each_schema_as_json(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", which]) == 0
    printed = capsys.readouterr().out
    assert printed.isascii()
    assert orjson.loads(printed)["$schema"] == "https://json-schema.org/draft/2020-12/schema"

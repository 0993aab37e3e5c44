"""The strategies of beatpolice.testing produce what they promise."""

from __future__ import annotations

import pytest
from eventsourcing.utils import get_topic
from hypothesis import given, settings

from beatpolice import InvalidCommandError
from beatpolice.adapters.store.mapper import decode_event, encode_event
from beatpolice.commands import COMMAND_TYPES, validate_command
from beatpolice.domain import DomainEvent
from beatpolice.testing import InvalidCommand, command_types, commands, events, invalid_commands


def test_every_contract_command_has_a_strategy() -> None:
    assert set(command_types()) == set(COMMAND_TYPES)


@settings(max_examples=500)
@given(commands())
def test_valid_commands_validate_from_their_json(command: object) -> None:
    data = command.model_dump(mode="json")  # type: ignore[attr-defined]
    assert validate_command(data) == command


@settings(max_examples=500)
@given(invalid_commands())
def test_invalid_commands_are_refused_naming_the_broken_field(broken: InvalidCommand) -> None:
    with pytest.raises(InvalidCommandError) as refusal:
        validate_command(broken.data)
    assert refusal.value.field.startswith(broken.field), (broken, refusal.value)


@settings(max_examples=300)
@given(events())
def test_events_survive_the_mapper(event: DomainEvent) -> None:
    stored = encode_event(event)
    again = decode_event(
        get_topic(type(event)), stored, event.originator_id, event.originator_version
    )
    assert again == event


def test_unknown_command_type_is_refused_when_building_the_strategy() -> None:
    with pytest.raises(ValueError, match="unknown command types"):
        commands("arrest_everyone")

"""JSON Schema of the command and event vocabulary, for station systems in any language."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from beatpolice import __version__
from beatpolice.domain import EVENT_CLASSES
from beatpolice.domain.commands import Command

__all__ = ["command_schema", "event_schema"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def command_schema() -> dict[str, Any]:
    """The schema of one JSON command line: a union discriminated by ``type``."""
    schema = TypeAdapter(Command).json_schema()
    return {
        "$schema": _DRAFT,
        "$id": f"https://beatpolice.invalid/schema/{__version__}/commands.json",
        "title": "beatpolice command",
        "description": 'One command per JSON line; "type" names the command.',
        **schema,
    }


def event_schema() -> dict[str, Any]:
    """The schema of every stored event, by its stable topic and class version."""
    events: dict[str, Any] = {}
    for event_class in EVENT_CLASSES:
        schema = event_class.model_json_schema()
        schema["x-topic"] = event_class.TOPIC
        schema["x-class-version"] = event_class.class_version
        events[event_class.__name__] = schema
    return {
        "$schema": _DRAFT,
        "$id": f"https://beatpolice.invalid/schema/{__version__}/events.json",
        "title": "beatpolice events",
        "description": "Each event's stored JSON, keyed by event name.",
        "events": events,
    }

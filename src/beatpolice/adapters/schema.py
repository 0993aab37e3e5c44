"""JSON Schemas (draft 2020-12) of what beatpolice reads and writes, for any language.

Six documents, each printed by ``beatpolice schema NAME``: the ``commands`` a station
system sends, the ``events`` the store records, the appraisal ``report``, the
``receipt`` of one handled command, the ``registry`` documents and the data-``quality``
report. They compile under Ajv's strict mode and json-schema-to-typescript turns them
into types (tests/js checks both). A command's ``"type"`` is required and dispatches
with ``if``/``then`` to that command's ``$defs`` entry, so a command with one bad field
gets one error naming it; texts carry the domain's text rules as patterns (ADRs 0810
to 0813).

Example:
    >>> from jsonschema import Draft202012Validator
    >>> validator = Draft202012Validator(command_schema())
    >>> bad = {"type": "enlist_officer", "badge": "D1", "name": " ", "station": "德州",
    ...        "beat": "一区"}
    >>> [list(error.absolute_path) for error in validator.iter_errors(bad)]
    [['name']]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from beatpolice import __version__
from beatpolice.adapters._schema_tidy import DRAFT, models_defs, resolve, text_defs
from beatpolice.domain import EVENT_CLASSES
from beatpolice.domain.commands import COMMAND_TYPES

__all__ = [
    "SCHEMAS",
    "command_schema",
    "event_schema",
    "quality_schema",
    "receipt_schema",
    "registry_schema",
    "report_schema",
    "schema_id",
]


def schema_id(name: str) -> str:
    """The ``$id`` of a schema: a URN naming the library version (ADR 0814).

    Example:
        >>> schema_id("commands").startswith("urn:beatpolice:schema:")
        True
    """
    return f"urn:beatpolice:schema:{__version__}:{name}"


def _document(name: str, title: str, description: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "$id": schema_id(name),
        "title": title,
        "description": description,
        **body,
    }


def _dispatch(key: str, cases: dict[str, str], where: str | None = None) -> list[dict[str, Any]]:
    """``if key is V then X`` for every case; ``where`` puts the ``then`` under a property."""
    branches = []
    for value, ref in cases.items():
        then: dict[str, Any] = {"$ref": ref}
        if where is not None:
            then = {"properties": {where: {"$ref": ref}}}
        branches.append(
            {"if": {"properties": {key: {"const": value}}, "required": [key]}, "then": then}
        )
    return branches


def command_schema() -> dict[str, Any]:
    """The schema of one JSON command line: ``type`` names the command and picks its rules.

    ``$defs`` holds one entry per command (titled by its model, e.g. ``EnlistOfficer``),
    the enums, the two text rules, and ``Command``: the union of every command, for
    code generators (validation goes through the top level's dispatch).
    """
    models = {name: COMMAND_TYPES[name] for name in sorted(COMMAND_TYPES)}
    defs = models_defs(models.values())
    for model in models.values():
        entry = defs[model.__name__]
        entry["required"] = ["type", *[r for r in entry.get("required", []) if r != "type"]]
    defs.update(text_defs())
    refs = {name: f"#/$defs/{model.__name__}" for name, model in models.items()}
    defs["Command"] = {
        "title": "Command",
        "description": "Any command (for code generators; validate with the top level).",
        "oneOf": [{"$ref": ref} for ref in refs.values()],
    }
    return _document(
        "commands",
        "beatpolice command",
        'One command per JSON line; "type" names the command and picks its fields.',
        {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"description": "The command's name.", "enum": list(refs)}},
            "allOf": _dispatch("type", refs),
            "$defs": resolve(defs, defs),
        },
    )


def event_schema() -> dict[str, Any]:
    """The schema of a stored event: its stable ``topic`` picks the rules of its ``state``.

    An event document is ``{"topic": "beatpolice:VisitRecorded", "class_version": 2,
    "state": {...}}``: the event's fields as the store keeps them, at the current class
    version of each event (older versions are upcast when read).
    """
    defs = models_defs(EVENT_CLASSES)
    topics: dict[str, str] = {}
    versions: dict[str, int] = {}
    for event_class in EVENT_CLASSES:
        entry = defs[event_class.__name__]
        entry["$comment"] = f"topic {event_class.TOPIC}, class version {event_class.class_version}"
        topics[event_class.TOPIC] = f"#/$defs/{event_class.__name__}"
        versions[event_class.TOPIC] = event_class.class_version
    version_checks = [
        {
            "if": {"properties": {"topic": {"const": topic}}, "required": ["topic"]},
            "then": {"properties": {"class_version": {"const": version}}},
        }
        for topic, version in versions.items()
    ]
    return _document(
        "events",
        "beatpolice event",
        'One stored event; "topic" names its class and picks the rules of "state".',
        {
            "type": "object",
            "required": ["topic", "state"],
            "additionalProperties": False,
            "properties": {
                "topic": {"description": "The event's stable topic.", "enum": list(topics)},
                "class_version": {"description": "The event class version.", "type": "integer"},
                "state": {"description": "The event's fields.", "type": "object"},
            },
            "allOf": [*_dispatch("topic", topics, where="state"), *version_checks],
            "$defs": resolve(defs, defs),
        },
    )


def _model_document(name: str, title: str, model: type[BaseModel]) -> dict[str, Any]:
    defs = models_defs([model], mode="serialization")
    return _document(
        name,
        title,
        (model.__doc__ or title).strip().splitlines()[0],
        {"$ref": f"#/$defs/{model.__name__}", "$defs": resolve(defs, defs)},
    )


def report_schema() -> dict[str, Any]:
    """The schema of an appraisal report as ``appraise --json`` writes it."""
    from beatpolice import AppraisalReport

    return _model_document("report", "beatpolice appraisal report", AppraisalReport)


def quality_schema() -> dict[str, Any]:
    """The schema of a data-quality report as ``quality --json`` writes it."""
    from beatpolice import QualityReport

    return _model_document("quality", "beatpolice data-quality report", QualityReport)


def receipt_schema() -> dict[str, Any]:
    """The schema of a receipt: what handling one command did, as JSON."""
    return _document(
        "receipt",
        "beatpolice receipt",
        "What handling one command did: its type, its idempotency digest, the events it "
        "recorded (0 for an exact re-send).",
        {
            "type": "object",
            "required": ["type", "digest", "events", "duplicate"],
            "additionalProperties": False,
            "properties": {
                "type": {"description": "The command's name.", "enum": sorted(COMMAND_TYPES)},
                "digest": {
                    "description": (
                        "The command's idempotency key: sha256:HEX, or hmac-sha256:HEX in a "
                        "store whose digests are keyed (every store begun with 0.2)."
                    ),
                    "type": "string",
                    "pattern": "^(?:hmac-)?sha256:[0-9a-f]{64}(?![\\s\\S])",
                },
                "events": {
                    "description": "Events recorded; 0 for a re-send.",
                    "type": "integer",
                    "minimum": 0,
                },
                "duplicate": {
                    "description": "True when nothing was written (a re-send).",
                    "type": "boolean",
                },
            },
        },
    )


def registry_schema() -> dict[str, Any]:
    """The schema of the registry documents ``registry NAME --json`` prints.

    Officers, households, venues, patrols and population come as ``{"month": ...,
    "officers": [rows]}`` (and so on); the disputes and requests registries are one
    document each with its ``rows``, told apart by ``by_level`` (disputes) and
    ``by_channel`` (requests). Every row model of
    :mod:`beatpolice.projections.registries` is in ``$defs``.
    """
    from beatpolice.projections import registries

    models = [
        model
        for name in registries.__all__
        if isinstance(model := getattr(registries, name), type)
        and issubclass(model, BaseModel)
        and (name.endswith("Row") or name.endswith("Registry"))
    ]
    defs = models_defs(models, mode="serialization")
    lists = {
        "officers": "OfficerRow",
        "households": "HouseholdRow",
        "venues": "VenueRow",
        "patrols": "PatrolRow",
        "population": "PopulationRow",
    }
    properties: dict[str, Any] = {
        key: {"type": "array", "items": {"$ref": f"#/$defs/{row}"}}
        for key, row in lists.items()
        if row in defs
    }
    properties["month"] = {"description": "The month shown, YYYY-MM.", "type": "string"}
    properties["inspections_by_month"] = {
        "description": "Inspections per month (YYYY-MM), by inspection mode.",
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
    body: dict[str, Any] = {"type": "object", "properties": properties}
    documents = {"by_level": "DisputesRegistry", "by_channel": "RequestsRegistry"}
    body["dependentSchemas"] = {
        key: {"$ref": f"#/$defs/{model}"} for key, model in documents.items() if model in defs
    }
    body["$defs"] = resolve(defs, defs)
    return _document(
        "registry",
        "beatpolice registry",
        "A registry (台账) document as `beatpolice registry NAME --json` prints it.",
        body,
    )


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "commands": command_schema,
    "events": event_schema,
    "report": report_schema,
    "receipt": receipt_schema,
    "registry": registry_schema,
    "quality": quality_schema,
}
"""Every schema by the name ``beatpolice schema NAME`` takes."""

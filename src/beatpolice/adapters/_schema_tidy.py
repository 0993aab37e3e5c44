"""From pydantic's JSON Schema to one that Ajv's strict mode and other languages accept.

pydantic writes a few things other tools refuse or misread: ``discriminator`` (an
OpenAPI keyword, unknown to Ajv's strict mode), ``anyOf`` with ``null`` for optional
fields (three errors for one bad value), a ``title`` on every property
(json-schema-to-typescript makes a type of each) and patterns in the Rust dialect.
This module generates with the text rules marked, then tidies (ADRs 0810 to 0812).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import core_schema

from beatpolice.adapters._schema_text import (
    END,
    TEXT_DEFS,
    forbidden_pattern,
    not_blank_pattern,
    portable_pattern,
)
from beatpolice.domain.values import _check_single_line, check_text

__all__ = ["DRAFT", "models_defs", "resolve", "text_defs", "tidy"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_MARK = "x-beatpolice-text"
"""Set while generating on a string checked by the text rules; replaced by a ``$ref``."""

_NULL_REF = "x-beatpolice-nullable"
"""Set by :func:`tidy` on a nullable reference; :func:`resolve` replaces it."""

_REF = "#/$defs/{model}"

_TIME = (
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
"""RFC 3339 with seconds and an offset (ADR 0811): a time without an offset is refused."""

_DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"


class _Generator(GenerateJsonSchema):
    """pydantic's generator, marking the strings :func:`check_text` guards."""

    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> dict[str, Any]:
        """The inner schema, marked ``text`` or ``line`` when a text rule guards it."""
        inner = dict(super().function_after_schema(schema))
        function = schema["function"].get("function")
        if function is check_text:
            inner.setdefault(_MARK, "text")
        elif function is _check_single_line:
            inner[_MARK] = "line"
        return inner


def models_defs(
    models: Iterable[type[BaseModel]], *, mode: JsonSchemaMode = "validation"
) -> dict[str, Any]:
    """The ``$defs`` of the given models (and of every model and enum they use), tidied."""
    _, top = models_json_schema(
        [(model, mode) for model in models], ref_template=_REF, schema_generator=_Generator
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return {name: tidy(schema, keep_title=True) for name, schema in defs.items()}


def text_defs() -> dict[str, Any]:
    """The two text rules as ``$defs``: a single-line name and a longer text.

    Each also lets ``null`` through: whether a field may be null is said where the
    field refers to the rule (``"type": ["string", "null"]``).
    """
    return {
        TEXT_DEFS["line"]: {
            "type": ["string", "null"],
            "description": (
                "Single-line text: not blank, no newline or tab, no control, format "
                "(zero-width), surrogate, private-use or unassigned character."
            ),
            "pattern": not_blank_pattern(),
            "not": {"type": "string", "pattern": forbidden_pattern("line")},
        },
        TEXT_DEFS["text"]: {
            "type": ["string", "null"],
            "description": (
                "Text: not blank; newlines and tabs allowed; no other control, format "
                "(zero-width), surrogate, private-use or unassigned character."
            ),
            "pattern": not_blank_pattern(),
            "not": {"type": "string", "pattern": forbidden_pattern("text")},
        },
    }


def tidy(node: Any, *, keep_title: bool = False) -> Any:
    """One schema node (and everything under it) in the portable form."""
    if isinstance(node, list):
        return [tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items() if key != "discriminator"}
    if not keep_title:
        node.pop("title", None)
    nullable = _nullable(node)
    if nullable is not None:
        return tidy(nullable)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs", "patternProperties", "dependentSchemas"):
            out[key] = {name: tidy(sub) for name, sub in value.items()}
        elif key == "pattern":
            out[key] = portable_pattern(value.replace("\\d", "[0-9]"))
        elif key in ("default", "const", "enum", "examples", "required"):
            out[key] = value
        else:
            out[key] = tidy(value)
    kind = out.pop(_MARK, None)
    if kind is not None:
        out["$ref"] = "#/$defs/" + TEXT_DEFS[kind]
    # a pattern, not "format": Python's jsonschema ignores formats unless asked, and
    # both would give two errors for one naive time
    if out.get("format") == "date-time":
        del out["format"]
        out.setdefault("pattern", _TIME + END)
        out.setdefault("description", "An RFC 3339 time with an offset.")
    elif out.get("format") == "date":
        del out["format"]
        out.setdefault("pattern", _DATE + END)
        out.setdefault("description", "A calendar date, YYYY-MM-DD.")
    return out


def _nullable(node: dict[str, Any]) -> dict[str, Any] | None:
    """``anyOf: [X, null]`` as X allowing null, so one bad value is one error."""
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return None
    (other,) = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    if isinstance(other.get("type"), str) and "$ref" not in other:
        return {**other, **rest, "type": [other["type"], "null"]}
    if "$ref" in other and set(other) == {"$ref"}:
        return {**rest, _NULL_REF: other["$ref"]}
    return None


def resolve(node: Any, defs: dict[str, Any]) -> Any:
    """Replace each nullable reference: an enum's values plus null, else ``oneOf``."""
    if isinstance(node, list):
        return [resolve(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: value if key in ("default", "const", "enum") else resolve(value, defs)
        for key, value in node.items()
    }
    ref = out.pop(_NULL_REF, None)
    if ref is None:
        return out
    target = defs[ref.rsplit("/", 1)[-1]]
    if "enum" in target:
        # one bad value is one error: no oneOf to add its own
        return {**out, "enum": [*target["enum"], None]}
    return {**out, "oneOf": [{"$ref": ref}, {"type": "null"}]}

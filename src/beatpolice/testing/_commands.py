"""Strategies for the commands of the contract, valid and deliberately invalid.

Valid commands are built from the pydantic models of :mod:`beatpolice.commands` by
reading their field types, so a command added to the vocabulary gets a strategy
without anyone writing one (and a field of a type this module does not know fails
loudly, at the time the strategy is built). Invalid commands start from a valid one,
dumped to the JSON form a station system sends, and break exactly one field.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, Literal

import attrs
from annotated_types import Ge, Le, MaxLen, MinLen
from hypothesis import strategies as st
from pydantic import AfterValidator, AwareDatetime, BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from beatpolice.domain.commands import COMMAND_TYPES
from beatpolice.domain.values import MONTH_PATTERN, check_text
from beatpolice.testing import _fields as f

__all__ = ["Defect", "InvalidCommand", "command_types", "commands", "invalid_commands"]

_LIST_LIMIT = 5
"""Generated lists stay short: long lists find nothing short ones do not."""


def command_types() -> tuple[str, ...]:
    """Every command type of the vocabulary, sorted."""
    return tuple(sorted(COMMAND_TYPES))


@attrs.frozen
class _Field:
    """What a field is, as far as generating values goes."""

    kind: Literal[
        "id", "month", "name", "text", "time", "bool", "int", "enum", "date", "list", "model"
    ]
    max_length: int | None = None
    """Of text and lists; for an integer, its largest value."""
    min_length: int = 0
    item: _Field | None = None
    enum: type[Enum] | None = None
    model: type[BaseModel] | None = None
    optional: bool = False
    """None is a valid value."""
    required: bool = True


def _describe(annotation: Any, metadata: list[Any]) -> _Field:
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        if len(members) != 1:
            raise TypeError(f"no strategy for the union {annotation!r}")
        annotation = members[0]
        origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = [*extra, *metadata]
        origin = typing.get_origin(annotation)
    described = _describe_plain(annotation, origin, metadata)
    return attrs.evolve(described, optional=optional)


def _describe_plain(annotation: Any, origin: Any, metadata: list[Any]) -> _Field:
    lengths = {"min_length": 0, "max_length": None}
    checked = False
    pattern: str | None = None
    single_line = False
    for item in metadata:
        if isinstance(item, StringConstraints):
            pattern = item.pattern if isinstance(item.pattern, str) else None
            lengths["max_length"] = item.max_length
            lengths["min_length"] = item.min_length or 0
        elif isinstance(item, MaxLen):
            lengths["max_length"] = item.max_length
        elif isinstance(item, MinLen):
            lengths["min_length"] = item.min_length
        elif isinstance(item, Ge):
            lengths["min_length"] = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, Le):
            lengths["max_length"] = int(item.le)  # type: ignore[call-overload]
        elif isinstance(item, AfterValidator):
            checked = checked or item.func is check_text
            single_line = single_line or item.func.__name__ == "_check_single_line"
    max_length = lengths["max_length"]
    min_length = lengths["min_length"] or 0
    if origin is tuple:
        item_type, *_ = typing.get_args(annotation)
        return _Field(
            "list", max_length=max_length, min_length=min_length, item=_describe(item_type, [])
        )
    if annotation is str:
        if pattern == MONTH_PATTERN.pattern:
            return _Field("month")
        if pattern is not None:
            return _Field("id", max_length=max_length)
        if checked:
            return _Field("name" if single_line else "text", max_length=max_length)
        raise TypeError("no strategy for unchecked text")
    if annotation is AwareDatetime:
        return _Field("time")
    if annotation is bool:
        return _Field("bool")
    if annotation is int:
        return _Field("int", min_length=min_length, max_length=max_length)
    if annotation is date:
        return _Field("date")
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _Field("enum", enum=annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Field("model", model=annotation)
    raise TypeError(f"no strategy for a field of type {annotation!r}")


def _describe_field(info: FieldInfo) -> _Field:
    described = _describe(info.annotation, list(info.metadata))
    return attrs.evolve(described, required=info.is_required())


def _values(field: _Field) -> st.SearchStrategy[Any]:
    strategy = _required_values(field)
    return st.none() | strategy if field.optional else strategy


def _required_values(field: _Field) -> st.SearchStrategy[Any]:
    if field.kind == "id":
        return f.record_ids(max_size=field.max_length or 64)
    if field.kind == "month":
        return f.months()
    if field.kind == "name":
        return f.names(max_size=field.max_length or 100)
    if field.kind == "text":
        return f.short_texts(max_size=field.max_length or 500)
    if field.kind == "time":
        return f.aware_datetimes()
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "int":
        # counts of people: small ones find what large ones do
        return st.integers(min_value=field.min_length, max_value=field.min_length + 500)
    if field.kind == "date":
        return f.dates()
    if field.kind == "enum":
        assert field.enum is not None
        return st.sampled_from(list(field.enum))
    if field.kind == "model":
        assert field.model is not None
        return model_strategy(field.model)
    assert field.item is not None
    items = _values(field.item)
    if field.kind == "list" and field.item.kind == "name":
        # names in a list (parties, households) are distinct, as a caller means them
        return st.lists(
            items,
            min_size=field.min_length,
            max_size=max(field.min_length, _LIST_LIMIT),
            unique=True,
        ).map(tuple)
    return st.lists(
        items, min_size=field.min_length, max_size=max(field.min_length, _LIST_LIMIT)
    ).map(tuple)


@cache
def _fields_of(model: type[BaseModel]) -> dict[str, _Field]:
    return {
        name: _describe_field(info) for name, info in model.model_fields.items() if name != "type"
    }


def _repaired(model: type[BaseModel], fields: dict[str, Any]) -> dict[str, Any]:
    """Make independently drawn fields agree where a command relates two of them."""
    if model.model_fields.get("type") is not None and (
        model.model_fields["type"].default == "erase_personal_data"
    ):
        # a data subject is household:ID, dispute:ID or record:OFFICER/ID
        fields["subject"] = f"household:H{len(str(fields.get('subject', '')))}"
    if "respondents" in fields and fields.get("positive", 0) > fields["respondents"]:
        fields["positive"] = fields["respondents"]  # positive answers <= respondents
    if fields.get("subject") not in (None, "person") and fields.get("category") is not None:
        fields["category"] = None  # a category is given for people only
    started, ended = fields.get("started_at"), fields.get("ended_at")
    if started is not None and ended is not None and ended < started:
        fields["started_at"], fields["ended_at"] = ended, started  # a patrol ends after it starts
    return fields


@cache
def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Valid instances of a command model (or of a model nested in one)."""
    described = _fields_of(model)
    required = {name: _values(field) for name, field in described.items() if field.required}
    optional = {name: _values(field) for name, field in described.items() if not field.required}
    return (
        st.fixed_dictionaries(required, optional=optional)
        .map(lambda fields: _repaired(model, fields))
        .map(model.model_validate)
    )


def commands(*types_: str) -> st.SearchStrategy[Any]:
    """Valid commands of the given types (all types when none is named).

    Each is an instance of its model in :mod:`beatpolice.commands`: well-formed, so
    ``validate_command(command.model_dump())`` accepts it; whether a station accepts it
    (a known officer, a rising level) is another matter.

    Example:
        >>> from hypothesis import given
        >>> @given(commands("open_dispute"))
        ... def test_parties(command):
        ...     assert len(command.parties) >= 2
        >>> test_parties()
    """
    chosen = types_ or command_types()
    unknown = sorted(set(chosen) - set(COMMAND_TYPES))
    if unknown:
        raise ValueError(f"unknown command types {unknown}; known: {command_types()}")
    return st.one_of([model_strategy(COMMAND_TYPES[name]) for name in chosen])


Defect = Literal[
    "naive_time",
    "unknown_enum",
    "extra_field",
    "blank_text",
    "too_long",
    "zero_width",
    "missing_field",
]
"""The ways :func:`invalid_commands` breaks a command."""

DEFECTS: tuple[Defect, ...] = typing.get_args(Defect)


@attrs.frozen
class InvalidCommand:
    """A command as a station system would send it, broken in exactly one field."""

    data: dict[str, Any]
    """The command as a JSON-like mapping (``{"type": ..., ...}``)."""
    field: str
    """The field that is broken; the refusal names it (a list item as ``field.N``)."""
    defect: Defect


_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e")


def _applicable(model: type[BaseModel], defect: Defect) -> list[str]:
    fields = _fields_of(model)
    if defect == "naive_time":
        return [name for name, field in fields.items() if field.kind == "time"]
    if defect == "unknown_enum":
        return [
            name
            for name, field in fields.items()
            if field.kind == "enum" or (field.item is not None and field.item.kind == "enum")
        ]
    if defect in ("blank_text", "zero_width", "too_long"):
        return [name for name, field in fields.items() if field.kind in ("name", "text")]
    if defect == "missing_field":
        return [name for name, field in fields.items() if field.required]
    return ["extra"]


@st.composite
def _broken(draw: st.DrawFn, model: type[BaseModel], defect: Defect) -> InvalidCommand:
    valid = draw(model_strategy(model))
    data: dict[str, Any] = valid.model_dump(mode="json")
    name = draw(st.sampled_from(_applicable(model, defect)))
    field = _fields_of(model).get(name)
    where = name
    if defect == "naive_time":
        naive = draw(f.naive_datetimes())
        data[name] = draw(st.sampled_from([naive, naive.isoformat()]))
    elif defect == "unknown_enum":
        assert field is not None
        bogus = draw(st.sampled_from(["purple", "unknown", "RED", "Blue ", "", "其他"]))
        if field.kind == "list":
            items = list(data[name]) or [bogus]
            index = draw(st.integers(min_value=0, max_value=len(items) - 1))
            items[index] = bogus
            data[name] = items
            where = f"{name}.{index}"
        else:
            data[name] = bogus
    elif defect == "extra_field":
        where = draw(st.sampled_from(["extra", "comment", "levle", "occured_at"]))
        data[where] = draw(st.sampled_from([None, "x", 1, True]))
    elif defect == "blank_text":
        data[name] = draw(st.sampled_from(["", " ", "\u3000", "   "]))
    elif defect == "too_long":
        assert field is not None
        assert field.max_length is not None
        data[name] = "纠" * (field.max_length + draw(st.integers(min_value=1, max_value=50)))
    elif defect == "zero_width":
        text = draw(f.names(max_size=20))
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        data[name] = text[:cut] + draw(st.sampled_from(_ZERO_WIDTH)) + text[cut:]
    else:
        del data[name]
    return InvalidCommand(data=data, field=where, defect=defect)


def invalid_commands(
    *types_: str, defects: tuple[Defect, ...] = DEFECTS
) -> st.SearchStrategy[InvalidCommand]:
    """Commands broken in exactly one field: every station must refuse them, naming it.

    Args:
        types_: the command types to break (all when none is named).
        defects: which breakages to use: naive times, unknown enum values, extra
            fields, blank, over-long or zero-width text, a missing required field.

    Example:
        >>> import pytest
        >>> from hypothesis import given
        >>> from beatpolice import InvalidCommandError
        >>> from beatpolice.domain.commands import validate_command
        >>> @given(invalid_commands("escalate_dispute"))
        ... def test_refused(broken):
        ...     with pytest.raises(InvalidCommandError) as refusal:
        ...         validate_command(broken.data)
        ...     assert refusal.value.field.startswith(broken.field)
        >>> test_refused()
    """
    chosen = types_ or command_types()
    options = [
        _broken(COMMAND_TYPES[name], defect)
        for name in chosen
        for defect in defects
        if _applicable(COMMAND_TYPES[name], defect)
    ]
    if not options:
        raise ValueError(f"none of {defects} applies to {chosen}")
    return st.one_of(options)

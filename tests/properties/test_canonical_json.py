"""canonical_json writes exactly what the RFC 8785 reference writes, for any JSON value."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from beatpolice.domain.canonical import canonical_json, canonical_json_each

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
"""Any Unicode text (lone surrogates cannot be UTF-8: both refuse them)."""

KEYS = st.one_of(TEXT, st.sampled_from(["a", "\ue000", "\U0001f600", "\uffff", "b\x00"]))
"""Keys, with the characters whose code-point and UTF-16 orders differ made likely."""

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)

VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=25,
)


def _reference(value: Any) -> bytes | type[BaseException]:
    try:
        return rfc8785.dumps(value)
    except Exception as error:  # the reference refuses: so must we
        return type(error)


def _same_as_the_reference(value: Any) -> None:
    expected = _reference(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected
    else:
        with pytest.raises(expected):
            canonical_json(value)


@given(VALUES)
def test_the_same_bytes_as_the_reference(value: Any) -> None:
    _same_as_the_reference(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ue000": 2},  # UTF-16 puts the surrogate pair first
        2**53 + 1,
        2**53,  # not a safe integer: the reference refuses it
        -(2**53),
        2**53 - 1,
        [0.1, 1e21, -0.0],
        {"b": "\x1f\u2028", "a": ["德州", True, None]},
    ],
)
def test_the_cases_where_the_orders_or_numbers_differ(value: Any) -> None:
    _same_as_the_reference(value)


ENTRIES = st.lists(st.tuples(TEXT, TEXT, VALUES, TEXT), max_size=8)
"""Batches shaped like an appraisal's fingerprint entries (rows of one length)."""


def _batch_same_as_the_reference(values: list[Any]) -> None:
    expected = [_reference(value) for value in values]
    refused = [item for item in expected if not isinstance(item, bytes)]
    if not refused:
        assert canonical_json_each(values) == expected
    else:  # the reference refuses one: so does the batch, with the same error
        with pytest.raises(refused[0]):
            canonical_json_each(values)


@given(st.one_of(st.lists(VALUES, max_size=8), ENTRIES))
def test_a_batch_has_the_bytes_of_its_values_one_by_one(values: list[Any]) -> None:
    _batch_same_as_the_reference(values)


@pytest.mark.parametrize(
    "values",
    [
        [("a", 1), ("b", 2**53 - 1), ("c", -(2**53) + 1)],  # the safe integers' ends
        [("a", 1), ("b", 2**53)],  # one integer beyond them: refused
        [["x", 1.5], ["y", True]],  # a float in one row
        [("a", {"\U0001f600": 1, "\ue000": 2}), ("b", None)],  # keys in UTF-16 order
        [("a", {"b": [1, "\x1f"]}), ("b", {"a": ()})],
        [("a", "b"), ("c",)],  # rows of different lengths
        [[], (), {}],
        [("德州", ["x", True], "2014-03-01")] * 3,
    ],
)
def test_a_batch_that_cannot_be_proved_at_once_is_written_value_by_value(
    values: list[Any],
) -> None:
    _batch_same_as_the_reference(values)

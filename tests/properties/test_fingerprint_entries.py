"""An officer's format-2 fingerprint, made for the whole list at once, is the one its
definition gives entry by entry (docs/reference/fingerprint.md)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from beatpolice.domain.rules import Fact
from beatpolice.projections.appraisal._fingerprint import officer_fingerprint

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**54), max_value=2**54),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner, inner), st.dictionaries(TEXT, inner)
    ),
    max_leaves=6,
)
FACTS = st.lists(
    st.builds(
        Fact,
        topic=TEXT,
        originator_id=TEXT,
        key=TEXT,
        recorded=TEXT,
        command=TEXT,
        kind=TEXT,
        value=VALUES,
        day=TEXT,
        occurred=st.one_of(st.just(""), TEXT),
        originator_version=st.integers(min_value=0, max_value=9),
    ),
    max_size=12,
)


def _by_definition(facts: list[Fact]) -> str:
    """Each entry ``[topic, originator_id, key, recorded, command, value, time]`` by the
    reference, sorted by its bytes, hashed as one JSON array."""
    entries = [
        rfc8785.dumps(
            [
                *fact[:5],
                list(fact.value) if isinstance(fact.value, tuple) else fact.value,
                fact.occurred or fact.day,
            ]
        )
        for fact in facts
    ]
    return "sha256:" + hashlib.sha256(b"[" + b",".join(sorted(entries)) + b"]").hexdigest()


@given(FACTS)
def test_an_officer_fingerprint_is_its_definition_entry_by_entry(facts: list[Fact]) -> None:
    try:
        expected: Any = _by_definition(facts)
    except Exception as error:  # the reference refuses a value: so does the fingerprint
        with pytest.raises(type(error)):
            officer_fingerprint(facts)
        return
    assert officer_fingerprint(facts) == expected
    assert officer_fingerprint(iter(facts)) == expected


def test_a_fact_with_a_field_time_is_hashed_with_it_and_one_without_with_its_day() -> None:
    visit = Fact("t", "o", "k", "r", "c", "visit", ["h", True], "2014-03-02")
    plan = Fact("t", "o", "k", "r", "c", "plan", ("h1", "h2"), "", "2014-02-28T16:00:00Z", 3)
    assert officer_fingerprint([visit, plan]) == _by_definition([plan, visit])
    assert officer_fingerprint([visit]) != officer_fingerprint([visit._replace(day="2014-03-03")])
    assert officer_fingerprint([plan]) != officer_fingerprint([plan._replace(occurred="x")])

"""Which fields are personal, whose they are, and the ciphers that seal them (no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beatpolice.adapters.store.cipher import (
    ALGORITHMS,
    InvalidTag,
    MasterKey,
    new_data_key,
    open_sealed,
    seal,
)
from beatpolice.domain import EVENT_CLASSES
from beatpolice.domain.privacy import Subject, parse_subject, personal_fields, subject_of

SEALED = {
    "VisitRecorded": ("notes",),
    "LeadReported": ("summary",),
    "RecordRetracted": ("reason",),
    "DisputeOpened": ("parties",),
    "DisputeEscalated": ("reason",),
    "DisputeReferred": ("reason",),
    "DisputeReopened": ("reason",),
    "InformationCollected": ("summary",),
    "MeetingHeld": ("summary",),
    "RequestReceived": ("summary",),
    "CommendationReceived": ("giver",),
}
"""ADR 0700's list: a field marked or unmarked without changing it is caught here."""


def test_the_personal_fields_are_the_ones_the_adr_lists() -> None:
    marked = {cls.__name__: personal_fields(cls) for cls in EVENT_CLASSES if personal_fields(cls)}

    assert marked == SEALED


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("household:H001", Subject("household", "H001")),
        ("dispute:D-7", Subject("dispute", "D-7")),
        ("record:D0001/V7", Subject("record", "D0001/V7")),
    ],
)
def test_a_subject_is_named_in_one_of_three_forms(text: str, subject: Subject) -> None:
    assert parse_subject(text) == subject
    assert str(parse_subject(text)) == text


@pytest.mark.parametrize("text", ["person:H1", "household:", "record:D0001", "dispute:a b", ""])
def test_anything_else_is_not_a_subject(text: str) -> None:
    with pytest.raises(ValueError, match="not a data subject"):
        parse_subject(text)


def test_a_record_at_a_household_is_the_households_too() -> None:
    from beatpolice.domain import DisputeEscalated, VisitRecorded

    visit = subject_of(VisitRecorded, {"id": "V1", "officer": "D0001", "household": "H9"})
    escalation = subject_of(DisputeEscalated, {"dispute": "D1", "officer": "D0001"})

    assert (str(visit), visit.household) == ("record:D0001/V1", "H9")
    assert (str(escalation), escalation.household) == ("dispute:D1", None)


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@given(text=st.text(max_size=200))
def test_sealed_text_opens_with_its_key_and_subject_only(algorithm: str, text: str) -> None:
    key, other = new_data_key(algorithm), new_data_key(algorithm)
    box = seal(algorithm, key, text.encode(), b"dispute:D1")

    assert open_sealed(algorithm, key, box, b"dispute:D1").decode() == text
    for wrong_key, subject in ((other, b"dispute:D1"), (key, b"dispute:D2")):
        with pytest.raises(InvalidTag):
            open_sealed(algorithm, wrong_key, box, subject)


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_an_altered_box_does_not_open(algorithm: str) -> None:
    key = new_data_key(algorithm)
    box = bytearray(seal(algorithm, key, "闻人知夏".encode(), b"record:D1/V1"))
    box[-1] ^= 1

    with pytest.raises(InvalidTag):
        open_sealed(algorithm, key, bytes(box), b"record:D1/V1")


def test_a_master_key_unwraps_only_what_it_wrapped() -> None:
    import beatpolice

    mine, theirs = MasterKey.generate(), MasterKey.generate(algorithm="sm4-gcm")
    wrapped = mine.wrap(b"k" * 32, "dispute:D1")

    assert mine.unwrap(wrapped, "dispute:D1") == b"k" * 32
    assert mine.key_id != theirs.key_id
    with pytest.raises(beatpolice.MasterKeyError, match="not the store's master key"):
        theirs.unwrap(wrapped, "dispute:D1")

"""Value types of the domain: the closed vocabularies of the contract and checked text.

Enumerations are ``StrEnum`` so that their JSON form is the contract's word
(``"criminal_lead"``, ``"yellow"``); text fields refuse what a station system should
never send (empty strings, control and zero-width characters, runaway lengths) and
otherwise keep the caller's characters exactly, Chinese included.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

__all__ = [
    "Badge",
    "InspectionMode",
    "LeadKind",
    "Level",
    "LongText",
    "Month",
    "Name",
    "Outcome",
    "RecordId",
    "Role",
    "ShortText",
    "VenueCategory",
    "When",
    "check_text",
]


class LeadKind(StrEnum):
    """Kinds of 线索 (leads) an officer reports."""

    CRIMINAL_LEAD = "criminal_lead"
    """刑事案件线索: a lead on a case of any department."""
    SUSPECT_APPREHENDED = "suspect_apprehended"
    """抓获犯罪嫌疑人."""
    FUGITIVE_CAUGHT = "fugitive_caught"
    """抓获逃犯."""
    INFORMATION = "information"
    """信息/情报线索: an information report."""


class Level(StrEnum):
    """三色预警: a dispute's warning level, blue < yellow < red."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        """Position of the level on the ladder, blue being 0."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.BLUE: 0, Level.YELLOW: 1, Level.RED: 2}


class Role(StrEnum):
    """Participant roles in a mediation (the "1+1+2+N+N" force and "三所一庭")."""

    COMMUNITY_OFFICER = "community_officer"
    AUXILIARY_OFFICER = "auxiliary_officer"
    GRID_WORKER = "grid_worker"
    VILLAGE_CADRE = "village_cadre"
    JUDICIAL_OFFICE = "judicial_office"
    LAWYER = "lawyer"
    COURT = "court"
    POLICE_STATION = "police_station"
    VOLUNTEER = "volunteer"
    """志愿者, 红袖标 and other volunteers of the N+N (0.2)."""
    LIAISON_CADRE = "liaison_cadre"
    """包联干部: the cadre who holds the community for the town (0.2)."""
    PROPERTY_MANAGER = "property_manager"
    """物业: the estate's property management (0.2)."""


class Outcome(StrEnum):
    """Outcome of one mediation session."""

    RESOLVED = "resolved"
    FAILED = "failed"


class VenueCategory(StrEnum):
    """Categories of supervised venues (场所)."""

    HOTEL = "hotel"
    ENTERTAINMENT = "entertainment"
    INTERNET_CAFE = "internet_cafe"
    NINE_SMALL = "nine_small"
    EXPLOSIVE_PRECURSOR = "explosive_precursor"
    OTHER = "other"


class InspectionMode(StrEnum):
    """How a venue was inspected: 网上巡查, 日常检查 or 不定期抽查."""

    ONLINE = "online"
    ROUTINE = "routine"
    SPOT_CHECK = "spot_check"
    GUIDANCE = "guidance"
    """上门指导: guidance at the door before a venue opens (0.2)."""


# Zero-width and bidirectional-control characters are format characters (Cf); with
# the control characters (Cc) they make two ids that look equal compare unequal.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def check_text(value: str) -> str:
    """Refuse blank text and control, format (zero-width) or unassigned characters.

    Args:
        value: the caller's text, kept exactly as given when it passes.

    Returns:
        The same string.

    Raises:
        ValueError: naming the first offending character, or saying the text is blank.
    """
    if not value.strip():
        raise ValueError("must not be empty or blank")
    if value.isprintable():
        # every character of the forbidden categories is unprintable: nothing to find
        return value
    for position, char in enumerate(value):
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char not in "\n\t":
            raise ValueError(
                f"must not contain control or zero-width characters "
                f"(U+{ord(char):04X} at position {position})"
            )
    return value


def _check_single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be a single line (no newline or tab)")
    return value


RecordId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"),
]
"""A caller-chosen id (visit, lead, dispute, venue, finding): ASCII letters, digits, ``._:/-``."""

Badge = RecordId
"""An officer's badge number (警号)."""

Name = Annotated[
    str,
    StringConstraints(max_length=100),
    AfterValidator(check_text),
    AfterValidator(_check_single_line),
]
"""A short single-line name: a person, station, beat, household, category, party."""

ShortText = Annotated[str, StringConstraints(max_length=500), AfterValidator(check_text)]
"""A reason, a summary, an address."""

LongText = Annotated[str, StringConstraints(max_length=5000), AfterValidator(check_text)]
"""Free notes."""

Month = Annotated[str, StringConstraints(pattern=r"^(199[0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$")]
"""A calendar month, ``YYYY-MM``, from 1990-01 to 2999-12 (the range of field times)."""

When = AwareDatetime
"""A timezone-aware instant; a time without an offset is refused."""

MONTH_PATTERN = re.compile(r"^(199[0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$")


def parse_month(month: str) -> tuple[int, int]:
    """Split ``YYYY-MM`` into (year, month), refusing anything else."""
    if not MONTH_PATTERN.fullmatch(month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    year, number = month.split("-")
    return int(year), int(number)


def utc(moment: datetime) -> datetime:
    """Refuse a naive datetime; return the instant itself (its offset kept)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("must be timezone-aware (ISO 8601 with an offset)")
    return moment


ListOfNames = Annotated[tuple[Name, ...], Field(max_length=1000)]

"""The numbers of the data-quality signals: a versioned rule set loaded from TOML.

``quality-default.toml`` beside this module is our reading (ADRs 0950-0959); a station
may load its own file. Shares are exact fractions written as strings (``"1/10"``),
never floats. The signals that read these numbers are
:mod:`beatpolice.domain.rules.quality`.
"""

from __future__ import annotations

import hashlib
from datetime import time
from fractions import Fraction
from typing import Annotated

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "AfterCloseRule",
    "BurstRule",
    "LateEntryRule",
    "NightWorkRule",
    "QualityRules",
    "SameMinuteFollowUpRule",
    "SharedHouseholdRule",
    "quality_digest",
]


def _share(text: str) -> str:
    value = Fraction(text)
    if not 0 <= value <= 1:
        raise ValueError(f"a share is between 0 and 1, got {text!r}")
    return text


def _clock_time(text: str) -> str:
    time.fromisoformat(text)  # raises on anything that is not HH:MM[:SS]
    return text


Share = Annotated[str, AfterValidator(_share)]
"""An exact share written as a fraction string: ``"1/10"``, ``"0"``."""

ClockTime = Annotated[str, AfterValidator(_clock_time)]
"""A local time of day, ``HH:MM``."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True


class BurstRule(_Rule):
    """More distinct households visited within a span than anyone could walk."""

    kinds: tuple[str, ...] = ("visit",)
    window_minutes: int = Field(60, ge=1)
    max_households: int = Field(4, ge=1)
    """A window holding more distinct households than this is a burst."""


class LateEntryRule(_Rule):
    """Too large a share of records entered long after the fact."""

    after_hours: int = Field(96, ge=0)
    """A record entered more than this many hours after its field time is late."""
    max_share: Share = "0"
    """Flagged when the late records' share of the month's records exceeds this."""
    min_records: int = Field(1, ge=1)
    """And at least this many records are late."""


class AfterCloseRule(_Rule):
    """Records of the month recorded after its appraisal was decided (``closed_at``)."""


class NightWorkRule(_Rule):
    """Field work in the small hours, in the station's time zone."""

    kinds: tuple[str, ...] = ("visit", "visit_follow_up", "service")
    from_: ClockTime = Field("00:00", alias="from")
    until: ClockTime = "05:00"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SameMinuteFollowUpRule(_Rule):
    """A follow-up call dated (almost) at the instant of the visit it follows."""

    within_seconds: int = Field(60, ge=1)


class SharedHouseholdRule(_Rule):
    """One household visited by two or more officers on one day (off unless turned on)."""

    enabled: bool = False

    kinds: tuple[str, ...] = ("visit",)


class QualityRules(BaseModel):
    """A versioned rule set of data-quality thresholds (the numbers of every signal).

    ``lag_kinds`` are the record kinds the entry lag, the same-day share,
    ``late_entry`` and ``after_close`` read (every kind the quality index files, by
    default); the other signals name their own kinds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field("quality", pattern="^quality$")
    name: str
    version: str
    title: str = ""
    lag_kinds: tuple[str, ...] | None = None
    """None: every kind of record the index files."""
    burst: BurstRule = BurstRule()
    late_entry: LateEntryRule = LateEntryRule()
    after_close: AfterCloseRule = AfterCloseRule()
    night_work: NightWorkRule = NightWorkRule()
    same_minute_follow_up: SameMinuteFollowUpRule = SameMinuteFollowUpRule()
    shared_household: SharedHouseholdRule = SharedHouseholdRule()


def quality_digest(rules: QualityRules) -> str:
    """The sha256 of a quality rule set's canonical form (sorted-key JSON).

    Example:
        >>> quality_digest(QualityRules(name="x", version="1")).startswith("sha256:")
        True
    """
    body = orjson.dumps(rules.model_dump(mode="json", by_alias=True), option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(body).hexdigest()

"""The commands of a supervised venue (场所): registration, inspection, rectification.

They join :data:`beatpolice.domain.commands.Command` and are imported from
:mod:`beatpolice.commands` like every other command; the rules that decide them are the
venue's (:mod:`beatpolice.domain.venue`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from beatpolice.domain._command_base import When, _Command
from beatpolice.domain.values import (
    Badge,
    InspectionMode,
    Name,
    RecordId,
    ShortText,
    VenueCategory,
)

__all__ = ["FindingSpec", "InspectVenue", "RegisterVenue", "VerifyRectification"]


class RegisterVenue(_Command):
    """Register a venue (场所) under a responsible officer (主动列管)."""

    type: Literal["register_venue"] = "register_venue"
    id: RecordId
    name: Name
    category: VenueCategory
    address: ShortText
    officer: Badge
    occurred_at: When


class FindingSpec(BaseModel):
    """A finding of an inspection, ordering a rectification by ``rectify_by``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: RecordId
    code: Name
    description: ShortText
    rectify_by: date


class InspectVenue(_Command):
    """Record an inspection of a venue, with its findings (maybe none)."""

    type: Literal["inspect_venue"] = "inspect_venue"
    venue: RecordId
    officer: Badge
    mode: InspectionMode
    occurred_at: When
    findings: tuple[FindingSpec, ...] = Field(max_length=200)


class VerifyRectification(_Command):
    """Check a finding's rectification (跟踪整改反馈)."""

    type: Literal["verify_rectification"] = "verify_rectification"
    venue: RecordId
    finding: RecordId
    officer: Badge
    passed: StrictBool
    occurred_at: When

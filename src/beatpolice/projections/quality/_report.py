"""The quality report: per officer, the entry lag, the same-day share and the findings.

:class:`QualityReport` is what every face renders: the Python API returns it, ``beatpolice
quality --json`` prints its ``model_dump_json``, the HTML report draws a section per
officer from it, and the JSON Schema of the output is generated from it. Figures are
exact decimals (JSON strings), never floats, so a month computed twice gives the same
bytes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["OfficerQuality", "QualityFinding", "QualityReport", "QualityRulesRef"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class QualityRulesRef(_Model):
    """The quality rule set used: name, version and content digest."""

    name: str
    version: str
    digest: str


class QualityFinding(_Model):
    """A question about an officer's records (not a verdict): what, which records, why."""

    kind: Literal[
        "burst",
        "late_entry",
        "after_close",
        "night_work",
        "same_minute_follow_up",
        "shared_household",
    ]
    records: list[str]
    """Event references (``topic@aggregate/key#digest``, as the appraisal's evidence)."""
    why: str
    """The finding in words: what was seen, and the rule set's number it passed."""


class OfficerQuality(_Model):
    """One officer's data quality for the month."""

    badge: str
    name: str
    records: int = Field(ge=0)
    """Records of the month the lag and same-day share read (retracted ones left out)."""
    entry_lag_median_hours: Decimal | None
    """Median of recorded minus field time, hours, nearest rank (None: no records)."""
    entry_lag_p90_hours: Decimal | None
    """90th percentile of the same, nearest rank (ADR 0950)."""
    entered_same_day: int = Field(ge=0)
    """Records entered on their field day (station time zone)."""
    same_day_share: Decimal | None
    """``entered_same_day / records``, four decimal places (None: no records)."""
    findings: list[QualityFinding]
    """Empty for a clean officer."""


class QualityReport(_Model):
    """A month's data-quality signals beside its appraisal (ADRs 0950-0958)."""

    month: str
    time_zone: str
    rules: QualityRulesRef
    closed_at: AwareDatetime | None
    """The instant the month's appraisal was decided, when given (``after_close``)."""
    officers: list[OfficerQuality]
    """Every officer enlisted by the month's end or with records in it, by badge."""

    def officer(self, badge: str) -> OfficerQuality:
        """The officer of that badge.

        Raises:
            KeyError: no such officer in the report.
        """
        for officer in self.officers:
            if officer.badge == badge:
                return officer
        raise KeyError(badge)

    @property
    def findings(self) -> list[QualityFinding]:
        """Every officer's findings, in badge order."""
        return [finding for officer in self.officers for finding in officer.findings]

"""The appraisal report (the contract's fixed shape) and the what-if table.

A report's fingerprint (:mod:`beatpolice.projections.appraisal._fingerprint`) hashes
what its appraisal read: per officer, the events read (identity, and in format 2 their
decisive content and time), then the period, zone, ``as_of`` and the rules' digest. A
report names its ``fingerprint_format``: ``beatpolice-appraisal/2`` (RFC 8785, see
docs/reference/fingerprint.md) for reports made now; a report without the field is
0.1's format 1, and verifies as such.

Each officer's ``checks`` (ADR 0510) are the stars' checks as the rules computed them;
``not_awarded`` says, for each eligible star the quota cut, the position that cut it
(ADR 0535). Both come after every field a 0.1 report has, so those keep their bytes;
the fingerprint does not hash them (it hashes what was read, not what was concluded);
``verify`` compares every field of a report, these included.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StrictInt, field_serializer

from beatpolice.domain.rules import StarCheck
from beatpolice.projections.appraisal._fingerprint import (
    FORMAT_1,
    FORMAT_2,
    FingerprintFormat,
    digest,
    report_fingerprint,
)
from beatpolice.projections.log_checkpoint import LogRef

__all__ = [
    "FINGERPRINT_FORMAT",
    "FORMAT_1",
    "FORMAT_2",
    "AppraisalReport",
    "Check",
    "Comparison",
    "ComparisonRow",
    "LogRef",
    "OfficerAppraisal",
    "RulesRef",
    "digest",
    "report_fingerprint",
]

FINGERPRINT_FORMAT = FORMAT_2
"""The fingerprint format of reports made now."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RulesRef(_Model):
    """The rule set an appraisal was made with: name, version and content digest."""

    name: str
    version: str
    digest: str


class Check(_Model):
    """One threshold of one star, as the appraisal measured it (ADR 0510).

    Written from the rules' :class:`~beatpolice.domain.rules.StarCheck`, never
    recomputed: the officer's shortfall for the star is the ``text`` of its missed
    checks, and the HTML gauges draw these figures.
    """

    label: str
    """What is measured, in domain words (``households visited``)."""
    kind: Literal["count", "ratio"]
    value: StrictInt | Fraction
    """A count (a JSON integer), or a rate's exact value (a string, ``"9/10"``; ``"0"``
    when it has no denominator)."""
    threshold: StrictInt | Fraction
    """The rule set's threshold: a count, or a rate (``"1"`` is 100%)."""
    numerator: int | None = None
    """A rate's numerator as counted (``155`` of ``155/155``); None for a count."""
    denominator: int | None = None
    met: bool
    text: str
    """The words a shortfall uses for this check."""
    value_text: str
    """The value as shown: ``114``, or ``105/106``."""
    threshold_text: str
    """The threshold as shown: ``80``, or ``100%``."""

    @field_serializer("value", "threshold")
    def _exact(self, number: int | Fraction) -> int | str:
        # A rate is written as its exact text ("9/10"); pydantic's own Fraction
        # serializer is not used, since it fails under coverage's tracer.
        return str(number) if isinstance(number, Fraction) else number

    @classmethod
    def of(cls, check: StarCheck) -> Check:
        """The report's form of a rules' check (the same figures, no evidence list)."""
        return cls(
            label=check.label,
            kind=check.kind,
            value=check.value,
            threshold=check.threshold,
            numerator=check.numerator,
            denominator=check.denominator,
            met=check.met,
            text=check.text,
            value_text=check.value_text,
            threshold_text=check.threshold_text,
        )


class OfficerAppraisal(_Model):
    """One officer's month: metrics, stars (or points), evidence and shortfalls."""

    badge: str
    name: str
    metrics: dict[str, int | str]
    """Counts are integers; rates are exact ``"numerator/denominator"``; points decimals."""
    eligible: list[str]
    awarded: list[str]
    evidence: dict[str, list[str]]
    """Per eligible star (or ``"points"``): references ``topic@aggregate-id/key#command``."""
    shortfalls: dict[str, str]
    rank: int | None = None
    """Scorecards only: position by points (equal points share a rank)."""
    flags: list[str] = []
    """Scorecards only: ``"bottom"`` for the bottom N."""
    fingerprint: str
    """The hash of the identities of every event this officer's appraisal read."""
    checks: dict[str, list[Check]] = {}
    """Five-star rule sets: per star (and ``"minimum"``, the monthly household minimum
    every star needs), its checks in rule-set order. Empty for a scorecard, and absent
    from reports made before 0.2."""
    not_awarded: dict[str, str] = {}
    """Per eligible star the month's quota did not award, why: the quota position that
    cut it (ADR 0535). Absent from reports made before 0.2."""


class AppraisalReport(_Model):
    """A month's appraisal under a named rule set, as recorded by ``as_of``.

    ``provisional`` is true when ``as_of`` was within the settle margin of the
    appraisal's own time: events stamped before ``as_of`` may still have been in flight
    then, so such a report is not yet fixed (see docs/explanation/bitemporal-replay.md).
    """

    month: str
    time_zone: str
    rules: RulesRef
    as_of: AwareDatetime
    provisional: bool
    fingerprint: str
    officers: list[OfficerAppraisal]
    fingerprint_format: FingerprintFormat = FORMAT_1
    """How ``fingerprint`` was computed; absent (format 1) in reports made before 0.2."""
    log: LogRef | None = None
    """The checkpoint of the event log the report was computed on (ADR 0524); absent in
    reports made before 0.2. Not part of the fingerprint."""

    def to_json(self) -> str:
        """The report's JSON (the same bytes for the same appraisal, on every backend)."""
        return self.model_dump_json(indent=2)

    def officer(self, badge: str) -> OfficerAppraisal:
        """One officer's entry.

        Raises:
            KeyError: no such officer in this report.
        """
        for entry in self.officers:
            if entry.badge == badge:
                return entry
        raise KeyError(badge)


class ComparisonRow(_Model):
    """One officer under two rule sets: stars awarded under each, gained and lost."""

    badge: str
    name: str
    before: list[str]
    after: list[str]
    gained: list[str]
    lost: list[str]


class Comparison(_Model):
    """The same month under two rule sets, side by side (what-if)."""

    month: str
    before: AppraisalReport
    after: AppraisalReport
    rows: list[ComparisonRow]

    @property
    def changed(self) -> list[ComparisonRow]:
        """The officers who gain or lose a star."""
        return [row for row in self.rows if row.gained or row.lost]

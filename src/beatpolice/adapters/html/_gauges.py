"""Each officer's checks as gauges, for the report's charts.

A :class:`Gauge` is one check of one star ("households visited: 114 / 80",
"satisfaction rate: 105/106 / 100%"), drawn as the report's ``checks`` state it: the
value, threshold, texts and whether it is met are the appraisal's own (ADR 0510), never
parsed back from the metrics nor compared again here. Values are exact fractions; a
rate whose denominator is zero is 0, never 100%.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from beatpolice.projections.appraisal._report import Check, OfficerAppraisal

__all__ = ["Gauge", "gauges"]


@attrs.frozen
class Gauge:
    """One check of an officer's star, ready to draw."""

    star: str
    """``visit``, ``mediation``, ``investigation``, ``information``, ``service`` or
    ``minimum`` (the monthly household minimum every star needs)."""
    label: str
    """What is measured, in domain words."""
    value: Fraction
    threshold: Fraction
    met: bool
    """The appraisal's verdict on the check (a rate with no denominator is never met)."""
    value_text: str
    """The value as the report shows it (``114``, ``105/106``)."""
    threshold_text: str
    """The threshold as the report shows it (``80``, ``100%``)."""
    text: str = ""
    """The words the officer's shortfall uses for the check."""

    @classmethod
    def of(cls, star: str, check: Check) -> Gauge:
        """The gauge of one of a report's checks."""
        return cls(
            star=star,
            label=check.label,
            value=Fraction(check.value),
            threshold=Fraction(check.threshold),
            met=check.met,
            value_text=check.value_text,
            threshold_text=check.threshold_text,
            text=check.text,
        )

    @property
    def ratio(self) -> Fraction:
        """Value over threshold, for the bar's length (1 means exactly at the threshold)."""
        if self.threshold == 0:
            return Fraction(1) if self.met else Fraction(0)
        return self.value / self.threshold


def gauges(officer: OfficerAppraisal) -> list[Gauge]:
    """The gauges of one officer: every check of the report, star by star.

    Args:
        officer: the officer's entry of an appraisal report.

    Returns:
        One gauge per check, in the report's order (the monthly minimum first); none
        for a scorecard, nor for a report made before 0.2 (it has no checks).
    """
    return [Gauge.of(star, check) for star, checks in officer.checks.items() for check in checks]

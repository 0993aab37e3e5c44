"""A star's check: one threshold of one star, measured once and rendered everywhere.

The star functions (:mod:`beatpolice.domain.rules.stars`) return :class:`StarCheck`
values; the shortfall strings, the report's ``checks`` and the HTML gauges all render
these, never the metrics (ADR 0510). A check keeps its exact value (an ``int`` count or
a ``Fraction`` rate with its numerator and denominator), its threshold, whether it is
met, the events behind it and the words a shortfall says of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Literal

import attrs

from beatpolice.domain.rules.facts import Fact, Ratio, refs

__all__ = [
    "GATE",
    "OfficerResult",
    "StarCheck",
    "count_check",
    "percent",
    "rate",
    "ratio_check",
    "shortfall",
]

GATE = "minimum"
"""The key of the checks every star needs (the monthly household minimum)."""


@cache
def rate(text: str) -> Fraction:
    """A rule set's rate (``"1"``, ``"9/10"``) as an exact fraction, parsed once."""
    return Fraction(text)


@cache
def percent(threshold: Fraction) -> str:
    """A rate threshold as a shortfall and a gauge show it.

    Example:
        >>> percent(Fraction(1)), percent(Fraction(9, 10)), percent(Fraction(2, 3))
        ('100%', '90%', '66.67%')
    """
    value = threshold * 100
    text = str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"
    return f"{text}%"


@attrs.frozen
class StarCheck:
    """One threshold of one star as an officer's period measured it.

    Example:
        >>> check = ratio_check("visit", "satisfaction", Ratio(99, 100), Fraction(1), "why")
        >>> check.value, check.met, check.value_text, check.threshold_text
        (Fraction(99, 100), False, '99/100', '100%')
    """

    star: str
    """``visit``, ``mediation``, ``investigation``, ``information``, ``service`` or
    ``minimum`` (:data:`GATE`: the monthly household minimum every star needs)."""
    label: str
    """What is measured, in domain words (``households visited``)."""
    kind: Literal["count", "ratio"]
    value: int | Fraction
    """A count, or a rate's exact value (0 when its denominator is zero)."""
    threshold: int | Fraction
    met: bool
    """Whether the threshold is reached (a rate with no denominator never is)."""
    text: str
    """The words a shortfall uses for this check (``79 households visited, 80 needed``)."""
    numerator: int | None = None
    """A rate's numerator, kept as counted (``155`` of ``155/155``); None for a count."""
    denominator: int | None = None
    evidence: Sequence[Fact] = attrs.field(default=(), repr=False)
    """The facts the check counted."""
    in_shortfall: bool = True
    """Whether a missed check is named in its star's shortfall (False when another
    check of the star already says why, as a rate with no dispute to divide by)."""

    @property
    def value_text(self) -> str:
        """The value as reports show it: ``114``, or ``105/106`` as counted."""
        if self.kind == "ratio":
            return f"{self.numerator}/{self.denominator}"
        return str(self.value)

    @property
    def threshold_text(self) -> str:
        """The threshold as reports show it: ``80``, or ``100%``."""
        if self.kind == "ratio":
            return percent(Fraction(self.threshold))
        return str(self.threshold)

    @property
    def refs(self) -> list[str]:
        """The evidence as event references, sorted, each once."""
        return refs(self.evidence)


def count_check(
    star: str, label: str, value: int, threshold: int, text: str, evidence: Sequence[Fact] = ()
) -> StarCheck:
    """A count's check: met when ``value`` reaches ``threshold``."""
    return StarCheck(
        star=star,
        label=label,
        kind="count",
        value=value,
        threshold=threshold,
        met=value >= threshold,
        text=text,
        evidence=evidence,
    )


def ratio_check(
    star: str,
    label: str,
    ratio: Ratio,
    threshold: Fraction,
    text: str,
    evidence: Sequence[Fact] = (),
    *,
    in_shortfall: bool = True,
) -> StarCheck:
    """A rate's check: met when it reaches ``threshold`` (never with no denominator)."""
    numerator, denominator = ratio
    return StarCheck(
        star=star,
        label=label,
        kind="ratio",
        value=Fraction(numerator, denominator) if denominator else Fraction(0),
        threshold=threshold,
        met=ratio.meets(threshold),
        text=text,
        numerator=numerator,
        denominator=denominator,
        evidence=evidence,
        in_shortfall=in_shortfall,
    )


def shortfall(checks: Sequence[StarCheck]) -> str | None:
    """A star's shortfall: the words of its missed checks, or None when all are met.

    Example:
        >>> shortfall([count_check("service", "services", 2, 3, "2 services, 3 needed")])
        '2 services, 3 needed'
    """
    missed = [check.text for check in checks if not check.met and check.in_shortfall]
    return "; ".join(missed) if missed else None


@attrs.frozen
class OfficerResult:
    """What the rules made of one officer's period."""

    badge: str
    metrics: dict[str, int | str]
    eligible: list[str]
    evidence: dict[str, list[str]]
    shortfalls: dict[str, str]
    scores: dict[str, Fraction] = attrs.field(factory=dict)
    """Per eligible star: its main count over its threshold (for the ranking)."""
    points: Decimal = Decimal(0)
    checks: dict[str, list[StarCheck]] = attrs.field(factory=dict)
    """Per star (and :data:`GATE`), its checks in the order the rule set lists them;
    empty for a scorecard."""

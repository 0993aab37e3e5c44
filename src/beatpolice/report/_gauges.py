"""Each officer's metrics set against the rule set's thresholds, for the report's charts.

A :class:`Gauge` is one threshold of one star ("households visited: 114 of 80 needed",
"satisfaction rate: 105/106 of 100% needed"). Values are exact fractions, as in the
appraisal itself; a rate whose denominator is zero is 0, never 100% (our reading of
seed 002, the appraisal's too).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from beatpolice.appraisal import FiveStarRules, OfficerAppraisal, ScorecardRules

__all__ = ["Gauge", "gauges"]

_KIND_METRICS = {
    "criminal_lead": "criminal_leads",
    "suspect_apprehended": "suspects_apprehended",
    "fugitive_caught": "fugitives_caught",
    "information": "information_leads",
}


@attrs.frozen
class Gauge:
    """One metric of an officer against one threshold of a star."""

    star: str
    """``visit``, ``mediation``, ``investigation``, ``information``, ``service`` or
    ``minimum`` (the monthly household minimum every star needs)."""
    label: str
    """What is measured, in domain words."""
    value: Fraction
    threshold: Fraction
    text: str
    """The value as the report shows it (``114``, ``105/106``)."""
    is_rate: bool = False

    @property
    def met(self) -> bool:
        """Whether the value reaches the threshold."""
        return self.value >= self.threshold

    @property
    def ratio(self) -> Fraction:
        """Value over threshold (1 means exactly at the threshold)."""
        if self.threshold == 0:
            return Fraction(1) if self.value >= 0 else Fraction(0)
        return self.value / self.threshold

    @property
    def threshold_text(self) -> str:
        """The threshold as the report shows it (``80``, ``100%``)."""
        if self.is_rate:
            percent = self.threshold * 100
            return f"{percent.numerator // percent.denominator}%"
        return str(self.threshold)


def _count(metrics: dict[str, int | str], key: str) -> int | None:
    value = metrics.get(key)
    return value if isinstance(value, int) else None


def _rate(text: str) -> Fraction:
    numerator, _, denominator = text.partition("/")
    if not denominator or int(denominator) == 0:
        return Fraction(0)
    return Fraction(int(numerator), int(denominator))


def _rate_gauge(
    star: str, label: str, metrics: dict[str, int | str], key: str, threshold: str
) -> Gauge | None:
    value = metrics.get(key)
    if not isinstance(value, str):
        return None
    return Gauge(star, label, _rate(value), Fraction(threshold), value, is_rate=True)


def _ratio_gauge(
    star: str, label: str, numerator: int | None, denominator: int | None, threshold: str
) -> Gauge | None:
    if numerator is None or denominator is None:
        return None
    text = f"{numerator}/{denominator}"
    return Gauge(star, label, _rate(text), Fraction(threshold), text, is_rate=True)


def _count_gauge(star: str, label: str, value: int | None, threshold: int) -> Gauge | None:
    if value is None:
        return None
    return Gauge(star, label, Fraction(value), Fraction(threshold), str(value))


def _sum(metrics: dict[str, int | str], kinds: tuple[str, ...]) -> int | None:
    counts = [_count(metrics, _KIND_METRICS[kind]) for kind in kinds]
    known = [count for count in counts if count is not None]
    return sum(known) if known else None


def gauges(officer: OfficerAppraisal, rules: FiveStarRules | ScorecardRules) -> list[Gauge]:
    """The gauges of one officer under a five-star rule set (none for a scorecard).

    Args:
        officer: the officer's entry of an appraisal report.
        rules: the rule set the report was made with.

    Returns:
        One gauge per threshold whose metric the report carries, star by star.
    """
    if not isinstance(rules, FiveStarRules):
        return []
    m = officer.metrics
    stars = rules.stars
    leads = _count(m, "leads")
    if set(stars.information.kinds) != set(_KIND_METRICS):
        leads = _sum(m, tuple(stars.information.kinds))
    mediated = _count(m, "disputes_mediated")
    candidates = [
        _count_gauge(
            "minimum",
            "households visited (monthly minimum)",
            _count(m, "households_visited"),
            rules.minimum_households,
        ),
        _count_gauge(
            "visit",
            "households visited",
            _count(m, "households_visited"),
            stars.visit.households,
        ),
        _rate_gauge(
            "visit",
            "people match the register (人号一致率)",
            m,
            "people_match_rate",
            stars.visit.people_match_rate,
        ),
        _rate_gauge(
            "visit",
            "planned households visited (入户走访率)",
            m,
            "visit_plan_rate",
            stars.visit.visit_plan_rate,
        ),
        _rate_gauge(
            "visit",
            "residents satisfied (群众满意率)",
            m,
            "satisfaction_rate",
            stars.visit.satisfaction_rate,
        ),
        _count_gauge("mediation", "disputes mediated", mediated, stars.mediation.disputes),
        _ratio_gauge(
            "mediation",
            "disputes resolved (调解成功率)",
            _count(m, "disputes_resolved"),
            mediated,
            stars.mediation.resolved_rate,
        ),
        _ratio_gauge(
            "mediation",
            "both parties satisfied",
            _count(m, "disputes_satisfied"),
            mediated,
            stars.mediation.satisfied_rate,
        ),
        _count_gauge(
            "investigation",
            "criminal leads, suspects, fugitives",
            _sum(m, tuple(stars.investigation.kinds)),
            stars.investigation.count,
        ),
        _count_gauge(
            "information", "leads and information reports", leads, stars.information.count
        ),
        _count_gauge(
            "service",
            "services acknowledged",
            _count(m, "services_acknowledged"),
            stars.service.count,
        ),
    ]
    return [gauge for gauge in candidates if gauge is not None]

"""The points scorecard (the sub-bureau review): points per counted fact, per week or month.

Pure functions over an officer's :class:`~beatpolice.domain.rules.facts.Fact` tuples;
the numbers are the rule set's
(:class:`~beatpolice.domain.rules.ruleset.ScorecardRules`, TOML beside it). Points
are exact ``Decimal`` values, never floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from beatpolice.domain.rules.checks import OfficerResult
from beatpolice.domain.rules.day_points import day_items
from beatpolice.domain.rules.facts import Fact, OfficerInputs, counted, disputes, refs
from beatpolice.domain.rules.ruleset import ScorecardRules

__all__ = ["evaluate_scorecard", "merge_months", "rank_scorecard"]


def _items(inputs: OfficerInputs) -> list[tuple[str, Fact]]:
    """Each counted fact with the point kind it earns (a fact may earn several)."""
    split = counted(inputs.facts)
    items: list[tuple[str, Fact]] = []
    households: dict[str, Fact] = {}
    for visit in split.visits:
        items.append(("visit", visit))
        household, match = visit.value
        if match:
            items.append(("people_match", visit))
        households.setdefault(household, visit)
    items += [("household", visit) for visit in households.values()]
    items += [("follow_up_satisfied", f) for f in split.follow_ups if f.value is True]
    items += [(f"lead.{lead.value}", lead) for lead in split.leads]
    items += [("service", s) for s in split.services]
    items += [("service_acknowledged", s) for s in split.services if s.value is True]
    found = disputes(
        split.others, inputs.dispute_follow_ups, inputs.dispute_resolutions, inputs.period_end
    )
    items += [("mediation", f) for facts in found.mediated.values() for f in facts]
    items += [("dispute_resolved", facts[0]) for facts in found.resolved.values()]
    items += [
        ("dispute_satisfied", found.mediated[key][0])
        for key, verdict in found.verdicts.items()
        if verdict is not None and verdict.value is True
    ]
    simple = {"inspection": "venue_inspection", "violation": "violation_found"}
    items += [(simple[f.kind], f) for f in split.others if f.kind in simple]
    items += [("rectification_verified", f) for f in split.others if f.kind == "rectified"]
    items += day_items(split.others)
    return items


def evaluate_scorecard(
    inputs: OfficerInputs, rules: ScorecardRules, *, by_month: bool = False
) -> OfficerResult:
    """Score one officer's period: points per category, per week (or month) and in total.

    Each counted fact gives the points its kind has in every category that lists it.
    Points of a follow-up, retraction-free record or dispute count in the week of the
    record's field date (ISO week, ``2014-W02``; or ``2014-01`` with ``by_month``).
    """
    categories = {category.key: Decimal(0) for category in rules.categories}
    periods: dict[str, Decimal] = {}
    used: list[Fact] = []
    for kind, fact in _items(inputs):
        gained = Decimal(0)
        for category in rules.categories:
            if kind in category.points:
                points = Decimal(category.points[kind])
                categories[category.key] += points
                gained += points
        if gained:
            used.append(fact)
            period = fact.day[:7] if by_month else _iso_week(fact.day)
            periods[period] = periods.get(period, Decimal(0)) + gained
    total = sum(categories.values(), Decimal(0))
    metrics: dict[str, int | str] = {"points": str(total)}
    metrics.update({f"points.{key}": str(value) for key, value in categories.items()})
    metrics.update({f"points.{key}": str(periods[key]) for key in sorted(periods)})
    return OfficerResult(
        badge=inputs.badge,
        metrics=metrics,
        eligible=[],
        evidence={"points": refs(used)} if used else {},
        shortfalls={},
        points=total,
    )


def merge_months(
    badge: str, rules: ScorecardRules, months: Sequence[OfficerResult]
) -> OfficerResult:
    """A year from its months' own results (ADR 0533): every figure is their sum.

    ``points.<month>`` is each month's total as that month's report gives it; a
    household visited in two months earns its household points in both.
    """
    categories = {category.key: Decimal(0) for category in rules.categories}
    periods: dict[str, str] = {}
    evidence: set[str] = set()
    total = Decimal(0)
    for month in months:
        total += month.points
        for key in categories:
            categories[key] += Decimal(str(month.metrics[f"points.{key}"]))
        periods.update(
            {
                name[len("points.") :]: str(value)
                for name, value in month.metrics.items()
                if name[len("points.") :][:4].isdigit()
            }
        )
        evidence.update(month.evidence.get("points", ()))
    metrics: dict[str, int | str] = {"points": str(total)}
    metrics.update({f"points.{key}": str(value) for key, value in categories.items()})
    metrics.update({f"points.{key}": periods[key] for key in sorted(periods)})
    return OfficerResult(
        badge=badge,
        metrics=metrics,
        eligible=[],
        evidence={"points": sorted(evidence)} if evidence else {},
        shortfalls={},
        points=total,
    )


def _iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def rank_scorecard(
    results: Sequence[OfficerResult], rules: ScorecardRules
) -> dict[str, tuple[int, list[str], list[str]]]:
    """Rank by points (descending, then badge); returns badge -> (rank, awarded, flags).

    Equal points share a rank (1, 2, 2, 4); the top ``reward_top`` positions of the
    order are rewarded and the bottom ``flag_bottom`` flagged, never both.
    """
    ordered = sorted(results, key=lambda r: (-r.points, r.badge))
    ranked: dict[str, tuple[int, list[str], list[str]]] = {}
    rank = 0
    previous: Decimal | None = None
    count = len(ordered)
    for position, result in enumerate(ordered):
        if result.points != previous:
            rank = position + 1
            previous = result.points
        rewarded = position < rules.reward_top
        flagged = not rewarded and position >= count - rules.flag_bottom
        ranked[result.badge] = (
            rank,
            ["reward"] if rewarded else [],
            ["bottom"] if flagged else [],
        )
    return ranked

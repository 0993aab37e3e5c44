"""Appraisal rules as pure functions: from an officer's counted facts to stars and points.

Nothing here reads a store or a clock. The inputs are :class:`Fact` tuples (one per
recorded event that can count, with its identity and recorded time) already chosen
by month and ``as_of``; the outputs are exact (``int``, ``Fraction``, ``Decimal``).

Definitions (seed 002 and our readings, see docs/reference/rule-sets.md):

- a visit, lead or service counts unless a ``RecordRetracted`` of it is visible;
- households are counted once however often visited;
- each rate keeps its numerator and denominator; a zero denominator is not met;
- a dispute is mediated by an officer in a month when a ``MediationHeld`` by that
  officer occurred in the month, resolved when a ``DisputeResolved`` by that officer
  occurred in the month, satisfied when its latest visible ``DisputeFollowedUp``
  (by field time, then recorded time) says both parties were satisfied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

import attrs

from beatpolice.domain.appraisal_rules import STARS, FiveStarRules, ScorecardRules

__all__ = [
    "TOPICS",
    "Fact",
    "OfficerInputs",
    "OfficerResult",
    "Ratio",
    "allocate_stars",
    "evaluate_five_star",
    "evaluate_scorecard",
    "rank_scorecard",
]

TOPICS = {
    "enlisted": "beatpolice:OfficerEnlisted",
    "plan": "beatpolice:VisitsPlanned",
    "visit": "beatpolice:VisitRecorded",
    "visit_follow_up": "beatpolice:VisitFollowedUp",
    "retraction": "beatpolice:RecordRetracted",
    "lead": "beatpolice:LeadReported",
    "service": "beatpolice:ServiceRendered",
    "mediation": "beatpolice:MediationHeld",
    "resolution": "beatpolice:DisputeResolved",
    "dispute_follow_up": "beatpolice:DisputeFollowedUp",
    "inspection": "beatpolice:VenueInspected",
    "violation": "beatpolice:ViolationFound",
    "rectified": "beatpolice:RectificationVerified",
}
"""The topic of the event behind each kind of fact."""


class Fact(NamedTuple):
    """One recorded event that an appraisal may count, reduced to what it needs.

    The first five fields are the event's :attr:`identity`, in the order the
    fingerprint sorts them, so that a fact's identity is a slice of it. ``key`` is the
    record, dispute or venue id it concerns; ``value`` its decisive content (a visit's
    ``[household, people_match_register]``, a follow-up's verdict, a lead's kind, a
    plan's households...). ``day`` is the field date (station time zone) of the record
    the fact belongs to.
    """

    topic: str
    """The topic of the event behind the fact (:data:`TOPICS` of ``kind``)."""
    originator_id: str
    key: str
    recorded: str
    """Recorded time, UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (string order is time order)."""
    command: str
    kind: str
    value: Any
    day: str = ""
    occurred: str = ""
    """Field time, same form; kept for dispute follow-ups (the latest verdict counts)."""
    originator_version: int = 0
    """Kept for visit plans (the latest plan of a month counts)."""

    @property
    def ref(self) -> str:
        """The event reference shown as evidence.

        ``topic@aggregate-id/key#command``: the topic, the aggregate's id, the record
        (visit, lead, service, dispute, venue/finding) id and the first 12 hex digits
        of the command digest. It names one stored event, and does not depend on the
        order in which the events of one batch were ingested (versions do).
        """
        return f"{self.topic}@{self.originator_id}/{self.key}#{self.command[7:19]}"

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What the fingerprint hashes: topic, aggregate id, key, recorded time, command."""
        return (self.topic, self.originator_id, self.key, self.recorded, self.command)


class Ratio(NamedTuple):
    """An exact rate with its numerator and denominator kept (shown as ``"n/d"``)."""

    numerator: int
    denominator: int

    def meets(self, threshold: Fraction) -> bool:
        """Whether the rate reaches ``threshold``; a zero denominator never does."""
        # n/d >= a/b as integers (d, b > 0): no Fraction built per officer and rate
        return (
            self.denominator > 0
            and self.numerator * threshold.denominator >= threshold.numerator * self.denominator
        )

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@attrs.frozen
class OfficerInputs:
    """Everything visible about one officer for one period."""

    badge: str
    name: str
    facts: Sequence[Fact]
    """The period's facts (records by field time, with their follow-ups and retractions)."""
    plan: Fact | None = None
    """The latest visit plan of the month visible at ``as_of``."""
    dispute_follow_ups: Mapping[str, Sequence[Fact]] = attrs.field(factory=dict)
    """Visible follow-ups of the disputes the officer mediated, by dispute id."""


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


@attrs.frozen
class _Counted:
    visits: list[Fact]
    leads: list[Fact]
    services: list[Fact]
    follow_ups: list[Fact]
    others: list[Fact]


def _counted(facts: Iterable[Fact]) -> _Counted:
    """Split facts by kind, dropping retracted records and their follow-ups."""
    facts = list(facts)
    retracted = {fact.key for fact in facts if fact.kind == "retraction"}
    counted = _Counted(visits=[], leads=[], services=[], follow_ups=[], others=[])
    for fact in facts:
        if fact.kind == "visit" and fact.key not in retracted:
            counted.visits.append(fact)
        elif fact.kind == "lead" and fact.key not in retracted:
            counted.leads.append(fact)
        elif fact.kind == "service" and fact.key not in retracted:
            counted.services.append(fact)
        elif fact.kind == "visit_follow_up" and fact.key not in retracted:
            counted.follow_ups.append(fact)
        elif fact.kind not in ("visit", "lead", "service", "visit_follow_up", "retraction"):
            counted.others.append(fact)
    return counted


def _latest(follow_ups: Sequence[Fact]) -> Fact | None:
    return max(follow_ups, key=lambda f: (f.occurred, f.recorded, f.command), default=None)


@attrs.frozen
class _Disputes:
    mediated: dict[str, list[Fact]]
    resolved: dict[str, list[Fact]]
    verdicts: dict[str, Fact | None]


def _disputes(others: Iterable[Fact], follow_ups: Mapping[str, Sequence[Fact]]) -> _Disputes:
    mediated: dict[str, list[Fact]] = {}
    resolved: dict[str, list[Fact]] = {}
    for fact in others:
        if fact.kind == "mediation":
            mediated.setdefault(fact.key, []).append(fact)
        elif fact.kind == "resolution":
            resolved.setdefault(fact.key, []).append(fact)
    verdicts = {key: _latest(follow_ups.get(key, ())) for key in mediated}
    return _Disputes(mediated=mediated, resolved=resolved, verdicts=verdicts)


def _refs(facts: Iterable[Fact]) -> list[str]:
    return sorted({fact.ref for fact in facts})


def evaluate_five_star(inputs: OfficerInputs, rules: FiveStarRules) -> OfficerResult:
    """Decide which stars one officer's month earns, with evidence and shortfalls.

    Example:
        >>> rules = FiveStarRules(name="x", version="1")
        >>> shortfall = evaluate_five_star(OfficerInputs("D1", "张三", []), rules).shortfalls
        >>> for part in shortfall["service"].split("; "):
        ...     print(part)
        no star this month: 0 households visited, the monthly minimum is 50
        0 acknowledged services, 3 needed
    """
    counted = _counted(inputs.facts)
    stars = rules.stars

    households: dict[str, bool] = {}
    for visit in counted.visits:
        household, match = visit.value
        households[household] = households.get(household, True) and bool(match)
    planned = frozenset(inputs.plan.value) if inputs.plan is not None else frozenset()
    people_match = Ratio(sum(households.values()), len(households))
    plan_rate = Ratio(len(planned & households.keys()), len(planned))
    satisfaction = Ratio(sum(bool(f.value) for f in counted.follow_ups), len(counted.follow_ups))

    disputes = _disputes(counted.others, inputs.dispute_follow_ups)
    resolved = [key for key in disputes.mediated if key in disputes.resolved]
    satisfied = [key for key, f in disputes.verdicts.items() if f is not None and f.value is True]

    lead_counts = dict.fromkeys(_LEAD_KINDS, 0)
    for lead in counted.leads:
        lead_counts[lead.value] += 1
    acknowledged = [s for s in counted.services if s.value is True]

    metrics: dict[str, int | str] = {
        "households_visited": len(households),
        "visits": len(counted.visits),
        "people_match_rate": str(people_match),
        "visit_plan_rate": str(plan_rate),
        "satisfaction_rate": str(satisfaction),
        "disputes_mediated": len(disputes.mediated),
        "disputes_resolved": len(resolved),
        "disputes_satisfied": len(satisfied),
        "criminal_leads": lead_counts["criminal_lead"],
        "suspects_apprehended": lead_counts["suspect_apprehended"],
        "fugitives_caught": lead_counts["fugitive_caught"],
        "information_leads": lead_counts["information"],
        "leads": len(counted.leads),
        "services": len(counted.services),
        "services_acknowledged": len(acknowledged),
    }

    shortfalls: dict[str, str] = {}
    evidence: dict[str, list[str]] = {}
    scores: dict[str, Fraction] = {}

    # visit
    missing: list[str] = []
    if len(households) < stars.visit.households:
        missing.append(f"{len(households)} households visited, {stars.visit.households} needed")
    for label, ratio, threshold in (
        ("people-match rate", people_match, stars.visit.people_match_rate),
        ("visit-plan rate", plan_rate, stars.visit.visit_plan_rate),
        ("satisfaction rate", satisfaction, stars.visit.satisfaction_rate),
    ):
        if not ratio.meets(Fraction(threshold)):
            missing.append(_rate_shortfall(label, ratio, Fraction(threshold)))
    if missing:
        shortfalls["visit"] = "; ".join(missing)
    else:
        plan = [inputs.plan] if inputs.plan is not None else []
        evidence["visit"] = _refs([*counted.visits, *counted.follow_ups, *plan])
        scores["visit"] = _score(len(households), stars.visit.households)

    # mediation
    mediation = stars.mediation
    count = len(disputes.mediated)
    missing = []
    if count < mediation.disputes:
        missing.append(f"{count} disputes mediated, {mediation.disputes} needed")
    unresolved = sorted(set(disputes.mediated) - set(resolved))
    if count and not Ratio(len(resolved), count).meets(Fraction(mediation.resolved_rate)):
        missing.append(
            f"resolved {len(resolved)}/{count}, {_percent(Fraction(mediation.resolved_rate))} "
            f"needed" + (f" (not resolved: {', '.join(unresolved)})" if unresolved else "")
        )
    if count and not Ratio(len(satisfied), count).meets(Fraction(mediation.satisfied_rate)):
        reasons = []
        for key in sorted(disputes.mediated):
            verdict = disputes.verdicts[key]
            if verdict is None:
                reasons.append(f"{key}: no follow-up recorded")
            elif verdict.value is not True:
                reasons.append(f"{key}: a party was not satisfied on follow-up")
        missing.append(
            f"both parties satisfied in {len(satisfied)}/{count}, "
            f"{_percent(Fraction(mediation.satisfied_rate))} needed"
            + (f" ({'; '.join(reasons)})" if reasons else "")
        )
    if count == 0 and not missing:
        missing.append("0 disputes mediated: the rates have no denominator")
    if missing:
        shortfalls["mediation"] = "; ".join(missing)
    else:
        used = [f for key in disputes.mediated for f in disputes.mediated[key]]
        used += [f for key in resolved for f in disputes.resolved[key]]
        used += [v for v in disputes.verdicts.values() if v is not None]
        evidence["mediation"] = _refs(used)
        scores["mediation"] = _score(count, mediation.disputes)

    # investigation
    investigation = stars.investigation
    found = [lead for lead in counted.leads if lead.value in investigation.kinds]
    best = max((lead_counts[kind] for kind in investigation.kinds), default=0)
    if best >= investigation.count or len(found) >= investigation.count:
        evidence["investigation"] = _refs(found)
        scores["investigation"] = _score(len(found), investigation.count)
    else:
        shortfalls["investigation"] = (
            f"{len(found)} criminal-case leads, suspects or fugitives, "
            f"{investigation.count} needed"
        )

    # information
    information = stars.information
    informative = [lead for lead in counted.leads if lead.value in information.kinds]
    if len(informative) >= information.count:
        evidence["information"] = _refs(informative)
        scores["information"] = _score(len(informative), information.count)
    else:
        shortfalls["information"] = f"{len(informative)} leads, {information.count} needed"

    # service
    service = stars.service
    if len(acknowledged) >= service.count:
        evidence["service"] = _refs(acknowledged)
        scores["service"] = _score(len(acknowledged), service.count)
    else:
        shortfalls["service"] = (
            f"{len(acknowledged)} acknowledged services, {service.count} needed"
        )

    gates: list[str] = []
    if len(households) < rules.minimum_households:
        gates.append(
            f"no star this month: {len(households)} households visited, "
            f"the monthly minimum is {rules.minimum_households}"
        )
    if rules.gate == "visit" and "visit" in shortfalls:
        gates.append(f"no star this month: the visit gate is not met ({shortfalls['visit']})")
    if gates:
        for star in STARS:
            reason = "; ".join(gates)
            shortfalls[star] = (
                reason if star not in shortfalls else f"{reason}; {shortfalls[star]}"
            )
        evidence.clear()
        scores.clear()

    eligible = [star for star in STARS if star in evidence]
    return OfficerResult(
        badge=inputs.badge,
        metrics=metrics,
        eligible=eligible,
        evidence={star: evidence[star] for star in eligible},
        shortfalls={star: shortfalls[star] for star in STARS if star in shortfalls},
        scores=scores,
    )


_LEAD_KINDS = ("criminal_lead", "suspect_apprehended", "fugitive_caught", "information")


def _score(count: int, threshold: int) -> Fraction:
    return Fraction(count, threshold) if threshold else Fraction(count)


def _percent(threshold: Fraction) -> str:
    percent = threshold * 100
    text = str(percent.numerator) if percent.denominator == 1 else f"{float(percent):.2f}"
    return f"{text}%"


def _rate_shortfall(label: str, ratio: Ratio, threshold: Fraction) -> str:
    if ratio.denominator == 0:
        why = {
            "visit-plan rate": "no visit plan for the month",
            "satisfaction rate": "no follow-up recorded",
            "people-match rate": "no household visited",
        }[label]
        return f"{label} has no denominator ({why}), {_percent(threshold)} needed"
    return f"{label} {ratio}, {_percent(threshold)} needed"


def allocate_stars(results: Sequence[OfficerResult], rules: FiveStarRules) -> dict[str, list[str]]:
    """Award the month's quota of stars among the eligible; returns badge -> stars.

    Within a star, candidates rank by score (descending), then by how many stars they
    are eligible for (descending), then by badge (ascending). ``round-robin`` takes the
    first of every star in star order, then the second, ...; ``merit`` takes the best
    (score, eligible count, star order, badge) overall.

    Example:
        >>> rules = FiveStarRules(name="x", version="1", quota=1)
        >>> a = OfficerResult("A", {}, ["service"], {}, {}, {"service": Fraction(2)})
        >>> b = OfficerResult("B", {}, ["service"], {}, {}, {"service": Fraction(3)})
        >>> allocate_stars([a, b], rules)
        {'A': [], 'B': ['service']}
    """
    queues: dict[str, list[OfficerResult]] = {
        star: sorted(
            (r for r in results if star in r.eligible),
            key=lambda r, s=star: (-r.scores[s], -len(r.eligible), r.badge),  # type: ignore[misc]
        )
        for star in STARS
    }
    order: list[tuple[str, str]] = []
    if rules.allocation == "round-robin":
        depth = max((len(queue) for queue in queues.values()), default=0)
        for position in range(depth):
            for star in STARS:
                if position < len(queues[star]):
                    order.append((queues[star][position].badge, star))
    else:
        candidates = [
            (-r.scores[star], -len(r.eligible), STARS.index(star), r.badge, star)
            for star in STARS
            for r in queues[star]
        ]
        order = [(badge, star) for *_, badge, star in sorted(candidates)]
    awarded: dict[str, list[str]] = {r.badge: [] for r in results}
    for badge, star in order[: rules.quota]:
        awarded[badge].append(star)
    return {badge: [s for s in STARS if s in stars] for badge, stars in awarded.items()}


def evaluate_scorecard(
    inputs: OfficerInputs, rules: ScorecardRules, *, by_month: bool = False
) -> OfficerResult:
    """Score one officer's period: points per category, per week (or month) and in total.

    Each counted fact gives the points its kind has in every category that lists it.
    Points of a follow-up, retraction-free record or dispute count in the week of the
    record's field date (ISO week, ``2014-W02``; or ``2014-01`` with ``by_month``).
    """
    counted = _counted(inputs.facts)
    items: list[tuple[str, Fact]] = []
    households: dict[str, Fact] = {}
    for visit in counted.visits:
        items.append(("visit", visit))
        household, match = visit.value
        if match:
            items.append(("people_match", visit))
        households.setdefault(household, visit)
    items += [("household", visit) for visit in households.values()]
    items += [("follow_up_satisfied", f) for f in counted.follow_ups if f.value is True]
    items += [(f"lead.{lead.value}", lead) for lead in counted.leads]
    items += [("service", s) for s in counted.services]
    items += [("service_acknowledged", s) for s in counted.services if s.value is True]
    disputes = _disputes(counted.others, inputs.dispute_follow_ups)
    items += [("mediation", f) for facts in disputes.mediated.values() for f in facts]
    items += [("dispute_resolved", facts[0]) for facts in disputes.resolved.values()]
    items += [
        ("dispute_satisfied", disputes.mediated[key][0])
        for key, verdict in disputes.verdicts.items()
        if verdict is not None and verdict.value is True
    ]
    simple = {"inspection": "venue_inspection", "violation": "violation_found"}
    items += [(simple[f.kind], f) for f in counted.others if f.kind in simple]
    items += [("rectification_verified", f) for f in counted.others if f.kind == "rectified"]

    categories = {category.key: Decimal(0) for category in rules.categories}
    periods: dict[str, Decimal] = {}
    used: list[Fact] = []
    for kind, fact in items:
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
        evidence={"points": _refs(used)} if used else {},
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

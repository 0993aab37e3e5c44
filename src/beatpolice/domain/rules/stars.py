"""The five stars of the Dezhou article (德州 "五星"评选), each a pure function giving its checks.

:func:`tally` counts an officer's month once; :func:`visit_star`,
:func:`mediation_star`, :func:`investigation_star`, :func:`information_star` and
:func:`service_star` each set that tally against their thresholds and return their
:class:`~beatpolice.domain.rules.checks.StarCheck` values; :func:`minimum_gate` is the
monthly household minimum every star needs. :func:`evaluate_five_star` puts them
together (eligibility, evidence, scores, shortfalls: all read off the checks);
:mod:`~beatpolice.domain.rules.quota` awards the month's quota. The numbers are the rule set's
(:class:`~beatpolice.domain.rules.ruleset.FiveStarRules`, TOML beside it).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from beatpolice.domain.rules.checks import (
    GATE,
    OfficerResult,
    StarCheck,
    count_check,
    percent,
    rate,
    ratio_check,
    shortfall,
)
from beatpolice.domain.rules.facts import (
    LEAD_KINDS,
    Counted,
    Disputes,
    Fact,
    OfficerInputs,
    Ratio,
    counted,
    disputes,
    refs,
)
from beatpolice.domain.rules.ruleset import (
    STARS,
    FiveStarRules,
    InformationStar,
    InvestigationStar,
    MediationStar,
    ServiceStar,
    VisitStar,
)

__all__ = [
    "MonthTally",
    "evaluate_five_star",
    "information_star",
    "investigation_star",
    "mediation_star",
    "minimum_gate",
    "service_star",
    "tally",
    "visit_star",
]


@attrs.frozen
class MonthTally:
    """An officer's month counted once, for every star to read."""

    counted: Counted
    households: dict[str, bool]
    """Each household visited, and whether all its visits matched the register."""
    plan: Fact | None
    planned: frozenset[str]
    disputes: Disputes
    resolved: list[str]
    """Mediated disputes the officer also resolved in the month."""
    satisfied: list[str]
    """Mediated disputes whose latest follow-up says both parties were satisfied."""
    lead_counts: dict[str, int]
    acknowledged: list[Fact]
    """Services the public acknowledged."""
    people_match: Ratio
    """Households all of whose visits matched the register / households visited."""
    plan_rate: Ratio
    """Planned households visited / households of the plan."""
    satisfaction: Ratio
    """Satisfied follow-ups / follow-ups of counted visits."""

    def metrics(self) -> dict[str, int | str]:
        """The report's metrics (rates as ``"numerator/denominator"``)."""
        return {
            "households_visited": len(self.households),
            "visits": len(self.counted.visits),
            "people_match_rate": str(self.people_match),
            "visit_plan_rate": str(self.plan_rate),
            "satisfaction_rate": str(self.satisfaction),
            "disputes_mediated": len(self.disputes.mediated),
            "disputes_resolved": len(self.resolved),
            "disputes_satisfied": len(self.satisfied),
            "criminal_leads": self.lead_counts["criminal_lead"],
            "suspects_apprehended": self.lead_counts["suspect_apprehended"],
            "fugitives_caught": self.lead_counts["fugitive_caught"],
            "information_leads": self.lead_counts["information"],
            "leads": len(self.counted.leads),
            "services": len(self.counted.services),
            "services_acknowledged": len(self.acknowledged),
        }


def tally(inputs: OfficerInputs) -> MonthTally:
    """Count an officer's month: households, plan, disputes, leads, services."""
    split = counted(inputs.facts)
    households: dict[str, bool] = {}
    for visit in split.visits:
        household, match = visit.value
        households[household] = households.get(household, True) and bool(match)
    found = disputes(
        split.others, inputs.dispute_follow_ups, inputs.dispute_resolutions, inputs.period_end
    )
    lead_counts = dict.fromkeys(LEAD_KINDS, 0)
    for lead in split.leads:
        lead_counts[lead.value] += 1
    planned = frozenset(inputs.plan.value) if inputs.plan is not None else frozenset()
    follow_ups = split.follow_ups
    return MonthTally(
        counted=split,
        households=households,
        plan=inputs.plan,
        planned=planned,
        disputes=found,
        resolved=[key for key in found.mediated if key in found.resolved],
        satisfied=[k for k, f in found.verdicts.items() if f is not None and f.value is True],
        lead_counts=lead_counts,
        acknowledged=[s for s in split.services if s.value is True],
        people_match=Ratio(sum(households.values()), len(households)),
        plan_rate=Ratio(len(planned & households.keys()), len(planned)),
        satisfaction=Ratio(sum(bool(f.value) for f in follow_ups), len(follow_ups)),
    )


_NO_DENOMINATOR = {
    "people-match rate": "no household visited",
    "visit-plan rate": "no visit plan for the month",
    "satisfaction rate": "no follow-up recorded",
}


def _rate_text(words: str, ratio: Ratio, threshold: Fraction) -> str:
    if ratio.denominator == 0:
        why = _NO_DENOMINATOR[words]
        return f"{words} has no denominator ({why}), {percent(threshold)} needed"
    return f"{words} {ratio}, {percent(threshold)} needed"


def minimum_gate(month: MonthTally, minimum: int) -> StarCheck:
    """Households visited against the monthly minimum (below it, no star at all)."""
    count = len(month.households)
    return count_check(
        GATE,
        "households visited (monthly minimum)",
        count,
        minimum,
        f"no star this month: {count} households visited, the monthly minimum is {minimum}",
        month.counted.visits,
    )


def visit_star(month: MonthTally, rules: VisitStar) -> list[StarCheck]:
    """入户走访之星: households visited, people-match, visit-plan and satisfaction rates."""
    visits, follow_ups = month.counted.visits, month.counted.follow_ups
    plan = [month.plan] if month.plan is not None else []
    rates = (
        (
            "people match the register (人号一致率)",
            "people-match rate",
            month.people_match,
            rules.people_match_rate,
            visits,
        ),
        (
            "planned households visited (入户走访率)",
            "visit-plan rate",
            month.plan_rate,
            rules.visit_plan_rate,
            [*plan, *visits],
        ),
        (
            "residents satisfied (群众满意率)",
            "satisfaction rate",
            month.satisfaction,
            rules.satisfaction_rate,
            follow_ups,
        ),
    )
    count = len(month.households)
    return [
        count_check(
            "visit",
            "households visited",
            count,
            rules.households,
            f"{count} households visited, {rules.households} needed",
            visits,
        ),
        *(
            ratio_check(
                "visit",
                label,
                ratio,
                rate(threshold),
                _rate_text(words, ratio, rate(threshold)),
                evidence,
            )
            for label, words, ratio, threshold, evidence in rates
        ),
    ]


def mediation_star(month: MonthTally, rules: MediationStar) -> list[StarCheck]:
    """纠纷调解之星: disputes mediated, the share resolved, the share both parties satisfied.

    With no dispute mediated the rates have no denominator: the count's check says why,
    or (a threshold of 0 disputes) the resolved rate's check does.
    """
    found = month.disputes
    count = len(found.mediated)
    resolved_rate, satisfied_rate = rate(rules.resolved_rate), rate(rules.satisfied_rate)
    counted_check = count_check(
        "mediation",
        "disputes mediated",
        count,
        rules.disputes,
        f"{count} disputes mediated, {rules.disputes} needed",
        [fact for facts in found.mediated.values() for fact in facts],
    )
    empty = "0 disputes mediated: the rates have no denominator"
    if count:
        unresolved = sorted(set(found.mediated) - set(month.resolved))
        resolved_text = f"resolved {len(month.resolved)}/{count}, {percent(resolved_rate)} needed"
        if unresolved:
            resolved_text += f" (not resolved: {', '.join(unresolved)})"
        reasons = []
        for key in sorted(found.mediated):
            verdict = found.verdicts[key]
            if verdict is None:
                reasons.append(f"{key}: no follow-up recorded")
            elif verdict.value is not True:
                reasons.append(f"{key}: a party was not satisfied on follow-up")
        satisfied_text = (
            f"both parties satisfied in {len(month.satisfied)}/{count}, "
            f"{percent(satisfied_rate)} needed" + (f" ({'; '.join(reasons)})" if reasons else "")
        )
    else:
        resolved_text = satisfied_text = empty
    return [
        counted_check,
        ratio_check(
            "mediation",
            "disputes resolved (调解成功率)",
            Ratio(len(month.resolved), count),
            resolved_rate,
            resolved_text,
            [fact for key in month.resolved for fact in found.resolved[key]],
            in_shortfall=bool(count) or counted_check.met,
        ),
        ratio_check(
            "mediation",
            "both parties satisfied",
            Ratio(len(month.satisfied), count),
            satisfied_rate,
            satisfied_text,
            [verdict for verdict in found.verdicts.values() if verdict is not None],
            in_shortfall=bool(count),
        ),
    ]


def investigation_star(month: MonthTally, rules: InvestigationStar) -> list[StarCheck]:
    """侦查破案之星: criminal-case leads, suspects apprehended, fugitives caught.

    "At least ``count`` of any one kind, or of them all together": the total of the
    kinds is never below the best single kind, so the total decides.
    """
    found = [lead for lead in month.counted.leads if lead.value in rules.kinds]
    return [
        count_check(
            "investigation",
            "criminal leads, suspects, fugitives",
            len(found),
            rules.count,
            f"{len(found)} criminal-case leads, suspects or fugitives, {rules.count} needed",
            found,
        )
    ]


def information_star(month: MonthTally, rules: InformationStar) -> list[StarCheck]:
    """信息采集之星: leads of the rule set's kinds (002: 线索信息 10 条以上), and the items of
    information collected when the rule set counts them (they are among the facts only
    then; ADR 0911)."""
    found = [lead for lead in month.counted.leads if lead.value in rules.kinds]
    found += [fact for fact in month.counted.others if fact.kind == "collected"]
    return [
        count_check(
            "information",
            "leads and information reports",
            len(found),
            rules.count,
            f"{len(found)} leads, {rules.count} needed",
            found,
        )
    ]


def service_star(month: MonthTally, rules: ServiceStar) -> list[StarCheck]:
    """服务群众之星: services the public acknowledged (确实得到群众认可)."""
    acknowledged = month.acknowledged
    return [
        count_check(
            "service",
            "services acknowledged",
            len(acknowledged),
            rules.count,
            f"{len(acknowledged)} acknowledged services, {rules.count} needed",
            acknowledged,
        )
    ]


def _score(check: StarCheck) -> Fraction:
    """A star's score for the ranking: its main count over its threshold."""
    value, threshold = check.value, check.threshold
    return Fraction(value, threshold) if threshold else Fraction(value)


def evaluate_five_star(inputs: OfficerInputs, rules: FiveStarRules) -> OfficerResult:
    """Decide which stars one officer's month earns, with evidence and shortfalls.

    Every figure of the result is read off the stars' checks (``result.checks``).

    Example:
        >>> rules = FiveStarRules(name="x", version="1")
        >>> result = evaluate_five_star(OfficerInputs("D1", "张三", []), rules)
        >>> for part in result.shortfalls["service"].split("; "):
        ...     print(part)
        no star this month: 0 households visited, the monthly minimum is 50
        0 acknowledged services, 3 needed
        >>> [check.value_text for check in result.checks["visit"]]
        ['0', '0/0', '0/0', '0/0']
    """
    month = tally(inputs)
    stars = rules.stars
    checks: dict[str, list[StarCheck]] = {
        GATE: [minimum_gate(month, rules.minimum_households)],
        "visit": visit_star(month, stars.visit),
        "mediation": mediation_star(month, stars.mediation),
        "investigation": investigation_star(month, stars.investigation),
        "information": information_star(month, stars.information),
        "service": service_star(month, stars.service),
    }
    shortfalls: dict[str, str] = {}
    for star in STARS:
        missed = shortfall(checks[star])
        if missed is not None:
            shortfalls[star] = missed
    gates = [check.text for check in checks[GATE] if not check.met]
    if rules.gate == "visit" and "visit" in shortfalls:
        gates.append(f"no star this month: the visit gate is not met ({shortfalls['visit']})")
    if gates:
        reason = "; ".join(gates)
        shortfalls = {
            star: f"{reason}; {shortfalls[star]}" if star in shortfalls else reason
            for star in STARS
        }
    eligible = [star for star in STARS if star not in shortfalls]
    return OfficerResult(
        badge=inputs.badge,
        metrics=month.metrics(),
        eligible=eligible,
        evidence={
            star: refs(fact for check in checks[star] for fact in check.evidence)
            for star in eligible
        },
        shortfalls={star: shortfalls[star] for star in STARS if star in shortfalls},
        scores={star: _score(checks[star][0]) for star in eligible},
        checks=checks,
    )

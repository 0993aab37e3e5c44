"""Deciding a period from its read facts: the rules, the quota, the report and its fingerprint.

The same function decides an appraisal read from the index and an audit read from the
events themselves, so the two can only differ in what they read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from beatpolice.domain.rules import (
    OfficerInputs,
    OfficerResult,
    allocate_stars,
    evaluate_five_star,
    evaluate_scorecard,
    rank_scorecard,
)
from beatpolice.domain.rules.facts import Fact
from beatpolice.domain.rules.quota import not_awarded
from beatpolice.domain.rules.ruleset import (
    FiveStarRules,
    RuleSet,
    ScorecardRules,
    counts_day_records,
    rules_digest,
    rules_digest_jcs,
)
from beatpolice.domain.rules.scorecard import merge_months
from beatpolice.projections.appraisal._fingerprint import (
    FORMAT_1,
    FORMAT_2,
    FingerprintFormat,
    officer_fingerprint,
    report_fingerprint,
)
from beatpolice.projections.appraisal._index import utc_text
from beatpolice.projections.appraisal._read import Period, Read
from beatpolice.projections.appraisal._report import (
    AppraisalReport,
    Check,
    OfficerAppraisal,
    RulesRef,
)

__all__ = ["SETTLE", "decide", "inputs_of", "officers_of", "report_of", "rules_ref"]

SETTLE = timedelta(seconds=60)
"""How long after ``as_of`` a report is final: an event is stamped when its command is
decided and committed a moment later (a large ingest batch: seconds), so until this
margin has passed an event stamped before ``as_of`` may still appear."""


def rules_ref(rules: RuleSet, fingerprint_format: str = FORMAT_2) -> RulesRef:
    """The report's reference to its rule set: name, version, digest (by format)."""
    made = rules_digest(rules) if fingerprint_format == FORMAT_1 else rules_digest_jcs(rules)
    return RulesRef(name=rules.name, version=rules.version, digest=made)


def inputs_of(
    read: Read, period: Period, rules: RuleSet, fingerprint_format: str
) -> list[OfficerInputs]:
    """Each officer's inputs: officers enlisted by the period's end or with facts in it.

    A format-1 report (0.1) is replayed under 0.1's reading of dispute follow-ups (the
    latest counts); a report made now reads the rule set's ``dispute_follow_up``.
    """
    end = utc_text(period.end)
    after_resolution = (
        fingerprint_format != FORMAT_1 and rules.dispute_follow_up == "after_resolution"
    )
    # the officer's day counts only under a rule set that asks for it (ADR 0910)
    day = read.day if counts_day_records(rules) else {}
    badges = sorted(
        badge
        for badge, fact in read.enlisted.items()
        if fact.recorded < end or read.facts.get(badge) or day.get(badge)
    )
    inputs = []
    for badge in badges:
        mediated = sorted(read.mediated.get(badge, ()))
        inputs.append(
            OfficerInputs(
                badge=badge,
                name=read.names[badge],
                facts=[*read.facts.get(badge, []), *day.get(badge, [])],
                plan=read.plans.get(badge),
                dispute_follow_ups={k: read.dispute_follow_ups.get(k, []) for k in mediated},
                dispute_resolutions=(
                    {k: read.dispute_resolutions.get(k, []) for k in mediated}
                    if after_resolution
                    else None
                ),
                period_end=end if after_resolution else "",
            )
        )
    return inputs


def _used(item: OfficerInputs, read: Read, fingerprint_format: str) -> list[Fact]:
    used: list[Fact] = [read.enlisted[item.badge], *item.facts]
    if item.plan is not None:
        used.append(item.plan)
    for facts in item.dispute_follow_ups.values():
        used.extend(facts)
    if fingerprint_format != FORMAT_1 and item.dispute_resolutions is not None:
        for facts in item.dispute_resolutions.values():
            used.extend(facts)
    return used


def decide(
    read: Read,
    *,
    rules: RuleSet,
    period: Period,
    time_zone: str,
    as_of: datetime,
    moment: datetime,
    settle: timedelta = SETTLE,
    fingerprint_format: FingerprintFormat = FORMAT_2,
) -> AppraisalReport:
    """The report of a period from its read facts, as decided at ``moment``."""
    return report_of(
        officers_of(read, rules=rules, period=period, fingerprint_format=fingerprint_format),
        rules=rules,
        period=period,
        time_zone=time_zone,
        as_of=as_of,
        moment=moment,
        settle=settle,
        fingerprint_format=fingerprint_format,
    )


def officers_of(
    read: Read, *, rules: RuleSet, period: Period, fingerprint_format: FingerprintFormat
) -> list[OfficerAppraisal]:
    """Each officer's appraisal of the period: what the report says of them.

    It depends on the read facts, the rules and the format alone, never on ``as_of``
    or the moment of deciding (what the memo of a settled period relies on, ADR 0283).
    """
    inputs = inputs_of(read, period, rules, fingerprint_format)
    results: list[OfficerResult]
    cut: dict[str, dict[str, str]] = {}
    if isinstance(rules, FiveStarRules):
        results = [evaluate_five_star(item, rules) for item in inputs]
        awarded = allocate_stars(results, rules)
        ranked: dict[str, tuple[int | None, list[str], list[str]]] = {
            r.badge: (None, awarded[r.badge], []) for r in results
        }
        if fingerprint_format != FORMAT_1:
            cut = not_awarded(results, rules)
    else:
        results = [_score(item, rules, period) for item in inputs]
        ranked = dict(rank_scorecard(results, rules))
    return [
        OfficerAppraisal(
            badge=item.badge,
            name=item.name,
            metrics=result.metrics,
            eligible=result.eligible,
            awarded=ranked[item.badge][1],
            evidence=result.evidence,
            shortfalls=result.shortfalls,
            rank=ranked[item.badge][0],
            flags=ranked[item.badge][2],
            fingerprint=officer_fingerprint(
                _used(item, read, fingerprint_format), fingerprint_format
            ),
            checks={
                star: [Check.of(check) for check in checks]
                for star, checks in result.checks.items()
            },
            not_awarded=cut.get(item.badge, {}),
        )
        for item, result in zip(inputs, results, strict=True)
    ]


def report_of(
    officers: list[OfficerAppraisal],
    *,
    rules: RuleSet,
    period: Period,
    time_zone: str,
    as_of: datetime,
    moment: datetime,
    settle: timedelta = SETTLE,
    fingerprint_format: FingerprintFormat = FORMAT_2,
) -> AppraisalReport:
    """The report of a period whose officers are appraised, as decided at ``moment``."""
    reference = rules_ref(rules, fingerprint_format)
    as_of_text = utc_text(as_of)
    report = AppraisalReport(
        month=period.key,
        time_zone=time_zone,
        rules=reference,
        as_of=as_of,
        provisional=as_of > moment - settle,
        fingerprint=report_fingerprint(
            period.key,
            time_zone,
            as_of_text,
            reference.digest,
            ((o.badge, o.fingerprint) for o in officers),
            fingerprint_format,
        ),
        officers=officers,
        fingerprint_format=fingerprint_format,
    )
    return report


def _score(item: OfficerInputs, rules: ScorecardRules, period: Period) -> OfficerResult:
    """A scorecard's period; a year is the sum of its months, each scored as its own
    report scores it (ADR 0533), so ``points.<month>`` equals that month's report."""
    if not period.is_year:
        return evaluate_scorecard(item, rules)
    zone = period.end.tzinfo
    months: list[OfficerResult] = []
    for number in range(1, 13):
        key = f"{period.key}-{number:02d}"
        facts = [f for f in item.facts if f.day.startswith(key)]
        if not facts:
            continue
        mediated = {f.key for f in facts if f.kind == "mediation"}
        end = datetime(int(period.key) + number // 12, number % 12 + 1, 1, tzinfo=zone)
        resolutions = item.dispute_resolutions
        month = attrs.evolve(
            item,
            facts=facts,
            dispute_follow_ups={k: v for k, v in item.dispute_follow_ups.items() if k in mediated},
            dispute_resolutions=(
                None
                if resolutions is None
                else {k: v for k, v in resolutions.items() if k in mediated}
            ),
            period_end=utc_text(end) if item.period_end else "",
        )
        months.append(evaluate_scorecard(month, rules, by_month=True))
    return merge_months(item.badge, rules, months)

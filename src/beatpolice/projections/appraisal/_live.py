"""Live tallies: the current month's counts per officer, straight from the caught-up index.

The appraisal index is caught up incrementally (only events recorded since the last
catch-up are folded), so the tallies of the month in progress cost one catch-up and
one read of that month's documents. They count everything recorded so far, with no
``as_of`` cut and no settle margin: a dashboard's figures, not a decision.
"""

from __future__ import annotations

from pathlib import Path

from beatpolice.domain.rules import OfficerInputs, evaluate_five_star
from beatpolice.domain.rules.ruleset import FiveStarRules, RuleSet
from beatpolice.projections.appraisal._engine import _catch_up, _now, _period, _read, load_rules
from beatpolice.projections.appraisal._index import utc_text
from beatpolice.projections.ports import StationPort as Station

__all__ = ["live_tallies"]

_EVERYTHING = "~"
"""Sorts after every recorded-time string: nothing is cut."""


def live_tallies(
    station: Station,
    *,
    month: str | None = None,
    rules: str | Path | RuleSet = "dezhou-2014",
) -> dict[str, dict[str, int | str]]:
    """Each officer's metrics for ``month`` (default: the current month), as recorded now.

    Args:
        station: the station.
        month: ``YYYY-MM``; by default the month of the station clock's now.
        rules: the five-star rule set whose metrics are tallied (its thresholds do not
            change the counts, only which visit plan and lead kinds it reads).

    Returns:
        badge -> the same ``metrics`` an appraisal report gives, for officers with any
        fact in the month.
    """
    rule_set = load_rules(rules)
    if not isinstance(rule_set, FiveStarRules):
        raise TypeError("live tallies count the five-star metrics; give a five-star rule set")
    if month is None:
        from zoneinfo import ZoneInfo

        month = f"{_now(station).astimezone(ZoneInfo(station.time_zone)):%Y-%m}"
    period = _period(month, station.time_zone, rule_set)
    _catch_up(station)
    read = _read(station, period, _EVERYTHING)
    tallies: dict[str, dict[str, int | str]] = {}
    for badge in sorted(read.facts):
        facts = read.facts[badge]
        if not facts:
            continue
        mediated = read.mediated.get(badge, ())
        inputs = OfficerInputs(
            badge=badge,
            name=read.names.get(badge, ""),
            facts=facts,
            plan=read.plans.get(badge),
            dispute_follow_ups={k: read.dispute_follow_ups.get(k, []) for k in mediated},
            dispute_resolutions=(
                {k: read.dispute_resolutions.get(k, []) for k in mediated}
                if rule_set.dispute_follow_up == "after_resolution"
                else None
            ),
            period_end=utc_text(period.end),
        )
        tallies[badge] = evaluate_five_star(inputs, rule_set).metrics
    return tallies

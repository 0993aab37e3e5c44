"""The scorecard's points for the officer's day (0.2): which fact earns which point kind.

Per item of information collected, patrol, outreach, meeting, answered request (and
once more for a request helped beyond police remit), fraud-risk assessment and
commendation. A survey earns its kind's points once per positive answer (``survey.
satisfaction``, ``survey.security``, ...): the more residents satisfied or feeling safe,
the more points, which is how the sub-bureau review's wish that satisfaction and the
sense of security weigh most is read (our reading, ADR 0912).

Example:
    >>> from beatpolice.domain.rules.facts import Fact
    >>> survey = Fact("t", "o", "SV1", "r", "c", "survey", ["security", 4, 3], "2014-01-03")
    >>> [kind for kind, _ in day_items([survey])]
    ['survey.security', 'survey.security', 'survey.security']
"""

from __future__ import annotations

from collections.abc import Iterable

from beatpolice.domain.rules.facts import Fact

__all__ = ["day_items"]

_ONE_EACH = {
    "collected": "information_collected",
    "patrol": "patrol",
    "outreach": "outreach",
    "meeting": "meeting",
    "answer": "request_answered",
    "fraud_risk": "fraud_assessment",
    "commendation": "commendation",
}


def day_items(facts: Iterable[Fact]) -> list[tuple[str, Fact]]:
    """Each fact of the officer's day with the point kind it earns (maybe several times)."""
    items: list[tuple[str, Fact]] = []
    for fact in facts:
        kind = _ONE_EACH.get(fact.kind)
        if kind is not None:
            items.append((kind, fact))
            if fact.kind == "answer" and fact.value == "helped_beyond_remit":
                items.append(("request_helped_beyond_remit", fact))
        elif fact.kind == "survey":
            survey_kind, _, positive = fact.value
            items += [(f"survey.{survey_kind}", fact)] * positive
    return items

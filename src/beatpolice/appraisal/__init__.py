"""Appraisal: monthly five-star evaluations and scorecards, replayable and auditable.

``appraise`` reads a month (by field time, in the station's time zone) as recorded by
``as_of`` under a named, versioned rule set; ``verify`` recomputes a report and names
what differs; ``compare`` sets two rule sets side by side (what-if). Rule sets are
data (TOML files shipped in ``beatpolice/appraisal/rulesets/`` or a station's own).

Example:
    >>> from datetime import UTC, datetime
    >>> import beatpolice
    >>> from beatpolice.appraisal import appraise, verify
    >>> station = beatpolice.connect("memory://", clock=lambda: datetime(2014, 1, 20, tzinfo=UTC))
    >>> station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区").events
    1
    >>> report = appraise(station, month="2014-01", rules="dezhou-2014")
    >>> report.officer("D0001").shortfalls["visit"].split(";")[0]
    'no star this month: 0 households visited, the monthly minimum is 50'
    >>> verify(station, report).fingerprint == report.fingerprint
    True
"""

from beatpolice.appraisal._engine import (
    SETTLE,
    SHIPPED_RULES,
    appraise,
    compare,
    index_runner,
    load_rules,
    verify,
)
from beatpolice.appraisal._index import AppraisalIndex
from beatpolice.appraisal._live import live_tallies
from beatpolice.appraisal._report import (
    AppraisalReport,
    Check,
    Comparison,
    ComparisonRow,
    OfficerAppraisal,
    RulesRef,
)
from beatpolice.domain.appraisal_rules import FiveStarRules, ScorecardRules

__all__ = [
    "SETTLE",
    "SHIPPED_RULES",
    "AppraisalIndex",
    "AppraisalReport",
    "Check",
    "Comparison",
    "ComparisonRow",
    "FiveStarRules",
    "OfficerAppraisal",
    "RulesRef",
    "ScorecardRules",
    "appraise",
    "compare",
    "index_runner",
    "live_tallies",
    "load_rules",
    "verify",
]

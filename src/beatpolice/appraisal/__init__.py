"""The appraisal's vocabulary: rule sets, report parts, checks and live tallies.

``beatpolice.appraise``, ``verify``, ``compare`` and ``AppraisalReport`` are offered by
the face :mod:`beatpolice` itself; this module holds the rest of what a caller may name.

``appraise`` reads a month (by field time, in the station's time zone) as recorded by
``as_of`` under a named, versioned rule set; ``verify`` recomputes a report and names
what differs; ``compare`` sets two rule sets side by side (what-if). Rule sets are
data (TOML files shipped in ``beatpolice/domain/rules/rulesets/`` or a station's own).

Example:
    >>> from datetime import UTC, datetime
    >>> import beatpolice
    >>> station = beatpolice.connect("memory://", clock=lambda: datetime(2014, 1, 20, tzinfo=UTC))
    >>> station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区").events
    1
    >>> report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014")
    >>> report.officer("D0001").shortfalls["visit"].split(";")[0]
    'no star this month: 0 households visited, the monthly minimum is 50'
    >>> beatpolice.verify(station, report).fingerprint == report.fingerprint
    True
"""

from beatpolice.domain.rules.ruleset import FiveStarRules, ScorecardRules
from beatpolice.projections.appraisal._engine import SETTLE, SHIPPED_RULES, load_rules
from beatpolice.projections.appraisal._live import live_tallies
from beatpolice.projections.appraisal._report import (
    Check,
    Comparison,
    ComparisonRow,
    OfficerAppraisal,
    RulesRef,
)

__all__ = [
    "SETTLE",
    "SHIPPED_RULES",
    "Check",
    "Comparison",
    "ComparisonRow",
    "FiveStarRules",
    "OfficerAppraisal",
    "RulesRef",
    "ScorecardRules",
    "live_tallies",
    "load_rules",
]

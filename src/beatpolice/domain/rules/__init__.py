"""The appraisal's rules as pure functions, each in the file named after it.

- :mod:`~beatpolice.domain.rules.facts`: what an appraisal counts (:class:`Fact`) and
  how an officer's period is sorted (retractions, households, disputes);
- :mod:`~beatpolice.domain.rules.checks`: :class:`StarCheck`, one threshold of one star
  measured once, which shortfalls, the report's ``checks`` and the HTML gauges render;
- :mod:`~beatpolice.domain.rules.stars`: the five stars of the Dezhou article, one function each;
- :mod:`~beatpolice.domain.rules.quota`: the month's quota of stars, awarded by rank;
- :mod:`~beatpolice.domain.rules.scorecard`: the points scorecard of the sub-bureau review.

The numbers they read are rule sets (:mod:`beatpolice.domain.rules.ruleset`, TOML).
"""

from beatpolice.domain.rules.checks import GATE, OfficerResult, StarCheck
from beatpolice.domain.rules.facts import TOPICS, Fact, OfficerInputs, Ratio
from beatpolice.domain.rules.quota import allocate_stars
from beatpolice.domain.rules.scorecard import evaluate_scorecard, rank_scorecard
from beatpolice.domain.rules.stars import evaluate_five_star

__all__ = [
    "GATE",
    "TOPICS",
    "Fact",
    "OfficerInputs",
    "OfficerResult",
    "Ratio",
    "StarCheck",
    "allocate_stars",
    "evaluate_five_star",
    "evaluate_scorecard",
    "rank_scorecard",
]

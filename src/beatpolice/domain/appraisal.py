"""Appraisal rules as pure functions: from an officer's counted facts to stars and points.

The rules live in :mod:`beatpolice.domain.rules` (``facts``, ``checks``, ``stars``,
``scorecard``); this module keeps the names it always offered, so that code written
against 0.1 imports them where it did.
"""

from __future__ import annotations

from beatpolice.domain.rules import (
    GATE,
    TOPICS,
    Fact,
    OfficerInputs,
    OfficerResult,
    Ratio,
    StarCheck,
    allocate_stars,
    evaluate_five_star,
    evaluate_scorecard,
    rank_scorecard,
)

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

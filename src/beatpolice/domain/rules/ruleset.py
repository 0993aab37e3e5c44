"""Appraisal rule sets (考核办法) as data: the five-star evaluation and the points scorecard.

A rule set is a pydantic model loaded from TOML (see :mod:`beatpolice.appraisal`); it
has a name and a version, and past appraisals name the rule set they were made with.
Thresholds are integers, rates are exact fractions written as strings (``"1"`` is
100%, ``"9/10"`` is 90%), points are decimals written as strings: never floats, so a
replay years later gives the same bytes.

Two kinds ship:

- :class:`FiveStarRules` (the Dezhou article, 德州 "五星"评选): five stars with monthly thresholds,
  a monthly minimum of households, an optional gate (the strict reading), and a quota
  of stars awarded among the eligible by a documented ranking;
- :class:`ScorecardRules` (the sub-bureau review): points per kind of counted fact in categories,
  weekly, monthly and yearly totals, ranking, top N rewarded and bottom N flagged.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from beatpolice.domain.canonical import canonical_json

__all__ = [
    "POINT_KINDS",
    "STARS",
    "FiveStarRules",
    "InformationStar",
    "InvestigationStar",
    "MediationStar",
    "RuleSet",
    "ScorecardCategory",
    "ScorecardRules",
    "ServiceStar",
    "Stars",
    "VisitStar",
    "counts_day_records",
    "rules_digest",
    "rules_digest_jcs",
]

STARS = ("visit", "mediation", "investigation", "information", "service")

DAY_POINT_KINDS = (
    "information_collected",
    "patrol",
    "outreach",
    "meeting",
    "request_answered",
    "request_helped_beyond_remit",
    "fraud_assessment",
    "survey.satisfaction",
    "survey.security",
    "survey.knows_officer",
    "survey.officer_knows",
    "commendation",
)
"""Point kinds of the officer's day (0.2, ADR 0912): per item collected, patrol,
outreach, meeting, answered request (and per one helped beyond remit), fraud-risk
assessment and commendation; a survey kind earns its points per positive answer."""
"""The star keys of the contract, in the order the reports list them."""

POINT_KINDS = (
    "visit",
    "household",
    "people_match",
    "follow_up_satisfied",
    "lead.criminal_lead",
    "lead.suspect_apprehended",
    "lead.fugitive_caught",
    "lead.information",
    "service",
    "service_acknowledged",
    "mediation",
    "dispute_resolved",
    "dispute_satisfied",
    "venue_inspection",
    "violation_found",
    "rectification_verified",
    *DAY_POINT_KINDS,
)
"""What a scorecard may give points for (each counted once per counted fact).

``household`` is per distinct household visited in the period; ``dispute_*`` per
dispute; ``mediation`` per mediation session; the others per recorded fact.
"""


def _rate(text: str) -> str:
    value = Fraction(text)
    if not 0 <= value <= 1:
        raise ValueError(f"a rate is between 0 and 1, got {text!r}")
    return text


def _points(text: str) -> str:
    Decimal(text)  # raises on anything that is not a decimal number
    return text


FollowUpReading = Literal["after_resolution", "latest"]
"""``after_resolution``: a dispute's follow-up counts only for the resolution it follows
(ADR 0531); ``latest``: 0.1's reading, the dispute's latest follow-up whenever it was."""

_ADDED_SINCE_0_1: dict[str, object] = {
    "dispute_follow_up": "after_resolution",
    "information_collected": False,
}
"""Settings added after 0.1 and their defaults: left out of the digest at their default,
so that a rule set's digest (and every report that names it) stays what it was."""

Rate = Annotated[str, AfterValidator(_rate)]
"""An exact rate written as a fraction or an integer string: ``"1"``, ``"9/10"``."""

Points = Annotated[str, AfterValidator(_points)]
"""Points written as a decimal string: ``"1"``, ``"0.5"``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VisitStar(_Model):
    """入户走访之星: households visited, and three rates (numerator / denominator).

    - people-match rate (人号一致率): visited households all of whose counted visits in
      the month found the people matching the register / households visited;
    - visit-plan rate (入户走访率): planned households visited in the month / households
      in the month's latest plan recorded by ``as_of``;
    - satisfaction rate (群众满意率): satisfied follow-ups / follow-ups recorded by
      ``as_of`` of the month's counted visits.

    A rate whose denominator is zero is not met.
    """

    households: int = Field(80, ge=0)
    people_match_rate: Rate = "1"
    visit_plan_rate: Rate = "1"
    satisfaction_rate: Rate = "1"


class MediationStar(_Model):
    """纠纷调解之星: disputes mediated by the officer in the month, all resolved, all satisfied.

    A dispute counts as mediated by an officer in a month when a ``MediationHeld`` by
    that officer occurred in the month; resolved when a ``DisputeResolved`` by that
    officer occurred in the month; satisfied when its latest ``DisputeFollowedUp``
    recorded by ``as_of`` says both parties were satisfied.
    """

    disputes: int = Field(3, ge=0)
    resolved_rate: Rate = "1"
    satisfied_rate: Rate = "1"


class InvestigationStar(_Model):
    """侦查破案之星: at least this many of any one of the kinds, or of them all together."""

    kinds: tuple[Literal["criminal_lead", "suspect_apprehended", "fugitive_caught"], ...] = (
        "criminal_lead",
        "suspect_apprehended",
        "fugitive_caught",
    )
    count: int = Field(1, ge=0)


class InformationStar(_Model):
    """信息采集之星: leads of these kinds in the month (002: 线索信息 10 条以上)."""

    kinds: tuple[
        Literal["criminal_lead", "suspect_apprehended", "fugitive_caught", "information"], ...
    ] = ("criminal_lead", "suspect_apprehended", "fugitive_caught", "information")
    count: int = Field(10, ge=0)


class ServiceStar(_Model):
    """服务群众之星: services the public acknowledged (确实得到群众认可)."""

    count: int = Field(3, ge=0)


class Stars(_Model):
    """The five stars' thresholds."""

    visit: VisitStar = VisitStar()
    mediation: MediationStar = MediationStar()
    investigation: InvestigationStar = InvestigationStar()
    information: InformationStar = InformationStar()
    service: ServiceStar = ServiceStar()


class FiveStarRules(_Model):
    """The monthly five-star evaluation (the Dezhou article) and how its quota is awarded.

    Ranking (deterministic): within each star, candidates are ordered by their score
    (the star's main count over its threshold, an exact fraction) descending, then by
    the number of stars they are eligible for descending, then by badge ascending.
    ``allocation = "round-robin"`` awards the best candidate of each star in star order,
    then the second of each, and so on until the quota is reached (so every star with
    a candidate is named); ``"merit"`` awards the quota to the best scores overall.
    """

    kind: Literal["five-star"] = "five-star"
    name: str
    version: str
    title: str = ""
    source: str = ""
    minimum_households: int = Field(50, ge=0)
    """Below this many households visited in the month, an officer earns no star."""
    gate: Literal["none", "visit"] = "none"
    """``"visit"``: the Visit star's thresholds gate every star (the strict reading)."""
    quota: int = Field(10, ge=0)
    """Stars awarded each month among the eligible."""
    allocation: Literal["round-robin", "merit"] = "round-robin"
    stars: Stars = Stars()
    dispute_follow_up: FollowUpReading = "after_resolution"
    """Which follow-up decides a mediated dispute's satisfaction (ADR 0531)."""
    information_collected: bool = False
    """Whether items of information collected (信息采集, 一日一采、一日一录) count toward
    the Information star beside its leads (dezhou-2014 from 2014.2; ADR 0911)."""


class ScorecardCategory(_Model):
    """A category of the scorecard (人员管控, 治安防范, 群众工作, ...) and its points."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = ""
    points: dict[str, Points]

    @model_validator(mode="after")
    def _known_kinds(self) -> ScorecardCategory:
        unknown = sorted(set(self.points) - set(POINT_KINDS))
        if unknown:
            raise ValueError(f"unknown point kinds {unknown}; known: {', '.join(POINT_KINDS)}")
        return self


class ScorecardRules(_Model):
    """A bureau's points scorecard (the sub-bureau review): weekly, monthly and yearly totals.

    Officers are ranked by total points descending, then badge ascending; the top
    ``reward_top`` are awarded ``"reward"``, the bottom ``flag_bottom`` are flagged
    ``"bottom"`` (never an officer already rewarded).
    """

    kind: Literal["scorecard"] = "scorecard"
    name: str
    version: str
    title: str = ""
    source: str = ""
    categories: tuple[ScorecardCategory, ...]
    reward_top: int = Field(3, ge=0)
    flag_bottom: int = Field(3, ge=0)
    dispute_follow_up: FollowUpReading = "after_resolution"
    """Which follow-up decides a mediated dispute's satisfaction (ADR 0531)."""


RuleSet = FiveStarRules | ScorecardRules
"""Any rule set an appraisal can run."""


def counts_day_records(rules: RuleSet) -> bool:
    """Whether ``rules`` counts any record of the officer's day (0.2; ADR 0910)."""
    if isinstance(rules, FiveStarRules):
        return rules.information_collected
    return any(kind in DAY_POINT_KINDS for c in rules.categories for kind in c.points)


def rules_digest(rules: RuleSet) -> str:
    """The sha256 of a rule set's canonical form (sorted-key JSON of every field).

    Example:
        >>> rules_digest(FiveStarRules(name="x", version="1")).startswith("sha256:")
        True
    """
    body = orjson.dumps(_digested(rules), option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(body).hexdigest()


def rules_digest_jcs(rules: RuleSet) -> str:
    """The sha256 of a rule set's RFC 8785 canonical JSON (fingerprint format 2).

    Example:
        >>> rules_digest_jcs(FiveStarRules(name="x", version="1")).startswith("sha256:")
        True
    """
    return "sha256:" + hashlib.sha256(canonical_json(_digested(rules))).hexdigest()


def _digested(rules: RuleSet) -> dict[str, Any]:
    body: dict[str, Any] = rules.model_dump(mode="json")
    for name, default in _ADDED_SINCE_0_1.items():
        if body.get(name) == default:
            del body[name]
    return body

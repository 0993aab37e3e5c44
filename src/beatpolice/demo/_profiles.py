"""How each synthetic officer's month goes: one archetype per star, dealt from a deck.

The archetypes are chosen so that a demo month is worth appraising: some officers
earn a star comfortably, some miss it by a little (one household short, one resident
unsatisfied, one lead retracted), one falls below the monthly visit minimum and so
earns nothing. Dealing them from a shuffled deck, rather than drawing each at random,
guarantees the mix at every seed and every station size.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import TypeVar

import attrs

__all__ = [
    "InformationProfile",
    "InvestigationProfile",
    "MediationProfile",
    "OfficerProfile",
    "ServiceProfile",
    "VisitProfile",
    "deal_profiles",
]

T = TypeVar("T")


class VisitProfile(StrEnum):
    """How the officer's household visits (入户走访) go."""

    STAR = "star"
    """Every planned household visited, people match, every follow-up satisfied."""
    SHORT_OF_PLAN = "short_of_plan"
    """A few planned households not visited: the visit rate is below 100%."""
    ONE_UNSATISFIED = "one_unsatisfied"
    """Everything at 100% but one follow-up call where the resident was unsatisfied."""
    JUST_UNDER_80 = "just_under_80"
    """Every planned household visited, but the plan has fewer than 80."""
    MISMATCH = "mismatch"
    """One visit where the people did not match the register (人号不一致)."""
    RETRACTED_EXTRA = "retracted_extra"
    """A star month with one visit entered by mistake and retracted."""
    BELOW_MINIMUM = "below_minimum"
    """Fewer than 50 households: no star at all this month."""
    LATE_ENTRIES = "late_entries"
    """A star month in the field, but three visits are entered after the month was
    decided: missing from the appraisal as decided, counted in the one as it stands."""


class MediationProfile(StrEnum):
    """How the officer's disputes (矛盾纠纷) go."""

    STAR = "star"
    """Three or four disputes mediated, all resolved, both parties satisfied."""
    ONE_UNSATISFIED = "one_unsatisfied"
    """Three resolved, but one party was unsatisfied on the phone follow-up."""
    TWO_ONLY = "two_only"
    """Two disputes resolved: one short of the three needed."""
    ONE_FAILED = "one_failed"
    """Three resolved and one mediation failed (then referred out, 上交)."""
    FEW = "few"
    """A single dispute, which flares up and is resolved again, and one still open."""


class InvestigationProfile(StrEnum):
    """Whether the officer brings in a criminal lead, a suspect or a fugitive."""

    CRIMINAL_LEAD = "criminal_lead"
    SUSPECT = "suspect"
    FUGITIVE = "fugitive"
    NONE = "none"


class InformationProfile(StrEnum):
    """How many information reports (信息采集) the officer files."""

    STAR = "star"
    """Ten to fourteen leads and information reports."""
    NINE = "nine"
    """Nine: one short."""
    RETRACTED_TENTH = "retracted_tenth"
    """Ten filed, one retracted: nine count."""
    FEW = "few"
    """Three to six."""


class ServiceProfile(StrEnum):
    """How the officer's services to residents (服务群众) are acknowledged."""

    STAR = "star"
    """Three to five services, every one acknowledged."""
    TWO_ACKNOWLEDGED = "two_acknowledged"
    """Four services, only two acknowledged by the public."""
    FEW = "few"
    """One acknowledged service."""


@attrs.frozen
class OfficerProfile:
    """One officer's month, star by star."""

    visit: VisitProfile
    mediation: MediationProfile
    investigation: InvestigationProfile
    information: InformationProfile
    service: ServiceProfile


_VISIT_DECK = (
    VisitProfile.STAR,
    VisitProfile.SHORT_OF_PLAN,
    VisitProfile.STAR,
    VisitProfile.ONE_UNSATISFIED,
    VisitProfile.BELOW_MINIMUM,
    VisitProfile.LATE_ENTRIES,
    VisitProfile.JUST_UNDER_80,
    VisitProfile.RETRACTED_EXTRA,
    VisitProfile.MISMATCH,
)
_MEDIATION_DECK = (
    MediationProfile.STAR,
    MediationProfile.ONE_UNSATISFIED,
    MediationProfile.FEW,
    MediationProfile.STAR,
    MediationProfile.TWO_ONLY,
    MediationProfile.ONE_FAILED,
)
_INVESTIGATION_DECK = (
    InvestigationProfile.CRIMINAL_LEAD,
    InvestigationProfile.NONE,
    InvestigationProfile.SUSPECT,
    InvestigationProfile.NONE,
    InvestigationProfile.FUGITIVE,
    InvestigationProfile.CRIMINAL_LEAD,
)
_INFORMATION_DECK = (
    InformationProfile.STAR,
    InformationProfile.NINE,
    InformationProfile.FEW,
    InformationProfile.RETRACTED_TENTH,
    InformationProfile.STAR,
    InformationProfile.FEW,
)
_SERVICE_DECK = (
    ServiceProfile.STAR,
    ServiceProfile.TWO_ACKNOWLEDGED,
    ServiceProfile.FEW,
    ServiceProfile.STAR,
)


def _deal(deck: tuple[T, ...], count: int, rng: random.Random) -> list[T]:
    # The deck's first cards are dealt before any repeat, so small stations still see
    # a star, a near miss and a plain miss; only the order is left to the seed.
    cards = [deck[i % len(deck)] for i in range(count)]
    rng.shuffle(cards)
    return cards


def deal_profiles(count: int, rng: random.Random) -> list[OfficerProfile]:
    """Deal ``count`` officers their month, deterministically from ``rng``.

    Args:
        count: how many officers the station has.
        rng: the seeded generator of the demo.

    Returns:
        One profile per officer, in officer order.
    """
    visits = _deal(_VISIT_DECK, count, rng)
    mediations = _deal(_MEDIATION_DECK, count, rng)
    investigations = _deal(_INVESTIGATION_DECK, count, rng)
    informations = _deal(_INFORMATION_DECK, count, rng)
    services = _deal(_SERVICE_DECK, count, rng)
    return [
        OfficerProfile(
            visit=visits[i],
            mediation=mediations[i],
            investigation=investigations[i],
            information=informations[i],
            service=services[i],
        )
        for i in range(count)
    ]

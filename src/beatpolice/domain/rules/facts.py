"""What an appraisal counts: the facts of an officer's period, and how they are sorted.

Nothing here reads a store or a clock. The inputs are :class:`Fact` tuples (one per
recorded event that can count, with its identity and recorded time) already chosen
by month and ``as_of``.

Definitions (the Dezhou article and our readings, see docs/reference/rule-sets.md):

- a visit, lead or service counts unless a ``RecordRetracted`` of it is visible;
- households are counted once however often visited;
- each rate keeps its numerator and denominator; a zero denominator is not met;
- a dispute is mediated by an officer in a month when a ``MediationHeld`` by that
  officer occurred in the month, resolved when a ``DisputeResolved`` by that officer
  occurred in the month, satisfied when its latest visible ``DisputeFollowedUp``
  (by field time, then recorded time) *of the resolution it follows* says both parties
  were satisfied: a follow-up counts for the latest resolution of the dispute at or
  before it, never for a later one (ADR 0531; ``dispute_follow_up = "latest"`` in a rule
  set restores 0.1's reading, any follow-up at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

import attrs

__all__ = [
    "DAY_KINDS",
    "LEAD_KINDS",
    "TOPICS",
    "Counted",
    "Disputes",
    "Fact",
    "OfficerInputs",
    "Ratio",
    "counted",
    "disputes",
    "refs",
    "verdict",
]

TOPICS = {
    "enlisted": "beatpolice:OfficerEnlisted",
    "plan": "beatpolice:VisitsPlanned",
    "visit": "beatpolice:VisitRecorded",
    "visit_follow_up": "beatpolice:VisitFollowedUp",
    "retraction": "beatpolice:RecordRetracted",
    "lead": "beatpolice:LeadReported",
    "service": "beatpolice:ServiceRendered",
    "mediation": "beatpolice:MediationHeld",
    "resolution": "beatpolice:DisputeResolved",
    "dispute_follow_up": "beatpolice:DisputeFollowedUp",
    "inspection": "beatpolice:VenueInspected",
    "violation": "beatpolice:ViolationFound",
    "rectified": "beatpolice:RectificationVerified",
    "collected": "beatpolice:InformationCollected",
    "patrol": "beatpolice:PatrolCompleted",
    "outreach": "beatpolice:OutreachHeld",
    "meeting": "beatpolice:MeetingHeld",
    "request": "beatpolice:RequestReceived",
    "answer": "beatpolice:RequestAnswered",
    "fraud_risk": "beatpolice:FraudRiskAssessed",
    "survey": "beatpolice:SurveyRecorded",
    "commendation": "beatpolice:CommendationReceived",
}
"""The topic of the event behind each kind of fact."""

DAY_KINDS = (
    "collected",
    "patrol",
    "outreach",
    "meeting",
    "request",
    "answer",
    "fraud_risk",
    "survey",
    "commendation",
)
"""The facts of the officer's day (0.2): counted only by rule sets that ask for them, so
that a report under a rule set of 0.1 keeps its facts and fingerprint (ADR 0910)."""

LEAD_KINDS = ("criminal_lead", "suspect_apprehended", "fugitive_caught", "information")
"""The kinds of lead a ``LeadReported`` names."""


class Fact(NamedTuple):
    """One recorded event that an appraisal may count, reduced to what it needs.

    The first five fields are the event's :attr:`identity`, in the order the
    fingerprint sorts them, so that a fact's identity is a slice of it. ``key`` is the
    record, dispute or venue id it concerns; ``value`` its decisive content (a visit's
    ``[household, people_match_register]``, a follow-up's verdict, a lead's kind, a
    plan's households...). ``day`` is the field date (station time zone) of the record
    the fact belongs to.
    """

    topic: str
    """The topic of the event behind the fact (:data:`TOPICS` of ``kind``)."""
    originator_id: str
    key: str
    recorded: str
    """Recorded time, UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (string order is time order)."""
    command: str
    kind: str
    value: Any
    day: str = ""
    occurred: str = ""
    """Field time, same form; kept for dispute follow-ups (the latest verdict counts)."""
    originator_version: int = 0
    """Kept for visit plans (the latest plan of a month counts)."""

    @property
    def ref(self) -> str:
        """The event reference shown as evidence.

        ``topic@aggregate-id/key#command``: the topic, the aggregate's id, the record
        (visit, lead, service, dispute, venue/finding) id and the first 12 hex digits
        of the command digest. It names one stored event, and does not depend on the
        order in which the events of one batch were ingested (versions do).
        """
        return f"{self.topic}@{self.originator_id}/{self.key}#{self.command[7:19]}"

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What the fingerprint hashes: topic, aggregate id, key, recorded time, command."""
        return (self.topic, self.originator_id, self.key, self.recorded, self.command)


class Ratio(NamedTuple):
    """An exact rate with its numerator and denominator kept (shown as ``"n/d"``).

    Example:
        >>> Ratio(9, 10).meets(Fraction(9, 10)), Ratio(0, 0).meets(Fraction(0))
        (True, False)
    """

    numerator: int
    denominator: int

    def meets(self, threshold: Fraction) -> bool:
        """Whether the rate reaches ``threshold``; a zero denominator never does."""
        # n/d >= a/b as integers (d, b > 0): no Fraction built per officer and rate
        return (
            self.denominator > 0
            and self.numerator * threshold.denominator >= threshold.numerator * self.denominator
        )

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@attrs.frozen
class OfficerInputs:
    """Everything visible about one officer for one period."""

    badge: str
    name: str
    facts: Sequence[Fact]
    """The period's facts (records by field time, with their follow-ups and retractions)."""
    plan: Fact | None = None
    """The latest visit plan of the month visible at ``as_of``."""
    dispute_follow_ups: Mapping[str, Sequence[Fact]] = attrs.field(factory=dict)
    """Visible follow-ups of the disputes the officer mediated, by dispute id."""
    dispute_resolutions: Mapping[str, Sequence[Fact]] | None = None
    """Visible resolutions (any officer's, any month) of those disputes, by dispute id;
    None: not read, and each dispute's latest follow-up counts (0.1's reading)."""
    period_end: str = ""
    """The first instant after the period (UTC text): the resolution a month's verdict
    is about is the dispute's latest one before it."""


@attrs.frozen
class Counted:
    """An officer's period split by kind, retracted records and their follow-ups left out."""

    visits: list[Fact]
    leads: list[Fact]
    services: list[Fact]
    follow_ups: list[Fact]
    """Follow-ups of counted visits."""
    others: list[Fact]
    """Mediations, resolutions, inspections, violations, rectifications."""


def counted(facts: Iterable[Fact]) -> Counted:
    """Split facts by kind, dropping retracted records and their follow-ups."""
    facts = list(facts)
    retracted = {fact.key for fact in facts if fact.kind == "retraction"}
    split = Counted(visits=[], leads=[], services=[], follow_ups=[], others=[])
    for fact in facts:
        if fact.kind == "visit" and fact.key not in retracted:
            split.visits.append(fact)
        elif fact.kind == "lead" and fact.key not in retracted:
            split.leads.append(fact)
        elif fact.kind == "service" and fact.key not in retracted:
            split.services.append(fact)
        elif fact.kind == "visit_follow_up" and fact.key not in retracted:
            split.follow_ups.append(fact)
        elif fact.kind not in ("visit", "lead", "service", "visit_follow_up", "retraction"):
            split.others.append(fact)
    return split


def _latest(follow_ups: Sequence[Fact]) -> Fact | None:
    return max(follow_ups, key=lambda f: (f.occurred, f.recorded, f.command), default=None)


@attrs.frozen
class Disputes:
    """The disputes an officer mediated in the period, by dispute id."""

    mediated: dict[str, list[Fact]]
    """The officer's mediation sessions of each dispute."""
    resolved: dict[str, list[Fact]]
    """The officer's resolutions (of any dispute, mediated or not)."""
    verdicts: dict[str, Fact | None]
    """Each mediated dispute's latest visible follow-up (None: no follow-up)."""


def verdict(
    follow_ups: Sequence[Fact], resolutions: Sequence[Fact] | None, until: str
) -> Fact | None:
    """The follow-up that decides a dispute's satisfaction for a period ending ``until``.

    The period's resolution is the dispute's latest one that occurred before ``until``;
    the follow-ups that count are those at or after it and before the next resolution
    (ADR 0531). Without resolutions (None), the latest follow-up counts.

    Example:
        >>> def fact(kind, occurred, value=None):
        ...     return Fact("", "", "D1", occurred, "", kind, value, "", occurred, 0)
        >>> december = [fact("resolution", "2013-12-05"), fact("resolution", "2014-01-10")]
        >>> follow_up = [fact("dispute_follow_up", "2013-12-08", True)]
        >>> verdict(follow_up, december, "2014-01-01") is follow_up[0]
        True
        >>> verdict(follow_up, december, "2014-02-01") is None
        True
    """
    if resolutions is None or not until:
        return _latest(follow_ups)
    times = sorted(r.occurred for r in resolutions)
    before = [t for t in times if t < until]
    start = before[-1] if before else ""
    later = [t for t in times if t > start] if before else times
    stop = later[0] if later else "\uffff"
    return _latest([f for f in follow_ups if start <= f.occurred < stop])


def disputes(
    others: Iterable[Fact],
    follow_ups: Mapping[str, Sequence[Fact]],
    resolutions: Mapping[str, Sequence[Fact]] | None = None,
    until: str = "",
) -> Disputes:
    """The mediations, resolutions and verdicts (see :func:`verdict`) among ``others``."""
    mediated: dict[str, list[Fact]] = {}
    resolved: dict[str, list[Fact]] = {}
    for fact in others:
        if fact.kind == "mediation":
            mediated.setdefault(fact.key, []).append(fact)
        elif fact.kind == "resolution":
            resolved.setdefault(fact.key, []).append(fact)
    verdicts = {
        key: verdict(
            follow_ups.get(key, ()),
            None if resolutions is None else resolutions.get(key, ()),
            until,
        )
        for key in mediated
    }
    return Disputes(mediated=mediated, resolved=resolved, verdicts=verdicts)


def refs(facts: Iterable[Fact]) -> list[str]:
    """The facts' event references (:attr:`Fact.ref`), sorted, each once."""
    return sorted({fact.ref for fact in facts})

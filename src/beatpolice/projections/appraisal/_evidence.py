"""Readable evidence: the event behind an evidence reference, in words (ADR 0539).

A report's evidence names events by reference (``topic@aggregate-id/key#command``, see
:attr:`beatpolice.domain.rules.Fact.ref`). :func:`resolve_evidence` finds the events
behind references in the stored log itself (read through the station's port, one pass
for any number of references) and gives each as an :class:`Evidence`: what kind of
event it is, the officer, field and recorded times, the household, dispute or venue it
concerns, the verdict it carries and its position in the log. :func:`describe` puts one
in a sentence; ``beatpolice audit show REF`` prints it. Personal text (notes,
summaries, parties) is never shown: only ids, times and verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.officer import Officer
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._verify import stored_events
from beatpolice.projections.ports import StationPort

__all__ = ["Evidence", "describe", "parse_reference", "report_evidence", "resolve_evidence"]

_REFERENCE = re.compile(r"^(?P<topic>[^@]+)@(?P<aggregate>[^/]+)/(?P<key>.*)#(?P<command>[^#]+)$")

_KINDS = {
    "OfficerEnlisted": "officer enlisted",
    "VisitsPlanned": "visit plan",
    "VisitRecorded": "household visit",
    "VisitFollowedUp": "visit follow-up call",
    "RecordRetracted": "record retracted",
    "LeadReported": "lead reported",
    "ServiceRendered": "service to a resident",
    "MediationHeld": "dispute mediation",
    "DisputeResolved": "dispute resolved",
    "DisputeFollowedUp": "dispute follow-up call",
    "VenueInspected": "venue inspection",
    "ViolationFound": "violation found",
    "RectificationVerified": "rectification verified",
    "InformationCollected": "information collected",
}

_RECORD_TOPICS = frozenset(
    {
        "beatpolice:VisitRecorded",
        "beatpolice:VisitFollowedUp",
        "beatpolice:RecordRetracted",
        "beatpolice:LeadReported",
        "beatpolice:ServiceRendered",
    }
)
"""Events of an officer's records, referenced by the officer's aggregate id."""

_VERDICTS = (
    "satisfied",
    "parties_satisfied",
    "people_match_register",
    "acknowledged",
    "outcome",
    "kind",
    "mode",
    "code",
    "passed",
)
"""Fields whose value is shown (a verdict or a kind, never personal text)."""


class Evidence(BaseModel):
    """The event behind one evidence reference, as stored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: str
    kind: str
    """In words: ``household visit``, ``visit follow-up call``, ``dispute mediation``..."""
    topic: str
    officer: str | None = None
    occurred_at: AwareDatetime | None = None
    """Field time (None for events without one, such as a plan or an enlistment)."""
    recorded_at: AwareDatetime
    record: str | None = None
    """The visit, lead or service id, for a record's events."""
    household: str | None = None
    dispute: str | None = None
    venue: str | None = None
    month: str | None = None
    """A visit plan's month."""
    verdicts: dict[str, str] = {}
    """What the event decided: ``satisfied: yes``, ``outcome: resolved``..."""
    position: int
    """The event's position in the log (its notification id)."""


def parse_reference(reference: str) -> tuple[str, str, str, str]:
    """``(topic, aggregate id, key, command prefix)`` of a reference.

    Raises:
        AppraisalError: not an evidence reference.

    Example:
        >>> parse_reference("beatpolice:VisitRecorded@7368a7ec/V0#256:f4d07293")[2:]
        ('V0', '256:f4d07293')
    """
    found = _REFERENCE.match(reference.strip())
    if found is None:
        raise AppraisalError(
            f"reference: {reference!r} is not an evidence reference "
            "(expected topic@aggregate-id/key#command, as a report's evidence lists them)"
        )
    return found["topic"], found["aggregate"], found["key"], found["command"]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value))


def resolve_evidence(station: StationPort, references: Iterable[str]) -> dict[str, Evidence]:
    """The stored event behind each reference, found in one pass over the log.

    References that name no stored event are left out of the result (an auditor sees
    which are missing). Visit follow-ups name their visit's household.

    Raises:
        AppraisalError: a reference that is not one (see :func:`parse_reference`).
    """
    wanted: dict[tuple[str, str, str], list[str]] = {}
    for reference in references:
        topic, aggregate, _, command = parse_reference(reference)
        wanted.setdefault((topic, aggregate, command), []).append(reference)
    aggregates = {aggregate for _, aggregate, _ in wanted}
    officers: dict[str, str] = {}
    households: dict[str, str] = {}
    found: dict[str, Evidence] = {}
    for position, event in stored_events(station):
        aggregate = str(event.originator_id)
        topic = type(event).TOPIC
        if topic in _RECORD_TOPICS:
            # a record's references name its officer's aggregate, as in 0.1 (ADR 0240)
            badge = getattr(event, "officer", "")
            named = officers.get(badge)
            if named is None:
                named = officers[badge] = str(Officer.create_id(badge))
            household = getattr(event, "household", None)
            if isinstance(household, str):
                households[aggregate] = household
        else:
            named = aggregate
        if named not in aggregates:
            continue
        for reference in wanted.get((topic, named, event.command[7:19]), ()):
            found[reference] = _evidence(reference, event, position, households.get(aggregate))
    return found


def _evidence(reference: str, event: object, position: int, household: str | None) -> Evidence:
    name = type(event).__name__
    venue = getattr(event, "venue", None)
    record = getattr(event, "id", None) or getattr(event, "visit", None)
    record = record or getattr(event, "record", None)
    return Evidence(
        reference=reference,
        kind=_KINDS.get(name, name),
        topic=type(event).TOPIC,  # type: ignore[attr-defined]
        officer=getattr(event, "officer", None) or getattr(event, "badge", None),
        occurred_at=getattr(event, "occurred_at", None),
        recorded_at=event.timestamp,  # type: ignore[attr-defined]
        record=record if venue is None and name not in ("DisputeResolved",) else None,
        household=household,
        dispute=getattr(event, "dispute", None),
        venue=venue,
        month=getattr(event, "month", None),
        verdicts={
            field: _text(getattr(event, field))
            for field in _VERDICTS
            if getattr(event, field, None) is not None
        },
        position=position,
    )


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def describe(evidence: Evidence, time_zone: str = "Asia/Shanghai") -> str:
    """One evidence in words, times in the station's zone.

    Example: ``visit follow-up call by officer D0001 on 2014-01-02 10:01 (recorded
    2014-02-01 08:00), visit V1, household H1; satisfied: yes; log position 6``.
    """
    zone = ZoneInfo(time_zone)
    words = [evidence.kind]
    if evidence.officer:
        words.append(f"by officer {evidence.officer}")
    if evidence.occurred_at is not None:
        words.append(f"on {_when(evidence.occurred_at, zone)}")
    words.append(f"(recorded {_when(evidence.recorded_at, zone)})")
    subjects = [
        f"{label} {value}"
        for label, value in (
            ("month", evidence.month),
            ("record", evidence.record),
            ("household", evidence.household),
            ("dispute", evidence.dispute),
            ("venue", evidence.venue),
        )
        if value
    ]
    text = " ".join(words)
    if subjects:
        text += ", " + ", ".join(subjects)
    verdicts = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in evidence.verdicts.items())
    if verdicts:
        text += f"; {verdicts}"
    return f"{text}; log position {evidence.position}"


def report_evidence(station: StationPort, report: AppraisalReport) -> dict[str, Evidence]:
    """Every evidence reference of a report resolved (for renderers: date, household or
    dispute beside each reference), in one pass over the log."""
    references = {
        reference
        for officer in report.officers
        for listed in officer.evidence.values()
        for reference in listed
    }
    return resolve_evidence(station, sorted(references))

"""What the page shows beside the appraisal: the station, its beats, its registries.

An appraisal report names officers, not stations or beats (the contract fixes its
shape). The caller that holds the store (``beatpolice report``, the demo) reads the
registries it has caught up and hands the page a :class:`RegistrySummary`; the page
never opens a store itself (ADR 0822). Evidence references are shown with what the
report's own text says of them (kind and record) and, when the caller resolved them,
the field date and the household or dispute (:class:`EvidenceNote`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

if TYPE_CHECKING:
    from beatpolice.projections.appraisal._evidence import Evidence
    from beatpolice.projections.registries import Registries

__all__ = [
    "EvidenceNote",
    "Headline",
    "Reference",
    "RegistrySummary",
    "evidence_notes",
    "parse_reference",
]


@attrs.frozen
class Headline:
    """One headline figure of a registry (shown beside the appraisal)."""

    registry: str
    label: str
    value: str


@attrs.frozen
class EvidenceNote:
    """What a caller resolved an evidence reference to, for the page to show beside it."""

    occurred_at: datetime | date | None = None
    """The event's field time (its date is shown)."""
    subject: str = ""
    """The household, dispute or venue it concerns (``household H017``)."""
    kind: str = ""
    """The kind of event in words (``household visit``); the reference's own when empty."""


def evidence_notes(found: Mapping[str, Evidence], *, time_zone: str) -> dict[str, EvidenceNote]:
    """The page's notes of resolved evidence (``report_evidence``), dated in the zone.

    Args:
        found: each reference's stored event, as the appraisal's resolver gives it.
        time_zone: the station's zone: a visit at 23:30 UTC is dated the next day in
            Asia/Shanghai, as the appraisal counted it.

    Returns:
        One note per resolved reference: field time, the household, dispute, venue or
        plan month it concerns, and its kind in words.
    """
    zone = ZoneInfo(time_zone)
    notes = {}
    for reference, event in found.items():
        subjects = [
            f"{label} {value}"
            for label, value in (
                ("household", event.household),
                ("dispute", event.dispute),
                ("venue", event.venue),
                ("month", event.month),
            )
            if value
        ]
        when = event.occurred_at.astimezone(zone) if event.occurred_at is not None else None
        notes[reference] = EvidenceNote(
            occurred_at=when, subject=", ".join(subjects), kind=event.kind
        )
    return notes


@attrs.frozen
class Reference:
    """An evidence reference split into the parts its text carries (ADR 0503)."""

    text: str
    """The whole reference: ``topic@aggregate-id/key#command``."""
    kind: str
    """The event's class name (``VisitRecorded``)."""
    key: str
    """The visit, lead, service, dispute, venue or plan it concerns (``V-FT101-003``)."""


def parse_reference(text: str) -> Reference:
    """Split ``beatpolice:VisitRecorded@<id>/V-1#<digest>`` into kind and key.

    A reference that does not have that shape is kept whole, as its own kind.
    """
    topic, at, rest = text.partition("@")
    if not at:
        return Reference(text=text, kind=text, key="")
    kind = topic.rpartition(":")[2]
    _, slash, key = rest.partition("/")
    return Reference(text=text, kind=kind, key=key.partition("#")[0] if slash else "")


def _percent(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "n/a"
    return f"{numerator}/{denominator} ({100 * numerator / denominator:.1f}%)"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "none"


@attrs.frozen
class RegistrySummary:
    """The station, each officer's beat and the registries' headline figures of a month."""

    station: str | None = None
    """The station's name (several names joined by `` / `` when officers differ)."""
    beats: Mapping[str, str] = attrs.field(factory=dict)
    """Each officer's beat (警务区), by badge."""
    headlines: tuple[Headline, ...] = ()

    @classmethod
    def read(
        cls, registries: Registries, *, month: str, as_of: datetime | None = None
    ) -> RegistrySummary:
        """Read the summary of ``month`` from caught-up registries.

        Args:
            registries: the station's registries, already caught up by the caller.
            month: the report's month (``YYYY-MM``).
            as_of: the instant disputes and venues are judged at (the report's).

        Returns:
            The station's name, the beats and one headline per figure.
        """
        officers = registries.officers(month=month)
        stations = Counter(row.station for row in officers if row.station)
        names = [name for name, _ in sorted(stations.items(), key=lambda i: (-i[1], i[0]))]
        planned = sum(row.households_planned for row in officers)
        planned_visited = sum(row.planned_visited for row in officers)
        unvisited = registries.households(month=month, unvisited=True)
        disputes = registries.disputes(as_of=as_of)
        venues = registries.venues(as_of=as_of)
        not_referred = disputes.not_referred.percent
        figures = (
            ("officers 民警", "officers enlisted", str(len(officers))),
            (
                "officers 民警",
                "households visited 走访户数",
                str(sum(row.households_visited for row in officers)),
            ),
            (
                "officers 民警",
                "planned households visited 入户走访率",
                _percent(planned_visited, planned),
            ),
            ("households 住户", "planned, not visited 计划未走访", str(len(unvisited))),
            ("disputes 矛盾纠纷", "disputes", str(len(disputes.rows))),
            ("disputes 矛盾纠纷", "by level 三色预警", _counts(disputes.by_level)),
            ("disputes 矛盾纠纷", "by status", _counts(disputes.by_status)),
            (
                "disputes 矛盾纠纷",
                "not referred out 矛盾不上交率",
                f"{not_referred}%" if not_referred else "n/a",
            ),
            ("disputes 矛盾纠纷", "overdue", str(len(disputes.overdue))),
            ("venues 场所", "venues supervised", str(len(venues))),
            (
                "venues 场所",
                "inspected this month",
                str(sum(1 for row in venues if row.inspections.get(month))),
            ),
            (
                "venues 场所",
                "open findings 待整改",
                str(sum(len(row.open_findings) for row in venues)),
            ),
            (
                "venues 场所",
                "overdue rectifications",
                str(sum(len(row.overdue_findings) for row in venues)),
            ),
        )
        return cls(
            station=" / ".join(names) or None,
            beats={row.badge: row.beat for row in officers if row.beat},
            headlines=tuple(Headline(*figure) for figure in figures),
        )

"""The population registry (实有人口/社情信息台账): information collected, by beat and month.

Information collection (信息采集, 一日一采、一日一录, the Dezhou article) about people, households,
buildings, venues, weak spots and public sentiment. One row per beat, subject and
category of a month: how many items were collected, by whom they were handed in
(``source``: the officer, grid workers, volunteers, the public; an item with no source
is the officer's own, our reading, ADR 0907) and the officers who recorded them. The
beat is the one the officer served in when the item was collected (transfers included).

Tables (``bp_population_<table>``), every document small and bounded (ADR 0404):

- ``officers``: key badge; the officer's station, beat and transfers;
- ``items``: key ``YYYY-MM|badge|item``; one item: subject, category, source, time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.day_records import InformationCollected
from beatpolice.domain.officer import OfficerEnlisted, OfficerTransferred
from beatpolice.projections._runner import Document, DocumentView, ViewStore
from beatpolice.projections.registries._beats import beat_at, enlisted, transferred
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, Row

__all__ = ["PopulationProjection", "PopulationRow", "population"]

NAME = "population"


def _key(*parts: str) -> str:
    return KEY_SEPARATOR.join(parts)


class PopulationProjection(RegistryProjection):
    """The fold of the population registry."""

    name = NAME
    version = 1
    tables = ("meta", "officers", "items")

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The officer history an enlistment or transfer rewrites."""
        if isinstance(event, OfficerEnlisted):
            return [("officers", event.badge)]
        if isinstance(event, OfficerTransferred):
            return [("officers", event.officer)]
        return []

    def _enlisted(self, view: DocumentView, event: OfficerEnlisted) -> None:
        view.put("officers", event.badge, enlisted(view.get("officers", event.badge), event))

    def _transferred(self, view: DocumentView, event: OfficerTransferred) -> None:
        history = transferred(view.get("officers", event.officer), event)
        view.put("officers", event.officer, history)

    def _collected(self, view: DocumentView, event: InformationCollected) -> None:
        month = self.month(event.occurred_at)
        view.put(
            "items",
            _key(month, event.officer, event.id),
            {
                "officer": event.officer,
                "id": event.id,
                "at": event.occurred_at.isoformat(),
                "subject": event.subject.value,
                "category": event.category.value if event.category else None,
                "source": event.source.value if event.source else "officer",
                "household": event.household,
            },
        )

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        OfficerEnlisted: _enlisted,
        OfficerTransferred: _transferred,
        InformationCollected: _collected,
    }


class PopulationRow(Row):
    """The information collected in one beat about one subject and category in a month."""

    month: str
    station: str | None
    beat: str | None
    """The beat the officer served in when the items were collected."""
    subject: str
    category: str | None
    """For people: permanent, floating, key_person, hardship, petitioner (or none given)."""
    items: int
    sources: dict[str, int]
    """Items by who handed them in (``officer`` when no source was recorded)."""
    officers: tuple[str, ...]


def population(
    store: ViewStore,
    *,
    month: str,
    beat: str | None = None,
    subject: str | None = None,
    officer: str | None = None,
) -> list[PopulationRow]:
    """The population registry for ``month``, by station, beat, subject and category.

    Args:
        store: the view store the registry was folded into.
        month: ``YYYY-MM``, cut in the station's zone.
        beat: only items collected in this beat.
        subject: only items about this subject (``person``, ``building``, ...).
        officer: only items this badge recorded.
    """
    histories = dict(store.scan(NAME, "officers"))
    groups: dict[tuple[str, str, str, str], list[Document]] = {}
    for _, item in store.scan(NAME, "items", _key(month, "")):
        if officer is not None and item["officer"] != officer:
            continue
        if subject is not None and item["subject"] != subject:
            continue
        station, where = beat_at(
            histories.get(item["officer"]), datetime.fromisoformat(item["at"])
        )
        if beat is not None and where != beat:
            continue
        key = (station or "", where or "", item["subject"], item["category"] or "")
        groups.setdefault(key, []).append(item)
    rows = []
    for (station, where, kind, category), items in sorted(groups.items()):
        sources: dict[str, int] = {}
        for item in items:
            sources[item["source"]] = sources.get(item["source"], 0) + 1
        rows.append(
            PopulationRow(
                month=month,
                station=station or None,
                beat=where or None,
                subject=kind,
                category=category or None,
                items=len(items),
                sources=dict(sorted(sources.items())),
                officers=tuple(sorted({item["officer"] for item in items})),
            )
        )
    return rows

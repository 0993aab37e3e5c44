"""The rest of an officer's day in the officers registry: beats over time, and tallies.

A fold of its own (``bp_officer_days_<table>``), read beside the officers fold when
the officers registry is asked for, so that the officers fold and its stored view stay
as they were:

- ``history``: key badge; the enlistment's station and beat and every transfer;
- ``months``: key ``badge|YYYY-MM``; the month's count of each new kind of record:
  information items collected, patrols, outreach (and people reached), meetings,
  requests received and answered, fraud-risk assessments, surveys, commendations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.day_records import (
    CommendationReceived,
    FraudRiskAssessed,
    InformationCollected,
    MeetingHeld,
    OutreachHeld,
    PatrolCompleted,
    RequestAnswered,
    RequestReceived,
    SurveyRecorded,
)
from beatpolice.domain.officer import OfficerEnlisted, OfficerTransferred
from beatpolice.projections._runner import DocumentView, ViewStore
from beatpolice.projections.registries._beats import enlisted, spells, transferred
from beatpolice.projections.registries._common import KEY_SEPARATOR, RegistryProjection, Row

__all__ = ["BeatSpell", "DayTally", "OfficerDaysProjection", "day_of"]

NAME = "officer_days"

_COUNTED: dict[type[DomainEvent], str] = {
    InformationCollected: "information",
    PatrolCompleted: "patrols",
    OutreachHeld: "outreach",
    MeetingHeld: "meetings",
    RequestReceived: "requests_received",
    RequestAnswered: "requests_answered",
    FraudRiskAssessed: "fraud_assessments",
    SurveyRecorded: "surveys",
    CommendationReceived: "commendations",
}


class DayTally(Row):
    """An officer's month of the 0.2 kinds of record (the beat they were in aside)."""

    information: int = 0
    """Items of information collected (信息采集)."""
    patrols: int = 0
    outreach: int = 0
    outreach_reach: int = 0
    """People the month's outreach reached."""
    meetings: int = 0
    requests_received: int = 0
    requests_answered: int = 0
    """Answers given in the month (to requests of any month)."""
    fraud_assessments: int = 0
    surveys: int = 0
    commendations: int = 0


class BeatSpell(Row):
    """A station and beat the officer served in, from ``since`` (None: enlistment)."""

    since: datetime | None
    station: str | None
    beat: str | None


class OfficerDaysProjection(RegistryProjection):
    """The fold of the officers registry's 0.2 part."""

    name = NAME
    version = 1
    tables = ("meta", "history", "months")

    def _month_key(self, event: DomainEvent) -> str:
        moment = getattr(event, "occurred_at", None) or getattr(event, "started_at")  # noqa: B009
        return f"{event.officer}{KEY_SEPARATOR}{self.month(moment)}"  # type: ignore[attr-defined]

    def touches(self, event: DomainEvent) -> list[tuple[str, str]]:
        """The history or month document an event rewrites."""
        if isinstance(event, OfficerEnlisted):
            return [("history", event.badge)]
        if isinstance(event, OfficerTransferred):
            return [("history", event.officer)]
        if type(event) in _COUNTED:
            return [("months", self._month_key(event))]
        return []

    def _enlisted(self, view: DocumentView, event: OfficerEnlisted) -> None:
        view.put("history", event.badge, enlisted(view.get("history", event.badge), event))

    def _transferred(self, view: DocumentView, event: OfficerTransferred) -> None:
        view.put("history", event.officer, transferred(view.get("history", event.officer), event))

    def _counted(self, view: DocumentView, event: Any) -> None:
        key = self._month_key(event)
        month = view.get("months", key) or {}
        field = _COUNTED[type(event)]
        month[field] = month.get(field, 0) + 1
        if isinstance(event, OutreachHeld):
            month["outreach_reach"] = month.get("outreach_reach", 0) + event.reach
        view.put("months", key, month)

    handlers: ClassVar[dict[type[DomainEvent], Any]] = {
        OfficerEnlisted: _enlisted,
        OfficerTransferred: _transferred,
        **dict.fromkeys(_COUNTED, _counted),
    }


def day_of(
    store: ViewStore, badges: list[str], month: str
) -> dict[str, tuple[list[BeatSpell], DayTally]]:
    """Each officer's beats over time and the month's tally of the 0.2 kinds."""
    histories = store.load(NAME, "history", badges)
    months = store.load(NAME, "months", [f"{badge}{KEY_SEPARATOR}{month}" for badge in badges])
    found = {}
    for badge in badges:
        beats = [
            BeatSpell(since=since, station=station, beat=beat)
            for since, station, beat in spells(histories.get(badge))
        ]
        tally = DayTally(**months.get(f"{badge}{KEY_SEPARATOR}{month}", {}))
        found[badge] = (beats, tally)
    return found

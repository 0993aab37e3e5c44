"""The officers registry (民警台账): who each officer is and what they did in a month.

One row per enlisted officer: badge, name, station and beat; the month's visits and
households visited, leads, services, mediations and disputes mediated; and the last
activity (the latest field time of anything the officer did). Months are cut by
``occurred_at`` in the station's zone; retracted records stop counting.

Tables ``bp_officers_<table>``: officers, months, households, plans and records, each
document small and bounded (ADR 0404). The fold is in ``_officers_fold``, re-exported
here.
"""

from __future__ import annotations

from datetime import datetime

from beatpolice.projections._runner import ViewStore
from beatpolice.projections.registries._common import KEY_SEPARATOR, Row, parse_time
from beatpolice.projections.registries._officers_day import BeatSpell, DayTally, day_of
from beatpolice.projections.registries._officers_fold import NAME, OfficersProjection, new_month

__all__ = ["OfficerRow", "OfficersProjection", "officers"]


class OfficerRow(Row):
    """One officer in the registry, with the tallies of one month."""

    badge: str
    name: str | None
    """None when the view saw records of this badge but not its enlistment."""
    station: str | None
    beat: str | None
    month: str
    households_planned: int
    """Households in the officer's visit plan for the month."""
    visits: int
    """Visits recorded in the month and not retracted."""
    households_visited: int
    """Distinct households those visits reached (a household counts once)."""
    planned_visited: int
    """Planned households visited in the month (the visit rate's numerator)."""
    leads: int
    leads_by_kind: dict[str, int]
    services: int
    services_acknowledged: int
    mediations: int
    """Mediation sessions the officer held in the month."""
    disputes_mediated: int
    """Distinct disputes the officer mediated in the month."""
    disputes_resolved: int
    """Disputes resolved by the officer's mediation in the month."""
    last_activity: datetime | None
    """The latest field time of anything the officer did (any month)."""
    beats: tuple[BeatSpell, ...] = ()
    """Where the officer served, from enlistment through every transfer (调动)."""
    day: DayTally = DayTally()
    """The month's information, patrols, outreach, meetings, requests, fraud checks,
    surveys and commendations."""


def officers(
    store: ViewStore,
    *,
    month: str,
    station: str | None = None,
    beat: str | None = None,
    officer: str | None = None,
) -> list[OfficerRow]:
    """The officers registry for ``month``, by badge.

    Args:
        store: the view store the registry was folded into.
        month: ``YYYY-MM``, cut in the station's zone.
        station: only officers of this station.
        beat: only officers of this beat.
        officer: only this badge.
    """
    everyone = [
        dict(doc)
        for key, doc in store.scan(NAME, "officers", officer or "")
        if key == officer or officer is None
    ]
    days = day_of(store, [document["badge"] for document in everyone], month)
    for document in everyone:  # a transfer moves the station and beat shown (ADR 0907)
        spells = days[document["badge"]][0]
        if spells and spells[-1].since is not None:
            document.update(station=spells[-1].station, beat=spells[-1].beat)
    found = [
        document
        for document in everyone
        if (station is None or document["station"] == station)
        and (beat is None or document["beat"] == beat)
    ]
    keys = [f"{document['badge']}{KEY_SEPARATOR}{month}" for document in found]
    months = store.load(NAME, "months", keys)
    rows = []
    for document, key in zip(found, keys, strict=True):
        tally = months.get(key) or new_month(document["badge"], month)
        rows.append(
            OfficerRow(
                badge=document["badge"],
                name=document["name"],
                station=document["station"],
                beat=document["beat"],
                beats=tuple(days[document["badge"]][0]),
                day=days[document["badge"]][1],
                month=month,
                households_planned=tally["households_planned"],
                visits=tally["visits"],
                households_visited=tally["households_visited"],
                planned_visited=tally["planned_visited"],
                leads=tally["leads"],
                leads_by_kind=dict(sorted(tally["leads_by_kind"].items())),
                services=tally["services"],
                services_acknowledged=tally["services_acknowledged"],
                mediations=tally["mediations"],
                disputes_mediated=len(tally["disputes"]),
                disputes_resolved=tally["resolved"],
                last_activity=parse_time(document["last_activity"]),
            )
        )
    return rows

"""Where an officer served when: the beat at each time (调动), folded from the events.

An officer's history document holds the enlistment's station and beat and every
transfer with its field time. A record's beat is read from it when a registry is
read, not when the record is folded, so a transfer entered late still places the
records made after it in the new beat (DOMAIN: "registries show the beat at the time
of each record"; ADR 0907).
"""

from __future__ import annotations

from datetime import datetime

from beatpolice.domain.officer import OfficerEnlisted, OfficerTransferred
from beatpolice.projections._runner import Document

__all__ = ["beat_at", "enlisted", "spells", "transferred"]


def enlisted(history: Document | None, event: OfficerEnlisted) -> Document:
    """The history after the officer's enlistment."""
    found = dict(history or {"transfers": []})
    found.update(badge=event.badge, station=event.station, beat=event.beat)
    return found


def transferred(history: Document | None, event: OfficerTransferred) -> Document:
    """The history after a transfer (kept in field-time order)."""
    found = dict(
        history or {"badge": event.officer, "station": event.from_station, "beat": event.from_beat}
    )
    moves = [
        *found.get("transfers", []),
        {"at": event.occurred_at.isoformat(), "station": event.station, "beat": event.beat},
    ]
    found["transfers"] = sorted(moves, key=lambda move: datetime.fromisoformat(move["at"]))
    return found


def beat_at(history: Document | None, moment: datetime | None) -> tuple[str | None, str | None]:
    """The station and beat the officer served in at ``moment`` (the latest when None)."""
    if history is None:
        return None, None
    station, beat = history.get("station"), history.get("beat")
    for move in history.get("transfers", []):
        if moment is not None and datetime.fromisoformat(move["at"]) > moment:
            break
        station, beat = move["station"], move["beat"]
    return station, beat


def spells(history: Document | None) -> list[tuple[datetime | None, str | None, str | None]]:
    """Each (from, station, beat) the officer served in; ``from`` is None at enlistment."""
    if history is None:
        return []
    found: list[tuple[datetime | None, str | None, str | None]] = [
        (None, history.get("station"), history.get("beat"))
    ]
    for move in history.get("transfers", []):
        found.append((datetime.fromisoformat(move["at"]), move["station"], move["beat"]))
    return found

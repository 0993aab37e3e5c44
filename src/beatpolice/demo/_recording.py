"""Record a generated month through the station's public commands, on a replayed clock.

Each entry is recorded at its own entry instant (the station's ``clock``), so the
recorded times, and with them every appraisal "as of" an instant, are the same on
every run. Entries of one instant are saved as one batch (one transaction), like a
day's data entry; an entry recorded before is recognised as a re-send and writes
nothing, so recording the same month twice into one store is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import groupby

import attrs

from beatpolice.adapters.store.connect import connect
from beatpolice.application.receipt import Receipt
from beatpolice.application.station import Station
from beatpolice.demo._demo_key import demo_master_key
from beatpolice.demo._month import DemoMonth, Entry
from beatpolice.domain.errors import BeatpoliceError

__all__ = ["EntryClock", "Recording", "record"]

Progress = Callable[[int, int], None]
"""Called with (entries done, entries in all) after each batch."""


class EntryClock:
    """A station clock that reads whatever instant the recorder last set."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        """The instant in force."""
        return self.current


@attrs.frozen
class Recording:
    """What recording a generated month did."""

    commands: int
    """Commands sent."""
    events: int
    """Events written (0 on a second run into the same store)."""
    resent: int
    """Commands the store already held (exact re-sends)."""
    refused: tuple[str, ...]
    """The refusals, as ``command id: message``; empty for a consistent month."""


def _label(entry: Entry) -> str:
    command = entry.command
    for field in ("id", "badge", "visit", "dispute", "venue", "record", "officer"):
        value = getattr(command, field, None)
        if isinstance(value, str):
            return f"{command.type} {value}"
    return command.type


def record(
    url: str,
    demo: DemoMonth,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> Recording:
    """Record every command of ``demo`` into the store at ``url``, in entry order.

    Args:
        url: the store (``sqlite:///demo-out/station.db``, ``memory://``, ...).
        demo: the generated month.
        batch_size: the most commands saved in one transaction.
        progress: told how far recording has got after each batch.

    Returns:
        Counts of what was written, re-sent and refused.

    Examples:
        >>> from beatpolice.demo import DemoConfig, generate, record
        >>> demo = generate(DemoConfig(beats=1, officers_per_beat=1, households=100, venues=6))
        >>> first = record("memory://", demo)
        >>> first.refused, first.events > first.commands
        ((), True)
    """
    config = demo.config
    clock = EntryClock(demo.entries[0].recorded_at if demo.entries else demo.decided_at)
    station = connect(
        url,
        time_zone=config.time_zone,
        policy=config.policy,
        clock=clock,
        master_key=demo_master_key(url),
    )
    try:
        return _record(station, clock, demo, batch_size, progress)
    finally:
        station.close()


def _record(
    station: Station,
    clock: EntryClock,
    demo: DemoMonth,
    batch_size: int,
    progress: Progress | None,
) -> Recording:
    total = len(demo.entries)
    done = events = resent = 0
    refused: list[str] = []
    for instant, group in groupby(demo.entries, key=lambda entry: entry.recorded_at):
        clock.current = instant
        entries = list(group)
        for start in range(0, len(entries), batch_size):
            chunk = entries[start : start + batch_size]
            outcomes = station.handle_batch([entry.command for entry in chunk])
            for entry, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, BeatpoliceError):
                    refused.append(f"{_label(entry)}: {outcome}")
                elif isinstance(outcome, Receipt):
                    events += outcome.events
                    resent += outcome.duplicate
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return Recording(commands=total, events=events, resent=resent, refused=tuple(refused))

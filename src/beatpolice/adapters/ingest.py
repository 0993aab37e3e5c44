"""Bulk import of JSON-lines commands: streamed, many commands per transaction.

Each line is one command (CONTRACT.md). Lines are parsed and decided in batches; a
batch is saved in one transaction, so a file of millions of legacy records is
migrated at the speed of the store, while a refused line still changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import attrs

from beatpolice._station import Station
from beatpolice.commands import Command, parse_command
from beatpolice.domain.errors import BeatpoliceError

__all__ = ["IngestReport", "Refusal", "ingest_lines", "open_lines"]

DEFAULT_BATCH = 2000


@attrs.frozen
class Refusal:
    """A refused line: where it is and why."""

    line: int
    message: str


@attrs.define
class IngestReport:
    """What an ingest did, line by line counted."""

    lines: int = 0
    recorded: int = 0
    """Lines whose command recorded at least one event."""
    resent: int = 0
    """Lines that were exact re-sends of recorded commands (nothing written)."""
    events: int = 0
    refused: list[Refusal] = attrs.Factory(list)
    stopped: bool = False
    """True when ``stop_on_error`` ended the ingest at a refused line."""

    @property
    def ok(self) -> bool:
        """Every line was recorded or was an exact re-send."""
        return not self.refused

    def summary(self) -> str:
        """One line for people: counts of lines, events and refusals."""
        text = (
            f"{self.lines} lines: {self.recorded} recorded ({self.events} events), "
            f"{self.resent} re-sent, {len(self.refused)} refused"
        )
        return text + (" (stopped at the first refusal)" if self.stopped else "")


def ingest_lines(
    station: Station,
    lines: Iterable[str | bytes],
    *,
    batch_size: int = DEFAULT_BATCH,
    stop_on_error: bool = False,
    on_refused: Callable[[Refusal], None] | None = None,
    on_batch: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Record every command of a JSON-lines stream, ``batch_size`` per transaction.

    Blank lines are skipped. A malformed or refused line is reported (``on_refused``)
    and changes nothing; the others are recorded.
    """
    report = IngestReport()
    for batch, malformed in _batches(lines, batch_size, report, stop_on_error):
        outcomes = station.handle_batch(
            [command for _, command in batch], stop_on_error=stop_on_error
        )
        refusals = list(malformed)
        for (number, _), outcome in zip(batch, outcomes, strict=False):
            if isinstance(outcome, BeatpoliceError):
                refusals.append(Refusal(number, str(outcome)))
            elif outcome.duplicate:
                report.resent += 1
            else:
                report.recorded += 1
                report.events += outcome.events
        if stop_on_error and refusals:
            # only the first refusal stops the ingest; nothing after it was decided
            refusals = [min(refusals, key=lambda refusal: refusal.line)]
        for refusal in sorted(refusals, key=lambda refusal: refusal.line):
            report.refused.append(refusal)
            if on_refused is not None:
                on_refused(refusal)
        if on_batch is not None:
            on_batch(report)
        if stop_on_error and report.refused:
            report.stopped = True
            break
    return report


def _batches(
    lines: Iterable[str | bytes],
    batch_size: int,
    report: IngestReport,
    stop_on_error: bool,
) -> Iterator[tuple[list[tuple[int, Command]], list[Refusal]]]:
    """Parsed commands with their line numbers, and the malformed lines among them."""
    batch: list[tuple[int, Command]] = []
    malformed: list[Refusal] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.lines += 1
        try:
            batch.append((number, parse_command(line)))
        except BeatpoliceError as error:
            malformed.append(Refusal(number, str(error)))
            if stop_on_error:
                # the lines before this one are still recorded; nothing after it
                break
        if len(batch) >= batch_size:
            yield batch, malformed
            batch, malformed = [], []
    if batch or malformed:
        yield batch, malformed


def open_lines(path: Path) -> IO[bytes]:
    """Open a JSONL file for streaming (``-`` is standard input)."""
    return sys.stdin.buffer if str(path) == "-" else path.open("rb")

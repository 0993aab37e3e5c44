"""Bulk import of JSON-lines commands: streamed, many commands per transaction.

Each line is one command (the contract). Lines are parsed and decided in batches; a
batch is saved in one transaction, so a file of millions of legacy records is
migrated at the speed of the store, while a refused line still changes nothing.

The file is read in chunks of bounded size (ADR 0213): a line longer than
``max_line_bytes`` is refused by its number without being held whole, a UTF-8
byte-order mark before the first line is skipped, and the report keeps counts and
only the first :data:`KEPT_REFUSALS` refusals, so memory does not grow with the file.
A batch that meets another writer is decided again with jittered backoff and, if it
still cannot be saved, line by line: every line ends recorded, re-sent or refused by
its number (ADR 0214).
"""

from __future__ import annotations

import io
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import attrs

from beatpolice.application import retries
from beatpolice.application.receipt import Receipt
from beatpolice.application.station import Station
from beatpolice.domain.commands import Command, parse_command
from beatpolice.domain.errors import BeatpoliceError, ConcurrencyError, StorageError

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_MAX_LINE_BYTES",
    "KEPT_REFUSALS",
    "IngestReport",
    "Refusal",
    "ingest_lines",
    "open_lines",
    "read_lines",
]

DEFAULT_BATCH = 2000
DEFAULT_MAX_LINE_BYTES = 1 << 20
"""A line longer than this (1 MiB, the newline not counted) is refused unread."""
KEPT_REFUSALS = 1000
"""How many refusals an :class:`IngestReport` keeps; later ones are only counted."""
CHUNK_BYTES = 1 << 16
"""The file is read this many bytes at a time."""

_BOM = b"\xef\xbb\xbf"
Outcome = Receipt | BeatpoliceError


@attrs.frozen
class Refusal:
    """A refused line: where it is and why."""

    line: int
    message: str
    field: str = ""
    """The field the refusal names (empty when it names none, e.g. malformed JSON)."""
    rule: str = ""
    """The rule that refused it (empty when it names none)."""

    @classmethod
    def of(cls, line: int, error: BeatpoliceError) -> Refusal:
        """The refusal of ``line`` by ``error``, with the field and rule it names."""
        field = getattr(error, "field", "")
        rule = getattr(error, "rule", "")
        return cls(line, str(error), field if isinstance(field, str) else "", str(rule or ""))


class _TooLong:
    """Stands for a line that was longer than the limit and was skipped unread."""

    def __init__(self, limit: int) -> None:
        self.message = (
            f"the line is longer than {limit:,} bytes (--max-line-bytes); it was not read"
        )


@attrs.define
class IngestReport:
    """What an ingest did, line by line counted.

    ``lines`` counts the non-blank lines that were settled: each was recorded, re-sent
    or refused, so ``lines == recorded + resent + refused_count`` at every moment.
    """

    lines: int = 0
    recorded: int = 0
    """Lines whose command recorded at least one event."""
    resent: int = 0
    """Lines that were exact re-sends of recorded commands (nothing written)."""
    events: int = 0
    refused_count: int = 0
    """How many lines were refused."""
    refused: list[Refusal] = attrs.Factory(list)
    """The first :data:`KEPT_REFUSALS` refusals (all of them go to ``on_refused``)."""
    stopped: bool = False
    """True when ``stop_on_error`` ended the ingest at a refused line."""
    failed_at: int | None = None
    """The first line not settled when the store failed and the ingest stopped."""
    failure: str | None = None
    """Why the store failed (the error's message), when ``failed_at`` is set."""

    @property
    def ok(self) -> bool:
        """Every line was recorded or was an exact re-send."""
        return self.refused_count == 0 and self.failed_at is None

    def refuse(self, refusal: Refusal) -> None:
        """Count a refused line, keeping it if fewer than :data:`KEPT_REFUSALS` are kept."""
        self.lines += 1
        self.refused_count += 1
        if len(self.refused) < KEPT_REFUSALS:
            self.refused.append(refusal)

    def summary(self) -> str:
        """One line for people: counts of lines, events and refusals."""
        text = (
            f"{self.lines} lines: {self.recorded} recorded ({self.events} events), "
            f"{self.resent} re-sent, {self.refused_count} refused"
        )
        if self.failed_at is not None:
            text += (
                f"; stopped at line {self.failed_at}, the store failed: that line and the "
                "ones after it were not recorded (run the file again: what was recorded "
                "is then a re-send)"
            )
        return text + (" (stopped at the first refusal)" if self.stopped else "")


def ingest_lines(
    station: Station,
    lines: Iterable[str | bytes] | IO[bytes],
    *,
    batch_size: int = DEFAULT_BATCH,
    stop_on_error: bool = False,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    on_refused: Callable[[Refusal], None] | None = None,
    on_batch: Callable[[IngestReport], None] | None = None,
    report: IngestReport | None = None,
    on_recorded: Callable[[int, Receipt], None] | None = None,
) -> IngestReport:
    """Record every command of a JSON-lines stream, ``batch_size`` per transaction.

    Blank lines are skipped. A malformed, too long or refused line is reported
    (``on_refused``, in line order) and changes nothing; the others are recorded.

    Args:
        station: the station to record into.
        lines: a binary stream (read in chunks) or an iterable of lines.
        batch_size: commands per transaction.
        stop_on_error: end at the first refused line (the lines before it are recorded).
        max_line_bytes: a longer line is refused by its number without being read whole.
        on_refused: called with each refusal as it is settled.
        on_batch: called with the report after each batch.
        report: the report to fill, so that a caller keeps the counts of what was done
            even if the ingest is interrupted.
        on_recorded: called with the number and receipt of each line recorded or
            re-sent (``receipt.duplicate``), in line order within a batch, before
            the batch's refusals.

    Returns:
        The report. If the store fails (:class:`StorageError`) on a batch even after
        retries, the ingest stops there: ``failed_at`` and ``failure`` say where and why.
    """
    report = IngestReport() if report is None else report

    def settle(refusals: list[Refusal]) -> None:
        for refusal in sorted(refusals, key=lambda refusal: refusal.line):
            report.refuse(refusal)
            if on_refused is not None:
                on_refused(refusal)

    for batch, malformed in _batches(lines, batch_size, max_line_bytes, stop_on_error):
        failed: _StoreFailedError | None = None
        try:
            outcomes = _decide(station, [command for _, command in batch], stop_on_error)
        except _StoreFailedError as failure:
            failed, outcomes = failure, failure.outcomes
            report.failed_at = batch[len(outcomes)][0]
            report.failure = str(failure.error)
        refusals = [r for r in malformed if failed is None or r.line < (report.failed_at or 0)]
        for (number, _), outcome in zip(batch, outcomes, strict=False):
            if isinstance(outcome, BeatpoliceError):
                refusals.append(Refusal.of(number, outcome))
                continue
            if on_recorded is not None:
                on_recorded(number, outcome)
            if outcome.duplicate:
                report.lines += 1
                report.resent += 1
            else:
                report.lines += 1
                report.recorded += 1
                report.events += outcome.events
        if stop_on_error and refusals:
            # only the first refusal stops the ingest; nothing after it was decided
            refusals = [min(refusals, key=lambda refusal: refusal.line)]
        settle(refusals)
        if on_batch is not None:
            on_batch(report)
        if failed is not None:
            break
        if stop_on_error and report.refused_count:
            report.stopped = True
            break
    return report


class _StoreFailedError(Exception):
    """The store kept failing; ``outcomes`` holds what was settled before it did."""

    def __init__(self, error: StorageError, outcomes: list[Outcome]) -> None:
        super().__init__(str(error))
        self.error = error
        self.outcomes = outcomes


def _decide(station: Station, commands: list[Command], stop_on_error: bool) -> list[Outcome]:
    """The batch's outcomes, deciding it again on conflict and line by line at last.

    Raises:
        _StoreFailedError: the store kept failing (after the same retries).
    """
    if not commands:
        return []
    try:
        return _retrying(station.handle_batch, commands, stop_on_error=stop_on_error)
    except StorageError as error:
        raise _StoreFailedError(error, []) from error
    except BeatpoliceError:
        pass  # the batch as a whole could not be saved: one command at a time, then
    outcomes: list[Outcome] = []
    for command in commands:
        try:
            outcomes.extend(_retrying(station.handle_batch, [command]))
        except StorageError as error:
            raise _StoreFailedError(error, outcomes) from error
        except BeatpoliceError as error:
            outcomes.append(error)
        if stop_on_error and isinstance(outcomes[-1], BeatpoliceError):
            break
    return outcomes


def _retrying(func: Callable[..., list[Outcome]], *args: Any, **kwargs: Any) -> list[Outcome]:
    """Call ``func``, retrying on ConcurrencyError or StorageError with ADR 0201's backoff.

    A store that is busy (SQLite's lock held by another writer past its timeout, a
    dropped connection) often answers the next time; one that is full or read-only
    fails every time, and the last error is raised.
    """
    attempts = retries.RETRY_ATTEMPTS
    for attempt in range(attempts):
        try:
            return func(*args, **kwargs)
        except (ConcurrencyError, StorageError):
            if attempt == attempts - 1:
                raise
            ceiling = min(retries.RETRY_BACKOFF_CAP, retries.RETRY_BACKOFF * 2**attempt)
            time.sleep(random.uniform(0, ceiling))
    raise AssertionError("unreachable")  # pragma: no cover


Parsed = tuple[list[tuple[int, Command]], list[Refusal]]


def _batches(
    lines: Iterable[str | bytes] | IO[bytes],
    batch_size: int,
    max_line_bytes: int,
    stop_on_error: bool,
) -> Iterator[Parsed]:
    """Parsed commands with their line numbers, and the malformed lines among them."""
    batch: list[tuple[int, Command]] = []
    malformed: list[Refusal] = []
    for number, line in read_lines(lines, max_line_bytes=max_line_bytes):
        if isinstance(line, _TooLong):
            malformed.append(Refusal(number, line.message))
        elif not line.strip():
            continue
        else:
            try:
                batch.append((number, parse_command(line)))
            except BeatpoliceError as error:
                malformed.append(Refusal.of(number, error))
        if stop_on_error and malformed:
            # the lines before this one are still recorded; nothing after it
            break
        if len(batch) + len(malformed) >= batch_size:
            yield batch, malformed
            batch, malformed = [], []
    if batch or malformed:
        yield batch, malformed


def read_lines(
    lines: Iterable[str | bytes] | IO[bytes], *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[tuple[int, str | bytes | _TooLong]]:
    """Number the lines of a stream, from 1, blank ones included.

    A binary stream is read :data:`CHUNK_BYTES` at a time and split at ``\\n``; a line
    longer than ``max_line_bytes`` is skipped up to its newline and stands as a marker
    with the refusal's message. A UTF-8 byte-order mark before the first line is dropped.
    """
    if isinstance(lines, io.TextIOBase) or not hasattr(lines, "read"):
        yield from _given_lines(lines, max_line_bytes)
    else:
        yield from _chunked_lines(cast(IO[bytes], lines), max_line_bytes)


def _given_lines(
    lines: Iterable[str | bytes], limit: int
) -> Iterator[tuple[int, str | bytes | _TooLong]]:
    for number, line in enumerate(lines, start=1):
        if number == 1:
            line = (
                line.removeprefix("\ufeff") if isinstance(line, str) else line.removeprefix(_BOM)
            )
        size = len(line) if isinstance(line, bytes) or len(line) * 4 <= limit else None
        if size is None and isinstance(line, str):
            size = len(line.encode("utf-8", "surrogatepass"))
        yield number, _TooLong(limit) if size is not None and size > limit else line


def _chunked_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | _TooLong]]:
    read = getattr(stream, "read1", stream.read)
    number = 0
    held: list[bytes] = []  # the start of the current line, from earlier chunks
    size = 0
    too_long = False
    first = True
    while chunk := read(CHUNK_BYTES):
        if first:
            # a mark split over two reads of a pipe is joined first
            while len(chunk) < len(_BOM) and _BOM.startswith(chunk) and (more := read(1)):
                chunk += more
            chunk, first = chunk.removeprefix(_BOM), False
        pieces = chunk.split(b"\n")
        for piece in pieces[:-1]:
            number += 1
            if too_long or size + len(piece) > limit:
                yield number, _TooLong(limit)
            else:
                yield number, b"".join((*held, piece)) if held else piece
            held, size, too_long = [], 0, False
        rest = pieces[-1]
        if not too_long and size + len(rest) > limit:
            held, size, too_long = [], 0, True
        elif not too_long and rest:
            held.append(rest)
            size += len(rest)
    if too_long or held:
        yield number + 1, _TooLong(limit) if too_long else b"".join(held)


def open_lines(path: Path) -> IO[bytes]:
    """Open a JSONL file for streaming (``-`` is standard input)."""
    return sys.stdin.buffer if str(path) == "-" else path.open("rb")

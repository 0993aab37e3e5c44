"""What ``beatpolice ingest`` writes besides its summary: per-line JSON and progress.

``--json`` writes one JSON object per input line on standard output, in line order
(ADR 0805)::

    {"line": 1, "result": "recorded", "type": "enlist_officer", "events": 1}
    {"line": 2, "result": "re-sent", "type": "record_visit", "events": 0}
    {"line": 3, "result": "refused", "field": "occurred_at", "rule": "...", "message": "..."}

Progress goes to standard error (ADR 0806): on a terminal, one line redrawn a few times
a second once the ingest has run for a second; with ``--progress`` and no terminal, a
line every few seconds from the start.
"""

from __future__ import annotations

import time
from typing import IO, Any, TextIO

import orjson

from beatpolice.adapters.cli._text import json_safe, printable
from beatpolice.application.ingest import Refusal
from beatpolice.application.receipt import Receipt

__all__ = ["CountedStream", "IngestProgress", "LineResults"]

RECORDED, RESENT, REFUSED = "recorded", "re-sent", "refused"
"""The three results a line can have (the contract's words)."""


class LineResults:
    """Collects each line's result during a batch and writes them in line order."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._pending: list[tuple[int, dict[str, Any]]] = []

    def recorded(self, line: int, receipt: Receipt) -> None:
        """A line was recorded, or was an exact re-send of a recorded command."""
        result = RESENT if receipt.duplicate else RECORDED
        self._pending.append(
            (
                line,
                {"line": line, "result": result, "type": receipt.type, "events": receipt.events},
            )
        )

    def refused(self, refusal: Refusal) -> None:
        """A line was refused: the field and rule it broke, and the whole message."""
        self._pending.append(
            (
                refusal.line,
                {
                    "line": refusal.line,
                    "result": REFUSED,
                    "field": refusal.field or None,
                    "rule": refusal.rule or None,
                    "message": refusal.message,
                },
            )
        )

    def flush(self) -> None:
        """Write what was collected, in line order, one JSON object a line."""
        self._pending.sort(key=lambda item: item[0])
        text = "".join(
            json_safe(orjson.dumps(result).decode()) + "\n" for _, result in self._pending
        )
        self._pending.clear()
        if text:
            self._out.write(text)
            self._out.flush()


class CountedStream:
    """A binary stream that counts the bytes read from it (for progress)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes."""
        chunk = self._stream.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def read1(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes with at most one call to the underlying stream."""
        reader = getattr(self._stream, "read1", self._stream.read)
        chunk: bytes = reader(size)
        self.read_bytes += len(chunk)
        return chunk


class IngestProgress:
    """``ingest: 12,000 lines, 3.1 of 10.4 MB (29%)`` on standard error."""

    def __init__(
        self, stream: TextIO, *, total: int | None, always: bool, delay: float = 1.0
    ) -> None:
        self._stream = stream
        self._total = total
        self._live = _is_terminal(stream)
        self._start = time.monotonic()
        # a short ingest shows nothing on a terminal; --progress shows from the start
        self._delay = 0.0 if always else delay
        self._shown = 0.0
        self._drawn = False

    def update(self, lines: int, read: int) -> None:
        """Show the progress, at most a few times a second (every 2 s off a terminal)."""
        moment = time.monotonic()
        if moment - self._start < self._delay:
            return
        if self._drawn and moment - self._shown < (0.2 if self._live else 2.0):
            return
        self._shown, self._drawn = moment, True
        line = f"ingest: {lines:,} lines, {_megabytes(read)}"
        if self._total:
            share = min(100, 100 * read // self._total)
            line += f" of {_megabytes(self._total)} ({share}%)"
        line = printable(line)
        self._stream.write(f"\r{line}\x1b[K" if self._live else f"{line}\n")
        self._stream.flush()

    def done(self) -> None:
        """End the redrawn line, so that what follows starts on a line of its own."""
        if self._drawn and self._live:
            self._stream.write("\n")
            self._stream.flush()


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

"""How the registry commands print: tables, JSON, counts in words, catch-up progress.

The registry subcommands (:mod:`beatpolice.adapters.cli._cmd_registry` and the day's
registries beside it) share these; tables are laid out by display width (ADR 0803).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

import orjson

from beatpolice.adapters.cli._tables import write_table
from beatpolice.adapters.cli._text import json_safe, printable

__all__ = ["PROGRESS_THRESHOLD", "CatchUpProgress", "counts", "print_json", "table", "when", "yes"]

PROGRESS_THRESHOLD = 5000
"""Show progress on stderr by default when at least this many events are waiting."""


class CatchUpProgress:
    """Prints ``registries: done/total events (n%)`` on stderr, at most a few times a second."""

    def __init__(self, stream: TextIO, *, always: bool) -> None:
        self._stream = stream
        self._always = always
        self._shown = 0.0
        self._live = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self._always and total < PROGRESS_THRESHOLD:
            return
        moment = time.monotonic()
        if done < total and moment - self._shown < (0.2 if self._live else 2.0):
            return
        self._shown = moment
        share = 100 * done // total if total else 100
        line = f"registries: {done:,}/{total:,} events folded ({share}%)"
        self._stream.write(f"\r{line}" if self._live else f"{line}\n")
        if self._live and done >= total:
            self._stream.write("\n")
        self._stream.flush()


def print_json(value: Any) -> None:
    sys.stdout.write(json_safe(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()) + "\n")


def table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()
) -> None:
    # laid out by display width: a Chinese name takes two columns (ADR 0803)
    write_table(header, rows, right=right)


def counts(counts: Mapping[str, int]) -> str:
    """``{"blue": 2, "red": 1}`` in words: ``blue 2, red 1`` (``none`` when empty)."""
    return ", ".join(f"{printable(key)} {value}" for key, value in counts.items()) or "none"


def yes(value: bool) -> str:
    return "yes" if value else "no"


def when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="minutes")

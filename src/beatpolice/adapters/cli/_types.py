"""argparse types: every argument is checked while the command line is parsed (ADR 0210).

A bad value then ends the command before anything is opened, with argparse's exit
code 2 and one line naming the argument and what it should be.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.field_time import LATEST_DATE
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections.appraisal._engine import load_rules

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "byte_size",
    "hours",
    "input_file",
    "instant",
    "month",
    "month_or_year",
    "output_file",
    "positive_int",
    "rule_name",
    "rule_set",
    "time_zone",
]

FIRST_YEAR = 1990
"""No field time before 1990 is recorded, so no month or instant before it is asked."""
LAST_YEAR = LATEST_DATE.year
"""The last year a field time can lie in (ADR 0206), so the last one worth asking for."""

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"\d{4}")
_SIZE = re.compile(r"(\d+)\s*(|k|kb|kib|m|mb|mib)", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20}


def _in_range(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: years {FIRST_YEAR} to {LAST_YEAR}"
        )


def month(text: str) -> str:
    """A month ``YYYY-MM`` (``--month``)."""
    if not _MONTH.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a month YYYY-MM (e.g. 2014-01), got {text!r}")
    _in_range(int(text[:4]), text)
    return text


def month_or_year(text: str) -> str:
    """A month ``YYYY-MM``, or a year ``YYYY`` (a scorecard's yearly totals)."""
    if _YEAR.fullmatch(text):
        _in_range(int(text), text)
        return text
    if not _MONTH.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a month YYYY-MM (or a year YYYY for a scorecard), got {text!r}"
        )
    _in_range(int(text[:4]), text)
    return text


def instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset (``--as-of``)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from error
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no offset; give one, e.g. 2014-02-01T00:00:00+08:00"
        )
    # within these years the instant in UTC, and a day either side, is a datetime too
    _in_range(moment.year, text)
    return moment


def time_zone(text: str) -> str:
    """An IANA time zone name (``--time-zone``), e.g. ``Asia/Shanghai``."""
    try:
        ZoneInfo(text)
    except (LookupError, ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r} (an IANA name, e.g. Asia/Shanghai or UTC)"
        ) from error
    return text


def hours(text: str) -> timedelta:
    """A duration in hours, 0 or more (``--tolerance 24``, ``--tolerance 0.5``)."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of hours, got {text!r}") from None
    if not 0 <= number <= 24 * 366:
        raise argparse.ArgumentTypeError(f"must be from 0 to {24 * 366} hours, got {text}")
    return timedelta(hours=number)


def positive_int(largest: int) -> Callable[[str], int]:
    """A type for a whole number from 1 to ``largest``."""

    def check(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not 1 <= number <= largest:
            raise argparse.ArgumentTypeError(f"must be from 1 to {largest:,}, got {number:,}")
        return number

    check.__name__ = "positive_int"
    return check


def byte_size(largest: int) -> Callable[[str], int]:
    """A type for a size in bytes, from 1 to ``largest``: ``1048576``, ``512K``, ``4M``."""

    def check(text: str) -> int:
        found = _SIZE.fullmatch(text.strip())
        if found is None:
            raise argparse.ArgumentTypeError(
                f"expected a size in bytes (e.g. 1048576, 512K or 4M), got {text!r}"
            )
        size = int(found[1]) * _UNITS[found[2].lower()]
        if not 1 <= size <= largest:
            raise argparse.ArgumentTypeError(
                f"must be from 1 byte to {largest:,} bytes, got {size:,}"
            )
        return size

    check.__name__ = "byte_size"
    return check


def input_file(text: str) -> Path:
    """A file to read (``-`` is standard input): it exists, is not a folder, is readable.

    Pipes and devices are accepted (``<(zcat old.jsonl.gz)``); a file that fails while
    it is read is reported then.
    """
    path = Path(text)
    if text == "-":
        return path
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: permission denied")
    return path


def output_file(text: str) -> Path:
    """A file to write: its folder exists and it is not itself a folder."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {str(folder)!r}")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write in {str(folder)!r}: permission denied")
    return path


def rule_set(text: str) -> RuleSet:
    """A shipped rule set's name (``NAME`` or ``NAME@VERSION``) or a TOML file (``--rules``)."""
    try:
        return load_rules(text)
    except AppraisalError as error:
        message = str(error).removeprefix("rules: ")
        raise argparse.ArgumentTypeError(message) from error


def rule_name(text: str) -> str:
    """Like :func:`rule_set`, but the argument stays the name (or path) it was given."""
    rule_set(text)
    return text

"""Strategies for the field types of the vocabulary: ids, checked text, times, months."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from hypothesis import strategies as st

__all__ = [
    "aware_datetimes",
    "badges",
    "months",
    "naive_datetimes",
    "names",
    "record_ids",
    "short_texts",
    "texts",
]

_ID_FIRST = string.ascii_letters + string.digits
_ID_REST = _ID_FIRST + "._:/-"


EARLIEST = datetime(2004, 1, 1)
"""The first day the Chinese holiday calendar covers; generated times start here."""
LATEST = datetime(2026, 12, 31, 23, 59, 59)
"""The last day the Chinese holiday calendar (chinesecalendar 1.11) covers."""


def record_ids(*, max_size: int = 64) -> st.SearchStrategy[str]:
    """Caller-chosen ids (visit, dispute, venue, finding): ASCII letters, digits, ``._:/-``."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(_ID_FIRST),
        st.text(alphabet=_ID_REST, max_size=max_size - 1),
    )


def badges() -> st.SearchStrategy[str]:
    """Badge numbers (警号): the same alphabet as ids, kept short."""
    return record_ids(max_size=12)


def texts(*, max_size: int, single_line: bool = True, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text a station may send: any assigned, visible characters (Chinese included), not blank.

    Args:
        max_size: the field's limit in characters.
        single_line: refuse newline and tab (names), or allow them (reasons, notes).
        min_size: the least number of characters.
    """
    extra = "" if single_line else "\n\t"
    alphabet = st.characters(
        categories=None,
        # what check_text refuses: control (Cc), format (Cf, the zero-width ones),
        # surrogates, private use and unassigned code points
        exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"),
        include_characters=extra,
    )
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size).filter(
        lambda text: bool(text.strip())
    )


def names(*, max_size: int = 100) -> st.SearchStrategy[str]:
    """Single-line names: people, parties, households, categories, stations, beats."""
    return texts(max_size=min(max_size, 40)) | st.sampled_from(
        ["薛翠翠", "赵某", "黄某", "薛某", "陈某", "湛山社区", "枫亭派出所", "一区", "neighbours"]
    )


def short_texts(*, max_size: int = 500) -> st.SearchStrategy[str]:
    """Reasons, summaries, addresses: may span lines."""
    return texts(max_size=min(max_size, 60), single_line=False)


def offsets() -> st.SearchStrategy[tzinfo]:
    """UTC offsets from -12:00 to +14:00 in quarter hours, China Standard Time most often."""
    quarter_hours = st.integers(min_value=-48, max_value=56).map(
        lambda n: timezone(timedelta(minutes=15 * n))
    )
    return st.sampled_from([timezone(timedelta(hours=8)), UTC]) | quarter_hours


def aware_datetimes(
    *, min_value: datetime = EARLIEST, max_value: datetime = LATEST
) -> st.SearchStrategy[datetime]:
    """Timezone-aware instants (what every ``occurred_at`` must be)."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=offsets())


def naive_datetimes() -> st.SearchStrategy[datetime]:
    """Times without an offset: every command must refuse them."""
    return st.datetimes(min_value=EARLIEST, max_value=LATEST)


def dates() -> st.SearchStrategy[date]:
    """Calendar days (a rectification's ``rectify_by``)."""
    return st.dates(min_value=EARLIEST.date(), max_value=LATEST.date())


def months() -> st.SearchStrategy[str]:
    """``YYYY-MM`` months."""
    return st.builds(
        lambda year, month: f"{year:04d}-{month:02d}",
        st.integers(min_value=EARLIEST.year, max_value=LATEST.year),
        st.integers(min_value=1, max_value=12),
    )

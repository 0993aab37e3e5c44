"""An appraisal computed from stored events alone: the engine entry point audits use.

:func:`appraise_events` folds an iterable of events through the index's own fold
(:class:`~beatpolice.projections.appraisal._index.AppraisalIndex`) into documents kept
in memory, keeping only the period's (ADR 0532), then reads and decides them exactly as
an appraisal reads and decides the stored index. Nothing derived is trusted: no index
row, no registry, no snapshot. ``verify`` uses it with the station's whole log; a
bundle's verifier with the events the bundle holds.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections.appraisal._decide import SETTLE, decide
from beatpolice.projections.appraisal._fingerprint import FORMAT_2, FingerprintFormat
from beatpolice.projections.appraisal._index import AppraisalIndex, utc_text
from beatpolice.projections.appraisal._read import Period, period_of, read_period
from beatpolice.projections.appraisal._report import AppraisalReport
from beatpolice.projections.appraisal._rules import load_rules

__all__ = ["MonthFold", "appraise_events"]

Document = dict[str, Any]


class MonthFold:
    """The index's fold over a stream of events, keeping one period's documents only.

    It is a :class:`~beatpolice.projections.DocumentView` and a document store at once:
    the fold writes through :meth:`get` and :meth:`put`, :func:`read_period` reads
    through :meth:`scan` and :meth:`load`. Facts filed under another period are dropped
    as they come (so are the records that point at them, and with them any later
    follow-up or retraction of those records), keeping memory to the period's size.

    ``positions`` are the log positions of the events whose facts were kept (when the
    events come with their positions): what a bundle must hold to recompute the period.
    """

    def __init__(self, period: Period, time_zone: str, as_of: datetime) -> None:
        self._index = AppraisalIndex(time_zone)
        self._prefix = period.prefix
        self._plans = f"{period.key}/" if not period.is_year else None
        self._as_of_moment = as_of
        self._tables: dict[str, dict[str, Document]] = {
            table: {} for table in AppraisalIndex.tables
        }
        self._kept = False
        self.positions: list[int] = []

    # --- the fold's view --------------------------------------------------------------

    def get(self, table: str, key: str) -> Document | None:
        """A kept document (the fold changes it in place, then puts it back)."""
        return self._tables[table].get(key)

    def put(self, table: str, key: str, document: Document) -> None:
        """Keep a document if it belongs to the period (or is read for any period)."""
        if table in ("facts", "day") and not key.startswith(self._prefix):
            return
        if table == "records" and not document["at"].startswith(self._prefix):
            return
        if table == "plans" and (self._plans is None or not key.startswith(self._plans)):
            return
        self._tables[table][key] = document
        if table != "records":
            self._kept = True

    def prefetch(self, table: str, keys: list[str]) -> None:
        """Nothing to load: every document is in memory."""

    def fold(self, events: Iterable[DomainEvent | tuple[int, DomainEvent]]) -> None:
        """Fold events in log order (bare, or as ``(position, event)`` pairs)."""
        as_of = self._as_of_moment
        apply = self._index.apply
        for item in events:
            position, event = item if isinstance(item, tuple) else (0, item)
            if event.timestamp > as_of:
                continue  # recorded after as_of: an appraisal never reads it
            self._kept = False
            apply(self, event, position)  # type: ignore[arg-type]
            if self._kept and position:
                self.positions.append(position)

    # --- the reader's store -----------------------------------------------------------

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, Document]]:
        """Kept documents of a table whose key starts with ``prefix``, in key order."""
        rows = self._tables[table]
        for key in sorted(rows):
            if key.startswith(prefix):
                yield key, rows[key]

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Document]:
        """The kept documents of ``keys``."""
        rows = self._tables[table]
        return {key: rows[key] for key in keys if key in rows}


def appraise_events(
    events: Iterable[DomainEvent | tuple[int, DomainEvent]],
    *,
    month: str,
    rules: str | Path | RuleSet,
    as_of: datetime,
    time_zone: str = "Asia/Shanghai",
    now: datetime | None = None,
    settle: timedelta = SETTLE,
    fingerprint_format: FingerprintFormat = FORMAT_2,
) -> AppraisalReport:
    """A month's report computed from an iterable of stored events, and nothing else.

    The events are every event of the log in log order (``Station.read_events`` pages,
    or the events a bundle holds, bare or as ``(position, event)`` pairs); the report is
    the one :func:`beatpolice.appraise` gives for the same log, byte for byte.

    Args:
        events: the events, in log order.
        month: ``YYYY-MM`` (a scorecard also takes ``YYYY``).
        rules: a shipped ``NAME`` or ``NAME@VERSION``, a TOML file, or a rule-set model.
        as_of: count only events recorded at or before this instant (timezone-aware).
        time_zone: the zone months are cut in (the station's).
        now: the instant the report is decided at, for ``provisional`` (default:
            ``as_of`` plus ``settle``, i.e. a final report).
        settle: the settle margin (see :data:`beatpolice.appraisal.SETTLE`).
        fingerprint_format: ``beatpolice-appraisal/2``, or ``/1`` to replay a 0.1 report.

    Raises:
        AppraisalError: unknown rule set, malformed month, or a naive ``as_of``.
    """
    rule_set = load_rules(rules)
    period = period_of(month, time_zone, rule_set)
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise AppraisalError("as_of: must be timezone-aware (ISO 8601 with an offset)")
    as_of = as_of.astimezone(ZoneInfo(time_zone))
    as_of_text = utc_text(as_of)
    folded = MonthFold(period, time_zone, as_of)
    collecting = gc.isenabled()
    gc.disable()  # a month is ~10^5 small lists: generational GC would rescan them all
    try:
        folded.fold(events)
        read = read_period(folded, period, as_of_text)
        return decide(
            read,
            rules=rule_set,
            period=period,
            time_zone=time_zone,
            as_of=as_of,
            moment=as_of + settle if now is None else now,
            settle=settle,
            fingerprint_format=fingerprint_format,
        )
    finally:
        if collecting:
            gc.enable()

"""Appraising a month: catch up the index, read the month, apply the rules, fingerprint.

The cost of an appraisal grows with the month's facts, not with the store: the
index (:mod:`beatpolice.projections.appraisal._index`) is caught up incrementally, then only the
month's documents are read and filtered by ``as_of``.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from beatpolice.domain._base import now
from beatpolice.domain.errors import AppraisalError, AuditMismatchError
from beatpolice.domain.rules.ruleset import RuleSet
from beatpolice.projections import ProjectionRunner
from beatpolice.projections._month_index import caught_up, month_index_runner
from beatpolice.projections.appraisal._decide import SETTLE, officers_of, report_of, rules_ref
from beatpolice.projections.appraisal._fingerprint import FORMAT_2
from beatpolice.projections.appraisal._index import AppraisalIndex, utc_text
from beatpolice.projections.appraisal._memo import MemoStore, Reading, memo_key, recall, remember
from beatpolice.projections.appraisal._read import Period as _Period
from beatpolice.projections.appraisal._read import period_of as _period_of
from beatpolice.projections.appraisal._read import read_period
from beatpolice.projections.appraisal._report import (
    AppraisalReport,
    Comparison,
    ComparisonRow,
    OfficerAppraisal,
)
from beatpolice.projections.appraisal._rules import SHIPPED_RULES, load_rules
from beatpolice.projections.appraisal._verify import verify
from beatpolice.projections.log_checkpoint import with_log
from beatpolice.projections.ports import StationPort as Station

__all__ = [
    "SETTLE",
    "SHIPPED_RULES",
    "AppraisalError",
    "AuditMismatchError",
    "appraise",
    "compare",
    "index_runner",
    "load_rules",
    "verify",
]


# --- the index ------------------------------------------------------------------------


def index_runner(station: Station, *, page_size: int = 5000) -> ProjectionRunner:
    """The runner that keeps a station's appraisal index: the station owns it (ADR 0260).

    Made on first use and kept by the station until it is closed (or until the index
    of its time zone changes version); ``page_size`` applies when it is made.
    """
    return month_index_runner(station, AppraisalIndex, page_size=page_size)


def _catch_up(station: Station) -> None:
    caught_up(index_runner(station))


# --- reading a period -----------------------------------------------------------------


def _period(month: str, time_zone: str, rules: RuleSet) -> _Period:
    return _period_of(month, time_zone, rules)


def _read(station: Station, period: _Period, as_of: str) -> Any:
    return read_period(station.view_store, period, as_of)


# --- appraising -----------------------------------------------------------------------


def _now(station: Station) -> datetime:
    clock = station.clock
    return clock() if clock is not None else now()


def appraise(
    station: Station,
    *,
    month: str,
    rules: str | Path | RuleSet = "dezhou-2014",
    as_of: datetime | None = None,
    settle: timedelta = SETTLE,
) -> AppraisalReport:
    """Appraise a month under a rule set, counting only events recorded by ``as_of``.

    The month is cut by field time (``occurred_at``) in the station's time zone.
    Re-running a month as of the same past instant gives the same report, byte for
    byte, however many events are recorded later.

    Args:
        station: the station whose events are appraised.
        month: ``YYYY-MM`` (a scorecard also takes ``YYYY`` for the year's totals).
        rules: a shipped rule set's name, a TOML file, or a rule-set model.
        as_of: count only events recorded at or before this instant (default: now).
        settle: the report is marked provisional while ``as_of`` is this close to now.

    Raises:
        AppraisalError: unknown rule set, malformed month, or a naive ``as_of``.
    """
    rule_set = load_rules(rules)
    period = _period(month, station.time_zone, rule_set)
    moment = _now(station)
    if as_of is None:
        as_of = moment
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise AppraisalError("as_of: must be timezone-aware (ISO 8601 with an offset)")
    as_of = as_of.astimezone(ZoneInfo(station.time_zone))
    _catch_up(station)
    as_of_text = utc_text(as_of)
    collecting = gc.isenabled()
    gc.disable()  # a month is ~10^5 small tuples: generational GC would rescan them all
    try:
        report = _appraise(station, rule_set, period, as_of, as_of_text, moment, settle)
    finally:
        if collecting:
            gc.enable()
    return with_log(station, report)  # the log the report was made on (ADR 0524)


def _appraise(
    station: Station,
    rule_set: RuleSet,
    period: _Period,
    as_of: datetime,
    as_of_text: str,
    moment: datetime,
    settle: timedelta,
) -> AppraisalReport:
    store = station.view_store
    if not isinstance(store, MemoStore):
        read = _read(station, period, as_of_text)
        officers = officers_of(read, rules=rule_set, period=period, fingerprint_format=FORMAT_2)
    else:
        officers = _officers_remembered(store, rule_set, period, as_of_text)
    return report_of(
        officers,
        rules=rule_set,
        period=period,
        time_zone=station.time_zone,
        as_of=as_of,
        moment=moment,
        settle=settle,
    )


def _officers_remembered(
    store: MemoStore, rule_set: RuleSet, period: _Period, as_of_text: str
) -> list[OfficerAppraisal]:
    """The period's officers from the memo of a settled period, or decided and
    remembered when ``as_of`` settles the period (ADR 0283)."""
    key = memo_key(period, rules_ref(rule_set, FORMAT_2).digest, FORMAT_2)
    officers = recall(store, key, as_of_text)
    if officers is not None:
        return officers
    at = store.position(AppraisalIndex.name)
    reading = Reading(store)
    read = read_period(reading, period, as_of_text)
    officers = officers_of(read, rules=rule_set, period=period, fingerprint_format=FORMAT_2)
    if as_of_text >= reading.latest:  # nothing read was filtered out by as_of
        remember(store, key, reading, officers, at=at)
    return officers


# --- what-if --------------------------------------------------------------------------


def compare(
    station: Station,
    *,
    month: str,
    rules: str | Path | RuleSet,
    against: str | Path | RuleSet,
    as_of: datetime | None = None,
) -> Comparison:
    """The same month under two rule sets: who gains and who loses a star.

    ``rules`` is the current rule set, ``against`` the proposed one; gained and lost
    are the stars (or rewards) awarded under ``against`` and not under ``rules``, and
    the converse.
    """
    if as_of is None:
        as_of = _now(station).astimezone(UTC)
    before = appraise(station, month=month, rules=rules, as_of=as_of)
    after = appraise(station, month=month, rules=against, as_of=as_of)
    old = {o.badge: o for o in before.officers}
    rows = []
    for officer in after.officers:
        was = old[officer.badge].awarded if officer.badge in old else []
        rows.append(
            ComparisonRow(
                badge=officer.badge,
                name=officer.name,
                before=was,
                after=officer.awarded,
                gained=[s for s in officer.awarded if s not in was],
                lost=[s for s in was if s not in officer.awarded],
            )
        )
    return Comparison(month=before.month, before=before, after=after, rows=rows)

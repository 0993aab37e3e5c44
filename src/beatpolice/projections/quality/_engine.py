"""A month's data quality: catch up the quality index, read the month, run the signals.

The cost follows the month: the index (:mod:`beatpolice.projections.quality._index`) is
caught up incrementally, then only the month's documents are read. The signals are
the pure functions of :mod:`beatpolice.domain.rules.quality`, their numbers a
versioned rule set (``quality-default``, or a station's own TOML file).
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from beatpolice.domain.errors import QualityError
from beatpolice.domain.rules.quality import (
    Entry,
    Finding,
    QualityRules,
    officer_signals,
    quality_digest,
    shared_households,
)
from beatpolice.domain.values import MONTH_PATTERN
from beatpolice.projections import ProjectionRunner
from beatpolice.projections._month_index import caught_up, month_index_runner
from beatpolice.projections.ports import StationPort
from beatpolice.projections.quality._index import QualityIndex, reference, utc_text
from beatpolice.projections.quality._kinds import RECORD_KINDS, topic_of
from beatpolice.projections.quality._report import (
    OfficerQuality,
    QualityFinding,
    QualityReport,
    QualityRulesRef,
)

__all__ = ["SHIPPED_QUALITY_RULES", "load_quality_rules", "quality", "quality_runner"]

SHIPPED_QUALITY_RULES = ("quality-default",)
"""The quality rule sets shipped in ``beatpolice/domain/rules/``, by name."""

_FOUR = Decimal("0.0001")


# --- rule sets ------------------------------------------------------------------------


def load_quality_rules(rules: str | Path | QualityRules) -> QualityRules:
    """A quality rule set: a shipped name (``quality-default``, or ``NAME@VERSION``), a
    TOML file path, or a model.

    Raises:
        QualityError: no such shipped rule set or version, or the file is not a valid one.

    Example:
        >>> load_quality_rules("quality-default").burst.max_households
        4
    """
    if isinstance(rules, QualityRules):
        return rules
    text = str(rules)
    path = Path(text)
    if text.endswith(".toml") or path.is_file():
        try:
            return QualityRules.model_validate(tomllib.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as error:
            raise QualityError(f"rules: cannot load {text}: {error}") from error
    name, _, version = text.partition("@")
    found = _shipped(name)
    if version and version != found.version:
        raise QualityError(f"rules: {name} has no version {version!r} (shipped: {found.version})")
    return found


@cache
def _shipped(name: str) -> QualityRules:
    source = resources.files("beatpolice.domain.rules") / f"{name}.toml"
    if name not in SHIPPED_QUALITY_RULES or not source.is_file():
        raise QualityError(
            f"rules: no quality rule set named {name!r} (shipped: "
            f"{', '.join(SHIPPED_QUALITY_RULES)}; or give a path to a .toml file)"
        )
    try:
        return QualityRules.model_validate(tomllib.loads(source.read_text("utf-8")))
    except ValidationError as error:  # a defect of the package itself
        raise QualityError(f"rules: shipped {name} is invalid: {error}") from error


# --- the index ------------------------------------------------------------------------


def quality_runner(station: StationPort, *, page_size: int = 5000) -> ProjectionRunner:
    """The runner that keeps a station's quality index (the station owns it, ADR 0260)."""
    return month_index_runner(station, QualityIndex, page_size=page_size)


def _catch_up(station: StationPort) -> None:
    caught_up(quality_runner(station))


# --- reading a month ------------------------------------------------------------------


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)  # the fixed-width UTC text ends in Z


def _read(
    station: StationPort, month: str
) -> tuple[dict[str, tuple[str, bool]], dict[str, list[Entry]], dict[str, list[Entry]]]:
    """Officers (badge -> name, enlisted by the month's end), records and retractions."""
    store = station.view_store
    name = QualityIndex.name
    end = utc_text(_month_end(month, station.time_zone))
    names: dict[str, tuple[str, bool]] = {}
    for badge, document in store.scan(name, "officers"):
        names[badge] = (document["name"], document["recorded"] < end)
    rows: dict[str, list[tuple[str, list[Any]]]] = {}
    for key, document in store.scan(name, "entries", f"{month}/"):
        badge = key[8:-3]
        rows.setdefault(badge, []).extend((document["o"], row) for row in document["f"])
    entries: dict[str, list[Entry]] = {}
    retractions: dict[str, list[Entry]] = {}
    for badge, found in rows.items():
        retracted = {row[1] for _, row in found if row[0] == "retraction"}
        kept, withdrawn = entries.setdefault(badge, []), retractions.setdefault(badge, [])
        seen: set[str] = set()
        for owner, row in found:
            kind, key, recorded, command, occurred, household, originator = row[:7]
            ref = reference(topic_of(kind), originator or owner, key, command)
            if ref in seen:
                continue  # a retraction filed twice in one document (record and follow-up)
            seen.add(ref)
            entry = Entry(
                kind=kind,
                ref=ref,
                badge=badge,
                occurred=_instant(occurred),
                recorded=_instant(recorded),
                household=household,
                follows=row[7] if len(row) > 7 else "",
                follows_occurred=_instant(row[8]) if len(row) > 8 else None,
            )
            if kind == "retraction":
                withdrawn.append(entry)
            elif key not in retracted:
                kept.append(entry)
    return names, entries, retractions


def _month_end(month: str, time_zone: str) -> datetime:
    year, number = int(month[:4]), int(month[5:])
    return datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ZoneInfo(time_zone))


# --- the report -----------------------------------------------------------------------


def quality(
    station: StationPort,
    *,
    month: str,
    closed_at: datetime | None = None,
    rules: str | Path | QualityRules = "quality-default",
) -> QualityReport:
    """A month's data-quality signals, per officer, beside its appraisal.

    Reads every record of the month (by field time, station time zone) recorded so far:
    per officer the entry lag (median and 90th percentile, nearest rank, in hours), the
    share entered the same day, and findings (``burst``, ``late_entry``,
    ``after_close``, ``night_work``, ``same_minute_follow_up``, ``shared_household``),
    each naming its records and why. A finding is a question, not a verdict.

    Args:
        station: the station whose records are read.
        month: ``YYYY-MM``.
        closed_at: when the month's appraisal was decided; records of the month
            recorded after it are ``after_close`` findings (None: not asked).
        rules: a shipped quality rule set (``quality-default``, ``NAME@VERSION``), a
            TOML file, or a :class:`~beatpolice.domain.rules.quality.QualityRules`.

    Raises:
        QualityError: unknown rule set, malformed month, or a naive ``closed_at``.

    Example:
        >>> import beatpolice
        >>> station = beatpolice.connect("memory://")
        >>> beatpolice.quality(station, month="2014-01").officers
        []
    """
    rule_set = load_quality_rules(rules)
    if not isinstance(month, str) or not MONTH_PATTERN.match(month):
        raise QualityError(f"month: expected YYYY-MM, got {month!r}")
    zone = ZoneInfo(station.time_zone)
    if closed_at is not None:
        if closed_at.tzinfo is None or closed_at.utcoffset() is None:
            raise QualityError("closed_at: must be timezone-aware (ISO 8601 with an offset)")
        closed_at = closed_at.astimezone(zone)
    _catch_up(station)
    names, entries, retractions = _read(station, month)
    lag_kinds = frozenset(
        rule_set.lag_kinds
        if rule_set.lag_kinds is not None
        else [spec.kind for spec in RECORD_KINDS.values()]
    )
    everyone = [entry for badge in sorted(entries) for entry in entries[badge]]
    shared: dict[str, list[Finding]] = (
        shared_households(everyone, rule_set.shared_household, zone)
        if rule_set.shared_household.enabled
        else {}
    )
    badges = sorted({b for b, n in names.items() if n[1]} | {b for b, e in entries.items() if e})
    officers = []
    for badge in badges:
        signals = officer_signals(
            entries.get(badge, []),
            rule_set,
            zone,
            month=month,
            lag_kinds=lag_kinds,
            retractions=retractions.get(badge, []),
            closed_at=closed_at,
            shared=shared.get(badge, []),
        )
        share = (
            (Decimal(signals.entered_same_day) / Decimal(signals.records)).quantize(_FOUR)
            if signals.records
            else None
        )
        officers.append(
            OfficerQuality(
                badge=badge,
                name=names.get(badge, ("", False))[0],
                records=signals.records,
                entry_lag_median_hours=signals.median_lag,
                entry_lag_p90_hours=signals.p90_lag,
                entered_same_day=signals.entered_same_day,
                same_day_share=share,
                findings=[
                    QualityFinding(kind=f.kind, records=list(f.records), why=f.why)
                    for f in signals.findings
                ],
            )
        )
    return QualityReport(
        month=month,
        time_zone=station.time_zone,
        rules=QualityRulesRef(
            name=rule_set.name, version=rule_set.version, digest=quality_digest(rule_set)
        ),
        closed_at=closed_at,
        officers=officers,
    )

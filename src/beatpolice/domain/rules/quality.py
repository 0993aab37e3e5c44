"""Data-quality signals (数据质量): how trustworthy an officer's records of a month look.

Pure functions over :class:`Entry` values (one per record the officer made, with its
field time and recorded time) and the numbers of a :class:`QualityRules` rule set
(``quality-default.toml`` beside this module; see ADRs 0950-0959). Nothing here reads a
store or a clock. A finding is a question for a supervisor, not a verdict: each names
its ``kind``, the records behind it (the appraisal's event references) and ``why``.

Signals (our readings; every number is the rule set's):

- ``entry lag``: recorded minus field time, in hours; the median and 90th percentile
  by the nearest-rank method (the value at rank ``ceil(p * n / 100)`` of the sorted
  lags), and the share of records entered the same day in the station's time zone;
- ``burst``: more distinct households visited within ``window_minutes`` than
  ``max_households``; each run of overlapping windows is one finding;
- ``late_entry``: more than ``max_share`` of the records entered more than
  ``after_hours`` after the fact;
- ``after_close``: records of the month (and retractions of them) recorded after the
  instant its appraisal was decided;
- ``night_work``: visits (and the other kinds listed) with a local field time in
  ``[from, until)``;
- ``same_minute_follow_up``: a follow-up call dated within ``within_seconds`` of the
  visit it follows;
- ``shared_household``: one household visited by two or more officers on one day (off
  in ``quality-default``: household ids are the caller's, often numbered per beat).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from beatpolice.domain.rules.quality_rules import (
    AfterCloseRule,
    BurstRule,
    LateEntryRule,
    NightWorkRule,
    QualityRules,
    SameMinuteFollowUpRule,
    SharedHouseholdRule,
    quality_digest,
)

__all__ = [
    "SIGNALS",
    "AfterCloseRule",
    "BurstRule",
    "Entry",
    "Finding",
    "LateEntryRule",
    "NightWorkRule",
    "OfficerSignals",
    "QualityRules",
    "SameMinuteFollowUpRule",
    "SharedHouseholdRule",
    "after_close",
    "bursts",
    "late_entries",
    "nearest_rank",
    "night_work",
    "officer_signals",
    "quality_digest",
    "same_minute_follow_ups",
    "shared_households",
]

SIGNALS = (
    "burst",
    "late_entry",
    "after_close",
    "night_work",
    "same_minute_follow_up",
    "shared_household",
)
"""The kinds of finding, in the order an officer's findings are listed."""

_HOUR_US = 3_600_000_000


_N = TypeVar("_N", int, Fraction)


class Entry(NamedTuple):
    """One record an officer made, reduced to what the signals read."""

    kind: str
    """``visit``, ``visit_follow_up``, ``lead``, ``service``, ``patrol``, ..."""
    ref: str
    """The appraisal's event reference (``topic@aggregate/key#digest``)."""
    badge: str
    occurred: datetime
    """Field time (aware)."""
    recorded: datetime
    """When the store recorded it (aware)."""
    household: str = ""
    follows: str = ""
    """A follow-up: the reference of the visit it follows."""
    follows_occurred: datetime | None = None
    """A follow-up: the field time of the visit it follows."""

    @property
    def lag_us(self) -> int:
        """Recorded minus field time, in microseconds (exact; negative when ahead)."""
        delta = self.recorded - self.occurred
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    @property
    def lag(self) -> Fraction:
        """Recorded minus field time, in hours (negative when entered ahead)."""
        return Fraction(self.lag_us, _HOUR_US)


class Finding(NamedTuple):
    """A question about an officer's records: its kind, its evidence, and why."""

    kind: str
    records: tuple[str, ...]
    why: str


class OfficerSignals(NamedTuple):
    """One officer's figures for the month and the findings of the signals."""

    records: int
    median_lag: Decimal | None
    p90_lag: Decimal | None
    entered_same_day: int
    findings: tuple[Finding, ...]


def nearest_rank(values: Sequence[_N], percent: int) -> _N:
    """The ``percent``-th percentile by the nearest-rank method.

    The sorted values' element at 1-based rank ``ceil(percent * n / 100)`` (rank 1 at
    least): always one of the values, never an interpolation.

    Example:
        >>> [nearest_rank([Fraction(v) for v in (4, 1, 3, 2)], p) for p in (50, 90)]
        [Fraction(2, 1), Fraction(4, 1)]
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def _hours(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _refs(entries: Iterable[Entry]) -> tuple[str, ...]:
    return tuple(sorted({entry.ref for entry in entries}))


def _span(first: datetime, last: datetime, zone: ZoneInfo) -> str:
    start, end = _local(first, zone), _local(last, zone)
    return f"{start:%Y-%m-%d} {start:%H:%M} to {end:%H:%M}" + (
        "" if start.date() == end.date() else f" ({end:%Y-%m-%d})"
    )


def _over_full(visits: Sequence[Entry], window: timedelta, most: int) -> list[tuple[int, int]]:
    """The runs ``(first, last)`` of windows starting at a visit holding > ``most`` homes."""
    runs: list[tuple[int, int]] = []
    end = 0
    for start, first in enumerate(visits):
        end = max(end, start)
        while end + 1 < len(visits) and visits[end + 1].occurred - first.occurred < window:
            end += 1
        if len({v.household for v in visits[start : end + 1]}) > most:
            if runs and start <= runs[-1][1]:
                runs[-1] = (runs[-1][0], max(runs[-1][1], end))
            else:
                runs.append((start, end))
    return runs


def _trimmed(run: list[Entry], window: timedelta, most: int) -> list[Entry]:
    """The run without end visits a walking pace away from the rest, if it stays a burst."""
    pace = window / most
    while len(run) > 2 and run[1].occurred - run[0].occurred >= pace:
        if not _over_full(run[1:], window, most):
            break
        run = run[1:]
    while len(run) > 2 and run[-1].occurred - run[-2].occurred >= pace:
        if not _over_full(run[:-1], window, most):
            break
        run = run[:-1]
    return run


def bursts(entries: Iterable[Entry], rule: BurstRule, zone: ZoneInfo) -> list[Finding]:
    """Runs of visits holding more distinct households within the window than allowed.

    A window ``[t, t + window)`` (half-open) starting at a visit and holding more than
    ``max_households`` distinct households is over-full; windows that share a visit are
    one run, and each run is one finding. Its evidence is the run's visits, less any at
    either end that lies a walking pace (``window / max_households``) or more from its
    neighbour, as long as the rest is still over-full: an honest visit just before or
    after a burst is not part of it.
    """
    visits = sorted((e for e in entries if e.kind in rule.kinds), key=lambda e: e.occurred)
    window = timedelta(minutes=rule.window_minutes)
    findings = []
    for start, end in _over_full(visits, window, rule.max_households):
        run = _trimmed(visits[start : end + 1], window, rule.max_households)
        households = len({v.household for v in run})
        findings.append(
            Finding(
                "burst",
                _refs(run),
                f"{households} households visited "
                f"{_span(run[0].occurred, run[-1].occurred, zone)} "
                f"({zone.key}): more than {rule.max_households} within "
                f"{rule.window_minutes} minutes is more than one officer can walk",
            )
        )
    return findings


def late_entries(entries: Sequence[Entry], rule: LateEntryRule) -> list[Finding]:
    """One finding when too large a share of the records was entered late."""
    if not entries:
        return []
    limit = rule.after_hours * _HOUR_US
    late = [e for e in entries if e.lag_us > limit]
    share = Fraction(len(late), len(entries))
    if len(late) < rule.min_records or share <= Fraction(rule.max_share):
        return []
    percent = _hours(share * 100)
    allowed = "none" if Fraction(rule.max_share) == 0 else f"a share of {rule.max_share}"
    return [
        Finding(
            "late_entry",
            _refs(late),
            f"{len(late)} of {_count(len(entries), 'record')} ({percent}%) entered more than "
            f"{rule.after_hours} hours after the field time; the rule set allows "
            f"{allowed} (一日一录: enter the day's work the same day)",
        )
    ]


def after_close(
    entries: Sequence[Entry], retractions: Sequence[Entry], closed_at: datetime, month: str
) -> list[Finding]:
    """Records (and retractions) of the month recorded after ``closed_at``."""
    changed = [e for e in [*entries, *retractions] if e.recorded > closed_at]
    if not changed:
        return []
    return [
        Finding(
            "after_close",
            _refs(changed),
            f"{_count(len(changed), 'record')} of {month} recorded after its appraisal was "
            f"decided ({closed_at.isoformat()}): they change the month as it stands now, "
            "not as it was decided",
        )
    ]


def night_work(entries: Iterable[Entry], rule: NightWorkRule, zone: ZoneInfo) -> list[Finding]:
    """Records of the listed kinds whose local field time lies in ``[from, until)``."""
    start, until = time.fromisoformat(rule.from_), time.fromisoformat(rule.until)

    def at_night(moment: datetime) -> bool:
        local = _local(moment, zone).time().replace(tzinfo=None)
        if start <= until:
            return start <= local < until
        return local >= start or local < until  # a night across midnight: 22:00-05:00

    night = [e for e in entries if e.kind in rule.kinds and at_night(e.occurred)]
    if not night:
        return []
    kinds = ", ".join(sorted({e.kind for e in night}))
    return [
        Finding(
            "night_work",
            _refs(night),
            f"{_count(len(night), 'record')} ({kinds}) with field times between {rule.from_} and "
            f"{rule.until} ({zone.key}): households are rarely visited in the small hours",
        )
    ]


def same_minute_follow_ups(
    entries: Iterable[Entry], rule: SameMinuteFollowUpRule
) -> list[Finding]:
    """Follow-up calls dated within ``within_seconds`` of the visit they follow."""
    window = timedelta(seconds=rule.within_seconds)
    pairs = [
        e
        for e in entries
        if e.kind == "visit_follow_up"
        and e.follows_occurred is not None
        and abs(e.occurred - e.follows_occurred) < window
    ]
    if not pairs:
        return []
    return [
        Finding(
            "same_minute_follow_up",
            tuple(sorted({*(e.ref for e in pairs), *(e.follows for e in pairs)})),
            f"{_count(len(pairs), 'follow-up call')} dated within {rule.within_seconds} "
            "seconds of the visit they follow: a 回访 asks afterwards whether the "
            "resident was satisfied",
        )
    ]


def shared_households(
    entries: Iterable[Entry], rule: SharedHouseholdRule, zone: ZoneInfo
) -> dict[str, list[Finding]]:
    """Per badge, the households it visited on a day another officer visited them too."""
    by_day: dict[tuple[str, date], list[Entry]] = {}
    for entry in entries:
        if entry.kind in rule.kinds and entry.household:
            day = _local(entry.occurred, zone).date()
            by_day.setdefault((entry.household, day), []).append(entry)
    found: dict[str, list[Finding]] = {}
    for (household, day), visits in sorted(by_day.items(), key=lambda item: item[0][::-1]):
        badges = sorted({v.badge for v in visits})
        if len(badges) < 2:
            continue
        finding = Finding(
            "shared_household",
            _refs(visits),
            f"household {household} was visited on {day.isoformat()} by "
            f"{len(badges)} officers ({', '.join(badges)}): each household has one "
            "officer of its beat",
        )
        for badge in badges:
            found.setdefault(badge, []).append(finding)
    return found


def officer_signals(
    entries: Sequence[Entry],
    rules: QualityRules,
    zone: ZoneInfo,
    *,
    month: str,
    lag_kinds: frozenset[str],
    retractions: Sequence[Entry] = (),
    closed_at: datetime | None = None,
    shared: Sequence[Finding] = (),
) -> OfficerSignals:
    """One officer's figures and findings for a month (``shared``: computed station-wide).

    Args:
        entries: the officer's records of the month (retracted ones left out).
        rules: the rule set.
        zone: the station's time zone (days and nights are cut in it).
        month: ``YYYY-MM``, for the words of ``after_close``.
        lag_kinds: the kinds the lag, the same-day share, late and after-close read.
        retractions: retractions of the month's records (for ``after_close``).
        closed_at: when the month's appraisal was decided (None: not asked).
        shared: this officer's ``shared_household`` findings.
    """
    timed = [e for e in entries if e.kind in lag_kinds]
    lags = [e.lag_us for e in timed]
    same_day = sum(
        1 for e in timed if _local(e.recorded, zone).date() == _local(e.occurred, zone).date()
    )
    found: list[Finding] = []
    if rules.burst.enabled:
        found += bursts(entries, rules.burst, zone)
    if rules.late_entry.enabled:
        found += late_entries(timed, rules.late_entry)
    if rules.after_close.enabled and closed_at is not None:
        found += after_close(timed, retractions, closed_at, month)
    if rules.night_work.enabled:
        found += night_work(entries, rules.night_work, zone)
    if rules.same_minute_follow_up.enabled:
        found += same_minute_follow_ups(entries, rules.same_minute_follow_up)
    if rules.shared_household.enabled:
        found += shared
    return OfficerSignals(
        records=len(timed),
        median_lag=_hours(Fraction(nearest_rank(lags, 50), _HOUR_US)) if lags else None,
        p90_lag=_hours(Fraction(nearest_rank(lags, 90), _HOUR_US)) if lags else None,
        entered_same_day=same_day,
        findings=tuple(found),
    )

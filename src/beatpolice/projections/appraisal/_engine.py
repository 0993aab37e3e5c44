"""Appraising a month: catch up the index, read the month, apply the rules, fingerprint.

The cost of an appraisal grows with the month's facts, not with the store: the
index (:mod:`beatpolice.projections.appraisal._index`) is caught up incrementally, then only the
month's documents are read and filtered by ``as_of``.
"""

from __future__ import annotations

import gc
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from pydantic import TypeAdapter

from beatpolice.adapters.store.views import event_source, view_store_for
from beatpolice.application.station import Station
from beatpolice.domain._base import DomainEvent, now
from beatpolice.domain.errors import AppraisalError, AuditMismatchError
from beatpolice.domain.rules import (
    TOPICS,
    Fact,
    OfficerInputs,
    OfficerResult,
    allocate_stars,
    evaluate_five_star,
    evaluate_scorecard,
    rank_scorecard,
)
from beatpolice.domain.rules.ruleset import FiveStarRules, RuleSet, ScorecardRules, rules_digest
from beatpolice.domain.values import MONTH_PATTERN
from beatpolice.projections import DocumentView, PositionConflictError, ProjectionRunner
from beatpolice.projections.appraisal._index import AppraisalIndex, utc_text
from beatpolice.projections.appraisal._report import (
    AppraisalReport,
    Check,
    Comparison,
    ComparisonRow,
    OfficerAppraisal,
    RulesRef,
    digest,
    report_fingerprint,
)

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

SHIPPED_RULES = ("dezhou-2014", "dezhou-2014-strict", "scorecard-example")
"""The rule sets shipped in ``beatpolice/domain/rules/rulesets/``, by name."""

SETTLE = timedelta(seconds=60)
"""How long after ``as_of`` a report is final: an event is stamped when its command is
decided and committed a moment later (a large ingest batch: seconds), so until this
margin has passed an event stamped before ``as_of`` may still appear."""

_RULES_ADAPTER: TypeAdapter[RuleSet] = TypeAdapter(RuleSet)


# --- rule sets ------------------------------------------------------------------------


def load_rules(rules: str | Path | RuleSet) -> RuleSet:
    """A rule set: a shipped name (``dezhou-2014``), a TOML file path, or a model.

    Raises:
        AppraisalError: no such shipped rule set, or the file is not a valid one.

    Example:
        >>> load_rules("dezhou-2014").stars.visit.households
        80
    """
    if isinstance(rules, FiveStarRules | ScorecardRules):
        return rules
    text = str(rules)
    path = Path(text)
    if text.endswith(".toml") or path.is_file():
        try:
            return _RULES_ADAPTER.validate_python(tomllib.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as error:
            raise AppraisalError(f"rules: cannot load {text}: {error}") from error
    return _shipped(text)


@cache
def _shipped(name: str) -> RuleSet:
    source = resources.files("beatpolice.domain.rules") / "rulesets" / f"{name}.toml"
    if not source.is_file():
        raise AppraisalError(
            f"rules: no rule set named {name!r} (shipped: {', '.join(SHIPPED_RULES)}; "
            "or give a path to a .toml file)"
        )
    return _RULES_ADAPTER.validate_python(tomllib.loads(source.read_text("utf-8")))


# --- the index ------------------------------------------------------------------------


class _PrefetchingIndex:
    """The index, loading each page's documents in a few round trips before folding it."""

    def __init__(self, index: AppraisalIndex, station: Station) -> None:
        self.index = index
        self.name = index.name
        self.version = index.version
        self.tables = index.tables
        self.text_tables = index.text_tables
        self._read = event_source(station)
        self._page: list[DomainEvent] = []
        self._view: DocumentView | None = None

    def source(self, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        page: list[tuple[int, DomainEvent]] = self._read(start, limit)
        self._page = [event for _, event in page]
        return page

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        if view is not self._view:
            self._view = view
            self.index.prefetch(view, self._page)
        self.index.apply(view, event, position)


def index_runner(station: Station, *, page_size: int = 5000) -> ProjectionRunner:
    """The runner that keeps a station's appraisal index: the station owns it (ADR 0260).

    Made on first use and kept by the station until it is closed (or until the index
    of its time zone changes version); ``page_size`` applies when it is made.
    """
    version = AppraisalIndex(station.time_zone).version

    def build() -> ProjectionRunner:
        projection = _PrefetchingIndex(AppraisalIndex(station.time_zone), station)
        return ProjectionRunner(
            projection, view_store_for(station), projection.source, page_size=page_size
        )

    return station.runner(
        AppraisalIndex.name, build, current=lambda kept: kept.projection.version == version
    )


def _catch_up(station: Station) -> None:
    runner = index_runner(station)
    for _ in range(5):
        try:
            runner.catch_up()
            return
        except PositionConflictError:
            continue  # another process or thread committed first: read on from there
    runner.catch_up()


# --- reading a period -----------------------------------------------------------------


@attrs.frozen
class _Period:
    key: str
    """``YYYY-MM`` or, for scorecards, ``YYYY``."""
    end: datetime
    """The first instant after the period (station time zone)."""

    @property
    def is_year(self) -> bool:
        return len(self.key) == 4


def _period(month: str, time_zone: str, rules: RuleSet) -> _Period:
    zone = ZoneInfo(time_zone)
    if MONTH_PATTERN.match(month):
        year, number = int(month[:4]), int(month[5:])
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
        return _Period(month, end)
    if len(month) == 4 and month.isdigit() and isinstance(rules, ScorecardRules):
        return _Period(month, datetime(int(month) + 1, 1, 1, tzinfo=zone))
    raise AppraisalError(
        f"month: expected YYYY-MM (or YYYY for a scorecard's yearly totals), got {month!r}"
    )


@attrs.frozen
class _Read:
    names: dict[str, str]
    enlisted: dict[str, Fact]
    facts: dict[str, list[Fact]]
    mediated: dict[str, set[str]]
    """Per officer, the disputes with a visible mediation in the period."""
    plans: dict[str, Fact]
    dispute_follow_ups: dict[str, list[Fact]]


_TOPICS = {kind: sys.intern(topic) for kind, topic in TOPICS.items()}
_new_fact = tuple.__new__


def _full(raw: list[Any], day: str = "") -> Fact:
    """A stored fact that names its aggregate, field time and version (see _index)."""
    kind = raw[0]
    return _new_fact(
        Fact, (_TOPICS[kind], raw[5], raw[3], raw[1], raw[2], kind, raw[4], day, raw[6], raw[7])
    )


def _read(station: Station, period: _Period, as_of: str) -> _Read:
    store = view_store_for(station)
    name = AppraisalIndex.name
    names: dict[str, str] = {}
    enlisted: dict[str, Fact] = {}
    for badge, document in store.scan(name, "officers"):
        raw = document["f"]
        if raw[1] <= as_of:
            enlisted[badge] = _full(raw)
            names[badge] = document["name"]
    facts: dict[str, list[Fact]] = {}
    mediated: dict[str, set[str]] = {}
    topics = _TOPICS
    new = _new_fact
    for key, document in store.scan(
        name, "facts", f"{period.key}-" if period.is_year else f"{period.key}/"
    ):
        # the hot loop of an appraisal (10^5 facts a month): comprehensions that build
        # the tuples directly. The officer's own facts (5 fields) and those of other
        # aggregates are taken in two passes; each kind keeps its filing order.
        badge, day = key[8:-3], f"{key[:7]}-{key[-2:]}"
        kept = facts.get(badge)
        if kept is None:
            kept = facts[badge] = []
        own, rows = document["o"], document["f"]
        kept += [
            new(Fact, (topics[r[0]], own, r[3], r[1], r[2], r[0], r[4], day, "", 0))
            for r in rows
            if r[1] <= as_of and len(r) == 5
        ]
        foreign = [
            new(Fact, (topics[r[0]], r[5], r[3], r[1], r[2], r[0], r[4], day, "", 0))
            for r in rows
            if len(r) != 5 and r[1] <= as_of
        ]
        if foreign:
            kept += foreign
            held = {f.key for f in foreign if f.kind == "mediation"}
            if held:
                mediated.setdefault(badge, set()).update(held)
    plans: dict[str, Fact] = {}
    if not period.is_year:
        for key, document in store.scan(name, "plans", f"{period.key}/"):
            visible = [_full(raw) for raw in document["f"] if raw[1] <= as_of]
            if visible:
                plans[key[8:]] = max(visible, key=lambda f: (f.recorded, f.originator_version))
    follow_ups: dict[str, list[Fact]] = {}
    disputes = sorted(set().union(*mediated.values()))
    if disputes:
        for key, document in store.load(name, "disputes", disputes).items():
            follow_ups[key] = [_full(raw) for raw in document["f"] if raw[1] <= as_of]
    return _Read(names, enlisted, facts, mediated, plans, follow_ups)


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
        return _appraise(station, rule_set, period, as_of, as_of_text, moment, settle)
    finally:
        if collecting:
            gc.enable()


def _appraise(
    station: Station,
    rule_set: RuleSet,
    period: _Period,
    as_of: datetime,
    as_of_text: str,
    moment: datetime,
    settle: timedelta,
) -> AppraisalReport:
    read = _read(station, period, as_of_text)
    end = utc_text(period.end)
    badges = sorted(
        badge
        for badge, fact in read.enlisted.items()
        if fact.recorded < end or read.facts.get(badge)
    )
    inputs = []
    for badge in badges:
        facts = read.facts.get(badge, [])
        mediated = read.mediated.get(badge, ())
        inputs.append(
            OfficerInputs(
                badge=badge,
                name=read.names[badge],
                facts=facts,
                plan=read.plans.get(badge),
                dispute_follow_ups={k: read.dispute_follow_ups.get(k, []) for k in mediated},
            )
        )
    officers = _evaluate(inputs, rule_set, read, period)
    rules_ref = RulesRef(
        name=rule_set.name, version=rule_set.version, digest=rules_digest(rule_set)
    )
    return AppraisalReport(
        month=period.key,
        time_zone=station.time_zone,
        rules=rules_ref,
        as_of=as_of,
        provisional=as_of > moment - settle,
        fingerprint=report_fingerprint(
            period.key,
            station.time_zone,
            as_of_text,
            rules_ref.digest,
            ((o.badge, o.fingerprint) for o in officers),
        ),
        officers=officers,
    )


def _officer_fingerprint(item: OfficerInputs, read: _Read) -> str:
    used: list[Fact] = [read.enlisted[item.badge], *item.facts]
    if item.plan is not None:
        used.append(item.plan)
    for facts in item.dispute_follow_ups.values():
        used.extend(facts)
    return digest(sorted([fact[:5] for fact in used]))


def _evaluate(
    inputs: list[OfficerInputs], rules: RuleSet, read: _Read, period: _Period
) -> list[OfficerAppraisal]:
    results: list[OfficerResult]
    if isinstance(rules, FiveStarRules):
        results = [evaluate_five_star(item, rules) for item in inputs]
        awarded = allocate_stars(results, rules)
        ranked: dict[str, tuple[int | None, list[str], list[str]]] = {
            r.badge: (None, awarded[r.badge], []) for r in results
        }
    else:
        results = [evaluate_scorecard(item, rules, by_month=period.is_year) for item in inputs]
        ranked = dict(rank_scorecard(results, rules))
    return [
        OfficerAppraisal(
            badge=item.badge,
            name=item.name,
            metrics=result.metrics,
            eligible=result.eligible,
            awarded=ranked[item.badge][1],
            evidence=result.evidence,
            shortfalls=result.shortfalls,
            rank=ranked[item.badge][0],
            flags=ranked[item.badge][2],
            fingerprint=_officer_fingerprint(item, read),
            checks={
                star: [Check.of(check) for check in checks]
                for star, checks in result.checks.items()
            },
        )
        for item, result in zip(inputs, results, strict=True)
    ]


# --- auditing -------------------------------------------------------------------------


def verify(
    station: Station,
    report: AppraisalReport | dict[str, Any] | str,
    *,
    rules: str | Path | RuleSet | None = None,
) -> AppraisalReport:
    """Recompute a report from the events and its rule set; raise if anything differs.

    The rule set is the shipped one of the report's name, or ``rules`` (a station's own
    file); it must have the version and content digest the report names. Returns the
    recomputed report when it matches.

    Raises:
        AuditMismatchError: naming each difference (rule set, officer inputs, fields).
    """
    if isinstance(report, str):
        report = AppraisalReport.model_validate_json(report)
    elif isinstance(report, dict):
        report = AppraisalReport.model_validate(report)
    differences: list[str] = []
    try:
        rule_set = load_rules(report.rules.name if rules is None else rules)
    except AppraisalError as error:
        raise AuditMismatchError([f"rules: {error}"]) from error
    if rule_set.name != report.rules.name:
        differences.append(f"rules: {rule_set.name} given, the report used {report.rules.name}")
    if rule_set.version != report.rules.version:
        differences.append(
            f"rules: {rule_set.name} is now version {rule_set.version}, the report used "
            f"{report.rules.version}"
        )
    if rules_digest(rule_set) != report.rules.digest:
        differences.append(
            f"rules: {rule_set.name} digest {rules_digest(rule_set)} differs from "
            f"the report's {report.rules.digest}"
        )
    if report.time_zone != station.time_zone:
        differences.append(
            f"time_zone: the report cut months in {report.time_zone}, the station in "
            f"{station.time_zone}"
        )
    if differences:
        raise AuditMismatchError(differences)
    again = appraise(station, month=report.month, rules=rule_set, as_of=report.as_of)
    differences = _differences(report, again)
    if differences:
        raise AuditMismatchError(differences)
    return again


def _differences(report: AppraisalReport, again: AppraisalReport) -> list[str]:
    found: list[str] = []
    if report.fingerprint != again.fingerprint:
        found.append(f"fingerprint: report {report.fingerprint}, recomputed {again.fingerprint}")
    mine = {o.badge: o for o in report.officers}
    theirs = {o.badge: o for o in again.officers}
    for badge in sorted(mine.keys() - theirs.keys()):
        found.append(f"officer {badge}: in the report, not in the recomputation")
    for badge in sorted(theirs.keys() - mine.keys()):
        found.append(f"officer {badge}: in the recomputation, not in the report")
    for badge in sorted(mine.keys() & theirs.keys()):
        # a report made before 0.2 has no checks: it is verified on what it states
        # (ADR 0510); one that carries them has them compared like any field
        left_out = set() if "checks" in mine[badge].model_fields_set else {"checks"}
        old = mine[badge].model_dump(exclude=left_out)
        new = theirs[badge].model_dump(exclude=left_out)
        if old["fingerprint"] != new["fingerprint"]:
            found.append(
                f"officer {badge}: the events read differ (fingerprint "
                f"{old['fingerprint']} -> {new['fingerprint']})"
            )
        found.extend(
            f"officer {badge}: {path} {before!r} -> {after!r}"
            for path, before, after in _diff(old, new, "")
            if path != "fingerprint"
        )
    return found


def _diff(old: Any, new: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            yield from _diff(old.get(key), new.get(key), f"{path}.{key}" if path else key)
    elif (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and all(isinstance(item, dict) for item in [*old, *new])
    ):  # a star's checks: name the check and the field that differ
        for position, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _diff(before, after, f"{path}.{position}")
    elif old != new:
        yield path, old, new


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

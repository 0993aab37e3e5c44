"""Reading a period's facts out of the appraisal index's documents, by ``as_of``.

The documents are the index's (:mod:`beatpolice.projections.appraisal._index`): kept in
the station's view store for an appraisal, or folded afresh from the events for an audit
(:mod:`beatpolice.projections.appraisal._from_events`). Either way :func:`read_period`
reads them the same way, so both give the same facts from the same events.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

from beatpolice.domain.errors import AppraisalError
from beatpolice.domain.rules import TOPICS, Fact
from beatpolice.domain.rules.ruleset import RuleSet, ScorecardRules
from beatpolice.domain.values import MONTH_PATTERN
from beatpolice.projections.appraisal._index import AppraisalIndex

__all__ = [
    "Documents",
    "Period",
    "Read",
    "SealedDocuments",
    "full_fact",
    "period_of",
    "read_period",
]


class Documents(Protocol):
    """What :func:`read_period` needs of a store of documents (a view store is one)."""

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every document of a table whose key starts with ``prefix``, in key order."""
        ...

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The stored documents of ``keys`` that exist."""
        ...


@runtime_checkable
class SealedDocuments(Documents, Protocol):
    """A store of documents that can also be scanned as stored (the view stores)."""

    def scan_sealed(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``scan``'s documents with sealed values left sealed (what the folds wrote)."""
        ...


@attrs.frozen
class Period:
    """A month (``YYYY-MM``) or, for scorecards, a year (``YYYY``), cut in a time zone."""

    key: str
    end: datetime
    """The first instant after the period (station time zone)."""

    @property
    def is_year(self) -> bool:
        """Whether the period is a scorecard's year."""
        return len(self.key) == 4

    @property
    def prefix(self) -> str:
        """The prefix of the period's keys in the index's ``facts`` table."""
        return f"{self.key}-" if self.is_year else f"{self.key}/"


def period_of(month: str, time_zone: str, rules: RuleSet) -> Period:
    """The period ``month`` names (a scorecard also takes ``YYYY``).

    Raises:
        AppraisalError: malformed month.
    """
    zone = ZoneInfo(time_zone)
    if MONTH_PATTERN.match(month):
        year, number = int(month[:4]), int(month[5:])
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
        return Period(month, end)
    if len(month) == 4 and month.isdigit() and isinstance(rules, ScorecardRules):
        return Period(month, datetime(int(month) + 1, 1, 1, tzinfo=zone))
    raise AppraisalError(
        f"month: expected YYYY-MM (or YYYY for a scorecard's yearly totals), got {month!r}"
    )


@attrs.frozen
class Read:
    """The facts of a period visible at ``as_of``, as the rules take them."""

    names: dict[str, str]
    enlisted: dict[str, Fact]
    facts: dict[str, list[Fact]]
    mediated: dict[str, set[str]]
    """Per officer, the disputes with a visible mediation in the period."""
    plans: dict[str, Fact]
    """Per officer, the month's visit plan: the latest recorded by ``as_of`` (ADR 0530)."""
    dispute_follow_ups: dict[str, list[Fact]]
    dispute_resolutions: dict[str, list[Fact]]
    """Every visible resolution of the mediated disputes, whoever resolved them, when."""
    day: dict[str, list[Fact]] = attrs.field(factory=dict)
    """Per officer, the period's facts of the officer's day (0.2; ADR 0910)."""


_TOPICS = {kind: sys.intern(topic) for kind, topic in TOPICS.items()}
_new_fact = tuple.__new__


def full_fact(raw: list[Any], day: str = "") -> Fact:
    """A stored fact that names its aggregate, field time and version (see _index)."""
    kind = raw[0]
    return _new_fact(
        Fact, (_TOPICS[kind], raw[5], raw[3], raw[1], raw[2], kind, raw[4], day, raw[6], raw[7])
    )


def read_period(store: Documents, period: Period, as_of: str) -> Read:
    """The period's facts in ``store`` recorded at or before ``as_of`` (UTC text).

    A view store's documents are read as stored (``scan_sealed``): the index copies no
    personal text, so a keyring's opening of what ``scan`` yields would only serialize
    every document of the month once more to look for sealed values (ADR 0281). Folded
    afresh from the events for an audit, the documents hold what the same sealed
    events gave, so both read the same values.
    """
    name = AppraisalIndex.name
    scan = store.scan_sealed if isinstance(store, SealedDocuments) else store.scan
    names: dict[str, str] = {}
    enlisted: dict[str, Fact] = {}
    for badge, document in scan(name, "officers"):
        raw = document["f"]
        if raw[1] <= as_of:
            enlisted[badge] = full_fact(raw)
            names[badge] = document["name"]
    facts: dict[str, list[Fact]] = {}
    mediated: dict[str, set[str]] = {}
    topics = _TOPICS
    new = _new_fact
    for key, document in scan(name, "facts", period.prefix):
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
        for key, document in scan(name, "plans", f"{period.key}/"):
            visible = [full_fact(raw) for raw in document["f"] if raw[1] <= as_of]
            if visible:
                plans[key[8:]] = max(visible, key=lambda f: (f.recorded, f.originator_version))
    follow_ups: dict[str, list[Fact]] = {}
    resolutions: dict[str, list[Fact]] = {}
    disputes = sorted(set().union(*mediated.values()))
    if disputes:
        for key, document in store.load(name, "disputes", disputes).items():
            follow_ups[key] = [full_fact(raw) for raw in document["f"] if raw[1] <= as_of]
            resolutions[key] = [full_fact(raw) for raw in document.get("r", ()) if raw[1] <= as_of]
    day_facts: dict[str, list[Fact]] = {}
    for key, document in scan(name, "day", period.prefix):
        badge, date = key[8:-3], f"{key[:7]}-{key[-2:]}"
        day_facts.setdefault(badge, []).extend(
            new(Fact, (topics[r[0]], r[5], r[3], r[1], r[2], r[0], r[4], date, "", 0))
            for r in document["f"]
            if r[1] <= as_of
        )
    return Read(names, enlisted, facts, mediated, plans, follow_ups, resolutions, day_facts)

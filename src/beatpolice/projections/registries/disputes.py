"""The disputes registry (矛盾纠纷台账): every dispute, its level, tier, status and history.

One row per dispute: level (三色预警) and the tier that handles it under the policy the
dispute was opened under, status (open, resolved, referred, reopened), parties, its
escalation history, its outcome, and whether it is overdue as of an instant given by
the caller (deadlines from :mod:`beatpolice.domain.rules.deadlines`). The registry also
counts disputes by level, status and outcome, and gives the share settled without
being referred out (矛盾不上交率; numerator and denominator in ADR 0401).

The fold stores facts only (the policy's name and version, the levels and times);
tiers and deadlines are read from the policy when the registry is queried, so the
stored rows never depend on which policies a process happened to load.

Table ``bp_disputes_disputes``: key dispute id. The fold is in ``_disputes_fold``,
re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import computed_field

from beatpolice.domain.rules.deadlines import deadline_for, overdue
from beatpolice.domain.rules.escalation import EscalationPolicy, policy_named
from beatpolice.domain.values import Level
from beatpolice.projections._runner import Document, ViewStore
from beatpolice.projections.registries._common import Row
from beatpolice.projections.registries._disputes_fold import (
    NAME,
    DisputesProjection,
    at_field_time,
)

__all__ = [
    "DisputeRow",
    "DisputesProjection",
    "DisputesRegistry",
    "Escalation",
    "NotReferredRate",
    "disputes",
]

Status = Literal["open", "resolved", "referred", "reopened"]
DisputeOutcome = Literal["resolved", "referred", "failed", "pending"]
PolicyLookup = Callable[[str, str | None], EscalationPolicy]


class Escalation(Row):
    """One rise of a dispute's level: from, to, why, by whom, when."""

    from_level: Level
    to_level: Level
    reason: str
    officer: str
    at: datetime


class DisputeRow(Row):
    """One dispute in the registry."""

    dispute: str
    officer: str
    """The officer who opened it."""
    category: str
    parties: tuple[str, ...]
    physical_conflict: bool
    policy: str
    policy_version: str
    level: Level
    tier: str | None
    """The tier handling its level under its policy; None if that policy is not loaded."""
    status: Status
    outcome: DisputeOutcome
    """resolved, referred (上交), failed (its last mediation failed), or pending."""
    month: str
    """The month it was first opened, in the station's zone."""
    first_opened_at: datetime
    opened_at: datetime
    """When it was last opened or reopened."""
    level_since: datetime
    escalations: tuple[Escalation, ...]
    mediations: int
    resolved_at: datetime | None
    referred_at: datetime | None
    referred_to: str | None
    referrals: int
    """How many times it was referred out (a reopening does not undo one)."""
    reopen_count: int
    parties_satisfied: bool | None
    """The phone follow-up after its last resolution, None before one."""
    due: datetime | None
    """The deadline of its current level while it is open, when the policy sets one."""
    overdue: bool
    """Open and past ``due`` at the registry's ``as_of``."""

    @property
    def key(self) -> str:
        """The dispute's id (what :mod:`beatpolice.domain.rules.deadlines` reads)."""
        return self.dispute

    @property
    def is_closed(self) -> bool:
        """Resolved or referred."""
        return self.status in ("resolved", "referred")


class NotReferredRate(Row):
    """矛盾不上交率: the share of settled disputes resolved without being referred out."""

    numerator: int
    """Settled disputes never referred out (see ADR 0401)."""
    denominator: int
    """Settled disputes (resolved or referred), plus open ones when asked to count them."""

    @property
    def rate(self) -> Fraction | None:
        """The exact share, None when nothing was settled."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> str | None:
        """The share in percent with one decimal, as text (``"87.5"``)."""
        if not self.denominator:
            return None
        value = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


class DisputesRegistry(Row):
    """The disputes registry as asked: rows, counts and 矛盾不上交率."""

    as_of: datetime | None
    rows: tuple[DisputeRow, ...]
    by_level: dict[str, int]
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    not_referred: NotReferredRate
    overdue: tuple[str, ...]
    """Ids of the open disputes past their deadline at ``as_of``, most overdue first."""


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _outcome(document: Document) -> DisputeOutcome:
    if document["status"] == "resolved":
        return "resolved"
    if document["status"] == "referred":
        return "referred"
    return "failed" if document["failed_since_opened"] else "pending"


def _find_policy(lookup: PolicyLookup, name: str, version: str) -> EscalationPolicy | None:
    try:
        return lookup(name, version or None)
    except LookupError:
        return None


def _row(document: Document, policy: EscalationPolicy | None) -> DisputeRow:
    level = Level(document["level"])
    status: Status = document["status"]
    closed = status in ("resolved", "referred")
    due = None
    if policy is not None and not closed:
        start = (
            document["opened_at"]
            if policy.deadline_from.value == "opened"
            else (document["level_since"])
        )
        due = deadline_for(datetime.fromisoformat(start), level, policy)
    return DisputeRow(
        dispute=document["dispute"],
        officer=document["officer"],
        category=document["category"],
        parties=tuple(document["parties"]),
        physical_conflict=document["physical_conflict"],
        policy=document["policy"],
        policy_version=document["policy_version"],
        level=level,
        tier=policy.rule(level).tier if policy is not None else None,
        status=status,
        outcome=_outcome(document),
        month=document["month"],
        first_opened_at=datetime.fromisoformat(document["first_opened_at"]),
        opened_at=datetime.fromisoformat(document["opened_at"]),
        level_since=datetime.fromisoformat(document["level_since"]),
        escalations=tuple(Escalation.model_validate(e) for e in document["escalations"]),
        mediations=document["mediations"],
        resolved_at=_time(document["resolved_at"]),
        referred_at=_time(document["referred_at"]),
        referred_to=document["referred_to"],
        referrals=document["referrals"],
        reopen_count=document["reopen_count"],
        parties_satisfied=document["parties_satisfied"],
        due=due,
        overdue=False,
    )


def not_referred_rate(
    rows: Iterable[DisputeRow],
    *,
    count_open: bool = False,
    policies: PolicyLookup = policy_named,
) -> NotReferredRate:
    """矛盾不上交率 over ``rows`` (ADR 0401).

    Args:
        rows: the disputes in scope.
        count_open: also count disputes still open in the denominator (a strict
            reading: an open dispute has not yet been settled without referral).
        policies: finds the policy a dispute was opened under; a referral under a
            policy whose ``referral.counts_against_goal`` is false leaves the dispute
            out of the rate.
    """
    numerator = denominator = 0
    for row in rows:
        if row.referrals:
            policy = _find_policy(policies, row.policy, row.policy_version)
            if policy is not None and not policy.referral.counts_against_goal:
                continue
        if row.is_closed or count_open:
            denominator += 1
            numerator += int(row.referrals == 0 and row.status == "resolved")
    return NotReferredRate(numerator=numerator, denominator=denominator)


def disputes(
    store: ViewStore,
    *,
    as_of: datetime | None = None,
    status: Status | None = None,
    level: Level | None = None,
    officer: str | None = None,
    month: str | None = None,
    category: str | None = None,
    only_overdue: bool = False,
    count_open: bool = False,
    policies: PolicyLookup = policy_named,
    rows_as_of: bool = True,
) -> DisputesRegistry:
    """The disputes registry: rows matching the filters, their counts and rates.

    Args:
        store: the view store the registry was folded into.
        as_of: the field time the registry is read at (None: now, nothing is
            overdue): each dispute as it stood then (opened by then, its level,
            status and history by then: ADR 0538), and overdue judged then.
        status: only disputes in this status.
        level: only disputes at this level.
        officer: only disputes opened by this officer.
        month: only disputes first opened in this month (station's zone).
        category: only disputes of this category.
        only_overdue: only the overdue ones (needs ``as_of``).
        count_open: see :func:`not_referred_rate`.
        policies: finds a policy by name and version.
        rows_as_of: False shows every row as it stands now and judges only "overdue"
            at ``as_of`` (0.1's reading).

    Raises:
        ValueError: ``as_of`` is naive, or ``only_overdue`` without ``as_of``.
    """
    if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
        raise ValueError("as_of must be timezone-aware")
    if only_overdue and as_of is None:
        raise ValueError("only_overdue needs as_of: overdue as of when?")
    cache: dict[tuple[str, str], EscalationPolicy | None] = {}

    def policy_of(document: Document) -> EscalationPolicy | None:
        key = (document["policy"], document["policy_version"])
        if key not in cache:
            cache[key] = _find_policy(policies, *key)
        return cache[key]

    documents = (document for _, document in store.scan(NAME, "disputes"))
    if as_of is not None and rows_as_of:
        moment = as_of.isoformat()
        states = (at_field_time(document, moment) for document in documents)
        documents = (state for state in states if state is not None)
    rows = [
        _row(document, policy_of(document))
        for document in documents
        if (status is None or document["status"] == status)
        and (level is None or document["level"] == level.value)
        and (officer is None or document["officer"] == officer)
        and (month is None or document["month"] == month)
        and (category is None or document["category"] == category)
    ]
    late: list[str] = []
    if as_of is not None:
        known = [row for row in rows if cache[row.policy, row.policy_version] is not None]
        late = [item.dispute for item in overdue(known, as_of, policies=policies)]
        flagged = set(late)
        rows = [row.model_copy(update={"overdue": row.dispute in flagged}) for row in rows]
    if only_overdue:
        rows = [row for row in rows if row.overdue]
    return DisputesRegistry(
        as_of=as_of,
        rows=tuple(rows),
        by_level=_count(row.level.value for row in rows),
        by_status=_count(row.status for row in rows),
        by_outcome=_count(row.outcome for row in rows),
        not_referred=not_referred_rate(rows, count_open=count_open, policies=policies),
        overdue=tuple(d for d in late if not only_overdue or d in {r.dispute for r in rows}),
    )


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))

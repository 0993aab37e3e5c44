"""Properties of the dispute rules over arbitrary policies and command sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beatpolice.domain import frozen_clock
from beatpolice.domain.dispute import Dispute, DisputeResolved, MediationHeld
from beatpolice.domain.errors import BeatpoliceError
from beatpolice.domain.rules.deadlines import deadline_for, dispute_clock, is_counted_day
from beatpolice.domain.rules.escalation import EscalationPolicy, load_policy
from beatpolice.domain.values import Level, Outcome, Role
from beatpolice.testing import aware_datetimes, policies

CST = timezone(timedelta(hours=8))
START = datetime(2024, 3, 1, 9, tzinfo=CST)
RECORDED = datetime(2024, 3, 1, tzinfo=UTC)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("escalate"), st.sampled_from(list(Level))),
        st.tuples(
            st.just("mediate"),
            st.frozensets(st.sampled_from(list(Role)), min_size=1),
            st.sampled_from(list(Outcome)),
        ),
        st.tuples(st.just("refer")),
        st.tuples(st.just("reopen")),
        st.tuples(st.just("follow_up")),
    ),
    max_size=25,
)


def _apply(dispute: Dispute, step: tuple[Any, ...], n: int, policy: EscalationPolicy) -> None:
    when = START + timedelta(hours=n)
    digest = f"sha256:{n:064x}"
    if step[0] == "escalate":
        dispute.escalate("P1", step[1], "worse", when, digest, policy=policy)
    elif step[0] == "mediate":
        participants = tuple(sorted(step[1], key=lambda role: role.value))
        dispute.mediate("P1", participants, step[2], when, policy, digest)
    elif step[0] == "refer":
        dispute.refer("P1", "上级", "beyond us", when, digest, policy=policy)
    elif step[0] == "reopen":
        dispute.reopen("P1", "again", when, policy, digest)
    else:
        dispute.follow_up("P1", True, when, digest)


@settings(max_examples=300, deadline=None)
@given(
    policy=policies(),
    level=st.none() | st.sampled_from(list(Level)),
    physical=st.booleans(),
    sequence=steps,
)
def test_rules_hold_for_any_policy_and_sequence(
    policy: EscalationPolicy,
    level: Level | None,
    physical: bool,
    sequence: list[tuple[Any, ...]],
) -> None:
    with frozen_clock(lambda: RECORDED):
        dispute = Dispute.open(
            id="D1",
            officer="P1",
            category="land",
            parties=("赵某", "黄某"),
            occurred_at=START,
            level=level,
            physical_conflict=physical,
            policy=policy,
            command="sha256:" + "0" * 64,
        )
        assert dispute.level.rank >= policy.lowest.rank
        if physical:
            assert (
                dispute.level.rank
                >= min(policy.physical_conflict_level, policy.top, key=lambda lv: lv.rank).rank
            )
        for n, step in enumerate(sequence, start=1):
            before = (dispute.level, dispute.status, dispute.version)
            pending = len(dispute.pending_events)
            message = ""
            try:
                _apply(dispute, step, n, policy)
            except BeatpoliceError as refusal:
                message = str(refusal)
            if message:
                assert "[rule:" in message
                # a refusal leaves the aggregate and its unsaved events unchanged
                assert (dispute.level, dispute.status, dispute.version) == before
                assert len(dispute.pending_events) == pending
                continue
            if (before[1] == "open" and dispute.status != "resolved") or step[0] == "reopen":
                assert dispute.level.rank >= before[0].rank, "a level fell"
    history = dispute.collect_events()
    for index, item in enumerate(history):
        if isinstance(item, DisputeResolved):
            held = history[index - 1]
            assert isinstance(held, MediationHeld)
            assert policy.can_resolve(held.level, frozenset(held.participants))
    replayed: Any = None
    for item in history:
        replayed = item.mutate(replayed)
    assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == {
        k: v for k, v in vars(dispute).items() if k != "_pending_events"
    }
    clock = dispute_clock(history)
    assert clock is not None
    assert (clock.level, clock.status) == (dispute.level, dispute.status)


@given(policy=policies(), start=aware_datetimes(), level=st.sampled_from(list(Level)))
def test_deadline_is_after_the_start_and_falls_on_a_counted_day(
    policy: EscalationPolicy, start: datetime, level: Level
) -> None:
    due = deadline_for(start, level, policy)
    days = policy.rule(level).deadline_days
    if days is None:
        assert due is None
        return
    assert due is not None
    assert due > start
    last_day = (due - timedelta(days=1)).date()
    assert is_counted_day(last_day, policy.calendar, fallback=policy.calendar_fallback)
    assert due.hour == 0
    assert due.minute == 0


@given(
    policy=policies(),
    start=aware_datetimes(),
    level=st.sampled_from(list(Level)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
)
def test_deadline_never_comes_earlier_for_a_later_start(
    policy: EscalationPolicy, start: datetime, level: Level, later: timedelta
) -> None:
    first = deadline_for(start, level, policy)
    second = deadline_for(start + later, level, policy)
    if first is not None and second is not None:
        assert second >= first


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for(datetime(2024, 3, 1), Level.BLUE, load_policy("qingdao-three-colour"))

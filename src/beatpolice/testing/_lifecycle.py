"""A state machine of the dispute lifecycle that drives a real station beside a model.

:class:`DisputeLifecycle` opens disputes and escalates, mediates, refers, reopens and
follows them up in any order, through a real :class:`~beatpolice.Station`. Beside it
runs a deliberately simple model of what the policy allows, written from the policy's
data rather than its methods. Each step checks that the station accepted exactly what
the model allows, refused the rest with the error naming the rule, and that a refusal
left the stored events unchanged; after each step the invariants check that a level
never fell while the dispute was open, that no resolution lacked the required roles,
and that replaying each dispute's events gives the state the station reports.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
)

import beatpolice
from beatpolice.domain.errors import (
    BeatpoliceError,
    DisputeClosedError,
    EscalationRefusedError,
    MediationRefusedError,
    RuleViolationError,
)
from beatpolice.domain.rules.escalation import DEFAULT_POLICY, EscalationPolicy, load_policy
from beatpolice.domain.values import Level, Role
from beatpolice.testing._lifecycle_checks import LifecycleInvariants, ModelDispute, rung

__all__ = ["DisputeLifecycle", "ModelDispute"]

_CST = timezone(timedelta(hours=8))
_OFFICER = "T0001"


class DisputeLifecycle(LifecycleInvariants, RuleBasedStateMachine):
    """Drive a station's dispute lifecycle beside a model; subclass it with your policy.

    Class attributes a station overrides:

    - ``url``: the store, ``memory://`` by default; ``{tmp}`` in it is replaced by a
      fresh temporary folder for each example (``"sqlite:///{tmp}/station.db"``);
    - ``policy``: a shipped policy's name or the path of the station's own TOML file;
    - ``max_disputes``: how many disputes one example opens at most.

    Example:
        >>> from hypothesis import settings
        >>> class FengqiaoLifecycle(DisputeLifecycle):
        ...     policy = "fengqiao-tiers"
        >>> FengqiaoLifecycle.TestCase.settings = settings(
        ...     max_examples=5, stateful_step_count=10, deadline=None
        ... )
        >>> FengqiaoLifecycle.TestCase("runTest").runTest()
    """

    url: ClassVar[str] = "memory://"
    policy: ClassVar[str] = DEFAULT_POLICY
    max_disputes: ClassVar[int] = 4

    disputes = Bundle("disputes")

    def __init__(self) -> None:
        super().__init__()
        self._folder: str | None = None
        url = self.url
        if "{tmp}" in url:
            self._folder = tempfile.mkdtemp(prefix="beatpolice-lifecycle-")
            url = url.replace("{tmp}", self._folder)
        self.escalation: EscalationPolicy = load_policy(self.policy)
        self._ticks = 0
        self.station = beatpolice.connect(url, policy=self.policy, clock=self._recorded_at)
        self.station.enlist_officer(badge=_OFFICER, name="测试民警", station="测试所", beat="一区")
        self.model: dict[str, ModelDispute] = {}
        self._last_accepted: Callable[[], beatpolice.Receipt] | None = None

    def teardown(self) -> None:
        """Close the station and remove its temporary folder."""
        self.station.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    # --- clocks: recorded and field time advance one minute a step, never the wall clock

    def _recorded_at(self) -> datetime:
        return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=self._ticks)

    def _occurred_at(self) -> datetime:
        self._ticks += 1
        return datetime(2024, 1, 1, 8, tzinfo=_CST) + timedelta(minutes=self._ticks)

    # --- the step protocol: accepted as the model says, or refused leaving no trace --

    def _stored(self) -> list[tuple[int, str, int]]:
        return [
            (number, type(item).__name__, item.originator_version)
            for number, item in self.station.events()
        ]

    def _expect(
        self,
        send: Callable[[], beatpolice.Receipt],
        refusal: type[BeatpoliceError] | None,
        events: int | tuple[int, ...] = 1,
    ) -> None:
        before = self._stored()
        if refusal is None:
            receipt = send()
            allowed = events if isinstance(events, tuple) else (events,)
            assert receipt.events in allowed, (receipt, events)
            self._last_accepted = send
            return
        message = ""
        try:
            send()
        except refusal as error:
            message = str(error)
        else:
            raise AssertionError(f"the station accepted what the model refuses ({refusal})")
        assert "[rule:" in message, f"refusal does not name its rule: {message}"
        assert self._stored() == before, "a refused command changed the stored events"

    # --- rules ------------------------------------------------------------------------

    @initialize()
    def _started(self) -> None:
        assert self.station.policy == self.escalation

    @precondition(lambda self: len(self.model) < self.max_disputes)
    @rule(
        target=disputes,
        level=st.none() | st.sampled_from(list(Level)),
        physical_conflict=st.booleans(),
    )
    def open_dispute(self, level: Level | None, physical_conflict: bool) -> str:
        """Open a dispute, at a requested level or none, with or without a fight."""
        key = f"D{len(self.model) + 1}"
        expected = level or self.escalation.levels[0].level
        if physical_conflict and expected.rank < self.escalation.physical_conflict_level.rank:
            expected = self.escalation.physical_conflict_level
        expected = rung(self.escalation, expected).level
        when = self._occurred_at()
        self._expect(
            lambda: self.station.open_dispute(
                id=key,
                officer=_OFFICER,
                category="neighbours",
                parties=["赵某", "黄某"],
                occurred_at=when,
                level=level,
                physical_conflict=physical_conflict,
            ),
            None,
            # the first dispute under a policy also records the policy in the store
            events=(1, 2) if not self.model else 1,
        )
        self.model[key] = ModelDispute(key=key, level=expected)
        assert self.station.dispute(key).level == expected
        return key

    @rule(dispute=disputes, to_level=st.sampled_from(list(Level)))
    def escalate(self, dispute: str, to_level: Level) -> None:
        """Escalate to any level: refused when closed or when it would not rise."""
        known = self.model[dispute]
        target = rung(self.escalation, to_level).level
        refusal: type[BeatpoliceError] | None = None
        if known.status != "open":
            refusal = DisputeClosedError
        elif target.rank <= known.level.rank:
            refusal = EscalationRefusedError
        when = self._occurred_at()
        self._expect(
            lambda: self.station.escalate_dispute(
                dispute=dispute,
                officer=_OFFICER,
                to_level=to_level,
                reason="flare-up",
                occurred_at=when,
            ),
            refusal,
        )
        if refusal is None:
            known.level = target
            known.events += 1

    @rule(
        dispute=disputes,
        participants=st.frozensets(st.sampled_from(list(Role)), min_size=1, max_size=4),
        complete=st.booleans(),
        resolved=st.booleans(),
    )
    def mediate(
        self, dispute: str, participants: frozenset[Role], complete: bool, resolved: bool
    ) -> None:
        """Mediate with some roles, or with one full required set: resolved or failed."""
        known = self.model[dispute]
        options = rung(self.escalation, known.level).required
        present = participants | options[0] if complete else participants
        allowed = any(set(option) <= set(present) for option in options)
        refusal: type[BeatpoliceError] | None = None
        if known.status != "open":
            refusal = DisputeClosedError
        elif resolved and not allowed:
            refusal = MediationRefusedError
        when = self._occurred_at()
        self._expect(
            lambda: self.station.mediate_dispute(
                dispute=dispute,
                officer=_OFFICER,
                participants=sorted(present, key=lambda role: role.value),
                outcome="resolved" if resolved else "failed",
                occurred_at=when,
            ),
            refusal,
            events=2 if resolved else 1,
        )
        if refusal is None:
            known.events += 2 if resolved else 1
            if resolved:
                known.status = "resolved"

    @rule(dispute=disputes)
    def refer(self, dispute: str) -> None:
        """Refer out (上交): refused when closed, or below the top tier if the policy says."""
        known = self.model[dispute]
        top = self.escalation.levels[-1].level
        refusal: type[BeatpoliceError] | None = None
        if known.status != "open":
            refusal = DisputeClosedError
        elif (
            self.escalation.referral.from_top_only
            and rung(self.escalation, known.level).level != top
        ):
            refusal = RuleViolationError
        when = self._occurred_at()
        self._expect(
            lambda: self.station.refer_dispute(
                dispute=dispute,
                officer=_OFFICER,
                to="县法院",
                reason="beyond the town",
                occurred_at=when,
            ),
            refusal,
        )
        if refusal is None:
            known.status = "referred"
            known.events += 1

    @rule(dispute=disputes)
    def reopen(self, dispute: str) -> None:
        """Reopen: refused while open; every N-th reopening raises a level (policy)."""
        known = self.model[dispute]
        reopen = functools.partial(
            self.station.reopen_dispute,
            dispute=dispute,
            officer=_OFFICER,
            reason="flared up",
            occurred_at=self._occurred_at(),
        )
        if known.status == "open":
            self._expect(reopen, RuleViolationError)
            return
        reopenings = known.reopenings + 1
        every = self.escalation.reopens_per_level
        raised = known.level
        if every and reopenings % every == 0:
            higher = [r.level for r in self.escalation.levels if r.level.rank > known.level.rank]
            raised = higher[0] if higher else known.level
        events = 1 if raised == known.level else 2
        self._expect(reopen, None, events=events)
        known.status, known.reopenings, known.level = "open", reopenings, raised
        known.events += events

    @rule(dispute=disputes, satisfied=st.booleans())
    def follow_up(self, dispute: str, satisfied: bool) -> None:
        """Phone both parties: only after a resolution."""
        known = self.model[dispute]
        refusal = None if known.status == "resolved" else RuleViolationError
        when = self._occurred_at()
        self._expect(
            lambda: self.station.follow_up_dispute(
                dispute=dispute,
                officer=_OFFICER,
                parties_satisfied=satisfied,
                occurred_at=when,
            ),
            refusal,
        )
        if refusal is None:
            known.events += 1

    @precondition(lambda self: self._last_accepted is not None)
    @rule()
    def resend_last(self) -> None:
        """Send the last accepted command again: recorded once, nothing new stored."""
        assert self._last_accepted is not None
        before = self._stored()
        assert self._last_accepted().events == 0
        assert self._stored() == before

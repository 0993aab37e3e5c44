"""The model beside :class:`~._lifecycle.DisputeLifecycle` and the invariants it checks.

:class:`ModelDispute` is what the model knows of a dispute, :func:`rung` its own reading
of the policy's ladder; :class:`LifecycleInvariants` holds the invariants checked after
every step (a mixin of the state machine, which finds them by inheritance).
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis.stateful import invariant

import beatpolice
from beatpolice.domain._base import stable_id
from beatpolice.domain.dispute import (
    Dispute,
    DisputeEscalated,
    DisputeOpened,
    DisputeReopened,
    DisputeResolved,
    MediationHeld,
)
from beatpolice.domain.rules.deadlines import dispute_clock
from beatpolice.domain.rules.escalation import EscalationPolicy
from beatpolice.domain.values import Level, Outcome

__all__ = ["LifecycleInvariants", "ModelDispute", "rung"]


@attrs.define
class ModelDispute:
    """What the model knows of one dispute."""

    key: str
    level: Level
    status: str = "open"
    reopenings: int = 0
    events: int = 1


def rung(policy: EscalationPolicy, level: Level) -> Any:
    """The model's own reading of the ladder: the first rung at or above ``level``."""
    for candidate in policy.levels:
        if candidate.level.rank >= level.rank:
            return candidate
    return policy.levels[-1]


class LifecycleInvariants:
    """The invariants of the dispute lifecycle, over the station and the model."""

    station: beatpolice.Station
    escalation: EscalationPolicy
    model: dict[str, ModelDispute]

    def _history(self, key: str) -> list[Any]:
        dispute = stable_id("dispute", key)
        return [event for _, event in self.station.events() if event.originator_id == dispute]

    @invariant()
    def station_agrees_with_model(self) -> None:
        """Each dispute's level, status and event count are what the model expects."""
        for key, known in self.model.items():
            found = self.station.dispute(key)
            assert (found.level, found.status, found.reopen_count, found.version) == (
                known.level,
                known.status,
                known.reopenings,
                known.events,
            ), (key, known)

    @invariant()
    def level_never_falls_while_open(self) -> None:
        """Along each dispute's events, every escalation starts where the level was and rises."""
        for key in self.model:
            level: Level | None = None
            for item in self._history(key):
                if isinstance(item, DisputeOpened):
                    level = item.level
                elif isinstance(item, DisputeEscalated):
                    assert item.from_level == level, (key, item)
                    assert item.to_level.rank > item.from_level.rank, (key, item)
                    assert item.officer, (key, item)
                    assert item.reason, (key, item)
                    level = item.to_level

    @invariant()
    def no_resolution_without_required_roles(self) -> None:
        """Every resolution follows a resolved mediation attended by one required role set."""
        for key in self.model:
            history = self._history(key)
            for index, item in enumerate(history):
                if isinstance(item, DisputeResolved):
                    held = history[index - 1]
                    assert isinstance(held, MediationHeld), (key, held)
                    assert held.outcome is Outcome.RESOLVED
                    options = rung(self.escalation, held.level).required
                    assert any(set(option) <= set(held.participants) for option in options), (
                        key,
                        held,
                    )

    @invariant()
    def replay_gives_the_same_state(self) -> None:
        """Replaying a dispute's stored events, one by one, gives the station's state."""
        for key in self.model:
            history = self._history(key)
            replayed: Any = None
            for item in history:
                replayed = item.mutate(replayed)
            assert isinstance(replayed, Dispute)
            current = self.station.dispute(key)
            assert _state(replayed) == _state(current), key
            clock = dispute_clock(history)
            assert clock is not None
            assert (clock.level, clock.status) == (current.level, current.status)
            reopened = [item for item in history if isinstance(item, DisputeReopened)]
            assert len(reopened) == current.reopen_count


def _state(aggregate: Dispute) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(aggregate).items()
        if key not in ("_pending_events", "_modified_on")
    }

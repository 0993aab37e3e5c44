"""The escalation policy of disputes (矛盾纠纷): levels, tiers and who must mediate.

A policy is data, not code: a pydantic model loaded from a TOML file. The policy a
dispute was opened under is recorded in its ``DisputeOpened`` event, so a replay years
later applies the same rules even after the station has adopted another policy.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from beatpolice.domain.values import Level, Role

__all__ = ["DEFAULT_POLICY", "EscalationPolicy", "LevelRule", "load_policy"]

DEFAULT_POLICY = "qingdao-three-colour"


class LevelRule(BaseModel):
    """One rung of the ladder: its handling tier and the participants it needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    tier: str
    required: tuple[frozenset[Role], ...] = Field(min_length=1)
    """Alternatives: a mediation resolves when its participants include any one set."""


class EscalationPolicy(BaseModel):
    """A named, versioned escalation policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    description: str = ""
    levels: tuple[LevelRule, ...] = Field(min_length=1)
    physical_conflict_level: Level = Level.YELLOW
    reopens_per_level: int = Field(default=2, ge=0)
    """Every this many reopenings raise the level by one; 0 turns the rule off."""
    referral: str = ""

    @model_validator(mode="after")
    def _levels_in_order(self) -> EscalationPolicy:
        ranks = [rule.level.rank for rule in self.levels]
        if ranks != sorted(set(ranks)):
            raise ValueError("levels must be listed once each, lowest first")
        return self

    @property
    def lowest(self) -> Level:
        """The level a dispute opens at when nothing raises it."""
        return self.levels[0].level

    def rule(self, level: Level) -> LevelRule:
        """The rung of ``level``; a level the policy lacks takes the next one up."""
        for rule in self.levels:
            if rule.level.rank >= level.rank:
                return rule
        return self.levels[-1]

    def opening_level(self, requested: Level | None, physical_conflict: bool) -> Level:
        """The level a new dispute opens at: the request, raised by a physical conflict."""
        level = requested or self.lowest
        if physical_conflict and level.rank < self.physical_conflict_level.rank:
            level = self.physical_conflict_level
        return self.rule(level).level

    def can_resolve(self, level: Level, participants: frozenset[Role]) -> bool:
        """Whether a mediation with ``participants`` may resolve a dispute at ``level``."""
        return any(needed <= participants for needed in self.rule(level).required)

    def level_after_reopening(self, level: Level, reopen_count: int) -> Level:
        """The level after the ``reopen_count``-th reopening (repeated flare-ups rise)."""
        if self.reopens_per_level == 0 or reopen_count % self.reopens_per_level:
            return level
        higher = [rule.level for rule in self.levels if rule.level.rank > level.rank]
        return higher[0] if higher else level


def load_policy(source: str | Path) -> EscalationPolicy:
    """Load a shipped policy by name, or a station's own TOML file by path."""
    path = Path(source)
    if path.suffix == ".toml" or path.exists():
        return EscalationPolicy.model_validate(tomllib.loads(path.read_text("utf-8")))
    return _shipped(str(source))


@cache
def _shipped(name: str) -> EscalationPolicy:
    files = resources.files("beatpolice.domain") / "policies" / f"{name}.toml"
    if not files.is_file():
        raise LookupError(f"no shipped escalation policy named {name!r}")
    return EscalationPolicy.model_validate(tomllib.loads(files.read_text("utf-8")))

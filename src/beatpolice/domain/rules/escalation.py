"""The escalation policy of disputes (矛盾纠纷): levels, tiers, triage and deadlines.

A policy is data, not code: a pydantic model loaded from a TOML file. It says

- the ladder of levels (三色预警: blue, yellow, red, or a subset), the tier that
  handles each (网格/警格/街道, or 村/镇/县), and the participant roles a mediation at
  that level needs before it may resolve the dispute (alternatives of role sets);
- the triage rules: the least level a physical conflict (肢体冲突) opens at, and how
  many reopenings (repeated flare-ups) raise the level by one;
- what leaving the top tier means (上交, referral), and whether a dispute may be
  referred out from a lower tier at all;
- each level's deadline in working days and the calendar that counts them.

The policy a dispute was opened under, name and version, is recorded in its
``DisputeOpened`` event, so a replay years later applies the same rules even after
the station has adopted another policy. Every policy that :func:`load_policy` loads
is kept in a registry keyed by name and version (:func:`policy_named`); loading a
different policy under a name and version already in use is refused, since a name
and version must always mean the same rules.
"""

from __future__ import annotations

import hashlib
import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from beatpolice.domain.values import Level, Role

__all__ = [
    "DEFAULT_POLICY",
    "SHIPPED_POLICIES",
    "DeadlineCalendar",
    "DeadlineStart",
    "EscalationPolicy",
    "LevelRule",
    "ReferralRule",
    "load_policy",
    "policy_named",
    "register_policy",
]

DEFAULT_POLICY = "qingdao-three-colour"
"""The policy a station uses when it names none (the Qingdao article)."""

SHIPPED_POLICIES = ("fengqiao-tiers", "qingdao-three-colour")
"""The presets shipped in ``beatpolice/domain/rules/policies/``, by name."""


class DeadlineCalendar(StrEnum):
    """How a level's deadline days are counted."""

    CHINESE_WORKING_DAYS = "chinese_working_days"
    """工作日: official holidays skipped, make-up workdays (调休) counted."""
    WEEKDAYS = "weekdays"
    """Monday to Friday, no holidays."""
    CALENDAR_DAYS = "calendar_days"
    """Every day counts."""


class DeadlineStart(StrEnum):
    """From when a level's deadline runs (our reading, ADR 0102)."""

    LEVEL = "level"
    """From when the dispute reached its current level or was last (re)opened."""
    OPENED = "opened"
    """From when the dispute was last opened or reopened, whatever its level since."""


class LevelRule(BaseModel):
    """One rung of the ladder: its handling tier, who must mediate, and its deadline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    tier: str = Field(min_length=1)
    """The tier that handles disputes of this level (``grid``, ``village``, ...)."""
    required: tuple[frozenset[Role], ...] = Field(min_length=1)
    """Alternatives: a mediation resolves when its participants include any one set."""
    deadline_days: int | None = Field(default=None, ge=1, le=366)
    """Days (counted by the policy's calendar) to resolve at this level; None: no deadline."""

    @model_validator(mode="after")
    def _no_empty_role_set(self) -> LevelRule:
        if any(not option for option in self.required):
            raise ValueError(
                f"levels.{self.level.value}.required: an empty role set would let any "
                "mediation resolve the dispute; list at least one role in each set"
            )
        return self


class ReferralRule(BaseModel):
    """What leaving the top tier means: 上交, referral out of the handling tiers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meaning: str = "上交: the dispute leaves the handling tiers"
    """What a referral counts as (e.g. against the 矛盾不上交 goal)."""
    from_top_only: bool = False
    """True: a dispute is referred out only from the top level (it climbs the ladder first)."""
    counts_against_goal: bool = True
    """True: a referral counts against 矛盾不上交 in registries and appraisals."""


class EscalationPolicy(BaseModel):
    """A named, versioned escalation policy: the ladder, triage, referral and deadlines."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    levels: tuple[LevelRule, ...] = Field(min_length=1)
    physical_conflict_level: Level = Level.YELLOW
    """The least level a dispute with a physical conflict (肢体冲突) opens at."""
    reopens_per_level: int = Field(default=2, ge=0)
    """Every this many reopenings raise the level by one; 0 turns the rule off."""
    referral: ReferralRule = ReferralRule()
    calendar: DeadlineCalendar = DeadlineCalendar.CHINESE_WORKING_DAYS
    calendar_fallback: DeadlineCalendar | None = DeadlineCalendar.WEEKDAYS
    """How days are counted in years the holiday calendar does not cover; None: refuse."""
    deadline_from: DeadlineStart = DeadlineStart.LEVEL
    time_zone: str = "Asia/Shanghai"
    """The zone whose calendar days the deadlines are counted in (an IANA name)."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, time_zone: str) -> str:
        # an unknown zone would break every deadline a reader computes, years later
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {time_zone!r}") from error
        return time_zone

    @model_validator(mode="before")
    @classmethod
    def _referral_as_text(cls, data: Any) -> Any:
        # Version 1 of the presets gave the referral as one line of text.
        if isinstance(data, dict) and isinstance(data.get("referral"), str):
            return {**data, "referral": {"meaning": data["referral"]}}
        return data

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

    @property
    def top(self) -> Level:
        """The top level: a dispute leaving it is referred out (上交)."""
        return self.levels[-1].level

    @property
    def digest(self) -> str:
        """A fingerprint of the rules themselves (sha256 of their canonical JSON)."""
        body = self.model_dump_json(exclude={"description"})
        return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()

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

    def escalation_target(self, level: Level, to_level: Level) -> Level | None:
        """The level an escalation from ``level`` towards ``to_level`` reaches, if it rises.

        A level the policy lacks takes the next rung up; None when that would not raise
        the dispute (already there, or already at the top: 上交 is then a referral).
        """
        target = self.rule(to_level).level
        return target if target.rank > level.rank else None

    def can_resolve(self, level: Level, participants: frozenset[Role]) -> bool:
        """Whether a mediation with ``participants`` may resolve a dispute at ``level``."""
        return any(needed <= participants for needed in self.rule(level).required)

    def required_text(self, level: Level) -> str:
        """The roles ``level`` needs, as text: ``a+b or c``."""
        return " or ".join(
            "+".join(sorted(role.value for role in option)) for option in self.rule(level).required
        )

    def level_after_reopening(self, level: Level, reopen_count: int) -> Level:
        """The level after the ``reopen_count``-th reopening (repeated flare-ups rise)."""
        if self.reopens_per_level == 0 or reopen_count % self.reopens_per_level:
            return level
        higher = [rule.level for rule in self.levels if rule.level.rank > level.rank]
        return higher[0] if higher else level

    def can_refer(self, level: Level) -> bool:
        """Whether a dispute at ``level`` may be referred out (上交)."""
        return not self.referral.from_top_only or self.rule(level).level == self.top


_REGISTRY: dict[tuple[str, str], EscalationPolicy] = {}


def register_policy(policy: EscalationPolicy) -> EscalationPolicy:
    """Keep ``policy`` so that disputes opened under it find it again by name and version.

    Raises:
        ValueError: another policy with other rules holds the same name and version.
    """
    key = (policy.name, policy.version)
    known = _REGISTRY.setdefault(key, policy)
    if known != policy:
        raise ValueError(
            f"escalation policy {policy.name!r} version {policy.version!r} is already "
            "loaded with other rules; give the changed rules a new version"
        )
    return known


def policy_named(name: str, version: str | None = None) -> EscalationPolicy:
    """The policy loaded (or shipped) under ``name``, of ``version`` when given.

    Raises:
        LookupError: no such policy was loaded and none is shipped under that name.
    """
    if version is not None and (name, version) in _REGISTRY:
        return _REGISTRY[name, version]
    if version is None:
        loaded = [policy for (known, _), policy in _REGISTRY.items() if known == name]
        if len(loaded) == 1:
            return loaded[0]
    shipped = _shipped(name)
    if version is not None and shipped.version != version:
        raise LookupError(
            f"escalation policy {name!r} version {version!r} is not loaded "
            f"(the shipped one is version {shipped.version!r}); load its file first"
        )
    return shipped


def load_policy(source: str | Path) -> EscalationPolicy:
    """Load a shipped policy by name, or a station's own TOML file by path.

    Example:
        >>> load_policy("fengqiao-tiers").top.value
        'red'
    """
    path = Path(source)
    if path.suffix == ".toml" or path.exists():
        policy = EscalationPolicy.model_validate(tomllib.loads(path.read_text("utf-8")))
        return register_policy(policy)
    return _shipped(str(source))


@cache
def _shipped(name: str) -> EscalationPolicy:
    files = resources.files("beatpolice.domain.rules") / "policies" / f"{name}.toml"
    if not files.is_file():
        raise LookupError(
            f"no escalation policy named {name!r} is loaded or shipped "
            f"(shipped: {', '.join(SHIPPED_POLICIES)})"
        )
    policy = EscalationPolicy.model_validate(tomllib.loads(files.read_text("utf-8")))
    return register_policy(policy)

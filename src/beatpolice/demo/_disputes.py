"""The demo's disputes: storylines dealt by mediation profile, told as commands.

Each officer's mediation profile (:mod:`._profiles`) gives a few storylines (how a
dispute opens and how it ends); two of them are the disputes the Fengting article tells.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from beatpolice.demo._month import Builder, DemoOfficer
from beatpolice.demo._profiles import MediationProfile
from beatpolice.domain import commands as c
from beatpolice.domain.values import Level, Outcome, Role

__all__ = ["add_disputes"]

_DISPUTE_CATEGORIES = (
    "邻里纠纷",
    "宅基地纠纷",
    "打架斗殴",
    "轻微交通事故",
    "停车纠纷",
    "劳资纠纷",
    "医疗纠纷",
    "婚恋家庭纠纷",
)


class _DisputeIds:
    def __init__(self, month: str) -> None:
        self.month = month
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"MD-{self.month}-{self.count:03d}"


@attrs.frozen
class _Story:
    """A dispute's storyline: how it opens and how it ends."""

    level: Level | None
    physical_conflict: bool = False
    escalate_to: Level | None = None
    outcome: str = "resolved"  # resolved, failed_referred, flare_up, open
    satisfied: bool = True
    parties: tuple[str, ...] = ()
    category: str | None = None


_STORIES: dict[MediationProfile, tuple[_Story, ...]] = {
    MediationProfile.STAR: (
        _Story(Level.BLUE),
        _Story(None, physical_conflict=True),
        _Story(Level.BLUE, escalate_to=Level.YELLOW),
        _Story(Level.RED),
    ),
    MediationProfile.ONE_UNSATISFIED: (
        _Story(Level.BLUE),
        _Story(Level.YELLOW, satisfied=False),
        _Story(Level.BLUE),
    ),
    MediationProfile.TWO_ONLY: (_Story(Level.BLUE), _Story(Level.YELLOW)),
    MediationProfile.ONE_FAILED: (
        _Story(Level.BLUE),
        _Story(Level.BLUE),
        _Story(Level.YELLOW),
        _Story(Level.YELLOW, outcome="failed_referred"),
    ),
    MediationProfile.FEW: (
        _Story(None, physical_conflict=True, outcome="flare_up"),
        _Story(Level.BLUE, outcome="open"),
    ),
}

# The two disputes the Fengting article tells: a wall-boundary quarrel between neighbours who are
# also relatives, recurring since 2021 with physical conflict; and a parking quarrel in
# which one party kicked the other's car, settled on the spot.
_SEED_STORIES = (
    _Story(
        None,
        physical_conflict=True,
        outcome="flare_up",
        parties=("赵某", "黄某"),
        category="宅基地纠纷",
    ),
    _Story(None, physical_conflict=True, parties=("薛某", "陈某"), category="停车纠纷"),
)


def _participants(builder: Builder, level: Level) -> tuple[Role, ...]:
    # The first set of roles the policy accepts at this level, with the community
    # officer and the village cadres of the Fengting article's "three gates" (三道关).
    needed = sorted(builder.policy.rule(level).required[0])
    extra = [Role.COMMUNITY_OFFICER, Role.VILLAGE_CADRE]
    return tuple(dict.fromkeys([*needed, *extra]))


def add_disputes(builder: Builder, officers: list[DemoOfficer]) -> None:
    ids = _DisputeIds(builder.config.month)
    seed_stories = list(_SEED_STORIES)
    for officer in officers:
        stories = list(_STORIES[officer.profile.mediation])
        if officer.profile.mediation is MediationProfile.FEW and seed_stories:
            stories[0] = seed_stories.pop(0)
        elif officer.profile.mediation is MediationProfile.STAR and len(seed_stories) == 1:
            stories[1] = seed_stories.pop(0)
        for story in stories:
            _dispute(builder, officer, ids.next(), story)


def _dispute(builder: Builder, officer: DemoOfficer, dispute_id: str, story: _Story) -> None:
    rng, fake, policy = builder.rng, builder.fake, builder.policy
    badge = officer.badge
    parties = story.parties or (fake.name(), fake.name())
    category = story.category or rng.choice(_DISPUTE_CATEGORIES)
    start = builder.day(last_margin=10)
    when = builder.field_time(start)
    entered = builder.field(
        c.OpenDispute(
            id=dispute_id,
            officer=badge,
            category=category,
            parties=parties,
            occurred_at=when,
            level=story.level,
            physical_conflict=story.physical_conflict,
        ),
        when,
    )
    level = policy.opening_level(story.level, story.physical_conflict)
    if story.outcome == "open":
        return

    def step(command: c.Command, occurred: datetime) -> None:
        nonlocal entered
        entered = builder.field(command, occurred, after=entered)

    if story.escalate_to is not None:
        target = policy.escalation_target(level, story.escalate_to)
        if target is not None:
            when += timedelta(days=1)
            step(
                c.EscalateDispute(
                    dispute=dispute_id,
                    officer=badge,
                    to_level=story.escalate_to,
                    reason="双方情绪激动，需联合司法所、律师会诊",
                    occurred_at=when,
                ),
                when,
            )
            level = target
    when += timedelta(days=rng.randint(1, 3))
    if story.outcome == "failed_referred":
        step(
            c.MediateDispute(
                dispute=dispute_id,
                officer=badge,
                participants=_participants(builder, level),
                outcome=Outcome.FAILED,
                occurred_at=when,
            ),
            when,
        )
        top = policy.top
        if top.rank > level.rank:
            when += timedelta(days=1)
            step(
                c.EscalateDispute(
                    dispute=dispute_id,
                    officer=badge,
                    to_level=top,
                    reason="调解未果，双方分歧较大",
                    occurred_at=when,
                ),
                when,
            )
        when += timedelta(days=1)
        step(
            c.ReferDispute(
                dispute=dispute_id,
                officer=badge,
                to="仙游县人民法院",
                reason="诉前调解未果，引导当事人诉讼",
                occurred_at=when,
            ),
            when,
        )
        return
    step(
        c.MediateDispute(
            dispute=dispute_id,
            officer=badge,
            participants=_participants(builder, level),
            outcome=Outcome.RESOLVED,
            occurred_at=when,
        ),
        when,
    )
    if story.outcome == "flare_up":
        when += timedelta(days=rng.randint(2, 4))
        step(
            c.ReopenDispute(
                dispute=dispute_id,
                officer=badge,
                reason="双方再次因同一问题发生争执",
                occurred_at=when,
            ),
            when,
        )
        level = policy.level_after_reopening(level, 1)
        when += timedelta(days=1)
        step(
            c.MediateDispute(
                dispute=dispute_id,
                officer=badge,
                participants=_participants(builder, level),
                outcome=Outcome.RESOLVED,
                occurred_at=when,
            ),
            when,
        )
    when += timedelta(days=rng.randint(1, 2), hours=2)
    step(
        c.FollowUpDispute(
            dispute=dispute_id,
            officer=badge,
            parties_satisfied=story.satisfied,
            occurred_at=when,
        ),
        when,
    )

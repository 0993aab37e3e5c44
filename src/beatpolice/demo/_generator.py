"""A synthetic police station's month of field work, as the public commands.

The default station is shaped like seed 003's 枫亭派出所 (Fengting): four responsibility
areas (责任区) of three officers, about 1,500 households, venues of every category and
disputes at every level. Everything follows from one integer seed: the officers'
profiles (:mod:`._profiles`), the Chinese names and addresses (Faker's ``zh_CN``
provider, seeded), the field times and the recorded times. Two runs with the same seed
and the same library versions give the same commands and the same recorded times, so
the same appraisal fingerprint.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
from faker import Faker

from beatpolice import commands as c
from beatpolice.demo._profiles import (
    InformationProfile,
    InvestigationProfile,
    MediationProfile,
    OfficerProfile,
    ServiceProfile,
    VisitProfile,
    deal_profiles,
)
from beatpolice.domain.escalation import DEFAULT_POLICY, EscalationPolicy, load_policy
from beatpolice.domain.values import InspectionMode, LeadKind, Level, Outcome, Role, VenueCategory

__all__ = [
    "DEFAULT_MONTH",
    "DEFAULT_SEED",
    "DemoConfig",
    "DemoMonth",
    "DemoOfficer",
    "Entry",
    "generate",
]

DEFAULT_SEED = 3
"""The default seed: 3, after seed 003 (Fengting) whose station the demo is shaped like."""

DEFAULT_MONTH = "2022-05"
"""The month seed 003 describes (its wall-boundary dispute was mediated in early May 2022)."""

MIN_HOUSEHOLDS_PER_OFFICER = 100
"""Below this the visit profiles (plans of 80 and more households) cannot be dealt."""

_CHINESE_NUMERALS = "一二三四五六七八九十"
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
_SERVICE_KINDS = (
    ("id_card_delivery", "上门办理身份证"),
    ("residence_permit", "代办居住证"),
    ("household_transfer", "户口迁移咨询"),
    ("elderly_help", "帮扶独居老人"),
    ("lost_property", "归还遗失物品"),
)
_FINDINGS = {
    "real_name_registration": "未落实旅客实名登记",
    "fire_safety": "消防通道堵塞、灭火器过期",
    "security_duty": "治安防范责任未落实",
    "precursor_ledger": "易制爆危险化学品台账不全",
    "minors_admitted": "违规接纳未成年人上网",
    "gambling": "发现涉赌迹象",
}
_VENUE_MIX: tuple[tuple[VenueCategory, int, tuple[str, ...]], ...] = (
    # category, share of every 20 venues, the finding codes it can get
    (VenueCategory.NINE_SMALL, 10, ("fire_safety", "security_duty")),
    (VenueCategory.HOTEL, 2, ("real_name_registration", "fire_safety")),
    (VenueCategory.ENTERTAINMENT, 2, ("gambling", "fire_safety", "security_duty")),
    (VenueCategory.INTERNET_CAFE, 2, ("minors_admitted", "real_name_registration")),
    (VenueCategory.EXPLOSIVE_PRECURSOR, 1, ("precursor_ledger", "security_duty")),
    (VenueCategory.OTHER, 3, ("security_duty", "fire_safety")),
)
_VENUE_SUFFIX = {
    VenueCategory.NINE_SMALL: ("便利店", "小吃店", "理发店", "五金店", "药店", "小旅社"),
    VenueCategory.HOTEL: ("宾馆", "酒店"),
    VenueCategory.ENTERTAINMENT: ("KTV", "歌舞厅"),
    VenueCategory.INTERNET_CAFE: ("网吧", "网咖"),
    VenueCategory.EXPLOSIVE_PRECURSOR: ("化工有限公司",),
    VenueCategory.OTHER: ("中学", "小学", "鞋业有限公司", "工艺品厂"),
}
_INSPECTION_MODES = {
    VenueCategory.HOTEL: (InspectionMode.ONLINE, InspectionMode.ROUTINE),
    VenueCategory.INTERNET_CAFE: (InspectionMode.ONLINE, InspectionMode.SPOT_CHECK),
    VenueCategory.EXPLOSIVE_PRECURSOR: (InspectionMode.SPOT_CHECK, InspectionMode.ROUTINE),
}


@attrs.frozen(kw_only=True)
class DemoConfig:
    """What synthetic station to make, and which month of it.

    The defaults are Fengting's shape (seed 003). Smaller stations (tests, docs) keep
    the same mix of profiles; each officer needs at least 100 households.
    """

    seed: int = DEFAULT_SEED
    """Everything follows from it; the same seed gives the same month."""
    month: str = DEFAULT_MONTH
    """``YYYY-MM``, cut in ``time_zone``."""
    beats: int = attrs.field(default=4, validator=attrs.validators.in_(range(1, 11)))
    """Responsibility areas (责任区), at most ten."""
    officers_per_beat: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    """Officers per area: seed 003's smallest unit is three."""
    households: int = 1500
    """Households of the station, shared out between the officers."""
    venues: int = attrs.field(default=60, validator=attrs.validators.ge(6))
    """Supervised venues; at least six so that every category appears."""
    station: str = "枫亭派出所"
    """The station's name."""
    time_zone: str = "Asia/Shanghai"
    """Where field times and months are cut."""
    policy: str = DEFAULT_POLICY
    """The escalation policy the station's disputes open under (name or TOML path)."""

    def __attrs_post_init__(self) -> None:
        officers = self.beats * self.officers_per_beat
        if self.households < MIN_HOUSEHOLDS_PER_OFFICER * officers:
            raise ValueError(
                f"households: {officers} officers need at least "
                f"{MIN_HOUSEHOLDS_PER_OFFICER * officers} households "
                f"({MIN_HOUSEHOLDS_PER_OFFICER} each), not {self.households}"
            )
        _month_bounds(self.month)

    @property
    def officers(self) -> int:
        """How many officers the station has."""
        return self.beats * self.officers_per_beat


@attrs.frozen
class DemoOfficer:
    """One synthetic community officer (社区民警) and the month dealt to them."""

    badge: str
    name: str
    beat: str
    profile: OfficerProfile


@attrs.frozen
class Entry:
    """A command and the instant it is entered into the system (recorded time)."""

    recorded_at: datetime
    command: c.Command


@attrs.frozen
class DemoMonth:
    """A generated station month: its officers and every command in recording order."""

    config: DemoConfig
    officers: tuple[DemoOfficer, ...]
    entries: tuple[Entry, ...]
    decided_at: datetime
    """When the bureau decides the month (the appraisal's ``as_of``): the fifth of the
    next month, 09:00; a few entries arrive after it, on purpose."""

    @property
    def late_entries(self) -> int:
        """How many commands are entered after :attr:`decided_at`."""
        return sum(1 for entry in self.entries if entry.recorded_at > self.decided_at)


def _month_bounds(month: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise ValueError(f"month: {month!r} is not YYYY-MM") from error
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


class _Builder:
    """Accumulates entries, keeping each after the entries it depends on."""

    def __init__(self, config: DemoConfig) -> None:
        self.config = config
        self.zone = ZoneInfo(config.time_zone)
        self.rng = random.Random(config.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(config.seed)
        self.policy: EscalationPolicy = load_policy(config.policy)
        self.first, self.last = _month_bounds(config.month)
        self.decided_at = datetime.combine(
            self.last + timedelta(days=5), time(9, 0), tzinfo=self.zone
        )
        self.late_at = self.decided_at + timedelta(days=3, hours=7)
        self.entries: list[tuple[datetime, int, c.Command]] = []

    # --- times ---------------------------------------------------------------------

    def field_time(self, day: int, *, earliest: int = 9, latest: int = 17) -> datetime:
        """A working-hours instant on ``day`` of the month."""
        minutes = self.rng.randrange(earliest * 60, latest * 60)
        return datetime.combine(
            self.first + timedelta(days=day - 1),
            time(minutes // 60, minutes % 60),
            tzinfo=self.zone,
        )

    def entry_time(self, occurred_at: datetime, after: datetime | None = None) -> datetime:
        """Most work is entered the same evening (一日一录), some up to three days later."""
        local = occurred_at.astimezone(self.zone)
        lag = 0 if self.rng.random() < 0.8 else self.rng.randint(1, 3)
        # Entered in one of three evening sittings: a day's entries share an instant,
        # and so a transaction, as a day's data entry does.
        sitting = time(self.rng.choice((20, 21, 22)), 0)
        entered = datetime.combine(local.date() + timedelta(days=lag), sitting, tzinfo=self.zone)
        return max(entered, after) if after is not None else entered

    def day(self, *, last_margin: int = 0) -> int:
        return self.rng.randint(1, self.last.day - last_margin)

    def add(self, recorded_at: datetime, command: c.Command) -> datetime:
        self.entries.append((recorded_at, len(self.entries), command))
        return recorded_at

    def field(
        self, command: c.Command, occurred_at: datetime, after: datetime | None = None
    ) -> datetime:
        return self.add(self.entry_time(occurred_at, after), command)

    def sorted_entries(self) -> tuple[Entry, ...]:
        ordered = sorted(self.entries, key=lambda item: (item[0].astimezone(UTC), item[1]))
        return tuple(Entry(recorded_at=when, command=command) for when, _, command in ordered)


def generate(config: DemoConfig | None = None) -> DemoMonth:
    """Generate a synthetic station month: officers, households, venues and their work.

    Args:
        config: the station's shape and seed (Fengting's shape, seed 3, May 2022 when None).

    Returns:
        The month, its commands ordered by the instant each is entered.

    Examples:
        >>> from beatpolice.demo import DemoConfig, generate
        >>> demo = generate(DemoConfig(beats=1, officers_per_beat=2, households=200, venues=6))
        >>> [officer.badge for officer in demo.officers]
        ['FT101', 'FT102']
        >>> demo.entries[0].command.type
        'enlist_officer'
    """
    config = config or DemoConfig()
    builder = _Builder(config)
    officers = _enlist(builder)
    households = _households(builder)
    shares = _share(households, len(officers))
    for index, officer in enumerate(officers):
        _visits(builder, officer, shares[index])
        _leads(builder, officer)
        _services(builder, officer)
    _disputes(builder, officers)
    _venues(builder, officers)
    return DemoMonth(
        config=config,
        officers=tuple(officers),
        entries=builder.sorted_entries(),
        decided_at=builder.decided_at,
    )


# --- officers and households -------------------------------------------------------------


def _enlist(builder: _Builder) -> list[DemoOfficer]:
    config = builder.config
    profiles = deal_profiles(config.officers, builder.rng)
    enlisted_at = datetime.combine(
        builder.first - timedelta(days=45), time(10, 0), tzinfo=builder.zone
    )
    officers: list[DemoOfficer] = []
    for beat in range(1, config.beats + 1):
        beat_name = f"第{_CHINESE_NUMERALS[beat - 1]}责任区"
        for seat in range(1, config.officers_per_beat + 1):
            officer = DemoOfficer(
                badge=f"FT{beat}{seat:02d}",
                # 林凡 is the community officer seed 003 quotes; the others are Faker's.
                name="林凡" if not officers else builder.fake.name(),
                beat=beat_name,
                profile=profiles[len(officers)],
            )
            officers.append(officer)
            builder.add(
                enlisted_at,
                c.EnlistOfficer(
                    badge=officer.badge, name=officer.name, station=config.station, beat=beat_name
                ),
            )
    return officers


@attrs.frozen
class _Household:
    id: str
    head: str
    address: str
    members: int


def _households(builder: _Builder) -> list[_Household]:
    fake, rng = builder.fake, builder.rng
    result = []
    for number in range(1, builder.config.households + 1):
        result.append(
            _Household(
                id=f"FT-H{number:05d}",
                head=fake.name(),
                address=f"枫亭镇{fake.street_name()}{rng.randint(1, 300)}号",
                members=rng.randint(1, 6),
            )
        )
    return result


def _share(households: list[_Household], officers: int) -> list[list[_Household]]:
    size = len(households) // officers
    return [households[i * size : (i + 1) * size] for i in range(officers)]


# --- visits: plan, visit, follow up --------------------------------------------------------


def _plan_size(builder: _Builder, profile: VisitProfile, pool: int) -> int:
    rng = builder.rng
    if profile is VisitProfile.JUST_UNDER_80:
        return rng.randint(76, 79)
    if profile is VisitProfile.BELOW_MINIMUM:
        return rng.randint(58, 70)
    return rng.randint(82, min(pool - 5, 118))


def _visits(builder: _Builder, officer: DemoOfficer, pool: list[_Household]) -> None:
    rng = builder.rng
    profile = officer.profile.visit
    plan = pool[: _plan_size(builder, profile, len(pool))]
    plan_entered = datetime.combine(builder.first, time(8, 30), tzinfo=builder.zone)
    builder.add(
        plan_entered,
        c.PlanVisits(
            officer=officer.badge,
            month=builder.config.month,
            households=tuple(household.id for household in plan),
        ),
    )
    visited = list(plan)
    late: set[str] = set()
    if profile is VisitProfile.SHORT_OF_PLAN:
        visited = visited[: len(plan) - rng.randint(2, 4)]
    elif profile is VisitProfile.BELOW_MINIMUM:
        visited = visited[: rng.randint(42, 48)]
    elif profile is VisitProfile.LATE_ENTRIES:
        late = {household.id for household in rng.sample(visited, 3)}
    # A few households are visited twice: they still count once.
    revisits = rng.sample(visited, 3) if profile is VisitProfile.STAR else []
    tidy = profile in (
        VisitProfile.STAR,
        VisitProfile.ONE_UNSATISFIED,
        VisitProfile.MISMATCH,
        VisitProfile.RETRACTED_EXTRA,
        VisitProfile.LATE_ENTRIES,
    )
    unsatisfied = rng.choice(visited).id if profile is VisitProfile.ONE_UNSATISFIED else None
    mismatch = rng.choice(visited).id if profile is VisitProfile.MISMATCH else None
    for number, household in enumerate([*visited, *revisits], start=1):
        visit_id = f"V-{officer.badge}-{number:04d}"
        occurred = builder.field_time(builder.day(last_margin=3))
        command = c.RecordVisit(
            id=visit_id,
            officer=officer.badge,
            household=household.id,
            occurred_at=occurred,
            people_match_register=household.id != mismatch,
            notes=f"户主{household.head}，{household.address}，家庭成员{household.members}人",
        )
        if household.id in late and number <= len(visited):
            entered = builder.add(builder.late_at, command)
        else:
            entered = builder.field(command, occurred)
        if not tidy and rng.random() < 0.25:
            continue  # not every visit gets its follow-up call in an untidy month
        called = occurred + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 3))
        satisfied = household.id != unsatisfied and (tidy or rng.random() < 0.95)
        builder.field(
            c.FollowUpVisit(
                visit=visit_id, officer=officer.badge, occurred_at=called, satisfied=satisfied
            ),
            called,
            after=entered,
        )
    if profile is VisitProfile.RETRACTED_EXTRA:
        wrong = pool[len(plan)]
        occurred = builder.field_time(builder.day(last_margin=3))
        visit_id = f"V-{officer.badge}-{len(visited) + len(revisits) + 1:04d}"
        entered = builder.field(
            c.RecordVisit(
                id=visit_id,
                officer=officer.badge,
                household=wrong.id,
                occurred_at=occurred,
                people_match_register=True,
                notes="录入时选错了户",
            ),
            occurred,
        )
        builder.field(
            c.RetractRecord(
                record=visit_id,
                officer=officer.badge,
                reason="录入错误：走访的不是这一户",
                occurred_at=occurred + timedelta(days=1),
            ),
            occurred + timedelta(days=1),
            after=entered,
        )


# --- leads and services ------------------------------------------------------------------


def _leads(builder: _Builder, officer: DemoOfficer) -> None:
    rng, fake = builder.rng, builder.fake
    investigation = officer.profile.investigation
    kinds: list[tuple[LeadKind, str]] = []
    if investigation is InvestigationProfile.CRIMINAL_LEAD:
        kinds += [
            (LeadKind.CRIMINAL_LEAD, f"群众{fake.name()}反映电动车被盗，提供嫌疑人线索")
        ] * rng.randint(1, 2)
    elif investigation is InvestigationProfile.SUSPECT:
        kinds.append((LeadKind.SUSPECT_APPREHENDED, f"协助抓获盗窃嫌疑人{fake.name()}"))
    elif investigation is InvestigationProfile.FUGITIVE:
        kinds.append((LeadKind.FUGITIVE_CAUGHT, f"走访中发现并抓获网上逃犯{fake.name()}"))
    information = officer.profile.information
    total = {
        InformationProfile.STAR: rng.randint(10, 14),
        InformationProfile.NINE: 9,
        InformationProfile.RETRACTED_TENTH: 10,
        InformationProfile.FEW: rng.randint(3, 6),
    }[information]
    topics = (
        "出租屋新增流动人口{n}人，已采集登记",
        "重点人员{name}近期动态正常",
        "群众反映{street}夜间有可疑人员聚集",
        "困难户{name}家中老人需要帮扶",
        "信访人员{name}近期情绪稳定",
    )
    while len(kinds) < total:
        topic = rng.choice(topics).format(
            n=rng.randint(2, 9), name=fake.name(), street=fake.street_name()
        )
        kinds.append((LeadKind.INFORMATION, topic))
    last_information = None
    for number, (kind, summary) in enumerate(kinds, start=1):
        occurred = builder.field_time(builder.day(last_margin=2))
        lead_id = f"L-{officer.badge}-{number:03d}"
        entered = builder.field(
            c.ReportLead(
                id=lead_id, officer=officer.badge, kind=kind, occurred_at=occurred, summary=summary
            ),
            occurred,
        )
        if kind is LeadKind.INFORMATION:
            last_information = (lead_id, occurred, entered)
    if information is InformationProfile.RETRACTED_TENTH and last_information is not None:
        lead_id, occurred, entered = last_information
        retracted = occurred + timedelta(days=1)
        builder.field(
            c.RetractRecord(
                record=lead_id,
                officer=officer.badge,
                reason="与同事上报的信息重复",
                occurred_at=retracted,
            ),
            retracted,
            after=entered,
        )


def _services(builder: _Builder, officer: DemoOfficer) -> None:
    rng = builder.rng
    acknowledged = {
        ServiceProfile.STAR: [True] * rng.randint(3, 5),
        ServiceProfile.TWO_ACKNOWLEDGED: [True, False, True, False],
        ServiceProfile.FEW: [True],
    }[officer.profile.service]
    for number, was_acknowledged in enumerate(acknowledged, start=1):
        kind, _ = rng.choice(_SERVICE_KINDS)
        occurred = builder.field_time(builder.day(last_margin=1))
        builder.field(
            c.RecordService(
                id=f"S-{officer.badge}-{number:03d}",
                officer=officer.badge,
                kind=kind,
                occurred_at=occurred,
                acknowledged=was_acknowledged,
            ),
            occurred,
        )


# --- disputes ------------------------------------------------------------------------------


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

# The two disputes seed 003 tells: a wall-boundary quarrel between neighbours who are
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


def _participants(builder: _Builder, level: Level) -> tuple[Role, ...]:
    # The first set of roles the policy accepts at this level, with the community
    # officer and the village cadres of seed 003's "three gates" (三道关).
    needed = sorted(builder.policy.rule(level).required[0])
    extra = [Role.COMMUNITY_OFFICER, Role.VILLAGE_CADRE]
    return tuple(dict.fromkeys([*needed, *extra]))


def _disputes(builder: _Builder, officers: list[DemoOfficer]) -> None:
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


def _dispute(builder: _Builder, officer: DemoOfficer, dispute_id: str, story: _Story) -> None:
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


# --- venues --------------------------------------------------------------------------------


def _venue_categories(count: int) -> Iterator[tuple[VenueCategory, tuple[str, ...]]]:
    # Every category once first, then the mix in proportion.
    for category, _, codes in _VENUE_MIX:
        yield category, codes
    weighted = [(category, codes) for category, share, codes in _VENUE_MIX for _ in range(share)]
    for index in range(count - len(_VENUE_MIX)):
        yield weighted[index % len(weighted)]


def _venues(builder: _Builder, officers: list[DemoOfficer]) -> None:
    rng, fake = builder.rng, builder.fake
    for number, (category, codes) in enumerate(_venue_categories(builder.config.venues), start=1):
        officer = officers[(number - 1) % len(officers)]
        venue_id = f"P-{number:04d}"
        registered = datetime.combine(
            builder.first - timedelta(days=rng.randint(2, 40)), time(10, 0), tzinfo=builder.zone
        )
        entered = builder.field(
            c.RegisterVenue(
                id=venue_id,
                name=f"{fake.company_prefix()}{rng.choice(_VENUE_SUFFIX[category])}",
                category=category,
                address=f"枫亭镇{fake.street_name()}{rng.randint(1, 300)}号",
                officer=officer.badge,
                occurred_at=registered,
            ),
            registered,
        )
        modes = _INSPECTION_MODES.get(category, (InspectionMode.ROUTINE,))
        findings = 0
        for _ in range(rng.randint(1, 2)):
            when = builder.field_time(builder.day(last_margin=2))
            specs: list[c.FindingSpec] = []
            if rng.random() < 0.3:
                findings += 1
                code = rng.choice(codes)
                specs.append(
                    c.FindingSpec(
                        id=f"F-{number:04d}-{findings}",
                        code=code,
                        description=_FINDINGS[code],
                        rectify_by=when.date() + timedelta(days=rng.choice((5, 7, 10))),
                    )
                )
            entered = builder.field(
                c.InspectVenue(
                    venue=venue_id,
                    officer=officer.badge,
                    mode=rng.choice(modes),
                    occurred_at=when,
                    findings=tuple(specs),
                ),
                when,
                after=entered,
            )
            for spec in specs:
                _verify(builder, venue_id, officer.badge, spec, when, entered)


def _verify(
    builder: _Builder,
    venue_id: str,
    badge: str,
    spec: c.FindingSpec,
    found_at: datetime,
    entered: datetime,
) -> None:
    rng = builder.rng
    checked = datetime.combine(
        spec.rectify_by - timedelta(days=rng.randint(0, 2)), time(15, 0), tzinfo=builder.zone
    )
    if checked.date() > builder.last or rng.random() < 0.2:
        return  # still open at the end of the month (some of them overdue)
    passed = rng.random() < 0.75
    entered = builder.field(
        c.VerifyRectification(
            venue=venue_id, finding=spec.id, officer=badge, passed=passed, occurred_at=checked
        ),
        checked,
        after=entered,
    )
    recheck = checked + timedelta(days=2)
    if not passed and recheck.date() <= builder.last:
        builder.field(
            c.VerifyRectification(
                venue=venue_id, finding=spec.id, officer=badge, passed=True, occurred_at=recheck
            ),
            recheck,
            after=entered,
        )

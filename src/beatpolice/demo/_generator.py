"""A synthetic police station's month of field work, as the public commands.

The default station is shaped like the Fengting article's 枫亭派出所: four responsibility
areas (责任区) of three officers, about 1,500 households, venues of every category and
disputes at every level. Everything follows from one integer seed: the officers'
profiles (:mod:`._profiles`), the Chinese names and addresses (Faker's ``zh_CN``
provider, seeded), the field times and the recorded times. Two runs with the same seed
and the same library versions give the same commands and the same recorded times, so
the same appraisal fingerprint.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import attrs

from beatpolice.demo._day import add_day
from beatpolice.demo._disputes import add_disputes
from beatpolice.demo._month import Builder, DemoConfig, DemoMonth, DemoOfficer
from beatpolice.demo._profiles import (
    InformationProfile,
    InvestigationProfile,
    ServiceProfile,
    VisitProfile,
    deal_profiles,
)
from beatpolice.demo._venues import add_venues
from beatpolice.domain import commands as c
from beatpolice.domain.values import LeadKind

__all__ = ["generate"]

_CHINESE_NUMERALS = "一二三四五六七八九十"
_SERVICE_KINDS = (
    ("id_card_delivery", "上门办理身份证"),
    ("residence_permit", "代办居住证"),
    ("household_transfer", "户口迁移咨询"),
    ("elderly_help", "帮扶独居老人"),
    ("lost_property", "归还遗失物品"),
)


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
    builder = Builder(config)
    officers = _enlist(builder)
    households = _households(builder)
    shares = _share(households, len(officers))
    for index, officer in enumerate(officers):
        _visits(builder, officer, shares[index])
        _leads(builder, officer)
        _services(builder, officer)
    add_disputes(builder, officers)
    add_venues(builder, officers)
    add_day(builder, officers, [household.id for household in households])
    return DemoMonth(
        config=config,
        officers=tuple(officers),
        entries=builder.sorted_entries(),
        decided_at=builder.decided_at,
    )


# --- officers and households -------------------------------------------------------------


def _enlist(builder: Builder) -> list[DemoOfficer]:
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
                # 林凡 is the officer the Fengting article quotes; the others are Faker's.
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


def _households(builder: Builder) -> list[_Household]:
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


def _plan_size(builder: Builder, profile: VisitProfile, pool: int) -> int:
    rng = builder.rng
    if profile is VisitProfile.JUST_UNDER_80:
        return rng.randint(76, 79)
    if profile is VisitProfile.BELOW_MINIMUM:
        return rng.randint(58, 70)
    return rng.randint(82, min(pool - 5, 118))


def _visits(builder: Builder, officer: DemoOfficer, pool: list[_Household]) -> None:
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


def _leads(builder: Builder, officer: DemoOfficer) -> None:
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


def _services(builder: Builder, officer: DemoOfficer) -> None:
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

"""The rest of each demo officer's month: information, patrols, outreach, meetings,
requests, fraud checks, surveys and commendations (the commands of 0.2).

Added after everything else the month holds, from its own random stream, so the
visits, leads, services, disputes and venues of a seed are what they were. Items of
information collected go only to officers who already earn the Information star, and
to a few others short of it: the star each officer earns under ``dezhou-2014`` is the
same under its versions 2014.1 and 2014.2 (ADR 0913).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from beatpolice.demo._month import Builder, DemoOfficer
from beatpolice.demo._profiles import InformationProfile
from beatpolice.domain import commands as c
from beatpolice.domain.rules.fraud_scripts import load_catalogue
from beatpolice.domain.values import Role

__all__ = ["add_day"]

_SUBJECTS = (
    ("person", "floating", "出租屋新入住流动人口{n}人，已登记居住证"),
    ("person", "hardship", "困难户家中老人行动不便，需定期探望"),
    ("building", None, "{street}老旧楼栋消防通道需清理"),
    ("weak_spot", None, "{street}路灯损坏，夜间照明不足"),
    ("sentiment", None, "居民关注小区停车难问题"),
)
_OUTREACH = (
    ("reminder", "wechat_group", "anti_fraud"),
    ("publicity", "notice_board", "anti_fraud"),
    ("lecture", "in_person", "fire_safety"),
    ("publicity", "in_person", "anti_fraud"),
)
_REQUESTS = (
    ("livelihood", "楼道路灯损坏，夜间出行不便"),
    ("hotline", "小区门口车辆乱停影响通行"),
    ("petition", "邻里噪音扰民，多次协商未果"),
    ("in_person", "老人走失求助"),
)


def add_day(builder: Builder, officers: Sequence[DemoOfficer], households: Sequence[str]) -> None:
    """Add each officer's day of 0.2 to the month."""
    rng = random.Random(builder.config.seed * 1_000 + 15)
    catalogue = load_catalogue()
    share = max(len(households) // max(len(officers), 1), 1)
    for index, officer in enumerate(officers):
        mine = households[index * share : (index + 1) * share] or households
        _information(builder, rng, officer, mine)
        _patrols(builder, rng, officer)
        _outreach_and_meetings(builder, rng, officer)
        _requests(builder, rng, officer, mine)
        scripts = catalogue.scripts
        for number in range(rng.randint(0 if index else 1, 2)):  # the first has one
            script = rng.choice(scripts)
            features = rng.sample(script.codes, rng.randint(1, len(script.codes)))
            occurred = builder.field_time(rng.randint(1, builder.last.day - 1))
            builder.field(
                c.AssessFraudRisk(
                    id=f"FR-{officer.badge}-{number + 1:02d}",
                    officer=officer.badge,
                    household=rng.choice(mine),
                    script=script.id,
                    features=tuple(sorted(features)),
                    occurred_at=occurred,
                ),
                occurred,
            )
        _surveys_and_thanks(builder, rng, officer, thanked=index == 0)


def _information(
    builder: Builder, rng: random.Random, officer: DemoOfficer, households: Sequence[str]
) -> None:
    count = {
        InformationProfile.STAR: rng.randint(2, 5),
        InformationProfile.FEW: rng.randint(0, 3),  # 3 to 6 leads: still short of ten
    }.get(officer.profile.information, 0)
    sources = ("officer", "grid_worker", "grid_worker", "volunteer", None)
    for number in range(count):
        subject, category, text = rng.choice(_SUBJECTS)
        occurred = builder.field_time(rng.randint(1, builder.last.day - 1))
        builder.field(
            c.CollectInformation(
                id=f"I-{officer.badge}-{number + 1:03d}",
                officer=officer.badge,
                subject=subject,
                category=category,
                household=rng.choice(households) if subject == "person" else None,
                summary=text.format(n=rng.randint(2, 6), street=builder.fake.street_name()),
                occurred_at=occurred,
                source=rng.choice(sources),
            ),
            occurred,
        )


def _patrols(builder: Builder, rng: random.Random, officer: DemoOfficer) -> None:
    points = tuple(f"{officer.beat}必巡点{n}" for n in range(1, rng.randint(5, 8) + 1))
    plan_day = builder.field_time(1, earliest=8, latest=9)
    builder.field(
        c.PlanPatrols(officer=officer.badge, month=builder.config.month, points=points),
        plan_day,
    )
    for number in range(rng.randint(8, 14)):
        started = builder.field_time(rng.randint(1, builder.last.day - 1), earliest=18, latest=21)
        builder.field(
            c.RecordPatrol(
                id=f"PT-{officer.badge}-{number + 1:03d}",
                officer=officer.badge,
                started_at=started,
                ended_at=started + timedelta(minutes=rng.choice((45, 60, 90, 120))),
                points=tuple(sorted(rng.sample(points, rng.randint(1, 3)))),
                participants=(_helper("volunteer", "grid_worker"), "auxiliary_officer")
                if rng.random() < 0.5
                else ("auxiliary_officer",),
                mode=rng.choice(("foot", "foot", "bicycle", "vehicle")),
            ),
            started,
        )


def _outreach_and_meetings(builder: Builder, rng: random.Random, officer: DemoOfficer) -> None:
    for number in range(rng.randint(2, 4)):
        kind, channel, topic = rng.choice(_OUTREACH)
        occurred = builder.field_time(rng.randint(1, builder.last.day - 1))
        builder.field(
            c.RecordOutreach(
                id=f"O-{officer.badge}-{number + 1:02d}",
                officer=officer.badge,
                kind=kind,
                channel=channel,
                topic=topic,
                reach=rng.randint(30, 400),
                occurred_at=occurred,
            ),
            occurred,
        )
    for number, day in enumerate(range(rng.randint(1, 7), builder.last.day, 7)):
        occurred = builder.field_time(day, earliest=15, latest=16)
        builder.field(
            c.HoldMeeting(
                id=f"M-{officer.badge}-{number + 1:02d}",
                officer=officer.badge,
                kind="police_grid",
                participants=(
                    "community_officer",
                    "grid_worker",
                    _helper("liaison_cadre", "village_cadre"),
                ),
                attendees=rng.randint(5, 12),
                summary="警格网格例会：通报本周社情，分派走访任务",
                occurred_at=occurred,
            ),
            occurred,
        )


def _helper(wanted: str, otherwise: str) -> str:
    """``wanted`` if it is a participant role of this version, else ``otherwise``."""
    return wanted if wanted in {role.value for role in Role} else otherwise


def _requests(
    builder: Builder, rng: random.Random, officer: DemoOfficer, households: Sequence[str]
) -> None:
    for number in range(rng.randint(1, 4)):
        channel, summary = rng.choice(_REQUESTS)
        received = builder.field_time(rng.randint(1, builder.last.day - 3))
        request = f"R-{officer.badge}-{number + 1:02d}"
        entered = builder.field(
            c.ReceiveRequest(
                id=request,
                officer=officer.badge,
                channel=channel,
                summary=summary,
                occurred_at=received,
                household=rng.choice(households),
            ),
            received,
        )
        if rng.random() < 0.8:  # most are answered within days; a few stay open
            answered = received + timedelta(days=rng.randint(0, 3), hours=2)
            builder.field(
                c.AnswerRequest(
                    request=request,
                    officer=officer.badge,
                    outcome=rng.choice(
                        ("resolved", "resolved", "helped_beyond_remit", "referred")
                    ),
                    occurred_at=answered,
                ),
                answered,
                after=entered,
            )


def _surveys_and_thanks(
    builder: Builder, rng: random.Random, officer: DemoOfficer, *, thanked: bool
) -> None:
    for number, kind in enumerate(("satisfaction", "security", "knows_officer")):
        respondents = rng.randint(20, 60)
        occurred = builder.field_time(rng.randint(10, builder.last.day - 1))
        builder.field(
            c.RecordSurvey(
                id=f"SV-{officer.badge}-{number + 1:02d}",
                officer=officer.badge,
                kind=kind,
                respondents=respondents,
                positive=respondents - rng.randint(0, respondents // 5),
                occurred_at=occurred,
            ),
            occurred,
        )
    if rng.random() < 0.4 or thanked:
        occurred = builder.field_time(rng.randint(1, builder.last.day - 1))
        builder.field(
            c.ReceiveCommendation(
                id=f"CM-{officer.badge}-01",
                officer=officer.badge,
                kind=rng.choice(("letter", "banner", "hotline_praise")),
                occurred_at=occurred,
                giver=builder.fake.name(),
            ),
            occurred,
        )

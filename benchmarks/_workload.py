"""Synthetic station workloads: JSON-lines files of realistic, always-valid commands.

A workload is what a city's station systems send in a stretch of time, in recording
order: every officer is enlisted and given a monthly visit plan (走访计划), then the days
follow one another, each officer visiting households (入户走访) and following some of them
up (回访), rendering services (服务群众), reporting leads (线索), now and then retracting a
record, opening and mediating disputes (矛盾纠纷) and inspecting the venues (场所) in the
beat. Proportions follow a city's figures: about 210 events per officer and month, three
quarters of them visits and follow-ups (see docs/explanation/performance.md).

The generator keeps enough state to send only commands the station accepts (a dispute is
mediated only while open and with the participants its level requires; a finding is
verified only once it is rectified), so that every line of a workload records events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Workload", "officer_history", "write_officer_history", "write_workload"]

BEIJING = timezone(timedelta(hours=8))
START = date(2014, 1, 1)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英翠红建华玉兰志强国庆海燕春梅"
_DISTRICTS = ("德城区", "陵城区", "禹城市", "乐陵市", "临邑县", "平原县", "夏津县", "武城县")
_STREETS = ("新湖街道", "新华街道", "天衢街道", "广川街道", "运河街道", "宋官屯街道", "长河街道")
_VISIT_NOTES = (
    "人户一致，无异常。",
    "人户一致，宣传防诈骗知识。",
    "户主外出务工，与其家属核实人口信息。",
    "新增出租屋一处，已登记租客信息。",
    "独居老人，已留联系电话。",
    "发现流动人口两人，已录入系统。",
)
_LEAD_SUMMARIES = (
    "群众反映小区内有可疑人员夜间出入车库。",
    "网吧内发现疑似在逃人员，已通知所领导。",
    "掌握一条电信诈骗窝点线索，已移交刑警队。",
    "协助抓获盗窃电动车嫌疑人一名。",
    "获取一条涉毒信息，已上报。",
)
_SERVICE_KINDS = (
    "id_card_delivery",
    "household_registration",
    "residence_permit",
    "lost_property_returned",
    "elderly_assistance",
)
_DISPUTE_CATEGORIES = ("邻里纠纷", "婚姻家庭纠纷", "土地纠纷", "物业纠纷", "劳资纠纷", "债务纠纷")
_VENUE_KINDS = (
    ("hotel", "宾馆"),
    ("internet_cafe", "网吧"),
    ("entertainment", "KTV"),
    ("nine_small", "小餐馆"),
    ("explosive_precursor", "化工门市"),
    ("other", "废品收购站"),
)
_FINDING_CODES = (
    ("FIRE-01", "消防通道堆放杂物，需立即清理。"),
    ("REG-02", "旅客住宿登记信息不全。"),
    ("ID-03", "上网人员未实名登记。"),
    ("EXT-04", "灭火器过期未更换。"),
)
_ROLES_FOR_LEVEL = {
    "blue": (("grid_worker",), ("community_officer", "grid_worker")),
    "yellow": (("community_officer", "judicial_office", "lawyer"),),
    "red": (("police_station", "judicial_office", "lawyer", "court"),),
}
_NEXT_LEVEL = {"blue": "yellow", "yellow": "red"}


@dataclass
class Workload:
    """A written workload: where it is and what it holds."""

    path: Path
    lines: int = 0
    events: int = 0
    """How many events ingesting it records (every line is valid)."""
    officers: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


@dataclass
class _Dispute:
    key: str
    officer: str
    level: str
    status: str = "open"
    reopenings: int = 0


@dataclass
class _Venue:
    key: str
    officer: str
    open_findings: list[str] = field(default_factory=list)
    next_finding: int = 0


@dataclass
class _Officer:
    badge: str
    households: tuple[str, ...]
    visits: list[str] = field(default_factory=list)
    records: int = 0
    venues: list[_Venue] = field(default_factory=list)


class _Generator:
    def __init__(self, officers: int, seed: int) -> None:
        self.random = random.Random(seed)
        self.officers = [self._officer(number) for number in range(1, officers + 1)]
        self.disputes: list[_Dispute] = []
        self.dispute_count = 0

    def _name(self) -> str:
        given = "".join(self.random.choice(_GIVEN) for _ in range(self.random.choice((1, 2))))
        return self.random.choice(_SURNAMES) + given

    def _officer(self, number: int) -> _Officer:
        district = _DISTRICTS[number % len(_DISTRICTS)]
        street = _STREETS[number % len(_STREETS)]
        households = tuple(
            f"{district}{street}{number}号院{building}号楼{unit}单元{room}"
            for building in range(1, 4)
            for unit in range(1, 4)
            for room in (
                101,
                102,
                201,
                202,
                301,
                302,
                401,
                402,
                501,
                502,
                601,
                602,
                701,
                702,
                801,
                802,
                901,
            )
        )
        return _Officer(badge=f"D{number:05d}", households=households)

    @staticmethod
    def _when(day: date, minute: int) -> str:
        moment = datetime(day.year, day.month, day.day, 8, 0, tzinfo=BEIJING)
        return (moment + timedelta(minutes=minute)).isoformat()

    def enlist(self) -> Iterator[tuple[dict[str, Any], int]]:
        for officer in self.officers:
            number = int(officer.badge[1:])
            yield (
                {
                    "type": "enlist_officer",
                    "badge": officer.badge,
                    "name": self._name(),
                    "station": f"德州市公安局{_STREETS[number % len(_STREETS)]}派出所",
                    "beat": f"第{number}责任区",
                },
                1,
            )
            for index in range(self.random.choice((2, 3, 3, 4))):
                kind, label = _VENUE_KINDS[(number + index) % len(_VENUE_KINDS)]
                venue = _Venue(key=f"V-{officer.badge}-{index}", officer=officer.badge)
                officer.venues.append(venue)
                yield (
                    {
                        "type": "register_venue",
                        "id": venue.key,
                        "name": f"{self._name()}{label}",
                        "category": kind,
                        "address": officer.households[index * 5][:-3] + "底商",
                        "officer": officer.badge,
                        "occurred_at": self._when(START, index),
                    },
                    1,
                )

    def plan(self, month: date) -> Iterator[tuple[dict[str, Any], int]]:
        for officer in self.officers:
            yield (
                {
                    "type": "plan_visits",
                    "officer": officer.badge,
                    "month": f"{month.year:04d}-{month.month:02d}",
                    "households": list(officer.households),
                },
                1,
            )

    def day(self, day: date) -> Iterator[tuple[dict[str, Any], int]]:
        """One working day of every officer, officers interleaved as the day goes."""
        per_officer = [self._officer_day(officer, day) for officer in self.officers]
        while per_officer:
            still = []
            for commands in per_officer:
                command = next(commands, None)
                if command is not None:
                    still.append(commands)
                    yield command
            per_officer = still

    def _officer_day(self, officer: _Officer, day: date) -> Iterator[tuple[dict[str, Any], int]]:
        rnd = self.random
        minute = 0
        for _ in range(rnd.choice((5, 6, 7, 7, 8))):
            minute += rnd.randint(5, 40)
            officer.records += 1
            visit = f"{officer.badge}-R{officer.records}"
            officer.visits.append(visit)
            command: dict[str, Any] = {
                "type": "record_visit",
                "id": visit,
                "officer": officer.badge,
                "household": rnd.choice(officer.households),
                "occurred_at": self._when(day, minute),
                "people_match_register": rnd.random() < 0.93,
            }
            if rnd.random() < 0.6:
                command["notes"] = rnd.choice(_VISIT_NOTES)
            yield command, 1
        for _ in range(self._poisson(2.1)):
            if not officer.visits:
                break
            minute += rnd.randint(1, 10)
            visit = officer.visits.pop(rnd.randrange(len(officer.visits)))
            yield (
                {
                    "type": "follow_up_visit",
                    "visit": visit,
                    "officer": officer.badge,
                    "occurred_at": self._when(day, minute),
                    "satisfied": rnd.random() < 0.95,
                },
                1,
            )
        yield from self._officer_extras(officer, day, minute)

    def _officer_extras(
        self, officer: _Officer, day: date, minute: int
    ) -> Iterator[tuple[dict[str, Any], int]]:
        rnd = self.random
        if rnd.random() < 0.45:
            officer.records += 1
            yield (
                {
                    "type": "record_service",
                    "id": f"{officer.badge}-R{officer.records}",
                    "officer": officer.badge,
                    "kind": rnd.choice(_SERVICE_KINDS),
                    "occurred_at": self._when(day, minute + 3),
                    "acknowledged": rnd.random() < 0.8,
                },
                1,
            )
        if rnd.random() < 0.14:
            officer.records += 1
            yield (
                {
                    "type": "report_lead",
                    "id": f"{officer.badge}-R{officer.records}",
                    "officer": officer.badge,
                    "kind": rnd.choice(
                        (
                            "criminal_lead",
                            "information",
                            "information",
                            "suspect_apprehended",
                            "fugitive_caught",
                        )
                    ),
                    "occurred_at": self._when(day, minute + 5),
                    "summary": rnd.choice(_LEAD_SUMMARIES),
                },
                1,
            )
        if rnd.random() < 0.04 and officer.visits:
            yield (
                {
                    "type": "retract_record",
                    "record": officer.visits.pop(),
                    "officer": officer.badge,
                    "reason": "录入重复，撤回。",
                    "occurred_at": self._when(day, minute + 7),
                },
                1,
            )
        yield from self._dispute_work(officer, day, minute + 10)
        yield from self._venue_work(officer, day, minute + 20)

    def _dispute_work(
        self, officer: _Officer, day: date, minute: int
    ) -> Iterator[tuple[dict[str, Any], int]]:
        rnd = self.random
        when = self._when(day, minute)
        if rnd.random() < 0.14:
            self.dispute_count += 1
            conflict = rnd.random() < 0.1
            level = rnd.choice(("blue", "blue", "blue", "yellow"))
            dispute = _Dispute(
                key=f"M{self.dispute_count}",
                officer=officer.badge,
                level="yellow" if conflict and level == "blue" else level,
            )
            self.disputes.append(dispute)
            yield (
                {
                    "type": "open_dispute",
                    "id": dispute.key,
                    "officer": officer.badge,
                    "category": rnd.choice(_DISPUTE_CATEGORIES),
                    "parties": [self._name(), self._name() + "家"],
                    "occurred_at": when,
                    "level": level,
                    "physical_conflict": conflict,
                },
                1,
            )
        mine = [d for d in self.disputes[-400:] if d.officer == officer.badge]
        if not mine or rnd.random() > 0.35:
            return
        dispute = rnd.choice(mine)
        base = {"dispute": dispute.key, "officer": officer.badge, "occurred_at": when}
        if dispute.status == "open":
            roll = rnd.random()
            if roll < 0.1 and dispute.level in _NEXT_LEVEL:
                dispute.level = _NEXT_LEVEL[dispute.level]
                yield (
                    {
                        "type": "escalate_dispute",
                        **base,
                        "to_level": dispute.level,
                        "reason": "双方情绪激动，矛盾有激化苗头。",
                    },
                    1,
                )
            elif roll < 0.14:
                dispute.status = "referred"
                yield (
                    {
                        "type": "refer_dispute",
                        **base,
                        "to": "区矛盾纠纷调处中心",
                        "reason": "涉及多个部门，需上级协调。",
                    },
                    1,
                )
            else:
                resolved = roll < 0.85
                participants = rnd.choice(_ROLES_FOR_LEVEL[dispute.level])
                if resolved:
                    dispute.status = "resolved"
                yield (
                    {
                        "type": "mediate_dispute",
                        **base,
                        "participants": list(participants),
                        "outcome": "resolved" if resolved else "failed",
                    },
                    2 if resolved else 1,
                )
        elif dispute.status == "resolved" and rnd.random() < 0.7:
            dispute.status = "followed"
            yield (
                {"type": "follow_up_dispute", **base, "parties_satisfied": rnd.random() < 0.9},
                1,
            )
        elif dispute.status in ("resolved", "followed", "referred") and rnd.random() < 0.05:
            dispute.status = "open"
            dispute.reopenings += 1
            raised = dispute.reopenings % 2 == 0 and dispute.level in _NEXT_LEVEL
            if raised:
                dispute.level = _NEXT_LEVEL[dispute.level]
            yield (
                {"type": "reopen_dispute", **base, "reason": "双方再次发生争执。"},
                2 if raised else 1,
            )

    def _venue_work(
        self, officer: _Officer, day: date, minute: int
    ) -> Iterator[tuple[dict[str, Any], int]]:
        rnd = self.random
        if rnd.random() > 0.18 or not officer.venues:
            return
        venue = rnd.choice(officer.venues)
        when = self._when(day, minute)
        if venue.open_findings and rnd.random() < 0.6:
            finding = venue.open_findings[0]
            passed = rnd.random() < 0.8
            if passed:
                venue.open_findings.pop(0)
            yield (
                {
                    "type": "verify_rectification",
                    "venue": venue.key,
                    "finding": finding,
                    "officer": officer.badge,
                    "passed": passed,
                    "occurred_at": when,
                },
                1,
            )
            return
        findings = []
        for _ in range(rnd.choice((0, 0, 0, 1, 1, 2))):
            venue.next_finding += 1
            code, description = rnd.choice(_FINDING_CODES)
            finding_id = f"{venue.key}-F{venue.next_finding}"
            venue.open_findings.append(finding_id)
            findings.append(
                {
                    "id": finding_id,
                    "code": code,
                    "description": description,
                    "rectify_by": (day + timedelta(days=15)).isoformat(),
                }
            )
        yield (
            {
                "type": "inspect_venue",
                "venue": venue.key,
                "officer": officer.badge,
                "mode": rnd.choice(("online", "routine", "routine", "spot_check")),
                "occurred_at": when,
                "findings": findings,
            },
            1 + len(findings),
        )

    def _poisson(self, mean: float) -> int:
        limit, count, product = pow(2.718281828459045, -mean), 0, self.random.random()
        while product > limit:
            count += 1
            product *= self.random.random()
        return count


def _days() -> Iterator[date]:
    day = START
    while True:
        yield day
        day += timedelta(days=1)


def _commands(officers: int, seed: int) -> Iterator[tuple[dict[str, Any], int]]:
    generator = _Generator(officers, seed)
    yield from generator.enlist()
    month = None
    for day in _days():
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            yield from generator.plan(day)
        if day.weekday() < 6:  # community officers work six days a week
            yield from generator.day(day)


def write_workload(path: Path, *, events: int, officers: int = 600, seed: int = 2014) -> Workload:
    """Write a workload of about ``events`` events by ``officers`` officers to ``path``.

    The file stops at the first line that reaches ``events``, so it records exactly
    ``Workload.events`` events, at least ``events``.
    """
    workload = Workload(path=path, officers=officers)
    with path.open("wb") as out:
        for command, count in _commands(officers, seed):
            out.write(orjson.dumps(command) + b"\n")
            workload.lines += 1
            # the first dispute also records its escalation policy in the store
            first_dispute = command["type"] == "open_dispute" and not workload.by_type.get(
                "open_dispute"
            )
            workload.events += count + first_dispute
            workload.by_type[command["type"]] = workload.by_type.get(command["type"], 0) + 1
            if workload.events >= events:
                break
    return workload


def officer_history(events: int, *, badge: str = "D90001") -> Iterator[dict[str, Any]]:
    """The commands that give one officer exactly ``events`` events (visits mostly)."""
    yield {
        "type": "enlist_officer",
        "badge": badge,
        "name": "薛翠翠",
        "station": "德州市公安局新湖派出所",
        "beat": "第一责任区",
    }
    made = 1
    day = START
    while made < events:
        for minute in range(0, 600, 20):
            if made >= events:
                return
            made += 1
            number = made
            if number % 10 == 0:
                yield {
                    "type": "follow_up_visit",
                    "visit": f"{badge}-V{number - 1}",
                    "officer": badge,
                    "occurred_at": _Generator._when(day, minute),
                    "satisfied": True,
                }
            else:
                yield {
                    "type": "record_visit",
                    "id": f"{badge}-V{number}",
                    "officer": badge,
                    "household": f"德城区新湖街道{number % 97}号楼{number % 6 + 1}单元",
                    "occurred_at": _Generator._when(day, minute),
                    "people_match_register": True,
                    "notes": "人户一致，无异常。",
                }
        day += timedelta(days=1)


def write_officer_history(path: Path, *, events: int, badge: str = "D90001") -> Workload:
    """Write the commands of :func:`officer_history` as a JSON-lines file."""
    workload = Workload(path=path, officers=1)
    with path.open("wb") as out:
        for command in officer_history(events, badge=badge):
            out.write(orjson.dumps(command) + b"\n")
            workload.lines += 1
            workload.events += 1
            workload.by_type[command["type"]] = workload.by_type.get(command["type"], 0) + 1
    return workload

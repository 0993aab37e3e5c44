"""A small station history for the fault test: always-valid commands touching every registry.

Officers are enlisted and given a monthly plan; then, day by day, each officer visits
households and follows some visits up, reports leads, renders services, retracts a
record now and then, opens disputes and mediates, escalates or refers them, and inspects
the venues of the beat, with findings later verified. The generator keeps just enough
state to send only commands the station accepts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

__all__ = ["commands"]

BEIJING = timezone(timedelta(hours=8))
START = date(2014, 1, 1)


def _at(day: date, minute: int) -> str:
    moment = datetime(day.year, day.month, day.day, 8, tzinfo=BEIJING) + timedelta(minutes=minute)
    return moment.isoformat()


def commands(*, events: int, officers: int, seed: int) -> Iterator[dict[str, Any]]:
    """Commands recording about ``events`` events (each command records one or two)."""
    rng = random.Random(seed)
    badges = [f"F{n:04d}" for n in range(officers)]
    recorded = 0
    for badge in badges:
        yield {"type": "enlist_officer", "badge": badge, "name": f"民警{badge}",
               "station": "新湖派出所", "beat": f"{badge}区"}  # fmt: skip
        yield {"type": "register_venue", "id": f"P-{badge}", "name": "网吧",
               "category": "internet_cafe", "address": "新湖大街", "officer": badge,
               "occurred_at": _at(START, 0)}  # fmt: skip
        recorded += 2
    visits: dict[str, list[str]] = {badge: [] for badge in badges}
    disputes: dict[str, list[str]] = {badge: [] for badge in badges}
    findings: dict[str, list[str]] = {badge: [] for badge in badges}
    planned: set[tuple[str, str]] = set()
    serial = 0
    day = START
    while recorded < events:
        month = f"{day.year:04d}-{day.month:02d}"
        for badge in badges:
            if (badge, month) not in planned:
                planned.add((badge, month))
                households = sorted({f"{badge}-{rng.randrange(60)}" for _ in range(30)})
                yield {"type": "plan_visits", "officer": badge, "month": month,
                       "households": households}  # fmt: skip
                recorded += 1
            for minute in range(0, 60, 10):
                serial += 1
                when = _at(day, minute + rng.randrange(10))
                roll = rng.random()
                if roll < 0.55:
                    key = f"V{serial}"
                    visits[badge].append(key)
                    yield {"type": "record_visit", "id": key, "officer": badge,
                           "household": f"{badge}-{rng.randrange(60)}", "occurred_at": when,
                           "people_match_register": rng.random() < 0.9}  # fmt: skip
                elif roll < 0.7 and visits[badge]:
                    followed = visits[badge].pop(rng.randrange(len(visits[badge])))
                    yield {"type": "follow_up_visit", "visit": followed,
                           "officer": badge, "occurred_at": when,
                           "satisfied": rng.random() < 0.8}  # fmt: skip
                elif roll < 0.75:
                    yield {"type": "report_lead", "id": f"L{serial}", "officer": badge,
                           "kind": "information", "occurred_at": when,
                           "summary": "线索"}  # fmt: skip
                elif roll < 0.8:
                    yield {"type": "record_service", "id": f"S{serial}", "officer": badge,
                           "kind": "id_card_delivery", "occurred_at": when,
                           "acknowledged": True}  # fmt: skip
                elif roll < 0.83 and visits[badge]:
                    record = visits[badge].pop(rng.randrange(len(visits[badge])))
                    yield {"type": "retract_record", "record": record, "officer": badge,
                           "reason": "录入错误", "occurred_at": when}  # fmt: skip
                elif roll < 0.88:
                    key = f"D{serial}"
                    disputes[badge].append(key)
                    yield {"type": "open_dispute", "id": key, "officer": badge,
                           "category": "邻里纠纷", "parties": ["张三", "李四"],
                           "occurred_at": when, "level": "blue"}  # fmt: skip
                elif roll < 0.93 and disputes[badge]:
                    key = disputes[badge].pop(0)
                    if rng.random() < 0.8:
                        yield {"type": "mediate_dispute", "dispute": key, "officer": badge,
                               "participants": ["grid_worker"], "outcome": "resolved",
                               "occurred_at": when}  # fmt: skip
                        recorded += 1  # MediationHeld and DisputeResolved
                    else:
                        yield {"type": "refer_dispute", "dispute": key, "officer": badge,
                               "to": "街道", "reason": "上交", "occurred_at": when}  # fmt: skip
                elif roll < 0.97 or not findings[badge]:
                    key = f"F{serial}"
                    found = rng.random() < 0.3
                    if found:
                        findings[badge].append(key)
                    yield {"type": "inspect_venue", "venue": f"P-{badge}", "officer": badge,
                           "mode": rng.choice(["online", "routine", "spot_check"]),
                           "occurred_at": when,
                           "findings": [{"id": key, "code": "ID-03", "description": "未实名",
                                         "rectify_by": (day + timedelta(days=10)).isoformat()}]
                           if found else []}  # fmt: skip
                    recorded += int(found)
                else:
                    yield {"type": "verify_rectification", "venue": f"P-{badge}",
                           "finding": findings[badge].pop(0), "officer": badge,
                           "passed": True, "occurred_at": when}  # fmt: skip
                recorded += 1
        day += timedelta(days=1)

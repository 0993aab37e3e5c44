"""The demo's venues: every category, their inspections, findings and re-checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from beatpolice.demo._month import Builder, DemoOfficer
from beatpolice.domain import commands as c
from beatpolice.domain.values import InspectionMode, VenueCategory

__all__ = ["add_venues"]

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


def _venue_categories(count: int) -> Iterator[tuple[VenueCategory, tuple[str, ...]]]:
    # Every category once first, then the mix in proportion.
    for category, _, codes in _VENUE_MIX:
        yield category, codes
    weighted = [(category, codes) for category, share, codes in _VENUE_MIX for _ in range(share)]
    for index in range(count - len(_VENUE_MIX)):
        yield weighted[index % len(weighted)]


def add_venues(builder: Builder, officers: list[DemoOfficer]) -> None:
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
    builder: Builder,
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

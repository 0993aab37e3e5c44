"""The demo's model: what station to make, what was made, and the builder of its entries.

:class:`DemoConfig` says what synthetic station to make; :class:`DemoMonth` holds what
:func:`beatpolice.demo.generate` made. ``Builder`` carries the seeded random sources
and keeps each entry after the entries it depends on; the generators of officers and
households (``_generator``), disputes (``_disputes``) and venues (``_venues``) add to it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
from faker import Faker

from beatpolice.demo._profiles import OfficerProfile
from beatpolice.domain import commands as c
from beatpolice.domain.rules.escalation import DEFAULT_POLICY, EscalationPolicy, load_policy

__all__ = [
    "DEFAULT_MONTH",
    "DEFAULT_SEED",
    "MIN_HOUSEHOLDS_PER_OFFICER",
    "Builder",
    "DemoConfig",
    "DemoMonth",
    "DemoOfficer",
    "Entry",
]

DEFAULT_SEED = 3
"""The default seed: 3, after the Fengting article, whose station the demo is shaped like."""

DEFAULT_MONTH = "2022-05"
"""The month the Fengting article describes (its wall-boundary dispute was mediated in May)."""

MIN_HOUSEHOLDS_PER_OFFICER = 100
"""Below this the visit profiles (plans of 80 and more households) cannot be dealt."""


@attrs.frozen(kw_only=True)
class DemoConfig:
    """What synthetic station to make, and which month of it.

    The defaults are Fengting's shape (the Fengting article). Smaller stations (tests, docs) keep
    the same mix of profiles; each officer needs at least 100 households.
    """

    seed: int = DEFAULT_SEED
    """Everything follows from it; the same seed gives the same month."""
    month: str = DEFAULT_MONTH
    """``YYYY-MM``, cut in ``time_zone``."""
    beats: int = attrs.field(default=4, validator=attrs.validators.in_(range(1, 11)))
    """Responsibility areas (责任区), at most ten."""
    officers_per_beat: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    """Officers per area: the Fengting article's smallest unit is three."""
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


class Builder:
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

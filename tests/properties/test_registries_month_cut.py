"""The fast month cut of the registries agrees with a plain conversion to the zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from beatpolice.projections.registries._common import MonthCut, month_of

ZONES = ("Asia/Shanghai", "UTC", "America/Havana", "Europe/Berlin", "Australia/Lord_Howe")
"""Havana changes its clocks at midnight; Lord Howe by half an hour."""

offsets = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@given(
    zone=st.sampled_from(ZONES),
    asked=st.lists(st.tuples(moments, offsets), min_size=1, max_size=40),
)
def test_month_cut_equals_converting_each_time(
    zone: str, asked: list[tuple[datetime, timezone]]
) -> None:
    cut = MonthCut(zone)
    for moment, offset in asked:
        local = moment.astimezone(offset)
        assert cut(local) == month_of(local, zone)
        assert cut(local) == month_of(local, zone)  # asked again: remembered, same answer


@given(zone=st.sampled_from(ZONES), month=st.integers(0, 12 * 40 - 1))
def test_month_cut_at_the_edges_of_a_month(zone: str, month: int) -> None:
    cut = MonthCut(zone)
    year, index = divmod(month, 12)
    start = datetime(1995 + year, index + 1, 1, tzinfo=UTC)
    for moment in (start - timedelta(hours=15), start, start + timedelta(hours=15)):
        for tick in (timedelta(0), timedelta(microseconds=-1), timedelta(minutes=30)):
            assert cut(moment + tick) == month_of(moment + tick, zone)

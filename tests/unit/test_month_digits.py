"""A month is written in ASCII digits: other scripts' digits are refused, as the schema does."""

from __future__ import annotations

import pytest

import beatpolice
from beatpolice.domain.values import parse_month


@pytest.mark.parametrize("month", ["201٤-01", "２０１４-01", "2014-0١", "2014-01\n"])
def test_a_month_in_other_digits_is_refused(month: str) -> None:
    station = beatpolice.connect("memory://")
    station.enlist_officer(badge="D1", name="薛翠翠", station="德州", beat="一区")

    with pytest.raises(beatpolice.InvalidCommandError, match="month"):
        station.plan_visits(officer="D1", month=month, households=["H1"])
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(month)

"""The memo of a settled period (ADR 0283) never changes a report: it only saves the work.

Each appraisal is compared with the same period decided afresh from the same index
(``read_period`` and ``decide``, no memo), byte for byte, while records, late
follow-ups and dispute follow-ups keep arriving in and around the month.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import beatpolice
from beatpolice import appraise
from beatpolice.appraisal import load_rules
from beatpolice.projections.appraisal import _engine
from beatpolice.projections.appraisal._decide import decide
from beatpolice.projections.appraisal._index import AppraisalIndex, utc_text
from beatpolice.projections.appraisal._memo import MEMO_TABLE
from beatpolice.projections.appraisal._read import period_of, read_period
from beatpolice.projections.log_checkpoint import with_log
from beatpolice.testing.month_examples import enlist, mediations, record, visits

T0 = datetime(2014, 3, 3, tzinfo=UTC)
"""The recording clock at first: after every field time the tests record."""
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def _afresh(station: beatpolice.Station, month: str, rules: str, as_of: datetime) -> str:
    """The report decided from the index without the memo, as ``appraise`` would make it."""
    rule_set = load_rules(rules)
    period = period_of(month, station.time_zone, rule_set)
    moment = station.clock() if station.clock is not None else FAR
    as_of = as_of.astimezone(ZoneInfo(station.time_zone))
    read = read_period(station.view_store, period, utc_text(as_of))
    report = decide(
        read,
        rules=rule_set,
        period=period,
        time_zone=station.time_zone,
        as_of=as_of,
        moment=moment,
    )
    return with_log(station, report).to_json()


def _memo_keys(station: beatpolice.Station) -> list[str]:
    return [key for key, _ in station.view_store.scan(AppraisalIndex.name, MEMO_TABLE)]


@pytest.fixture
def station() -> Iterator[beatpolice.Station]:
    now = [T0]
    with beatpolice.connect("memory://", clock=lambda: now[0]) as opened:
        record(opened, enlist("D0001", "薛翠翠") + enlist("D0002", "王建国"))
        record(opened, visits("D0001", "2014-01", 12, follow_ups=4))
        record(opened, mediations("D0002", "2014-01", 3, without_follow_up=2))
        yield opened


@pytest.fixture
def undecided(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the periods the engine decides afresh (not from the memo)."""
    calls: list[int] = []
    decide_officers = _engine.officers_of

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return decide_officers(*args, **kwargs)

    monkeypatch.setattr(_engine, "officers_of", counted)
    return calls


def test_a_settled_month_is_served_by_its_memo(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    first = appraise(station, month="2014-01", as_of=FAR)
    again = appraise(station, month="2014-01", as_of=FAR + timedelta(days=1))
    third = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 1
    assert len(_memo_keys(station)) == 1
    assert third.to_json() == first.to_json()
    assert again.officers == first.officers
    assert again.fingerprint != first.fingerprint  # as_of is in the report's fingerprint
    assert again.to_json() == _afresh(station, "2014-01", "dezhou-2014", FAR + timedelta(days=1))


def test_a_record_filed_in_the_month_later_is_read_afresh(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    before = appraise(station, month="2014-01", as_of=FAR)
    record(station, visits("D0002", "2014-01", 3, prefix="late"))
    after = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert after.officer("D0002").metrics != before.officer("D0002").metrics
    assert after.to_json() == _afresh(station, "2014-01", "dezhou-2014", FAR)


def test_a_dispute_followed_up_months_later_is_read_afresh(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    before = appraise(station, month="2014-01", as_of=FAR)
    late = {
        "type": "follow_up_dispute",
        "dispute": "DSP2",
        "officer": "D0002",
        "parties_satisfied": True,
        "occurred_at": "2014-02-02T09:00:00+08:00",
    }
    record(station, [late])
    after = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert after.officer("D0002").fingerprint != before.officer("D0002").fingerprint
    assert after.to_json() == _afresh(station, "2014-01", "dezhou-2014", FAR)


def test_an_index_changed_behind_the_folds_back_is_read_afresh(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    before = appraise(station, month="2014-01", as_of=FAR)
    store = station.view_store
    name = AppraisalIndex.name
    (key, document), *_ = store.scan(name, "facts", "2014-01/D0001/")
    position, version = store.position(name)
    assert version is not None
    gutted = {**document, "f": document["f"][:1]}
    store.commit(name, version, {("facts", key): gutted}, position, position)  # same position

    after = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert after.officer("D0001").metrics != before.officer("D0001").metrics
    assert after.to_json() == _afresh(station, "2014-01", "dezhou-2014", FAR)


def test_records_of_another_month_leave_the_memo_standing(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    first = appraise(station, month="2014-01", as_of=FAR)
    record(station, visits("D0001", "2014-02", 5, prefix="feb"))
    again = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 1
    assert again.officers == first.officers


def test_an_as_of_before_the_months_last_record_is_decided_and_not_remembered(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    early = T0 - timedelta(seconds=1)  # before every record was stamped
    report = appraise(station, month="2014-01", as_of=early)
    appraise(station, month="2014-01", as_of=early)

    assert len(undecided) == 2
    assert _memo_keys(station) == []
    assert report.to_json() == _afresh(station, "2014-01", "dezhou-2014", early)


def test_a_memo_made_by_other_code_is_a_stranger(
    station: beatpolice.Station, undecided: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    appraise(station, month="2014-01", as_of=FAR)
    monkeypatch.setattr("beatpolice.projections.appraisal._memo.engine_digest", lambda: "other")
    appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2


def test_without_its_sources_the_engine_keeps_no_memo(
    station: beatpolice.Station, undecided: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("beatpolice.projections.appraisal._memo.engine_digest", lambda: None)
    first = appraise(station, month="2014-01", as_of=FAR)
    again = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert _memo_keys(station) == []
    assert again.to_json() == first.to_json()


def test_a_memo_whose_inputs_do_not_match_is_not_believed(
    station: beatpolice.Station, undecided: list[int]
) -> None:
    honest = appraise(station, month="2014-01", as_of=FAR)
    store = station.view_store
    (key,) = _memo_keys(station)
    memo = store.load(AppraisalIndex.name, MEMO_TABLE, [key])[key]
    forged = honest.officers[0].model_copy(update={"awarded": ["visit", "mediation"]})
    memo["officers"] = f"[{forged.model_dump_json()}]"
    memo["inputs"] = "0" * 64
    position, version = store.position(AppraisalIndex.name)
    assert version is not None
    store.commit(AppraisalIndex.name, version, {(MEMO_TABLE, key): memo}, position, position)

    again = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert again.to_json() == honest.to_json()


@pytest.mark.parametrize(
    "damage",
    [
        {"officers": "[{]"},
        {"officers": '[{"badge": 1}]'},
        {"latest": None},
        {"read": [["scan"]]},
    ],
)
def test_a_memo_that_is_not_one_is_decided_afresh(
    station: beatpolice.Station, undecided: list[int], damage: dict[str, Any]
) -> None:
    honest = appraise(station, month="2014-01", as_of=FAR)
    store = station.view_store
    (key,) = _memo_keys(station)
    memo = {**store.load(AppraisalIndex.name, MEMO_TABLE, [key])[key], **damage}
    position, version = store.position(AppraisalIndex.name)
    assert version is not None
    store.commit(AppraisalIndex.name, version, {(MEMO_TABLE, key): memo}, position, position)

    again = appraise(station, month="2014-01", as_of=FAR)

    assert len(undecided) == 2
    assert again.to_json() == honest.to_json()


def test_each_rule_set_has_its_own_memo(station: beatpolice.Station, undecided: list[int]) -> None:
    appraise(station, month="2014-01", rules="dezhou-2014@2014.1", as_of=FAR)
    appraise(station, month="2014-01", rules="dezhou-2014@2014.2", as_of=FAR)
    appraise(station, month="2014-01", rules="dezhou-2014@2014.1", as_of=FAR)

    assert len(undecided) == 2
    assert len(_memo_keys(station)) == 2


MONTH_RECORDS = st.lists(
    st.tuples(
        st.sampled_from(["D0001", "D0002"]),
        st.sampled_from(["2013-12", "2014-01", "2014-02"]),
        st.integers(1, 4),
    ),
    max_size=4,
)


@settings(max_examples=20, deadline=None)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("record"), MONTH_RECORDS, st.integers(0, 3)),
            st.tuples(st.just("appraise"), st.sampled_from(["now", "earlier", "far"])),
        ),
        max_size=8,
    )
)
def test_every_appraisal_is_the_one_decided_afresh(steps: list[tuple[Any, ...]]) -> None:
    now = [T0]
    with beatpolice.connect("memory://", clock=lambda: now[0]) as station:
        record(station, enlist("D0001", "薛翠翠") + enlist("D0002", "王建国"))
        for number, step in enumerate(steps):
            if step[0] == "record":
                now[0] += timedelta(hours=step[2])
                for badge, month, count in step[1]:
                    record(station, visits(badge, month, count, prefix=f"s{number}{month}"))
                continue
            as_of = {"now": now[0], "earlier": now[0] - timedelta(hours=2), "far": FAR}[step[1]]
            made = appraise(station, month="2014-01", as_of=as_of)
            assert made.to_json() == _afresh(station, "2014-01", "dezhou-2014", as_of)

"""The memo of a settled month on every backend (ADR 0283): kept, found, the same report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

import beatpolice
from beatpolice.projections.appraisal import _engine
from beatpolice.projections.appraisal._index import AppraisalIndex
from beatpolice.projections.appraisal._memo import MEMO_TABLE, MemoStore
from beatpolice.testing.month_examples import enlist, mediations, record, visits

FAR = datetime(2100, 1, 1, tzinfo=UTC)


def test_a_settled_month_is_remembered_and_found_again(
    station_url: str, clock: Callable[[], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    decided: list[int] = []
    decide_officers = _engine.officers_of

    def counted(*args: Any, **kwargs: Any) -> Any:
        decided.append(1)
        return decide_officers(*args, **kwargs)

    monkeypatch.setattr(_engine, "officers_of", counted)
    with beatpolice.connect(station_url, clock=clock) as station:
        record(station, enlist("D0001", "薛翠翠") + visits("D0001", "2014-01", 6, follow_ups=2))
        record(station, enlist("D0002", "王建国") + mediations("D0002", "2014-01", 2))
        first = beatpolice.appraise(station, month="2014-01", as_of=FAR)
        same = beatpolice.appraise(station, month="2014-01", as_of=FAR)
        store = station.view_store
        assert isinstance(store, MemoStore)
        kept = [key for key, _ in store.scan(AppraisalIndex.name, MEMO_TABLE)]

    assert len(kept) == 1
    assert len(decided) == 1
    assert same.to_json() == first.to_json()
    if station_url.startswith("memory"):
        return  # a memory store dies with its station
    with beatpolice.connect(station_url, clock=clock) as station:  # another process, later
        again = beatpolice.appraise(station, month="2014-01", as_of=FAR)

    assert len(decided) == 1
    assert again.to_json() == first.to_json()


def test_raw_documents_are_the_stored_documents(
    station_url: str, clock: Callable[[], datetime]
) -> None:
    with beatpolice.connect(station_url, clock=clock) as station:
        record(station, enlist("D0001", "薛翠翠") + visits("D0001", "2014-01", 4))
        beatpolice.appraise(station, month="2014-01", as_of=FAR)
        store = station.view_store
        assert isinstance(store, MemoStore)
        name = AppraisalIndex.name
        raw = store.scan_raw(name, "facts", "2014-01/")
        parsed = list(store.scan(name, "facts", "2014-01/"))
        loaded = store.load_raw(name, "facts", [key for key, _ in raw] + ["no-such-key"])

    assert [key for key, _ in raw] == [key for key, _ in parsed] != []
    assert [orjson.loads(text) for _, text in raw] == [doc for _, doc in parsed]
    assert loaded == dict(raw)

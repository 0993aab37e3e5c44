"""The appraisal reads its index as stored (ADR 0281): no personal text is ever in it.

A keyring opens what a view store's ``scan`` yields (ADR 0706), which costs an
appraisal a serialization of every document of the month; the appraisal reads with
``scan_sealed`` instead. That is only the same reading while the index copies no
personal field, which this checks with every command of the contract recorded, each
personal field filled, on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from contract_helpers import every_command

import beatpolice
from beatpolice.projections.appraisal._index import AppraisalIndex
from beatpolice.projections.appraisal._read import SealedDocuments


def test_the_appraisal_index_holds_no_sealed_value(
    station_url: str, clock: Callable[[], datetime]
) -> None:
    with beatpolice.connect(station_url, clock=clock) as station:
        for command in every_command():
            station.handle(command)
        sealed = [
            type(event).__name__
            for _, event in station.read_events(1, 10_000)
            if "bpenc1:" in event.model_dump_json()
        ]
        report = beatpolice.appraise(
            station, month="2014-01", as_of=datetime(2014, 3, 1, tzinfo=UTC)
        )
        store = station.view_store
        assert isinstance(store, SealedDocuments)
        stored = {
            table: list(store.scan_sealed(AppraisalIndex.name, table))
            for table in AppraisalIndex.tables
        }

    assert sealed, "every_command fills no personal field: the check would be empty"
    assert report.officers
    assert sum(len(documents) for documents in stored.values()) > 5
    assert [
        (table, key) for table, documents in stored.items() for key, doc in documents
        if "bpenc1:" in str(doc)
    ] == []  # fmt: skip


def test_scan_sealed_gives_what_scan_gives_without_a_keyring(
    station_url: str, clock: Callable[[], datetime]
) -> None:
    with beatpolice.connect(station_url, clock=clock) as station:
        for command in every_command():
            station.handle(command)
        beatpolice.appraise(station, month="2014-01", as_of=datetime(2014, 3, 1, tzinfo=UTC))
        store = station.view_store
        assert isinstance(store, SealedDocuments)
        for table in AppraisalIndex.tables:
            for prefix in ("", "2014-01/", "2014-01/D0001/", "2014-02/", "\U0010ffff"):
                assert list(store.scan_sealed(AppraisalIndex.name, table, prefix)) == list(
                    store.scan(AppraisalIndex.name, table, prefix)
                ), (table, prefix)

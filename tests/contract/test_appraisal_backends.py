"""Appraisal on every backend: the same report, byte for byte; the CLI's appraise and audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

import beatpolice
from beatpolice import appraise, verify
from beatpolice.adapters.cli import main
from beatpolice.adapters.store.views import PostgresViewStore, _after
from beatpolice.projections.appraisal._engine import index_runner
from beatpolice.testing.month_examples import (
    BEIJING,
    enlist,
    leads,
    mediations,
    record,
    visits,
)

AS_OF = datetime(2014, 2, 2, tzinfo=BEIJING)


def _month(station: beatpolice.Station) -> None:
    record(station, enlist("D0001", "薛翠翠") + enlist("D0002", "苏振"))
    record(station, visits("D0001", "2014-01", 155))
    record(
        station, visits("D0002", "2014-01", 60) + mediations("D0002", "2014-01", 3, unsatisfied=1)
    )
    record(station, leads("D0002", "2014-01", "criminal_lead", 1))


def _reference(clock: Callable[[], datetime]) -> str:
    with beatpolice.connect("memory://", clock=clock) as reference:
        _month(reference)
        return _without_root(appraise(reference, month="2014-01", as_of=AS_OF))


def _without_root(report: beatpolice.AppraisalReport) -> str:
    # the log's root hashes the stored bytes, and personal text is stored under fresh
    # nonces (ADR 0520): two stores of the same commands have logs of the same size only
    assert report.log is not None
    return report.model_copy(update={"log": report.log.model_copy(update={"root": ""})}).to_json()


def test_reports_are_identical_on_every_backend(
    station: beatpolice.Station, clock: Callable[[], datetime]
) -> None:
    _month(station)

    report = appraise(station, month="2014-01", as_of=AS_OF)

    assert _without_root(report) == _reference(clock)
    assert report.officer("D0001").awarded == ["visit"]
    assert report.officer("D0002").awarded == ["investigation"]
    verify(station, report)


def test_the_index_survives_reopening_the_store(
    station_url: str, clock: Callable[[], datetime]
) -> None:
    with beatpolice.connect(station_url, clock=clock) as first:
        _month(first)
        before = appraise(first, month="2014-01", as_of=AS_OF)
    with beatpolice.connect(station_url, clock=clock) as again:
        if again.backend != "memory":
            assert again.last_position() > 0
            verify(again, before)


def test_cli_appraise_json_then_audit_verify(
    tmp_path: Path, clock: Callable[[], datetime], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with beatpolice.connect(url, clock=clock) as station:
        _month(station)
    as_of = AS_OF.isoformat()

    assert main(["appraise", "--db", url, "--month", "2014-01", "--as-of", as_of]) == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("D0001"))
    eligible, awarded = row.split()[-2:]  # the table's last two columns (ADR 0803)
    assert "visit" in eligible.split(",")
    assert "visit" in awarded.split(",")

    assert main(["appraise", "--db", url, "--month", "2014-01", "--as-of", as_of, "--json"]) == 0
    report = tmp_path / "report.json"
    report.write_text(capsys.readouterr().out)
    assert main(["audit", "verify", str(report), "--db", url]) == 0
    assert "OK sha256:" in capsys.readouterr().out

    report.write_text(
        report.read_text().replace('"households_visited": 155', '"households_visited": 156')
    )
    assert main(["audit", "verify", str(report), "--db", url]) == 1
    assert "metrics.households_visited 156 -> 155" in capsys.readouterr().err

    assert (
        main(
            [
                "appraise",
                "--db",
                url,
                "--month",
                "2014-01",
                "--as-of",
                as_of,
                "--compare",
                "dezhou-2014-strict",
            ]
        )
        == 0
    )
    assert "-investigation" in capsys.readouterr().out


def test_a_month_is_read_by_key_range_and_nothing_else(station: beatpolice.Station) -> None:
    record(station, enlist("D0001", "薛翠翠"))
    for month in ("2013-11", "2013-12", "2014-01"):
        record(station, visits("D0001", month, 3, prefix=f"V{month}-"))
    index_runner(station).catch_up()
    store = station.view_store

    keys = [key for key, _ in store.scan("appraisal", "facts", "2013-12/")]

    assert keys
    assert all(key.startswith("2013-12/D0001/") for key in keys)
    assert keys == sorted(keys)
    # the month after is not read, nor the one before
    assert not [key for key, _ in store.scan("appraisal", "facts", "2013-12/E")]
    filed = [
        fact
        for _, document in store.scan("appraisal", "facts", "2013-12/")
        for fact in document["f"]
        if fact[0] == "visit"
    ]
    assert len(filed) == 3
    assert appraise(station, month="2013-12", as_of=AS_OF).officer("D0001").metrics["visits"] == 3


@pytest.mark.parametrize(
    ("prefix", "after"),
    [("2014-01/", "2014-010"), ("a", "b"), ("", None), (chr(0x10FFFF), None)],
)
def test_the_range_of_a_prefix_ends_at_its_successor(prefix: str, after: str | None) -> None:
    assert _after(prefix) == after


def test_the_index_is_json_text_in_postgres_and_registries_stay_jsonb(
    station: beatpolice.Station,
) -> None:
    record(station, enlist("D0001", "薛翠翠") + visits("D0001", "2014-01", 2))
    index_runner(station).catch_up()
    store = station.view_store
    assert [key for key, _ in store.scan("appraisal", "facts", "2014-01/")]
    if isinstance(store, PostgresViewStore):
        store.keep_as_text("other", "table")
        store.commit("other", 1, {("table", "k"): {"a": 1}}, expected=0, position=1)
        store.commit("another", 1, {("table", "k"): {"a": 1}}, expected=0, position=1)
        types: dict[str, str] = dict(
            store._connection.execute(
                "SELECT table_name, data_type FROM information_schema.columns "
                "WHERE column_name = 'doc' AND table_name LIKE 'bp_%'"
            ).fetchall()
        )
        assert types["bp_appraisal_facts"] == "text"
        assert types["bp_other_table"] == "text"
        assert types["bp_another_table"] == "jsonb"
        assert dict(store.scan("other", "table")) == {"k": {"a": 1}}

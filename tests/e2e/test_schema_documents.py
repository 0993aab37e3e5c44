"""What the command line prints as JSON validates against the schema it publishes.

A small station month is ingested into a SQLite store; the appraisal report, every
registry document and the data-quality report printed with ``--json`` must each pass
``beatpolice schema NAME`` (jsonschema, draft 2020-12), and a receipt must pass its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

import beatpolice
from beatpolice import Receipt
from beatpolice.adapters.cli import main
from beatpolice.adapters.schema import SCHEMAS
from beatpolice.testing import month_examples as ex

MONTH = "2014-01"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("schema-documents")
    lines: list[dict[str, Any]] = [
        *ex.enlist("D0001", "薛翠翠"),
        *ex.visits("D0001", MONTH, 60, plan=60),
        *ex.mediations("D0001", MONTH, 3, unsatisfied=1),
        *ex.leads("D0001", MONTH, "criminal_lead", 2),
        {
            "type": "register_venue",
            "id": "VN1",
            "name": "德州宾馆",
            "category": "hotel",
            "address": "德州市一区",
            "officer": "D0001",
            "occurred_at": "2014-01-02T09:00:00+08:00",
        },
        {
            "type": "inspect_venue",
            "venue": "VN1",
            "officer": "D0001",
            "mode": "routine",
            "occurred_at": "2014-01-05T10:00:00+08:00",
            "findings": [
                {
                    "id": "F1",
                    "code": "fire_exit",
                    "description": "通道堵塞",
                    "rectify_by": "2014-01-20",
                }
            ],
        },
        # the officer's day: patrols, information, a request received and answered
        {"type": "plan_patrols", "officer": "D0001", "month": MONTH, "points": ["P1", "P2"]},
        {
            "type": "record_patrol",
            "id": "PT1",
            "officer": "D0001",
            "started_at": "2014-01-06T09:00:00+08:00",
            "ended_at": "2014-01-06T10:30:00+08:00",
            "points": ["P1"],
            "participants": ["grid_worker"],
            "mode": "foot",
        },
        {
            "type": "collect_information",
            "id": "I1",
            "officer": "D0001",
            "subject": "person",
            "category": "floating",
            "household": "H1",
            "summary": "新租户",
            "occurred_at": "2014-01-07T09:00:00+08:00",
        },
        {
            "type": "receive_request",
            "id": "R1",
            "officer": "D0001",
            "channel": "hotline",
            "summary": "停车",
            "occurred_at": "2014-01-08T09:00:00+08:00",
        },
        {
            "type": "answer_request",
            "request": "R1",
            "officer": "D0001",
            "outcome": "resolved",
            "occurred_at": "2014-01-09T09:00:00+08:00",
        },
        {
            "type": "receive_request",
            "id": "R2",
            "officer": "D0001",
            "channel": "petition",
            "summary": "噪音",
            "occurred_at": "2014-01-10T09:00:00+08:00",
        },
    ]
    source = folder / "month.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    db = str(folder / "station.db")
    assert main(["ingest", str(source), "--db", db]) == 0
    return db


def _printed(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    capsys.readouterr()
    assert main(argv) == 0
    return orjson.loads(capsys.readouterr().out)


def _errors(name: str, document: Any) -> list[str]:
    validator = Draft202012Validator(SCHEMAS[name]())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_appraisal_report_validates(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = _printed(
        capsys,
        [
            "appraise",
            "--db",
            store,
            "--month",
            MONTH,
            "--json",
        ],
    )
    assert report["officers"]
    assert _errors("report", report) == []
    report["officers"][0]["awarded"] = "visit"
    assert _errors("report", report) != []  # the schema does say something


REGISTRIES = ("officers", "households", "disputes", "venues", "patrols", "population", "requests")


@pytest.mark.parametrize("registry", REGISTRIES)
def test_every_registry_document_validates(
    store: str, capsys: pytest.CaptureFixture[str], registry: str
) -> None:
    argv = ["registry", "--db", store, registry, "--json"]
    if registry in ("officers", "households", "patrols", "population"):
        argv += ["--month", MONTH]
    document = _printed(capsys, argv)
    rows = document.get(registry, document.get("rows"))
    assert rows, document  # the schema is checked against rows, not an empty list
    assert _errors("registry", document) == []
    # and the schema does describe them: a row's field of the wrong type is an error
    first = next(iter(rows[0]))
    rows[0][first] = [rows[0][first]]
    assert _errors("registry", document) != [], registry


def test_the_quality_report_validates(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    document = _printed(capsys, ["quality", "--db", store, "--month", MONTH, "--json"])
    assert _errors("quality", document) == []


def _receipt_document(receipt: Receipt) -> dict[str, Any]:
    return {
        "type": receipt.type,
        "digest": receipt.digest,
        "events": receipt.events,
        "duplicate": receipt.duplicate,
    }


def test_a_receipt_the_station_returns_validates(tmp_path: Path) -> None:
    enlist = {"badge": "D0001", "name": "薛翠翠", "station": "德州", "beat": "一区"}
    url = f"sqlite:///{tmp_path / 'station.db'}"
    with beatpolice.connect(url, clock=lambda: datetime(2014, 1, 31, tzinfo=UTC)) as station:
        receipts = [station.enlist_officer(**enlist), station.enlist_officer(**enlist)]
    # a store begun with 0.2 keys its digests; a store begun with 0.1 keeps plain ones
    assert receipts[0].digest.startswith("hmac-sha256:")
    assert [r.duplicate for r in receipts] == [False, True]
    plain = Receipt(type="enlist_officer", digest="sha256:" + "0" * 64, events=1)
    for receipt in [*receipts, plain]:
        assert _errors("receipt", _receipt_document(receipt)) == [], receipt
    document = _receipt_document(receipts[0])
    del document["duplicate"]
    assert _errors("receipt", document) == ["[]: 'duplicate' is a required property"]
    assert _errors("receipt", {**document, "duplicate": False, "digest": "md5:00"}) != []

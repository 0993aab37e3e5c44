"""What the command line prints as JSON validates against the schema it publishes.

A small station month is ingested into a SQLite store; the appraisal report, every
registry document and the data-quality report printed with ``--json`` must each pass
``beatpolice schema NAME`` (jsonschema, draft 2020-12), and a receipt must pass its own.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

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


@pytest.mark.parametrize("registry", ["officers", "households", "disputes", "venues"])
def test_every_registry_document_validates(
    store: str, capsys: pytest.CaptureFixture[str], registry: str
) -> None:
    argv = ["registry", "--db", store, registry, "--json"]
    if registry in ("officers", "households"):
        argv += ["--month", MONTH]
    document = _printed(capsys, argv)
    assert _errors("registry", document) == []


def test_the_quality_report_validates(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    document = _printed(capsys, ["quality", "--db", store, "--month", MONTH, "--json"])
    assert _errors("quality", document) == []


def test_a_receipt_validates() -> None:
    receipt = Receipt(type="enlist_officer", digest="sha256:" + "0" * 64, events=1)
    document = {"type": receipt.type, "digest": receipt.digest, "events": receipt.events}
    assert _errors("receipt", {**document, "duplicate": receipt.duplicate}) == []
    assert _errors("receipt", document) == ["[]: 'duplicate' is a required property"]

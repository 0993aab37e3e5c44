"""The command line of the officer's day: ingest, the three registries, fraud-scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from contract_helpers import every_command

from beatpolice.adapters.cli import main


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A SQLite store holding one command of every type."""
    lines = tmp_path / "month.jsonl"
    lines.write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in every_command()),
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'station.db'}"
    assert main(["--db", url, "ingest", str(lines)]) == 0
    return url


def test_registry_patrols_population_and_requests_print_json(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", store, "registry", "patrols", "--month", "2014-01", "--json"]) == 0
    patrols = json.loads(capsys.readouterr().out)["patrols"]
    assert main(["--db", store, "registry", "population", "--month", "2014-01", "--json"]) == 0
    population = json.loads(capsys.readouterr().out)["population"]
    assert main(["--db", store, "registry", "requests", "--json", "--reply-days", "1"]) == 0
    requests = json.loads(capsys.readouterr().out)

    assert {row["officer"]: row["coverage"] for row in patrols} == {"D0001": "0/0", "D0002": "0/2"}
    assert [(row["subject"], row["sources"]) for row in population] == [
        ("person", {"grid_worker": 1})
    ]
    assert [(row["id"], row["status"]) for row in requests["rows"]] == [("R1", "answered")]
    assert requests["reply_days"] == 1


def test_registry_requests_refuses_a_bad_reply_deadline(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", store, "registry", "requests", "--reply-days", "0"]) == 2
    assert "--reply-days: must be at least 1" in capsys.readouterr().err


def test_fraud_scripts_lists_the_catalogue_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fraud-scripts", "--json"]) == 0
    shipped = json.loads(capsys.readouterr().out)
    own = tmp_path / "own.toml"
    own.write_text(
        'name = "own"\nversion = "1"\n[[levels]]\nlevel = "low"\nat_least = "0"\n'
        '[[scripts]]\nid = "x"\ntitle = "某类诈骗"\nfeatures = [{code = "A", text = "特征"}]\n',
        encoding="utf-8",
    )
    assert main(["--fraud-scripts", str(own), "fraud-scripts"]) == 0
    table = capsys.readouterr().out

    assert (shipped["name"], len(shipped["scripts"])) == ("mps-common", 10)
    titles = {script["title"] for script in shipped["scripts"]}
    assert {"刷单返利", "冒充公检法", "虚假征信", "网络婚恋交友", "冒充领导熟人"} <= titles
    assert [level["at_least"] for level in shipped["levels"]] == ["0", "1/3", "2/3"]
    assert "own@1: 1 scripts" in table


def test_fraud_scripts_refuses_an_unknown_script_or_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fraud-scripts", "--script", "nope"]) == 2
    assert main(["fraud-scripts", "--fraud-scripts", "/no/such/file.toml"]) == 2
    assert "nope" in capsys.readouterr().err

"""``beatpolice export``: a store's commands, ingested into a new store, reproduce it.

On SQLite and PostgreSQL: export, ingest into a fresh store (of the other backend too),
then compare the appraisal (metrics, eligible and awarded stars, shortfalls), every
registry, and the new store's own export, which must be the same lines: ids, field
times (with their offsets) and contents round-trip (ADR 0807).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

import beatpolice
from beatpolice.adapters.cli import main
from beatpolice.application.export import EXPORTED, FOLLOWERS, command_of
from beatpolice.domain import EVENT_CLASSES
from beatpolice.domain.commands import parse_command

AS_OF = "2030-01-01T00:00:00+08:00"


def line(**fields: object) -> bytes:
    return orjson.dumps(fields) + b"\n"


MONTH = b"".join(
    [
        line(type="enlist_officer", badge="D1", name="薛翠翠", station="德州", beat="一区"),
        line(type="enlist_officer", badge="D2", name="Li Lei", station="德州", beat="二区"),
        line(type="plan_visits", officer="D1", month="2014-01", households=["H1", "H2", "H3"]),
        line(
            type="record_visit",
            id="V1",
            officer="D1",
            household="H1",
            occurred_at="2014-01-03T09:30:00+08:00",
            people_match_register=True,
            notes="门口有狗",
        ),
        line(
            type="record_visit",
            id="V2",
            officer="D1",
            household="H2",
            occurred_at="2014-01-04T01:30:00Z",
            people_match_register=False,
        ),
        line(
            type="follow_up_visit",
            visit="V1",
            officer="D1",
            occurred_at="2014-01-05T10:00:00+08:00",
            satisfied=True,
        ),
        line(
            type="report_lead",
            id="L1",
            officer="D2",
            kind="criminal_lead",
            occurred_at="2014-01-06T10:00:00+08:00",
            summary="可疑人员出入",
        ),
        line(
            type="record_service",
            id="S1",
            officer="D2",
            kind="id_card_delivery",
            occurred_at="2014-01-07T10:00:00+08:00",
            acknowledged=True,
        ),
        line(
            type="record_service",
            id="S2",
            officer="D2",
            kind="id_card_delivery",
            occurred_at="2014-01-07T11:00:00+08:00",
            acknowledged=False,
        ),
        line(
            type="retract_record",
            record="S2",
            officer="D2",
            reason="重复录入",
            occurred_at="2014-01-08T10:00:00+08:00",
        ),
        line(
            type="open_dispute",
            id="J1",
            officer="D1",
            category="neighbour",
            parties=["张三", "李四"],
            occurred_at="2014-01-09T10:00:00+08:00",
        ),
        line(
            type="escalate_dispute",
            dispute="J1",
            officer="D1",
            to_level="yellow",
            reason="争吵升级",
            occurred_at="2014-01-10T10:00:00+08:00",
        ),
        line(
            type="mediate_dispute",
            dispute="J1",
            officer="D1",
            participants=["community_officer", "judicial_office", "lawyer"],
            outcome="resolved",
            occurred_at="2014-01-11T10:00:00+08:00",
        ),
        line(
            type="follow_up_dispute",
            dispute="J1",
            officer="D1",
            parties_satisfied=True,
            occurred_at="2014-01-12T10:00:00+08:00",
        ),
        line(
            type="open_dispute",
            id="J2",
            officer="D2",
            category="debt",
            parties=["王五", "赵六"],
            level="red",
            physical_conflict=True,
            occurred_at="2014-01-13T10:00:00+08:00",
        ),
        line(
            type="refer_dispute",
            dispute="J2",
            officer="D2",
            to="court",
            reason="金额较大",
            occurred_at="2014-01-14T10:00:00+08:00",
        ),
        line(
            type="reopen_dispute",
            dispute="J2",
            officer="D2",
            reason="当事人回到派出所",
            occurred_at="2014-01-15T10:00:00+08:00",
        ),
        line(
            type="register_venue",
            id="P1",
            name="新湖网吧",
            category="internet_cafe",
            address="德州市新湖路1号",
            officer="D2",
            occurred_at="2014-01-02T10:00:00+08:00",
        ),
        line(
            type="inspect_venue",
            venue="P1",
            officer="D2",
            mode="spot_check",
            occurred_at="2014-01-16T10:00:00+08:00",
            findings=[
                {
                    "id": "F1",
                    "code": "no_id_check",
                    "description": "未登记",
                    "rectify_by": "2014-01-20",
                },
                {
                    "id": "F2",
                    "code": "fire_exit",
                    "description": "通道堵塞",
                    "rectify_by": "2014-01-21",
                },
            ],
        ),
        line(
            type="verify_rectification",
            venue="P1",
            finding="F1",
            officer="D2",
            passed=True,
            occurred_at="2014-01-19T10:00:00+08:00",
        ),
        line(
            type="verify_rectification",
            venue="P1",
            finding="F2",
            officer="D2",
            passed=False,
            occurred_at="2014-01-22T10:00:00+08:00",
        ),
    ]
)


def other_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / name}"
    url: str = request.getfixturevalue("postgres_server").create_database()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def commands(jsonl: bytes) -> list[str]:
    """The commands of a JSON-lines text, each as its model reads it, in a fixed order."""
    return sorted(
        orjson.dumps(
            parse_command(text).model_dump(mode="json"), option=orjson.OPT_SORT_KEYS
        ).decode()
        for text in jsonl.splitlines()
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ingest(capsys: pytest.CaptureFixture[str], url: str, source: Path) -> None:
    code, _, err = run(capsys, "ingest", "--db", url, "--quiet", str(source))
    assert code == 0, err


def state(capsys: pytest.CaptureFixture[str], url: str) -> dict[str, Any]:
    """What a station shows: its appraisal without the store-bound parts, its registries."""
    code, out, err = run(
        capsys, "appraise", "--db", url, "--month", "2014-01", "--as-of", AS_OF, "--json"
    )
    assert code == 0, err
    report = orjson.loads(out)
    shown: dict[str, Any] = {
        "officers": [
            {
                key: officer[key]
                for key in ("badge", "name", "metrics", "eligible", "awarded", "shortfalls")
            }
            for officer in report["officers"]
        ]
    }
    for registry, extra in (
        ("officers", ["--month", "2014-01"]),
        ("households", ["--month", "2014-01"]),
        ("disputes", ["--as-of", AS_OF]),
        ("venues", ["--as-of", AS_OF]),
    ):
        code, out, err = run(capsys, "registry", registry, "--db", url, "--json", *extra)
        assert code == 0, err
        shown[registry] = orjson.loads(out)
    return shown


def test_export_then_ingest_into_a_new_store_reproduces_it(
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = other_url(backend, tmp_path, request, "first.db")
    source = tmp_path / "month.jsonl"
    source.write_bytes(MONTH)
    ingest(capsys, first, source)

    code, exported, err = run(capsys, "export", "--db", first)
    assert code == 0
    assert (
        err == "export: 21 commands from 25 events\n"
    )  # every rebuilt digest is the recorded one
    # the very commands, each as sent (a batch may store its aggregates in another order)
    assert commands(exported.encode()) == commands(MONTH)
    dump = tmp_path / "export.jsonl"
    dump.write_text(exported, encoding="utf-8")

    second = other_url(backend, tmp_path, request, "second.db")
    ingest(capsys, second, dump)
    assert state(capsys, second) == state(capsys, first)
    assert sorted(run(capsys, "export", "--db", second)[1].splitlines()) == sorted(
        exported.splitlines()
    )


@pytest.mark.postgres
def test_a_station_moves_from_sqlite_to_postgres(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'station.db'}"
    source = tmp_path / "month.jsonl"
    source.write_bytes(MONTH)
    ingest(capsys, sqlite, source)
    dump = tmp_path / "export.jsonl"
    dump.write_text(run(capsys, "export", "--db", sqlite)[1], encoding="utf-8")
    postgres = other_url("postgres", tmp_path, request, "")
    ingest(capsys, postgres, dump)
    assert state(capsys, postgres) == state(capsys, sqlite)


def test_the_demo_station_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = str(tmp_path / "demo.db")
    argv = ["demo", "--db", first, "--beats", "1", "--households", "300", "--venues", "10"]
    code, _, err = run(capsys, *argv, "--no-progress", "--json", "--out", str(tmp_path))
    assert code == 0, err
    code, exported, err = run(capsys, "export", "--db", first)
    assert code == 0
    assert "differ" not in err
    dump = tmp_path / "export.jsonl"
    dump.write_text(exported, encoding="utf-8")
    second = str(tmp_path / "again.db")
    ingest(capsys, second, dump)
    month = ["--month", "2022-05", "--as-of", AS_OF, "--json"]
    reports = [
        orjson.loads(run(capsys, "appraise", "--db", db, *month)[1]) for db in (first, second)
    ]
    for before, after in zip(reports[0]["officers"], reports[1]["officers"], strict=True):
        for key in ("badge", "metrics", "eligible", "awarded", "shortfalls"):
            assert before[key] == after[key], key
    # a batch saves its aggregates together: the same commands, perhaps in another order
    again = run(capsys, "export", "--db", second)[1]
    assert sorted(again.splitlines()) == sorted(exported.splitlines())


def test_month_and_officer_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "station.db")
    source = tmp_path / "month.jsonl"
    source.write_bytes(
        MONTH
        + line(
            type="record_visit",
            id="V9",
            officer="D1",
            household="H3",
            occurred_at="2014-01-31T17:00:00Z",  # 2014-02-01 01:00 in Shanghai
            people_match_register=True,
        )
    )
    ingest(capsys, db, source)
    code, out, _ = run(capsys, "export", "--db", db, "--month", "2014-02")
    assert code == 0
    assert [orjson.loads(text)["type"] for text in out.splitlines()] == [
        "enlist_officer",
        "enlist_officer",
        "record_visit",
    ]
    code, out, _ = run(capsys, "export", "--db", db, "--officer", "D2")
    commands = [orjson.loads(text) for text in out.splitlines()]
    assert {command.get("officer", command.get("badge")) for command in commands} == {"D2"}
    assert len(commands) == 12


def test_every_event_kind_gives_its_command_or_follows_another() -> None:
    names = {
        str(getattr(kind, "TOPIC", kind.__name__)).rpartition(":")[2] for kind in EVENT_CLASSES
    }
    assert names <= set(EXPORTED) | FOLLOWERS, names - set(EXPORTED) - FOLLOWERS


def test_an_event_of_an_unknown_kind_is_refused_by_name() -> None:
    class Stranger:
        TOPIC = "beatpolice:Stranger"

    with pytest.raises(beatpolice.InvalidCommandError, match="Stranger"):
        command_of(Stranger())

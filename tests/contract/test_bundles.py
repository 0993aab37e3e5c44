"""Bundles: a report, the events it read with their inclusion proofs and a seal, checked
with no store; and the report's ``log`` on every backend."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import beatpolice
from beatpolice.adapters.cli import main
from beatpolice.adapters.store.bundle import make_bundle, verify_bundle
from beatpolice.adapters.store.event_log import EventLog
from beatpolice.adapters.store.seal import public_pem
from beatpolice.domain.errors import AuditMismatchError
from beatpolice.projections.appraisal import stored_events

RECORDED = datetime(2014, 1, 31, tzinfo=UTC)
AS_OF = datetime(2014, 2, 1, tzinfo=UTC)
SEALED = datetime(2014, 3, 1, tzinfo=UTC)


def record_month(station: beatpolice.Station, households: int = 90) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    station.enlist_officer(badge="D0002", name="王五", station="德州", beat="二区")
    names = [f"H{n:03d}" for n in range(households)]
    station.plan_visits(officer="D0001", month="2014-01", households=names)
    for n, household in enumerate(names):
        when = datetime(2014, 1, 3, 9, tzinfo=UTC) + timedelta(hours=n)
        station.record_visit(
            id=f"V{n}", officer="D0001", household=household, occurred_at=when,
            people_match_register=True,
        )  # fmt: skip
        station.follow_up_visit(
            visit=f"V{n}", officer="D0001", occurred_at=when + timedelta(days=1), satisfied=True
        )


@pytest.fixture
def month(station_url: str) -> tuple[beatpolice.Station, Any]:
    station = beatpolice.connect(station_url, clock=lambda: RECORDED)
    record_month(station)
    report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    return station, report


def test_a_report_carries_the_log_it_was_made_on(month: tuple[beatpolice.Station, Any]) -> None:
    station, report = month
    log = station.event_log()
    assert report.log is not None
    assert (report.log.size, report.log.root) == (log.checkpoint().size, log.checkpoint().root)
    assert report.log.size == 2 + 1 + 90 * 2
    assert json.loads(report.to_json())["log"] == {"size": 183, "root": report.log.root}
    station.close()


def test_without_personal_text_the_log_is_the_same_on_every_backend(
    month: tuple[beatpolice.Station, Any],
) -> None:
    station, report = month
    with beatpolice.connect("memory://", clock=lambda: RECORDED) as reference:
        record_month(reference)
        again = beatpolice.appraise(reference, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    assert again.log == report.log
    station.close()


def test_a_log_before_as_of_stops_at_the_last_event_recorded_by_then(station_url: str) -> None:
    clock: list[datetime] = [RECORDED]
    with beatpolice.connect(station_url, clock=lambda: clock[0]) as station:
        record_month(station, households=3)
        before = station.event_log().checkpoint()
        clock[0] = AS_OF + timedelta(days=3)
        station.enlist_officer(badge="D0003", name="李四", station="德州", beat="三区")
        report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
        assert report.log is not None
        assert (report.log.size, report.log.root) == (before.size, before.root)
        assert station.event_log().checkpoint().size == before.size + 1


def bundle_of(station: beatpolice.Station, report: Any, key: Ed25519PrivateKey) -> dict[str, Any]:
    log = station.event_log()
    assert isinstance(log, EventLog)
    return make_bundle(log, stored_events(station), report, key, now=SEALED)


@pytest.fixture
def bundled() -> tuple[dict[str, Any], Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    clock = [RECORDED]
    with beatpolice.connect("memory://", clock=lambda: clock[0]) as station:
        record_month(station)
        clock[0] = SEALED  # the month has settled: a final report
        report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
        return bundle_of(station, report, key), key


def differences(bundle: dict[str, Any], **options: Any) -> list[str]:
    with pytest.raises(AuditMismatchError) as caught:
        verify_bundle(bundle, **options)
    return caught.value.differences


def test_an_honest_bundle_verifies_with_no_store(bundled: tuple[dict[str, Any], Any]) -> None:
    bundle, key = bundled
    report = verify_bundle(
        json.loads(json.dumps(bundle)), pinned_key=public_pem(key.public_key()).encode()
    )
    assert report.officer("D0001").awarded == ["visit"]
    assert len(bundle["events"]) == 183


def test_an_edited_event_fails_its_inclusion_proof(bundled: tuple[dict[str, Any], Any]) -> None:
    bundle, _ = bundled
    entry = next(e for e in bundle["events"] if e["topic"] == "beatpolice:VisitFollowedUp")
    state = base64.b64decode(entry["state"]).replace(b'"satisfied":true', b'"satisfied":false')
    entry["state"] = base64.b64encode(state).decode()
    found = differences(bundle)
    assert found[0] == (
        f"event at position {entry['position']}: not in the report's log at leaf {entry['leaf']}"
    )


def test_a_left_out_event_changes_the_recomputation(bundled: tuple[dict[str, Any], Any]) -> None:
    bundle, _ = bundled
    bundle["events"] = [e for e in bundle["events"] if e["position"] != 10]
    found = differences(bundle)
    assert any(line.startswith("officer D0001: the events read differ") for line in found)


def test_an_edited_report_is_named(bundled: tuple[dict[str, Any], Any]) -> None:
    bundle, _ = bundled
    officer = next(o for o in bundle["report"]["officers"] if o["badge"] == "D0002")
    officer["awarded"] = ["visit"]
    found = differences(bundle)
    assert "officer D0002: awarded [] -> ['visit']" not in found  # the recomputed side wins
    assert any(line.startswith("officer D0002: awarded") for line in found)


def test_a_forged_seal_or_another_key_is_refused(bundled: tuple[dict[str, Any], Any]) -> None:
    bundle, _ = bundled
    stranger = public_pem(Ed25519PrivateKey.generate().public_key()).encode()
    assert differences(bundle, pinned_key=stranger)[0].startswith(
        "checkpoint: the signature does not hold"
    )
    bundle["checkpoint"]["size"] += 1
    assert differences(bundle)[0].startswith("checkpoint: the signature does not hold")


def test_a_report_log_that_is_not_the_sealed_log_is_refused(
    bundled: tuple[dict[str, Any], Any],
) -> None:
    bundle, _ = bundled
    bundle["report"]["log"]["root"] = "sha256:" + "ab" * 32
    found = differences(bundle)
    assert found[0].startswith(
        "log: the report's log (size 183) is not a prefix of the sealed log"
    )


def test_bundle_and_verify_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    clock = [RECORDED]
    with beatpolice.connect(url, clock=lambda: clock[0]) as station:
        record_month(station, households=20)
        clock[0] = SEALED
        report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    saved, out = tmp_path / "report.json", tmp_path / "bundle.json"
    saved.write_text(report.to_json())
    assert main(["audit", "keygen", "--out", str(tmp_path)]) == 0
    key, pub = str(tmp_path / "seal.key"), str(tmp_path / "seal.pub")
    assert (tmp_path / "seal.key").stat().st_mode & 0o777 == 0o600
    code = main(["--db", url, "audit", "bundle", str(saved), "--out", str(out), "--key", key])
    assert code == 0
    assert main(["audit", "verify", str(out), "--public-key", pub]) == 0
    assert main(["--db", url, "audit", "verify", str(saved)]) == 0
    data = json.loads(out.read_text())
    data["events"] = data["events"][1:]
    out.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["audit", "verify", str(out), "--public-key", pub]) == 1
    assert "officer D0001: in the report, not in the recomputation" in capsys.readouterr().err


def test_the_log_at_as_of_is_exact_to_the_microsecond(station_url: str) -> None:
    clock = [AS_OF]
    with beatpolice.connect(station_url, clock=lambda: clock[0]) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        clock[0] = AS_OF + timedelta(microseconds=1)
        station.enlist_officer(badge="D0002", name="王五", station="德州", beat="二区")
        log = station.event_log()
        assert log.checkpoint(as_of=AS_OF).size == 1
        assert log.checkpoint(as_of=AS_OF + timedelta(microseconds=1)).size == 2
        assert log.checkpoint(as_of=AS_OF - timedelta(microseconds=1)).size == 0


def test_a_bundle_of_disputes_with_personal_text_verifies() -> None:
    from beatpolice.testing.month_examples import enlist, mediations, record, visits

    clock = [RECORDED]
    with beatpolice.connect("memory://", clock=lambda: clock[0]) as station:
        record(
            station,
            enlist("D0001", "苏振")
            + visits("D0001", "2014-01", 60)
            + mediations("D0001", "2014-01", 3, unsatisfied=1),
        )
        clock[0] = SEALED
        report = beatpolice.appraise(station, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
        bundle = bundle_of(station, report, Ed25519PrivateKey.generate())
    assert any("Dispute" in e["topic"] for e in bundle["events"])
    assert verify_bundle(bundle).fingerprint == report.fingerprint

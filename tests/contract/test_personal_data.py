"""Residents' personal data on every backend: sealed in the store, erasable, appraisals unmoved.

The checks read what an attacker with the store would read: the raw bytes of the SQLite
file (and its write-ahead log), every row of every PostgreSQL table as text. Hold-out
strings (names, notes, summaries no code ever mentions) must not be found there; a
station with the key reads them back; after an erasure every reader shows ``[erased]``
and the appraisal, its fingerprint and the log's check are what they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
from psycopg import sql

import beatpolice
from beatpolice import commands
from beatpolice.domain.privacy import ERASED
from beatpolice.projections.registries import open_registries

AT = datetime(2014, 1, 3, 9, tzinfo=UTC)
AS_OF = datetime(2014, 2, 1, tzinfo=UTC)

NOTES = "户主柳望舒独居，耳背，需大声说话"
SUMMARY = "线索：邵远山在仓库藏匿赃物"
PARTIES = ("鞠晓岚", "欧阳砚秋")
REASON = "鞠晓岚扬言报复"
RETRACTION = "误录，系为沈听澜登记"
INFORMATION = "流动人口祁墨白，租住三楼"
REQUEST = "闻人知夏反映噪音扰民"
MEETING = "会上通报了钟离月的情况"
GIVER = "上官雪芽"
HOLD_OUT = (NOTES, SUMMARY, *PARTIES, REASON, RETRACTION, INFORMATION, REQUEST, MEETING, GIVER)


def _record_month(station: beatpolice.Station) -> None:
    """A month an officer earns the visit star in, with personal text in every field."""
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州市公安局", beat="一区")
    households = [f"H{n:03d}" for n in range(155)]
    station.plan_visits(officer="D0001", month="2014-01", households=households)
    for n, household in enumerate(households):
        when = AT + timedelta(hours=n)
        station.record_visit(
            id=f"V{n}",
            officer="D0001",
            household=household,
            occurred_at=when,
            people_match_register=True,
            notes=f"{NOTES}{n}" if n < 3 else None,
        )
        station.follow_up_visit(
            visit=f"V{n}", officer="D0001", occurred_at=when + timedelta(days=1), satisfied=True
        )
    station.report_lead(
        id="L1", officer="D0001", kind="criminal_lead", occurred_at=AT, summary=SUMMARY
    )
    station.report_lead(id="L2", officer="D0001", kind="information", occurred_at=AT, summary="x")
    station.retract_record(record="L2", officer="D0001", reason=RETRACTION, occurred_at=AT)
    station.open_dispute(
        id="D1", officer="D0001", category="neighbour", parties=PARTIES, occurred_at=AT
    )
    station.escalate_dispute(
        dispute="D1", officer="D0001", to_level="yellow", reason=REASON, occurred_at=AT
    )
    station.collect_information(
        id="I1", officer="D0001", subject="person", category="floating", household="H001",
        summary=INFORMATION, occurred_at=AT,
    )  # fmt: skip
    station.receive_request(
        id="R1", officer="D0001", channel="hotline", summary=REQUEST, occurred_at=AT,
        household="H002",
    )  # fmt: skip
    station.hold_meeting(
        id="M1", officer="D0001", kind="resident_forum", participants=["community_officer"],
        attendees=12, summary=MEETING, occurred_at=AT,
    )  # fmt: skip
    station.receive_commendation(
        id="C1", officer="D0001", kind="letter", occurred_at=AT, giver=GIVER
    )


def _raw_store(station: beatpolice.Station, url: str) -> bytes:
    """Everything the store holds, as an attacker with the files or the database reads it."""
    if station.backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(
            part.read_bytes()
            for part in path.parent.iterdir()
            if part.name.startswith(path.name) and not part.name.endswith(".key")
        )
    with psycopg.connect(url, autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        dump: list[bytes] = []
        for table in tables:
            query = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
            dump.extend(row[0].encode("utf-8") for row in connection.execute(query))
    # the text of bytea columns is hex: decode the hex back to find bytes in it
    text = b"\n".join(dump)
    return text + b"\n" + _unhex(text)


def _unhex(text: bytes) -> bytes:
    out = []
    for chunk in text.split(b"\\\\x")[1:] + text.split(b"\\x")[1:]:
        digits = chunk[: len(chunk) - len(chunk.lstrip(b"0123456789abcdef"))]
        digits = digits[: len(digits) // 2 * 2]
        out.append(bytes.fromhex(digits.decode("ascii")))
    return b"\n".join(out)


def _found(raw: bytes) -> list[str]:
    return [text for text in HOLD_OUT if text.encode("utf-8") in raw]


class Clock:
    """A recording clock a test moves on (erasures are recorded after the appraisal)."""

    def __init__(self) -> None:
        self.now = datetime(2014, 1, 31, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def recorded(station_url: str) -> Iterator[beatpolice.Station]:
    clock = Clock()
    with beatpolice.connect(station_url, clock=clock) as station:
        _record_month(station)
        open_registries(station).catch_up()
        clock.now = datetime(2014, 2, 20, tzinfo=UTC)
        yield station


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_no_personal_text_lies_in_clear_in_the_store(
    recorded: beatpolice.Station, station_url: str
) -> None:
    raw = _raw_store(recorded, station_url)

    assert b"D0001" in raw
    assert b"H001" in raw
    assert _found(raw) == []


def test_a_station_with_the_key_reads_the_text(recorded: beatpolice.Station) -> None:
    events = {type(e).__name__ + ":" + str(getattr(e, "id", "")): e for _, e in recorded.events()}

    assert events["VisitRecorded:V0"].notes == f"{NOTES}0"
    assert events["LeadReported:L1"].summary == SUMMARY
    assert events["InformationCollected:I1"].summary == INFORMATION
    assert events["CommendationReceived:C1"].giver == GIVER
    assert recorded.dispute("D1").parties == PARTIES
    rows = open_registries(recorded).disputes().rows
    assert [row.parties for row in rows] == [PARTIES]


def test_registry_tables_hold_sealed_values_not_text(recorded: beatpolice.Station) -> None:
    documents = dict(recorded.view_store.load("disputes", "disputes", ["D1"]))

    assert all(party.startswith("bpenc1:dispute:D1:") for party in documents["D1"]["parties"])


def test_erasure_shows_erased_to_every_reader(recorded: beatpolice.Station) -> None:
    registries = open_registries(recorded)  # folded before the erasure: sealed copies
    later = AT + timedelta(days=20)

    recorded.erase_personal_data(subject="dispute:D1", reason="PIPL art. 47", occurred_at=later)
    recorded.erase_personal_data(subject="household:H001", reason="moved", occurred_at=later)
    recorded.erase_personal_data(subject="record:D0001/L1", reason="closed", occurred_at=later)
    registries.catch_up()

    events = {type(e).__name__ + ":" + str(getattr(e, "id", "")): e for _, e in recorded.events()}
    assert events["VisitRecorded:V1"].notes == ERASED  # made at household H001
    assert events["InformationCollected:I1"].summary == ERASED  # also at H001
    assert events["VisitRecorded:V0"].notes == f"{NOTES}0"  # another household's
    assert events["LeadReported:L1"].summary == ERASED
    assert events["DisputeEscalated:"].reason == ERASED
    assert recorded.dispute("D1").parties == (ERASED, ERASED)
    assert [row.parties for row in registries.disputes().rows] == [(ERASED, ERASED)]
    erasures = [e for _, e in recorded.events() if type(e).__name__ == "PersonalDataErased"]
    assert [(e.subject, e.reason) for e in erasures] == [
        ("dispute:D1", "PIPL art. 47"),
        ("household:H001", "moved"),
        ("record:D0001/L1", "closed"),
    ]


def test_erasure_moves_no_appraisal_fingerprint_or_log_check(
    recorded: beatpolice.Station,
) -> None:
    before = beatpolice.appraise(recorded, month="2014-01", rules="dezhou-2014", as_of=AS_OF)
    checkpoint = recorded.event_log().checkpoint()

    for subject in ("dispute:D1", "household:H000", "household:H001", "record:D0001/L1"):
        recorded.erase_personal_data(subject=subject, reason="request", occurred_at=AS_OF)
    after = beatpolice.appraise(recorded, month="2014-01", rules="dezhou-2014", as_of=AS_OF)

    assert "visit" in before.officer("D0001").awarded
    assert after.model_dump(mode="json") == before.model_dump(mode="json")
    beatpolice.verify(recorded, before)  # a report made before the erasure still verifies
    result = cast(Any, recorded.event_log()).check([checkpoint])
    assert result.ok, result.first


def test_a_refused_erasure_destroys_nothing(recorded: beatpolice.Station) -> None:
    with pytest.raises(beatpolice.FieldTimeError):
        recorded.erase_personal_data(
            subject="dispute:D1", reason="request", occurred_at=datetime(1980, 1, 1, tzinfo=UTC)
        )

    assert recorded.dispute("D1").parties == PARTIES


def test_a_subject_is_erased_once(recorded: beatpolice.Station) -> None:
    first = recorded.erase_personal_data(subject="dispute:D1", reason="a", occurred_at=AS_OF)
    again = recorded.erase_personal_data(subject="dispute:D1", reason="a", occurred_at=AS_OF)

    assert (first.events, again.duplicate) == (1, True)
    with pytest.raises(beatpolice.RuleViolationError, match="already erased"):
        recorded.erase_personal_data(subject="dispute:D1", reason="b", occurred_at=AS_OF)


def test_text_recorded_after_an_erasure_is_not_kept(recorded: beatpolice.Station) -> None:
    recorded.erase_personal_data(subject="dispute:D1", reason="a", occurred_at=AT)
    recorded.escalate_dispute(
        dispute="D1", officer="D0001", to_level="red", reason=REASON, occurred_at=AT
    )

    reasons = [e.reason for _, e in recorded.events() if type(e).__name__ == "DisputeEscalated"]
    assert reasons == [ERASED, ERASED]


def test_digests_are_keyed_so_a_guess_cannot_be_confirmed(
    station: beatpolice.Station,
) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    command = commands.OpenDispute(
        id="D1", officer="D0001", category="neighbour", parties=PARTIES, occurred_at=AT
    )

    receipt = station.handle(command)

    assert receipt.digest.startswith("hmac-sha256:")
    stored = [e.command for _, e in station.events() if type(e).__name__ == "DisputeOpened"]
    assert stored == [receipt.digest]
    assert command.digest() != receipt.digest  # the unkeyed hash of the guess is not it
    assert station.handle(command).duplicate


def test_sm4_gcm_seals_and_opens(station_url: str, clock: Callable[[], datetime]) -> None:
    with beatpolice.connect(station_url, clock=clock, cipher="sm4-gcm") as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        station.open_dispute(
            id="D1", officer="D0001", category="neighbour", parties=PARTIES, occurred_at=AT
        )
        assert station.dispute("D1").parties == PARTIES


def test_a_store_begun_without_keys_keeps_plain_digests(
    station_url: str, clock: Callable[[], datetime]
) -> None:
    from beatpolice.adapters.store.backend import store_at
    from beatpolice.application.station import Station

    lead: dict[str, Any] = {
        "id": "L1",
        "officer": "D0001",
        "kind": "information",
        "occurred_at": AT,
    }
    with Station(store_at(station_url), clock=clock) as old:  # what a 0.2 store holds
        old.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        plain = old.report_lead(**lead, summary=SUMMARY).digest

    if station_url == "memory://":
        pytest.skip("a memory store does not outlive its station")
    with beatpolice.connect(station_url, clock=clock) as station:
        again = station.report_lead(**lead, summary=SUMMARY)

    assert plain.startswith("sha256:")
    assert again.duplicate
    assert again.digest == plain


def test_sealed_bytes_differ_between_two_records_of_one_text(
    station: beatpolice.Station,
) -> None:
    station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    for record in ("L1", "L2"):
        station.report_lead(
            id=record, officer="D0001", kind="information", occurred_at=AT, summary=SUMMARY
        )

    sealed = [e.summary for _, e in station.read_events(1, 10) if hasattr(e, "summary")]
    assert len(sealed) == 2
    assert sealed[0] != sealed[1]
    assert hashlib.sha256(SUMMARY.encode()).hexdigest() not in "".join(sealed)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_key_is_written_with_its_events_or_not_at_all(
    station_url: str, clock: Callable[[], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0708: a save that fails after its new key went to the store leaves no key row
    behind and the station forgets the key; sent again, the command is sealed under a
    key that is stored, so another station reads the text."""
    with beatpolice.connect(station_url, clock=clock) as station:
        station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
        store_type = type(cast(Any, station.keys)._store)
        real_add_in = store_type.add_in
        written: list[str] = []

        def add_then_fail(self: Any, cursor: Any, rows: Any) -> None:
            real_add_in(self, cursor, rows)
            written.extend(row.subject for row in rows)
            raise RuntimeError("the disk went away after the keys were sent")

        monkeypatch.setattr(store_type, "add_in", add_then_fail)
        lead = {"id": "L1", "officer": "D0001", "kind": "criminal_lead", "occurred_at": AT}
        with pytest.raises(RuntimeError):
            station.report_lead(**lead, summary=SUMMARY)
        assert written == ["record:D0001/L1"]
        assert cast(Any, station.keys)._store.get(written) == {}
        assert station.last_position() == 1  # the enlistment only

        monkeypatch.setattr(store_type, "add_in", real_add_in)
        station.report_lead(**lead, summary=SUMMARY)
        assert set(cast(Any, station.keys)._store.get(written)) == set(written)

    with beatpolice.connect(station_url, clock=clock) as reader:
        summaries = [e.summary for _, e in reader.events() if hasattr(e, "summary")]
    assert summaries == [SUMMARY]

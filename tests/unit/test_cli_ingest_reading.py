"""ingest_lines: bounded reading, byte-order marks, bounded reports, failing batches."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import beatpolice
from beatpolice.application import ingest, retries
from beatpolice.application.ingest import IngestReport, Refusal, ingest_lines, read_lines
from beatpolice.domain.errors import ConcurrencyError, StorageError

ENLIST = orjson.dumps(
    {"type": "enlist_officer", "badge": "D1", "name": "薛翠翠", "station": "德州", "beat": "一区"}
)


def visit(number: int) -> bytes:
    return orjson.dumps(
        {
            "type": "record_visit",
            "id": f"V{number}",
            "officer": "D1",
            "household": f"H{number}",
            "occurred_at": "2014-01-03T09:30:00+08:00",
            "people_match_register": True,
        }
    )


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes a read, like a slow pipe."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        piece = bytes(self._data[: min(self._step, size if size > 0 else self._step)])
        self._data = self._data[len(piece) :]
        self.largest_read = max(self.largest_read, len(piece))
        return piece

    read = read1


class Endless(io.RawIOBase):
    """One line of ``size`` bytes of ``A`` made as it is read, then a short line."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._tail = b"\n" + ENLIST + b"\n"

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        if self._left:
            piece = min(self._left, size)
            self._left -= piece
            return b"A" * piece
        piece_bytes, self._tail = self._tail[:size], self._tail[size:]
        return piece_bytes

    read = read1


@pytest.mark.parametrize("step", [1, 2, 3, 5, 64, 1 << 16])
def test_lines_split_across_reads_are_whole_and_numbered(step: int) -> None:
    lines = [b"", b"a", b"bb", b"x" * 10, b"c" * 11, b"", b"tail"]
    found = list(read_lines(Trickle(b"\n".join(lines), step), max_line_bytes=10))
    assert [number for number, _ in found] == list(range(1, 8))
    shown = [line if isinstance(line, bytes) else "too long" for _, line in found]
    assert shown == [b"", b"a", b"bb", b"x" * 10, "too long", b"", b"tail"]


@pytest.mark.parametrize("step", [1, 2, 4, 1 << 16])
def test_a_byte_order_mark_before_the_first_line_is_skipped(step: int) -> None:
    data = b"\xef\xbb\xbf" + ENLIST + b"\n\xef\xbb\xbf{}\n"
    found = [line for _, line in read_lines(Trickle(data, step))]
    assert found == [ENLIST, b"\xef\xbb\xbf{}"]  # only the first line's mark is a mark


def test_a_byte_order_mark_on_given_lines() -> None:
    assert [line for _, line in read_lines(["\ufeff{}", "\ufeff{}"])] == ["{}", "\ufeff{}"]
    assert [line for _, line in read_lines([b"\xef\xbb\xbf{}"])] == [b"{}"]


def test_a_bom_file_ingests() -> None:
    station = beatpolice.connect("memory://")
    report = ingest_lines(station, io.BytesIO(b"\xef\xbb\xbf" + ENLIST + b"\n" + visit(1)))
    assert (report.recorded, report.refused_count) == (2, 0)


def test_a_long_line_is_refused_without_being_held() -> None:
    station = beatpolice.connect("memory://")
    tracemalloc.start()
    try:
        report = ingest_lines(station, Endless(64 << 20), max_line_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.refused == [
        Refusal(1, "the line is longer than 1,048,576 bytes (--max-line-bytes); it was not read")
    ]
    assert report.recorded == 1  # the line after it
    assert peak < 8 << 20  # a 64 MiB line, never more than a chunk or two of it held


def test_the_limit_applies_to_given_lines_too() -> None:
    station = beatpolice.connect("memory://")
    report = ingest_lines(station, [ENLIST, "x" * 101, "é" * 60], max_line_bytes=100)
    assert [refusal.line for refusal in report.refused] == [2, 3]  # 'é' is two bytes


def test_the_report_keeps_counts_and_a_bounded_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "KEPT_REFUSALS", 10)
    seen: list[Refusal] = []
    station = beatpolice.connect("memory://")
    report = ingest_lines(station, [ENLIST] + ["{bad"] * 25, on_refused=seen.append)
    assert report.refused_count == 25 == len(seen)
    assert len(report.refused) == 10
    assert [refusal.line for refusal in report.refused] == list(range(2, 12))
    assert report.lines == report.recorded + report.resent + report.refused_count == 26


def flaky(station: Any, failures: dict[int, type[Exception]]) -> list[int]:
    """Make the n-th call of ``handle_batch`` raise; returns the sizes of the calls."""
    real = station.handle_batch
    calls: list[int] = []

    def handle_batch(commands: Any, **kwargs: Any) -> Any:
        batch = list(commands)
        calls.append(len(batch))
        error = failures.get(len(calls))
        if error is not None:
            raise error("injected: another writer recorded events first")
        return real(batch, **kwargs)

    station.handle_batch = handle_batch
    return calls


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retries, "RETRY_BACKOFF", 0.0)


def test_a_batch_meeting_another_writer_is_decided_again() -> None:
    station = beatpolice.connect("memory://")
    calls = flaky(station, {2: ConcurrencyError, 3: ConcurrencyError})
    lines = [ENLIST] + [visit(n) for n in range(1, 10)]
    report = ingest_lines(station, lines, batch_size=4)
    assert calls == [4, 4, 4, 4, 2]
    assert (report.lines, report.recorded, report.refused_count) == (10, 10, 0)
    assert len(list(station.events())) == 10


def test_a_batch_that_never_lands_is_settled_line_by_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retries, "RETRY_ATTEMPTS", 3)
    station = beatpolice.connect("memory://")
    # the whole batch fails all three times; then each line alone, the 2nd one three times
    calls = flaky(
        station,
        {
            1: ConcurrencyError,
            2: ConcurrencyError,
            3: ConcurrencyError,
            5: ConcurrencyError,
            6: ConcurrencyError,
            7: ConcurrencyError,
        },
    )
    report = ingest_lines(station, [ENLIST, visit(1), visit(2)], batch_size=10)
    assert calls == [3, 3, 3, 1, 1, 1, 1, 1]
    assert report.recorded == 2
    assert [refusal.line for refusal in report.refused] == [2]
    assert "another writer" in report.refused[0].message
    assert report.lines == 3


def test_a_failing_store_stops_the_ingest_with_a_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retries, "RETRY_ATTEMPTS", 2)
    station = beatpolice.connect("memory://")
    flaky(station, {2: StorageError, 3: StorageError})
    lines = [ENLIST, visit(1), b"{bad", visit(3), visit(4), b"{bad"]
    batches: list[int] = []
    report = ingest_lines(station, lines, batch_size=3, on_batch=lambda r: batches.append(r.lines))
    assert (report.recorded, report.refused_count, report.failed_at) == (2, 1, 4)
    assert report.failure == "injected: another writer recorded events first"
    assert not report.ok
    assert "stopped at line 4, the store failed" in report.summary()
    assert batches == [3, 3]


def test_a_given_report_holds_the_counts_when_interrupted() -> None:
    station = beatpolice.connect("memory://")

    def lines() -> Iterator[bytes]:
        yield ENLIST
        yield visit(1)
        raise KeyboardInterrupt

    report = IngestReport()
    with pytest.raises(KeyboardInterrupt):
        ingest_lines(station, lines(), batch_size=1, report=report)
    assert (report.lines, report.recorded) == (2, 2)


def test_a_text_stream_is_read_by_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + ENLIST + b"\n" + visit(1) + b"\n")
    station = beatpolice.connect("memory://")
    with source.open(encoding="utf-8") as lines:
        report = ingest_lines(station, lines)
    assert report.recorded == 2

"""The log's stored nodes (ADR 0527) on memory, SQLite and PostgreSQL: roots, proofs and
the size at an instant are exactly the full tree's, read in a bounded number of rows;
an edited, removed or added node is named by ``audit check``; an older store gets its
nodes when it is opened."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

import beatpolice
from beatpolice.adapters.store._log_nodes import BLOCK, NODE_TABLE
from beatpolice.adapters.store.event_log import EventLog, root_text
from beatpolice.adapters.store.log_leaf import Leaf, leaf_hash
from beatpolice.adapters.store.merkle import SHA256, Tree

BACKENDS = ("memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
STORE_BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
START = datetime(2014, 1, 1, tzinfo=UTC)
# batches crossing block boundaries every way: inside one block, ending on one, spanning
# several; recorded times step back once (recording clocks need not be monotonic)
BATCHES = (1, 254, 1, 300, 7, 600, 1, 1, 255, 1500, 33)


def _stamp(n: int) -> datetime:
    return START + timedelta(minutes=n - (400 if 900 <= n < 1000 else 0), microseconds=n % 7)


def _event(n: int) -> StoredEvent:
    stamp = _stamp(n).isoformat().replace("+00:00", "Z")
    state = b'{"timestamp":"%s","n":%d}' % (stamp.encode(), n)
    return StoredEvent(uuid4(), 1, "beatpolice:Probe", state)


def _fill(log: EventLog) -> int:
    recorder: Any = log._recorder
    n = 0
    for size in BATCHES:
        recorder.insert_events([_event(n + i) for i in range(size)])
        n += size
    return n


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def url(station_url: str) -> str:
    return station_url


class _Spy:
    """The recorder, counting the reads a log makes of it and the rows they return."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self.log_hash = recorder.log_hash
        self.queries = 0
        self.rows = 0

    def log_length(self) -> int:
        self.queries += 1
        self.rows += 1
        return int(self._recorder.log_length())

    def log_node(self, level: int, index: int) -> Any:
        self.queries += 1
        found = self._recorder.log_node(level, index)
        self.rows += found is not None
        return found

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        self.queries += 1
        found: list[Leaf] = self._recorder.log_leaves(start, limit)
        self.rows += len(found)
        return found

    def log_node_rows(self) -> Any:
        raise AssertionError("a checkpoint reads no node table whole")

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a checkpoint reads no stored event")


def _linear_size(leaves: list[Leaf], as_of: datetime) -> int:
    """The size at ``as_of`` by ADR 0524's definition, over every leaf."""
    size = 0
    for leaf in leaves:
        if leaf.recorded_at and datetime.fromisoformat(leaf.recorded_at) <= as_of:
            size = leaf.index + 1
    return size


def test_roots_proofs_and_sizes_are_the_full_trees(url: str) -> None:
    with beatpolice.connect(url) as station:
        log = station.event_log()
        assert isinstance(log, EventLog)
        n = _fill(log)
        leaves = list(log.leaves())
        assert [leaf.index for leaf in leaves] == list(range(n))
        tree = Tree([leaf.hash for leaf in leaves], log.hash)
        edges = {0, 1, 2, 255, 256, 257, 511, 512, 513, 1000, 1024, 1500, 2047, n}
        sizes = sorted(edges | set(range(0, n + 1, 97)))
        for size in sizes:
            assert log.root_at(size).root == root_text(log.hash, tree.root(size))
        for old, new in ((1, n), (256, 512), (300, 2049), (1024, n), (777, 778)):
            assert log.consistency_proof(old, new) == tree.consistency_proof(old, new)
        for index, size in ((0, n), (255, 256), (256, 300), (1000, 2048), (n - 1, n)):
            assert log.inclusion_proof(index, size) == tree.inclusion_proof(index, size)
        for minutes in (-1, 0, 200, 500, 899, 950, 1000, 1300, 2900, n + 5):
            as_of = START + timedelta(minutes=minutes, microseconds=3)
            expected = _linear_size(leaves, as_of)
            checkpoint = log.checkpoint(as_of=as_of)
            assert checkpoint.size == expected
            assert checkpoint.root == root_text(log.hash, tree.root(expected))
        assert log.check().ok


def test_a_checkpoint_at_an_old_size_reads_a_bounded_number_of_rows(url: str) -> None:
    with beatpolice.connect(url) as station:
        log = station.event_log()
        assert isinstance(log, EventLog)
        n = _fill(log)
        spy = _Spy(log._recorder)
        spied = EventLog(spy)
        old = START + timedelta(minutes=700)
        checkpoint = spied.checkpoint(as_of=old)
        assert checkpoint == log.checkpoint(as_of=old)
        assert 0 < checkpoint.size < n - 2 * BLOCK
        # the leaves of the tail and of at most two blocks, one node per level on the way
        levels = n.bit_length()
        assert spy.rows <= 3 * BLOCK + 4 * levels, (spy.rows, n)
        assert spy.queries <= 6 + 4 * levels, (spy.queries, n)
        spy.rows = spy.queries = 0
        spied.consistency_proof(checkpoint.size, n)
        assert spy.rows <= 2 * BLOCK + 4 * levels
        assert spy.queries <= 6 + 4 * levels


class _Raw:
    def __init__(self, url: str) -> None:
        self.url = url

    def run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return list(connection.execute(statement.replace("%s", "?"), params))
        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture
def filled(station_url: str) -> tuple[str, str]:
    with beatpolice.connect(station_url) as station:
        _fill(station.event_log())  # type: ignore[arg-type]
    return station_url, checkpoint_of(station_url)


on_stores = pytest.mark.parametrize("backend", STORE_BACKENDS, indirect=True)


def checkpoint_of(url: str) -> str:
    with beatpolice.connect(url) as station:
        return str(station.event_log().checkpoint().root)


def _problems(url: str) -> list[str]:
    with beatpolice.connect(url) as station:
        log = station.event_log()
        assert isinstance(log, EventLog)
        return [f"{p.kind}: {p.message}" for p in log.check().problems]


@on_stores
def test_an_edited_node_is_named(filled: tuple[str, str]) -> None:
    url, _root = filled
    raw = _Raw(url)
    raw.run(f"UPDATE {NODE_TABLE} SET hash = %s WHERE level = 9 AND idx = 1", (b"\x00" * 32,))
    found = _problems(url)
    assert len(found) == 1
    assert found[0].startswith("node: position ")
    assert "node over leaves 512..1023 (level 9, index 1)" in found[0]
    assert "its hash" in found[0]


@on_stores
def test_an_edited_earliest_time_is_named(filled: tuple[str, str]) -> None:
    url, _ = filled
    _Raw(url).run(f"UPDATE {NODE_TABLE} SET earliest = 0 WHERE level = 8 AND idx = 3")
    found = _problems(url)
    assert len(found) == 1
    assert "level 8, index 3" in found[0]
    assert "earliest recorded time" in found[0]


@on_stores
def test_a_removed_node_is_named_and_answers_stay_exact(filled: tuple[str, str]) -> None:
    url, root = filled
    raw = _Raw(url)
    raw.run(f"DELETE FROM {NODE_TABLE} WHERE level = 10 AND idx = 0")
    assert checkpoint_of(url) == root  # computed from below
    found = _problems(url)
    assert found == [
        "node: position 1: the log's node over leaves 0..1023 (level 10, index 0) is missing "
        "(the log itself was edited)"
    ]


@on_stores
def test_an_added_node_is_named(filled: tuple[str, str]) -> None:
    url, _ = filled
    _Raw(url).run(f"INSERT INTO {NODE_TABLE} VALUES (%s, %s, %s, %s)", (8, 999, b"\x01" * 32, 0))
    found = _problems(url)
    assert len(found) == 1
    assert "covers leaves the log does not hold" in found[0]


@on_stores
def test_an_edited_leaf_names_its_event_not_the_nodes_above(filled: tuple[str, str]) -> None:
    url, _ = filled
    raw = _Raw(url)
    raw.run("UPDATE bp_log SET hash = %s WHERE leaf = 5", (b"\x02" * 32,))
    found = _problems(url)
    # the leaf no longer matches its event: the event is named, not the nodes above it
    assert len(found) == 1
    assert found[0].startswith("altered: position ")


@on_stores
def test_a_store_without_nodes_gets_them_when_opened(filled: tuple[str, str]) -> None:
    url, root = filled
    raw = _Raw(url)
    before = raw.run(f"SELECT level, idx, hash, earliest FROM {NODE_TABLE} ORDER BY level, idx")
    raw.run(f"DROP TABLE {NODE_TABLE}")
    assert checkpoint_of(url) == root
    after = raw.run(f"SELECT level, idx, hash, earliest FROM {NODE_TABLE} ORDER BY level, idx")
    assert [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in after] == [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in before
    ]
    assert len(after) > 0
    assert _problems(url) == []


@on_stores
def test_an_event_and_its_leaf_rewritten_alike_are_caught_by_the_nodes(
    filled: tuple[str, str],
) -> None:
    url, _ = filled
    raw = _Raw(url)
    sqlite = url.startswith("sqlite")
    events, position = (
        ("stored_events", "rowid") if sqlite else ("beatpolice_events", "notification_id")
    )
    originator, version, topic, state = raw.run(
        f"SELECT originator_id, originator_version, topic, state FROM {events} "
        f"WHERE {position} = 700"
    )[0]
    forged = bytes(state).replace(b'"n":699', b'"n":-1')
    identity = UUID(hex=originator) if sqlite else originator
    _, digest = leaf_hash(SHA256, 700, identity, version, topic, forged)
    raw.run(f"UPDATE {events} SET state = %s WHERE {position} = 700", (forged,))
    raw.run("UPDATE bp_log SET hash = %s WHERE position = 700", (digest,))
    found = _problems(url)
    assert found
    assert all(p.startswith("node: ") for p in found)
    assert "node over leaves 512..767 (level 8, index 2)" in found[0]

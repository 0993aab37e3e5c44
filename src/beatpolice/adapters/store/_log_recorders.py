"""eventsourcing's memory and SQLite recorders, writing the log's leaves with the events.

Each recorder inserts, in the transaction that inserts a batch of events, one row per
event in the log's table (``bp_log``: leaf index, position, originator id, version,
topic, recorded time, leaf hash; ADR 0520). A store opened before it had a log (a
format-2 store of 0.2's previews, or one copied by ``beatpolice migrate`` before the
log existed) gets its log built from its events when it is opened (ADR 0522). The
PostgreSQL recorder is :mod:`beatpolice.adapters.store._postgres_recorder`.

The log's hash (``sha256`` or ``sm3``) is chosen when the log is first written, from
``BEATPOLICE_LOG_HASH`` (default ``sha256``), and kept in the store's marker as
``log_hash``; a store keeps its hash for life (ADR 0521).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from beatpolice.adapters.store._log_nodes import NODE_TABLE, Node, NodeRow, build_nodes, new_nodes
from beatpolice.adapters.store.event_log import EventLog
from beatpolice.adapters.store.log_leaf import Leaf, leaf_hash
from beatpolice.adapters.store.merkle import SHA256, Hasher, hasher
from beatpolice.domain.errors import SettingError

__all__ = [
    "LOG_HASH_ENV",
    "LOG_HASH_KEY",
    "LOG_TABLE",
    "LeafRow",
    "LoggedPOPOFactory",
    "POPOEventRecorder",
    "SQLiteEventRecorder",
    "chosen_hash",
    "leaf_pairs",
    "leaf_rows",
    "to_leaf",
]

LOG_TABLE = "bp_log"
"""The table of the log's leaves, beside the events (SQLite and PostgreSQL)."""

LOG_HASH_ENV = "BEATPOLICE_LOG_HASH"
"""Environment variable choosing a new log's hash: ``sha256`` (default) or ``sm3``."""

LOG_HASH_KEY = "log_hash"
"""The marker row (``bp_store``) naming the hash a store's log uses."""

LeafRow = tuple[int, int, str, int, str, str, bytes]
"""A ``bp_log`` row: leaf, position, originator id, version, topic, recorded time, hash."""


def chosen_hash() -> Hasher:
    """The hash a new log uses: ``BEATPOLICE_LOG_HASH``, SHA-256 when unset.

    Raises:
        SettingError: the variable names another hash.
    """
    try:
        return hasher(os.environ.get(LOG_HASH_ENV, "").strip() or SHA256.name)
    except ValueError as error:
        raise SettingError(f"{LOG_HASH_ENV}: {error}") from None


def leaf_rows(
    hash: Hasher, first: int, records: Iterable[tuple[int, UUID | str, int, str, bytes]]
) -> list[LeafRow]:
    """The ``bp_log`` rows of ``records`` (position, originator, version, topic, state),
    the first of them at leaf index ``first``."""
    rows: list[LeafRow] = []
    for offset, (position, originator_id, version, topic, state) in enumerate(records):
        recorded, digest = leaf_hash(hash, position, originator_id, version, topic, state)
        rows.append(
            (first + offset, position, str(originator_id), version, topic, recorded, digest)
        )
    return rows


def leaf_pairs(rows: Iterable[LeafRow]) -> list[tuple[bytes, str]]:
    """Each ``bp_log`` row's hash and recorded time, as nodes are made of them."""
    return [(row[6], row[5]) for row in rows]


def to_leaf(row: Sequence[Any]) -> Leaf:
    """A :class:`Leaf` from a ``bp_log`` row in column order."""
    return Leaf(
        index=int(row[0]),
        position=int(row[1]),
        originator_id=str(row[2]),
        version=int(row[3]),
        topic=str(row[4]),
        recorded_at=str(row[5]),
        hash=bytes(row[6]),
    )


_SQLITE_LOG = (
    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} ("
    "leaf INTEGER PRIMARY KEY, position INTEGER NOT NULL, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, recorded_at TEXT NOT NULL, "
    "hash BLOB NOT NULL)"
)
_SQLITE_NODES = (
    f"CREATE TABLE IF NOT EXISTS {NODE_TABLE} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, earliest INTEGER, PRIMARY KEY (level, idx)) WITHOUT ROWID"
)
_SQLITE_INSERT_NODES = f"INSERT INTO {NODE_TABLE} VALUES (?,?,?,?)"


class SQLiteEventRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, with the log's leaves in the same transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.log_hash: Hasher = chosen_hash()
        self._event_log = EventLog(self)
        self.with_events: Callable[[Any], None] | None = None
        """Called with the cursor in each events' transaction, before the events (the
        keyring writes the keys they are sealed with, ADR 0708)."""

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's events table, then the log's."""
        return [*super().construct_create_table_statements(), _SQLITE_LOG, _SQLITE_NODES]

    def create_table(self) -> None:
        """Create the tables; settle the log's hash; build the log (or its nodes) of an
        older store."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                (LOG_TABLE, NODE_TABLE),
            )
            had = {str(row[0]) for row in c.fetchall()}
            self._create_table(c)
            self.log_hash = self._settle_hash(c)
            if LOG_TABLE not in had:
                self._build_log(c)
            elif NODE_TABLE not in had:
                build_nodes(
                    self.log_hash,
                    lambda start, limit: self._pairs(c, start, start + limit),
                    lambda level, index: self._node(c, level, index),
                    lambda rows: c.executemany(_SQLITE_INSERT_NODES, rows),
                )

    @staticmethod
    def _pairs(c: SQLiteCursor, start: int, end: int) -> list[tuple[bytes, str]]:
        c.execute(
            f"SELECT hash, recorded_at FROM {LOG_TABLE} WHERE leaf >= ? AND leaf < ? "
            "ORDER BY leaf",
            (start, end),
        )
        return [(bytes(row[0]), str(row[1])) for row in c.fetchall()]

    @staticmethod
    def _node(c: SQLiteCursor, level: int, index: int) -> Node | None:
        c.execute(
            f"SELECT hash, earliest FROM {NODE_TABLE} WHERE level = ? AND idx = ?", (level, index)
        )
        row = c.fetchone()
        return None if row is None else (bytes(row[0]), None if row[1] is None else int(row[1]))

    def _nodes_after(self, c: SQLiteCursor, first: int, rows: list[LeafRow]) -> None:
        nodes = new_nodes(
            self.log_hash,
            first,
            leaf_pairs(rows),
            lambda start, end: self._pairs(c, start, end),
            lambda level, index: self._node(c, level, index),
        )
        if nodes:
            c.executemany(_SQLITE_INSERT_NODES, nodes)

    def _settle_hash(self, c: SQLiteCursor) -> Hasher:
        c.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'bp_store'")
        if not c.fetchone()[0]:  # an unmarked scratch store (":memory:"): nothing to keep
            return self.log_hash
        c.execute("SELECT value FROM bp_store WHERE key = ?", (LOG_HASH_KEY,))
        row = c.fetchone()
        if row is not None:
            return hasher(str(row[0]))
        c.execute(
            "INSERT OR IGNORE INTO bp_store (key, value) VALUES (?, ?)",
            (LOG_HASH_KEY, self.log_hash.name),
        )
        return self.log_hash

    def _build_log(self, c: SQLiteCursor) -> None:
        c.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} ORDER BY rowid"
        )
        records = [
            (int(r[0]), self.convert_originator_id(r[1]), int(r[2]), str(r[3]), bytes(r[4]))
            for r in c.fetchall()
        ]
        if records:
            rows = leaf_rows(self.log_hash, 0, records)
            c.executemany(f"INSERT INTO {LOG_TABLE} VALUES (?,?,?,?,?,?,?)", rows)
            self._nodes_after(c, 0, rows)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if stored_events and self.with_events is not None:
            self.with_events(c)
        ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events and ids:
            c.execute(f"SELECT COALESCE(MAX(leaf) + 1, 0) FROM {LOG_TABLE}")
            first = int(c.fetchone()[0])
            records = (
                (int(i), s.originator_id, s.originator_version, s.topic, s.state)
                for i, s in zip(ids, stored_events, strict=True)
            )
            rows = leaf_rows(self.log_hash, first, records)
            c.executemany(f"INSERT INTO {LOG_TABLE} VALUES (?,?,?,?,?,?,?)", rows)
            self._nodes_after(c, first, rows)
        return ids

    def log_length(self) -> int:
        """How many leaves the log has."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COALESCE(MAX(leaf) + 1, 0) FROM {LOG_TABLE}")
            return int(c.fetchone()[0])

    def log_node(self, level: int, index: int) -> Node | None:
        """The stored node (hash, earliest recorded time), or None (ADR 0527)."""
        with self.datastore.transaction(commit=False) as c:
            return self._node(c, level, index)

    def log_node_rows(self) -> list[NodeRow]:
        """Every stored node: level, index, hash, earliest recorded time."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT level, idx, hash, earliest FROM {NODE_TABLE} ORDER BY level, idx")
            return [
                (int(r[0]), int(r[1]), bytes(r[2]), None if r[3] is None else int(r[3]))
                for r in c.fetchall()
            ]

    def event_log(self) -> EventLog:
        """This store's log (one per recorder: it keeps the tree between calls)."""
        return self._event_log

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``, in order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT leaf, position, originator_id, originator_version, topic, "
                f"recorded_at, hash FROM {LOG_TABLE} WHERE leaf >= ? ORDER BY leaf LIMIT ?",
                (start, limit),
            )
            return [to_leaf(tuple(row)) for row in c.fetchall()]


class POPOEventRecorder(POPOApplicationRecorder):
    """eventsourcing's memory recorder, keeping the log's leaves beside the events."""

    def __init__(self) -> None:
        super().__init__()
        self.log_hash: Hasher = chosen_hash()
        self._event_log = EventLog(self)
        self.with_events: Callable[[Any], None] | None = None
        """Called (with None) as each batch of events is written, before them (ADR 0708)."""
        self._leaves: list[Leaf] = []
        self._nodes: dict[tuple[int, int], Node] = {}
        self._leaves_lock = threading.Lock()

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # called under the database lock, after the uniqueness checks: decide the leaves
        # first, so that nothing is half-written if hashing fails
        first_position = len(self._stored_events) + 1
        rows = leaf_rows(
            self.log_hash,
            len(self._leaves),
            (
                (first_position + n, s.originator_id, s.originator_version, s.topic, s.state)
                for n, s in enumerate(stored_events)
            ),
        )
        first = len(self._leaves)
        nodes = new_nodes(
            self.log_hash,
            first,
            leaf_pairs(rows),
            lambda start, end: [(leaf.hash, leaf.recorded_at) for leaf in self._leaves[start:end]],
            lambda level, index: self._nodes.get((level, index)),
        )
        if stored_events and self.with_events is not None:
            self.with_events(None)
        ids = super()._update_table(stored_events, **kwargs)
        with self._leaves_lock:
            self._leaves.extend(to_leaf(row) for row in rows)
            self._nodes.update(((level, index), (h, e)) for level, index, h, e in nodes)
        return ids

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``, in order."""
        with self._leaves_lock:
            return self._leaves[start : start + limit]

    def log_length(self) -> int:
        """How many leaves the log has."""
        return len(self._leaves)

    def log_node(self, level: int, index: int) -> Node | None:
        """The stored node (hash, earliest recorded time), or None (ADR 0527)."""
        return self._nodes.get((level, index))

    def log_node_rows(self) -> list[NodeRow]:
        """Every stored node: level, index, hash, earliest recorded time."""
        with self._leaves_lock:
            return [(lv, i, h, e) for (lv, i), (h, e) in sorted(self._nodes.items())]

    def event_log(self) -> EventLog:
        """This store's log (one per recorder: it keeps the tree between calls)."""
        return self._event_log


class LoggedPOPOFactory(POPOFactory):
    """eventsourcing's memory persistence, whose application recorder keeps a log."""

    def application_recorder(self) -> ApplicationRecorder:
        """A :class:`POPOEventRecorder`."""
        return POPOEventRecorder()

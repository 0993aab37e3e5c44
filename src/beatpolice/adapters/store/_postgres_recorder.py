"""eventsourcing's PostgreSQL recorder, inserting a large write without psycopg's
pipeline mode, and the log's leaves (and the events' new keys) in the same transaction.

eventsourcing 9.5.6 inserts a batch's events in psycopg's pipeline mode: the table lock,
the notification and one ``INSERT ... SELECT FROM unnest(%s)`` whose parameter holds
every event of the batch (a megabyte for a 2,000-command ingest batch). Under load the
statement sometimes never arrives whole: the server waits for the rest of it
(``ClientRead``, mid-INSERT) while psycopg waits in ``Pipeline.sync`` for results, and
the ingest hangs for good (seen here; ADR 0226, and again with a province's batches,
ADR 0708). A write of more than :data:`PIPELINE_BYTES` of events runs the same
statements in an ordinary transaction, which sends the whole statement before waiting;
a small one (one command) is pipelined, in two round trips instead of five. Everything else
is eventsourcing's recorder: the ``EXCLUSIVE`` table lock that keeps notification ids
in commit order, the ``NOTIFY``, the returned ids.

Under that lock it also inserts the batch's leaves into ``bp_log`` (one statement over
``unnest`` arrays), numbered after the last leaf: the lock serialises writers, so leaf
indexes follow notification ids (ADR 0520). A store that had no log yet gets it built
from its events when it is opened (ADR 0522).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from beatpolice.adapters.store._log_nodes import NODE_TABLE, Node, NodeRow, build_nodes, new_nodes
from beatpolice.adapters.store._log_recorders import (
    LOG_HASH_KEY,
    LOG_TABLE,
    LeafRow,
    chosen_hash,
    leaf_pairs,
    leaf_rows,
    to_leaf,
)
from beatpolice.adapters.store.event_log import EventLog
from beatpolice.adapters.store.log_leaf import Leaf
from beatpolice.adapters.store.merkle import Hasher, hasher

__all__ = ["PostgresEventRecorder"]

PIPELINE_BYTES = 1 << 15
"""A write of at most this many bytes of events is pipelined (well under a socket
buffer, so neither side can block sending while the other waits to send)."""


class PostgresEventRecorder(PostgresApplicationRecorder):
    """A :class:`PostgresApplicationRecorder` whose inserts use no pipeline and that
    keeps the log's leaves."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.log_hash: Hasher = chosen_hash()
        self._event_log = EventLog(self)
        self.with_events: Callable[[Any], None] | None = None
        """Called with a cursor in each events' transaction, after the events' INSERT (so
        after eventsourcing's table lock): the keyring writes the keys they are sealed
        with (ADR 0708)."""
        schema = Identifier(self.datastore.schema)
        self._log = SQL("{0}.{1}").format(schema, Identifier(LOG_TABLE))
        self._nodes = SQL("{0}.{1}").format(schema, Identifier(NODE_TABLE))
        self._marker = SQL("{0}.{1}").format(schema, Identifier("bp_store"))
        self._events = SQL("{0}.{1}").format(schema, Identifier(self.events_table_name))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (leaf bigint PRIMARY KEY, "
                "position bigint NOT NULL, originator_id text NOT NULL, "
                "originator_version bigint NOT NULL, topic text NOT NULL, "
                "recorded_at text NOT NULL, hash bytea NOT NULL)"
            ).format(self._log)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (level integer NOT NULL, idx bigint NOT NULL, "
                "hash bytea NOT NULL, earliest bigint, PRIMARY KEY (level, idx))"
            ).format(self._nodes)
        )

    def _exists(self, table: str) -> bool:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT to_regclass(%s) AS found", (f"{self.datastore.schema}.{table}",))
            row = curs.fetchone()
            return row is not None and row["found"] is not None

    def create_table(self) -> None:
        """Create the tables; settle the log's hash; build the log (or its nodes) of an
        older store."""
        had_log, had_nodes = self._exists(LOG_TABLE), self._exists(NODE_TABLE)
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            self.log_hash = self._settle_hash(curs)
            if not had_log:
                self._build_log(curs)
            elif not had_nodes:
                curs.execute(SQL("LOCK TABLE {0} IN EXCLUSIVE MODE").format(self._events))
                if not self._node_count(curs):
                    build_nodes(
                        self.log_hash,
                        lambda start, limit: self._pairs(curs, start, start + limit),
                        lambda level, index: self._node(curs, level, index),
                        lambda rows: self._insert_nodes(curs, rows),
                    )

    def _node_count(self, curs: Cursor[DictRow]) -> int:
        curs.execute(SQL("SELECT COUNT(*) AS n FROM {0}").format(self._nodes))
        row = curs.fetchone()
        return int(row["n"]) if row is not None else 0

    def _pairs(self, curs: Cursor[DictRow], start: int, end: int) -> list[tuple[bytes, str]]:
        curs.execute(
            SQL(
                "SELECT hash, recorded_at FROM {0} WHERE leaf >= %s AND leaf < %s ORDER BY leaf"
            ).format(self._log),
            (start, end),
        )
        return [(bytes(r["hash"]), str(r["recorded_at"])) for r in curs.fetchall()]

    def _node(self, curs: Cursor[DictRow], level: int, index: int) -> Node | None:
        curs.execute(
            SQL("SELECT hash, earliest FROM {0} WHERE level = %s AND idx = %s").format(
                self._nodes
            ),
            (level, index),
        )
        row = curs.fetchone()
        if row is None:
            return None
        return bytes(row["hash"]), None if row["earliest"] is None else int(row["earliest"])

    def _insert_nodes(self, curs: Cursor[DictRow], rows: list[NodeRow]) -> None:
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        curs.execute(
            SQL(
                "INSERT INTO {0} SELECT * FROM unnest(%s::integer[], %s::bigint[], "
                "%s::bytea[], %s::bigint[])"
            ).format(self._nodes),
            [list(column) for column in columns],
        )

    def _nodes_after(self, curs: Cursor[DictRow], first: int, rows: list[LeafRow]) -> None:
        nodes = new_nodes(
            self.log_hash,
            first,
            leaf_pairs(rows),
            lambda start, end: self._pairs(curs, start, end),
            lambda level, index: self._node(curs, level, index),
        )
        self._insert_nodes(curs, nodes)

    def _settle_hash(self, curs: Cursor[DictRow]) -> Hasher:
        curs.execute("SELECT to_regclass(%s) AS found", (f"{self.datastore.schema}.bp_store",))
        row = curs.fetchone()
        if row is None or row["found"] is None:
            return self.log_hash
        curs.execute(
            SQL("SELECT value FROM {0} WHERE key = %s").format(self._marker), (LOG_HASH_KEY,)
        )
        found = curs.fetchone()
        if found is not None:
            return hasher(str(found["value"]))
        curs.execute(
            SQL("INSERT INTO {0} (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING").format(
                self._marker
            ),
            (LOG_HASH_KEY, self.log_hash.name),
        )
        return self.log_hash

    def _build_log(self, curs: Cursor[DictRow]) -> None:
        curs.execute(SQL("LOCK TABLE {0} IN EXCLUSIVE MODE").format(self._events))
        curs.execute(
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {0} ORDER BY notification_id"
            ).format(self._events)
        )
        records = [
            (
                int(r["notification_id"]),
                r["originator_id"],
                int(r["originator_version"]),
                str(r["topic"]),
                bytes(r["state"]),
            )
            for r in curs.fetchall()
        ]
        if records:
            rows = leaf_rows(self.log_hash, 0, records)
            self._insert_leaves(curs, rows)
            self._nodes_after(curs, 0, rows)

    def _insert_leaves(self, curs: Cursor[DictRow], rows: list[LeafRow]) -> None:
        columns = list(zip(*rows, strict=True))
        statement: Composed = SQL(
            "INSERT INTO {0} SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "
            "%s::bigint[], %s::text[], %s::text[], %s::bytea[])"
        ).format(self._log)
        curs.execute(statement, [list(column) for column in columns])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert ``stored_events``, their leaves (and their keys) in one transaction.

        A small write is pipelined, as eventsourcing's own insert is: the table lock,
        the notification, the events, the keys and the next leaf's index go to the
        server together (one round trip), then the leaves and the commit. A larger one
        is sent statement by statement: pipelined, a batch of many megabytes stalled
        with the server parsing the INSERT and the client waiting (both sides' socket
        buffers full), as a province's first batches did (ADR 0708).
        """
        ids: Sequence[int] | None = None
        pipelined = sum(len(event.state) for event in stored_events) <= PIPELINE_BYTES
        with (
            self.datastore.get_connection() as conn,
            conn.pipeline() if pipelined else nullcontext() as pipeline,
            conn.transaction(),
        ):
            with conn.cursor() as cursor:
                self._insert_events(cursor, stored_events, **kwargs)
            if not stored_events:
                return None
            with conn.cursor() as cursor, conn.cursor() as leaf_cursor:
                self._insert_stored_events(cursor, stored_events, **kwargs)
                if self.with_events is not None:
                    self.with_events(leaf_cursor)
                leaf_cursor.execute(
                    SQL("SELECT COALESCE(MAX(leaf) + 1, 0) AS next FROM {0}").format(self._log)
                )
                if pipeline is not None:
                    pipeline.sync()  # a uniqueness violation is raised here (IntegrityError)
                ids = self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)
                assert ids is not None
                row = leaf_cursor.fetchone()
                first = int(row["next"]) if row is not None else 0
                records = (
                    (int(i), s.originator_id, s.originator_version, s.topic, s.state)
                    for i, s in zip(ids, stored_events, strict=True)
                )
                rows = leaf_rows(self.log_hash, first, records)
                self._insert_leaves(cursor, rows)
                self._nodes_after(cursor, first, rows)
        return ids

    def event_log(self) -> EventLog:
        """This store's log (one per recorder: it keeps the tree between calls)."""
        return self._event_log

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def log_length(self) -> int:
        """How many leaves the log has."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT COALESCE(MAX(leaf) + 1, 0) AS n FROM {0}").format(self._log))
            row = curs.fetchone()
            return int(row["n"]) if row is not None else 0

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def log_node(self, level: int, index: int) -> Node | None:
        """The stored node (hash, earliest recorded time), or None (ADR 0527)."""
        with self.datastore.transaction(commit=False) as curs:
            return self._node(curs, level, index)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def log_node_rows(self) -> list[NodeRow]:
        """Every stored node: level, index, hash, earliest recorded time."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT level, idx, hash, earliest FROM {0} ORDER BY level, idx").format(
                    self._nodes
                )
            )
            return [
                (
                    int(r["level"]),
                    int(r["idx"]),
                    bytes(r["hash"]),
                    None if r["earliest"] is None else int(r["earliest"]),
                )
                for r in curs.fetchall()
            ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``, in order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT leaf, position, originator_id, originator_version, topic, "
                    "recorded_at, hash FROM {0} WHERE leaf >= %s ORDER BY leaf LIMIT %s"
                ).format(self._log),
                (start, limit),
            )
            return [to_leaf(list(row.values())) for row in curs.fetchall()]

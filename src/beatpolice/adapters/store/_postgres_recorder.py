"""eventsourcing's PostgreSQL recorder, inserting events without psycopg's pipeline mode.

eventsourcing 9.5.6 inserts a batch's events in psycopg's pipeline mode: the table lock,
the notification and one ``INSERT ... SELECT FROM unnest(%s)`` whose parameter holds
every event of the batch (a megabyte for a 2,000-command ingest batch). Under load the
statement sometimes never arrives whole: the server waits for the rest of it
(``ClientRead``, mid-INSERT) while psycopg waits in ``Pipeline.sync`` for results, and
the ingest hangs for good (seen here; ADR 0226). The same three statements in an
ordinary transaction send the whole statement before waiting, so this recorder runs
them so, keeping everything else of eventsourcing's recorder: the ``EXCLUSIVE`` table
lock that keeps notification ids in commit order, the ``NOTIFY``, the returned ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

__all__ = ["PostgresEventRecorder"]


class PostgresEventRecorder(PostgresApplicationRecorder):
    """A :class:`PostgresApplicationRecorder` whose inserts use no pipeline."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert ``stored_events`` in one transaction; their notification ids."""
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as cursor:
                self._insert_events(cursor, stored_events, **kwargs)
            if not stored_events:
                return None
            with conn.cursor() as cursor:
                self._insert_stored_events(cursor, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)

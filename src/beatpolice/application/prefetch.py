"""What a batch's unit of work learns from the store up front, in a few queries.

A batch of 2,000 commands names about as many aggregates: most are records the batch
itself creates, so they are not stored yet. Asking the repository for each one costs
two queries (its latest snapshot, then its events) to learn that it is absent. Here one
query reads the stored version of every aggregate the batch names, and one more reads
every event of the short ones that are stored but not in memory (see
docs/explanation/performance.md).

These read eventsourcing's own tables through its recorder's datastore, on SQLite and
PostgreSQL alike; on another recorder (the in-memory store) they return None and the
unit of work loads aggregates one by one, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from beatpolice.domain import commands as c
from beatpolice.domain._base import StationAggregate
from beatpolice.domain.commands_day import DAY_COMMANDS
from beatpolice.domain.day_records import DayRecord
from beatpolice.domain.dispute import Dispute
from beatpolice.domain.officer import Officer
from beatpolice.domain.records import FieldRecord, record_key
from beatpolice.domain.venue import Venue

__all__ = ["names", "stored_events", "stored_versions"]

CHUNK = 900
"""Ids per query (under SQLite's oldest limit of bound parameters, 999)."""

_CREATES: dict[type[Any], type[StationAggregate]] = {
    c.EnlistOfficer: Officer,
    c.RecordVisit: FieldRecord,
    c.ReportLead: FieldRecord,
    c.RecordService: FieldRecord,
    c.OpenDispute: Dispute,
    c.RegisterVenue: Venue,
    # the records of the officer's day (those with an id of their own)
    **{
        model: DayRecord
        for model in DAY_COMMANDS
        if "id" in model.model_fields and "officer" in model.model_fields
    },
}

_NAMED_BY: tuple[tuple[str, type[StationAggregate]], ...] = (
    ("visit", FieldRecord),
    ("record", FieldRecord),
    ("dispute", Dispute),
    ("venue", Venue),
    ("request", DayRecord),
)


def names(command: Any) -> Iterator[tuple[type[StationAggregate], str]]:
    """The aggregates (kind and key) a command's handler is likely to find.

    A hint only: naming one the handler does not read costs a row of a query, never a
    wrong decision, and one it reads but is not named is loaded when it is found.
    """
    plan = _PLANS.get(type(command))
    if plan is None:
        plan = _PLANS[type(command)] = _plan(type(command))
    values = vars(command)
    officer = values.get("officer")
    officer = officer if isinstance(officer, str) else None
    for field, kind in plan:
        value = values.get(field)
        if not isinstance(value, str):
            continue
        if kind is not FieldRecord and kind is not DayRecord:
            yield kind, value
        elif officer is not None:
            yield kind, record_key(officer, value)


_PLANS: dict[type[Any], tuple[tuple[str, type[StationAggregate]], ...]] = {}


def _plan(command_type: type[Any]) -> tuple[tuple[str, type[StationAggregate]], ...]:
    """Which fields of a command type name which kind of aggregate."""
    fields = getattr(command_type, "model_fields", {})
    plan: list[tuple[str, type[StationAggregate]]] = []
    if "officer" in fields:
        plan.append(("officer", Officer))
    created = _CREATES.get(command_type)
    if created is not None:
        plan.append(("badge" if created is Officer else "id", created))
    plan.extend((field, kind) for field, kind in _NAMED_BY if field in fields)
    return tuple(plan)


def _sql_store(app: Application[UUID]) -> tuple[Any, str, bool] | None:
    recorder: Any = app.recorder
    table = getattr(recorder, "events_table_name", None)
    datastore = getattr(recorder, "datastore", None)
    if not isinstance(table, str) or datastore is None:
        return None
    return datastore, table, hasattr(datastore, "schema")


def _select(
    app: Application[UUID], columns: str, tail: str, ids: list[UUID]
) -> Iterator[tuple[UUID, Any]]:
    """``SELECT columns FROM events WHERE originator_id IN ids tail``, with each row's id."""
    store = _sql_store(app)
    assert store is not None
    datastore, table, postgres = store
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if postgres:
            from psycopg.sql import SQL, Identifier

            statement = SQL(
                f"SELECT {columns} FROM {{schema}}.{{table}} WHERE originator_id = ANY(%s) {tail}"
            ).format(schema=Identifier(datastore.schema), table=Identifier(table))
            # one statement on an autocommit connection: one round trip, no BEGIN/COMMIT
            with datastore.get_connection() as connection, connection.cursor() as cursor:
                cursor.execute(statement, (chunk,))
                rows = cursor.fetchall()
        else:
            marks = ",".join("?" * len(chunk))
            with datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    f"SELECT {columns} FROM {table} WHERE originator_id IN ({marks}) {tail}",
                    [aggregate_id.hex for aggregate_id in chunk],
                )
                rows = cursor.fetchall()
        if postgres:
            yield from ((row["originator_id"], row) for row in rows)
        else:
            by_hex = {aggregate_id.hex: aggregate_id for aggregate_id in chunk}
            yield from ((by_hex[row["originator_id"]], row) for row in rows)


def stored_versions(app: Application[UUID], ids: set[UUID]) -> dict[UUID, int] | None:
    """The stored version of each of ``ids`` that has events; None off SQL stores."""
    if _sql_store(app) is None:
        return None
    rows = _select(
        app,
        "originator_id, MAX(originator_version) AS v",
        "GROUP BY originator_id",
        list(ids),
    )
    return {originator: int(row["v"]) for originator, row in rows}


def stored_events(app: Application[UUID], ids: list[UUID]) -> dict[UUID, list[StoredEvent]]:
    """Every stored event of each of ``ids``, in version order (an SQL store only)."""
    found: dict[UUID, list[StoredEvent]] = {aggregate_id: [] for aggregate_id in ids}
    rows = _select(
        app,
        "originator_id, originator_version, topic, state",
        "ORDER BY originator_id, originator_version",
        ids,
    )
    for originator, row in rows:
        found[originator].append(
            StoredEvent(
                originator_id=originator,
                originator_version=int(row["originator_version"]),
                topic=str(row["topic"]),
                state=bytes(row["state"]),
            )
        )
    return found

"""The quality index: every record's field and recorded times, filed by month and officer.

A pure fold over the log (:class:`QualityIndex`), kept by a
:class:`~beatpolice.projections.ProjectionRunner` like the appraisal index, so that the
quality of a month reads that month's documents alone: its cost follows the month,
not the store. Which events are records is the table of
:mod:`beatpolice.projections.quality._kinds`.

Tables (keys ``/``-joined; months and days in the station's time zone):

``entries``   ``YYYY-MM/badge/DD`` -> ``{"o": officer aggregate id, "f": [row, ...]}``,
              by the record's own field day. A row is ``[kind, key, recorded, command,
              occurred, household, originator]`` (``originator`` empty: the officer's
              aggregate, ``"o"``), and a follow-up adds ``[followed reference,
              followed field time]``. A retraction row ``["retraction", record, ...]``
              is filed beside the record and beside each of its follow-ups;
``records``   ``badge|record`` -> ``{"at": entries key, "ref": reference, "t": field
              time, "fu": [entries keys of its follow-ups], "x": retracted}``;
``officers``  ``badge`` -> ``{"name": ..., "recorded": UTC text}``.

Times are UTC strings of one fixed width (string order is time order).
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.officer import Officer, OfficerEnlisted
from beatpolice.domain.rules.facts import Fact
from beatpolice.projections import DocumentView
from beatpolice.projections.quality._kinds import (
    RECORD_KINDS,
    RETRACTION_TOPIC,
    RecordKind,
    kinds_version,
)

__all__ = ["FOLD_VERSION", "QualityIndex", "reference", "utc_text"]

FOLD_VERSION = 1
"""Bumped when the filing changes meaning (the index is then rebuilt)."""


def utc_text(moment: datetime) -> str:
    """An instant as a fixed-width UTC string: ``2014-02-01T00:00:00.000000Z``."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def reference(topic: str, originator: str, key: str, command: str) -> str:
    """The appraisal's event reference (:attr:`beatpolice.domain.rules.Fact.ref`)."""
    return Fact(topic, originator, key, "", command, "", None).ref


def _topic(event: DomainEvent) -> str:
    return str(getattr(type(event), "TOPIC", ""))


class QualityIndex:
    """The fold that files every record's times by field month, officer and day.

    Args:
        time_zone: the station's zone, in which months and days are cut; part of the
            fold's version, with the record-kinds table.
    """

    name = "quality"
    tables: tuple[str, ...] = ("entries", "records", "officers")
    text_tables: tuple[str, ...] = tables
    """Kept as JSON text in PostgreSQL: an index read in bulk, never queried by SQL."""

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self._zone = ZoneInfo(time_zone)
        checksum = zlib.crc32(time_zone.encode()) % 1000
        self.version = FOLD_VERSION * 1_000_000 + kinds_version() * 1000 + checksum

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        """File one event (events that are not records are skipped)."""
        if isinstance(event, OfficerEnlisted):
            view.put(
                "officers",
                event.badge,
                {"name": event.name, "recorded": utc_text(event.timestamp)},
            )
            return
        topic = _topic(event)
        if topic == RETRACTION_TOPIC:
            self._retracted(view, event)
            return
        spec = RECORD_KINDS.get(topic)
        if spec is not None:
            self._recorded(view, event, topic, spec)

    def prefetch(self, view: DocumentView, events: list[DomainEvent]) -> None:
        """Load the documents a page of events will touch, in a few round trips."""
        entry_keys: set[str] = set()
        record_keys: set[str] = set()
        for event in events:
            topic = _topic(event)
            spec = RECORD_KINDS.get(topic)
            badge = getattr(event, "officer", None)
            if not isinstance(badge, str):
                continue
            if topic == RETRACTION_TOPIC:
                record_keys.add(f"{badge}|{getattr(event, 'record', '')}")
            elif spec is not None:
                when = getattr(event, spec.time, None)
                if isinstance(when, datetime):
                    entry_keys.add(self._entries_key(badge, when))
                if spec.follows is not None:
                    record_keys.add(f"{badge}|{getattr(event, spec.follows, '')}")
        view.prefetch("records", sorted(record_keys))
        for key in record_keys:
            found = view.get("records", key)
            if found is not None:
                entry_keys.add(found["at"])
                entry_keys.update(found["fu"])
        view.prefetch("entries", sorted(entry_keys))

    # --- filing -----------------------------------------------------------------------

    def _entries_key(self, badge: str, occurred: datetime) -> str:
        local = occurred.astimezone(self._zone)
        return f"{local.year:04d}-{local.month:02d}/{badge}/{local.day:02d}"

    @staticmethod
    def _file(view: DocumentView, key: str, badge: str, row: list[Any]) -> None:
        document = view.get("entries", key)
        if document is None:
            document = {"o": str(Officer.create_id(badge)), "f": []}
        document["f"].append(row)
        view.put("entries", key, document)

    def _recorded(self, view: DocumentView, event: Any, topic: str, spec: RecordKind) -> None:
        badge, occurred = getattr(event, "officer", None), getattr(event, spec.time, None)
        key = getattr(event, spec.key, None)
        if not (isinstance(badge, str) and isinstance(occurred, datetime) and key):
            return  # not a record of one officer's (a shape this table does not know)
        household = getattr(event, spec.household, None) if spec.household else None
        originator = "" if spec.owner == "officer" else str(event.originator_id)
        at = self._entries_key(badge, occurred)
        row: list[Any] = [
            spec.kind,
            str(key),
            utc_text(event.timestamp),
            event.command,
            utc_text(occurred),
            household if isinstance(household, str) else "",
            originator,
        ]
        if spec.follows is not None:
            followed = view.get("records", f"{badge}|{key}")
            if followed is None or followed["x"]:
                return  # a follow-up of a retracted (or unknown) record never counts
            row += [followed["ref"], followed["t"]]
            followed["fu"] = sorted({*followed["fu"], at})
            view.put("records", f"{badge}|{key}", followed)
            self._file(view, at, badge, row)
            return
        self._file(view, at, badge, row)
        owner = originator or str(Officer.create_id(badge))
        view.put(
            "records",
            f"{badge}|{key}",
            {
                "at": at,
                "ref": reference(topic, owner, str(key), event.command),
                "t": row[4],
                "fu": [],
                "x": False,
            },
        )

    def _retracted(self, view: DocumentView, event: Any) -> None:
        badge, record = event.officer, event.record
        filed = view.get("records", f"{badge}|{record}")
        if filed is None:
            return  # the aggregate refuses retractions of unknown records
        filed["x"] = True
        view.put("records", f"{badge}|{record}", filed)
        row = [
            "retraction",
            record,
            utc_text(event.timestamp),
            event.command,
            utc_text(event.occurred_at),
            "",
            "",
        ]
        for at in sorted({filed["at"], *filed["fu"]}):
            self._file(view, at, badge, list(row))

"""The appraisal index: every fact an appraisal can count, filed by month and officer.

A pure fold over the log (:class:`AppraisalIndex`), kept by a
:class:`~beatpolice.projections.ProjectionRunner`. It never decides anything: it files
each countable event, with its identity, recorded time and command digest, under the
field month of the record it concerns, so that an appraisal reads one month's
documents and filters them by ``as_of`` instead of replaying the whole history.

Tables (keys are ``/``-joined; months and days are in the station's time zone):

``facts``     ``YYYY-MM/badge/DD`` -> ``{"o": officer aggregate id, "f": [fact, ...]}``:
              visits, leads, services, mediations, resolutions and venue work by
              field day; a visit's follow-up and a record's retraction are filed beside
              the record, whenever they happened;
``records``   ``badge|record`` -> ``{"at": facts key}``: where a record was filed;
``disputes``  ``dispute`` -> ``{"f": [follow-up fact, ...], "r": [resolution fact, ...]}``
              (every resolution, whoever resolved it: a follow-up counts for the
              resolution it follows, ADR 0531);
``plans``     ``YYYY-MM/badge`` -> ``{"f": [plan fact, ...]}``, every plan recorded;
``officers``  ``badge`` -> ``{"name": ..., "f": enlistment fact}``;
``day``       ``YYYY-MM/badge/DD`` -> ``{"f": [fact, ...]}``: the officer's day of 0.2
              (information, patrols, outreach, meetings, requests, answers, fraud
              checks, surveys, commendations; :mod:`._day_facts`), read only by rule
              sets that count them (ADR 0910);
``memo``      ``period|rules|format`` -> a settled period's officers, remembered by the
              appraisal with the digest of the documents it read (:mod:`._memo`,
              ADR 0283); never written by the fold, dropped with it.

A fact is a compact JSON list ``[kind, recorded, command, key, value]``: a record, its
follow-up or retraction, of the officer aggregate named once by the document (``"o"``).
A fact of another aggregate (a mediation, resolution, or venue work) adds its
``originator_id``; plans, enlistments and dispute follow-ups add ``originator_id,
occurred, originator_version`` (the latest plan and the latest verdict are chosen by
them). The read side (:func:`beatpolice.projections.appraisal._engine._read`) turns them into
:class:`beatpolice.domain.rules.Fact` tuples. Recorded and occurred times are UTC
strings of one fixed width, so string order is time order. Only what an appraisal
reads is stored (~170 bytes a fact): a city's month is one key range of ~15,000 small
documents.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.dispute import DisputeFollowedUp, DisputeResolved, MediationHeld
from beatpolice.domain.officer import Officer, OfficerEnlisted, VisitsPlanned
from beatpolice.domain.records import (
    LeadReported,
    RecordRetracted,
    ServiceRendered,
    VisitFollowedUp,
    VisitRecorded,
)
from beatpolice.domain.venue import RectificationVerified, VenueInspected, ViolationFound
from beatpolice.projections import DocumentView
from beatpolice.projections.appraisal._day_facts import DAY_EVENTS, day_fact

__all__ = ["FOLD_VERSION", "AppraisalIndex", "latest_recorded", "utc_text"]

FOLD_VERSION = 4
"""Bumped when the filing changes meaning (the index is then rebuilt)."""


def _officer_id(badge: str) -> str:
    # A record's facts name the officer's aggregate, as in 0.1, when records were the
    # officer's events: references and fingerprints stay what they were (ADR 0240).
    return str(Officer.create_id(badge))


def utc_text(moment: datetime) -> str:
    """An instant as a fixed-width UTC string: ``2014-02-01T00:00:00.000000Z``."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_RECORDED = itemgetter(1)


def latest_recorded(document: dict[str, Any]) -> str:
    """The latest recorded time of the facts a document of the index holds ("" if none).

    Every fact is a list whose second item is its recorded time (see above): an
    officer's enlistment ``"f"``, the lists ``"f"`` (and a dispute's ``"r"``) of the others.
    """
    latest = ""
    for name in ("f", "r"):
        held = document.get(name)
        if not held:
            continue
        if isinstance(held[0], list):
            latest = max(latest, max(map(_RECORDED, held)))
        else:
            latest = max(latest, held[1])
    return latest


class AppraisalIndex:
    """The fold that files countable facts by field month, officer and day.

    Args:
        time_zone: the station's zone, in which months and days are cut. It is part of
            the fold's version, so a station reopened in another zone rebuilds it.
    """

    name = "appraisal"
    tables: tuple[str, ...] = ("facts", "records", "disputes", "plans", "officers", "day", "memo")
    text_tables: tuple[str, ...] = tables
    """Kept as JSON text in PostgreSQL: an index read in bulk, never queried by SQL."""

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self._zone = ZoneInfo(time_zone)
        self.version = FOLD_VERSION * 1_000_000 + zlib.crc32(time_zone.encode()) % 1_000_000
        self._handlers: dict[type[Any], Callable[[DocumentView, Any], None]] = {
            OfficerEnlisted: self._enlisted,
            VisitsPlanned: self._planned,
            VisitRecorded: self._recorded,
            LeadReported: self._recorded,
            ServiceRendered: self._recorded,
            VisitFollowedUp: self._attached,
            RecordRetracted: self._attached,
            MediationHeld: self._dated,
            DisputeResolved: self._dated,
            VenueInspected: self._dated,
            ViolationFound: self._dated,
            RectificationVerified: self._dated,
            DisputeFollowedUp: self._dispute_followed_up,
            **dict.fromkeys(DAY_EVENTS, self._day),
        }

    def apply(self, view: DocumentView, event: DomainEvent, position: int) -> None:
        """File one event (events that never count are skipped)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(view, event)

    def prefetch(self, view: DocumentView, events: list[DomainEvent]) -> None:
        """Load the documents a page of events will touch, in a few round trips."""
        fact_keys: set[str] = set()
        record_keys: set[str] = set()
        dispute_keys: set[str] = set()
        for event in events:
            kind = type(event)
            if kind in (
                VisitRecorded,
                LeadReported,
                ServiceRendered,
                MediationHeld,
                DisputeResolved,
                VenueInspected,
                ViolationFound,
                RectificationVerified,
            ):
                fact_keys.add(self._facts_key(event.officer, event.occurred_at))  # type: ignore[attr-defined]
            elif kind is VisitFollowedUp:
                record_keys.add(f"{event.officer}|{event.visit}")  # type: ignore[attr-defined]
            elif kind is RecordRetracted:
                record_keys.add(f"{event.officer}|{event.record}")  # type: ignore[attr-defined]
            if kind is DisputeFollowedUp or kind is DisputeResolved:
                dispute_keys.add(event.dispute)  # type: ignore[attr-defined]
        view.prefetch(
            "day",
            sorted(
                self._facts_key(event.officer, day_fact(event)[3])  # type: ignore[attr-defined]
                for event in events
                if type(event) in DAY_EVENTS
            ),
        )
        view.prefetch("records", sorted(record_keys))
        for key in record_keys:
            found = view.get("records", key)
            if found is not None:
                fact_keys.add(found["at"])
        view.prefetch("facts", sorted(fact_keys))
        view.prefetch("disputes", sorted(dispute_keys))

    # --- filing -----------------------------------------------------------------------

    def _facts_key(self, badge: str, occurred_at: datetime) -> str:
        local = occurred_at.astimezone(self._zone)
        return f"{local.year:04d}-{local.month:02d}/{badge}/{local.day:02d}"

    @staticmethod
    def _fact(kind: str, event: Any, key: str, value: Any) -> list[Any]:
        """A fact that names its aggregate, field time and version (plans, follow-ups)."""
        occurred = getattr(event, "occurred_at", None)
        return [
            kind,
            utc_text(event.timestamp),
            event.command,
            key,
            value,
            str(event.originator_id),
            utc_text(occurred) if occurred is not None else "",
            event.originator_version,
        ]

    @staticmethod
    def _compact(kind: str, event: Any, key: str, value: Any) -> list[Any]:
        """A fact of the officer's own aggregate, filed in a day document that names it."""
        return [kind, utc_text(event.timestamp), event.command, key, value]

    @staticmethod
    def _foreign(kind: str, event: Any, key: str, value: Any) -> list[Any]:
        """A fact of another aggregate (a dispute, a venue) filed in an officer's day."""
        return [
            kind,
            utc_text(event.timestamp),
            event.command,
            key,
            value,
            str(event.originator_id),
        ]

    @staticmethod
    def _append(view: DocumentView, table: str, key: str, fact: list[Any]) -> None:
        document = view.get(table, key) or {"f": []}
        document["f"].append(fact)
        view.put(table, key, document)

    @staticmethod
    def _file(view: DocumentView, key: str, officer_id: str | None, fact: list[Any]) -> None:
        document = view.get("facts", key)
        if document is None:
            document = {"o": officer_id or "", "f": []}
        elif officer_id is not None and not document["o"]:
            document["o"] = officer_id
        document["f"].append(fact)
        view.put("facts", key, document)

    def _enlisted(self, view: DocumentView, event: Any) -> None:
        fact = self._fact("enlisted", event, event.badge, event.name)
        view.put("officers", event.badge, {"name": event.name, "f": fact})

    def _planned(self, view: DocumentView, event: Any) -> None:
        fact = self._fact("plan", event, event.month, list(event.households))
        self._append(view, "plans", f"{event.month}/{event.officer}", fact)

    def _recorded(self, view: DocumentView, event: Any) -> None:
        at = self._facts_key(event.officer, event.occurred_at)
        if isinstance(event, VisitRecorded):
            fact = self._compact(
                "visit", event, event.id, [event.household, event.people_match_register]
            )
        elif isinstance(event, LeadReported):
            fact = self._compact("lead", event, event.id, event.kind.value)
        else:
            fact = self._compact("service", event, event.id, event.acknowledged)
        self._file(view, at, _officer_id(event.officer), fact)
        view.put("records", f"{event.officer}|{event.id}", {"at": at})

    def _attached(self, view: DocumentView, event: Any) -> None:
        if isinstance(event, VisitFollowedUp):
            record, fact = (
                event.visit,
                self._compact("visit_follow_up", event, event.visit, event.satisfied),
            )
        else:
            record, fact = event.record, self._compact("retraction", event, event.record, None)
        filed = view.get("records", f"{event.officer}|{record}")
        if filed is not None:  # the aggregate refuses follow-ups of unknown records
            self._file(view, filed["at"], _officer_id(event.officer), fact)

    def _dated(self, view: DocumentView, event: Any) -> None:
        if isinstance(event, MediationHeld):
            fact = self._foreign("mediation", event, event.dispute, event.outcome.value)
        elif isinstance(event, DisputeResolved):
            fact = self._foreign("resolution", event, event.dispute, None)
            resolved = self._fact("resolution", event, event.dispute, None)
            document = view.get("disputes", event.dispute) or {"f": []}
            document.setdefault("r", []).append(resolved)
            view.put("disputes", event.dispute, document)
        elif isinstance(event, VenueInspected):
            fact = self._foreign("inspection", event, event.venue, event.mode.value)
        elif isinstance(event, ViolationFound):
            fact = self._foreign("violation", event, f"{event.venue}/{event.finding}", event.code)
        else:
            fact = self._foreign("rectified", event, f"{event.venue}/{event.finding}", None)
        self._file(view, self._facts_key(event.officer, event.occurred_at), None, fact)

    def _day(self, view: DocumentView, event: Any) -> None:
        kind, key, value, occurred_at = day_fact(event)
        fact = self._foreign(kind, event, key, value)
        self._append(view, "day", self._facts_key(event.officer, occurred_at), fact)

    def _dispute_followed_up(self, view: DocumentView, event: Any) -> None:
        fact = self._fact("dispute_follow_up", event, event.dispute, event.parties_satisfied)
        self._append(view, "disputes", event.dispute, fact)

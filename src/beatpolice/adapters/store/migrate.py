"""``beatpolice migrate OLD NEW``: copy a store written by 0.1 into the format-2 layout.

0.1 kept every visit, lead and service (and their follow-ups and retractions) as events
of the officer's aggregate; format 2 gives each record an aggregate of its own (ADR
0240). The migration reads the old store through a path of its own (read-only, in one
read transaction, never through :func:`beatpolice.connect`, which refuses a 0.1 store),
and writes every event to the new store in notification order, in pages and large
transactions (ADR 0231):

* a record's events move to the record's aggregate, ``stable_id("fieldrecord",
  "OFFICER/RECORD")``, numbered 1..n in the order they were recorded; the officer keeps
  its enlistment and plans, renumbered 1..n;
* disputes' and venues' events are copied as they are, byte for byte;
* every event keeps its recorded ``timestamp`` and ``command`` digest (so the event
  references and fingerprints of reports made under 0.1 are found again), and all its
  other fields; record events are decoded by the project's mapper (which upcasts them)
  and encoded again in their current version;
* each escalation policy named by a ``DisputeOpened`` is recorded once as a
  ``PolicyAdopted`` just before the first dispute opened under it, when this process can
  find it (shipped, or given as a file); the ones it cannot find are reported (ADR 0232);
* snapshots are not copied: they are taken again as aggregates are saved.

The new store is marked as an incomplete migration before the first event is written and
the mark is removed last, so a copy that stops half-way is refused by every reader until
``beatpolice migrate`` is run again (ADR 0233).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import attrs

from beatpolice.adapters.store._migrate_copy import RECORD_TOPICS, Copier, Progress, record_id
from beatpolice.adapters.store._migrate_new import (
    check_pair,
    exists,
    new_recorder,
    remove_sqlite,
    set_migration,
)
from beatpolice.adapters.store._migrate_old import count_events, old_events
from beatpolice.adapters.store._store_errors import guard_storage
from beatpolice.adapters.store._store_marker import Verdict
from beatpolice.adapters.store.storage import open_store, parse_url
from beatpolice.domain.errors import NotAStoreError
from beatpolice.domain.rules.escalation import EscalationPolicy, load_policy

__all__ = ["BATCH", "MigrationReport", "migrate", "record_id"]

BATCH = 5000
"""Events written per transaction (``recorder.insert_events``)."""


@attrs.frozen
class MigrationReport:
    """What a migration copied."""

    old: str
    new: str
    events: dict[str, int]
    """Events written to the new store, by topic (``PolicyAdopted`` included)."""
    officers: int
    records: int
    """Visits, leads and services, each now an aggregate of its own."""
    snapshots_skipped: int
    policies_adopted: tuple[str, ...]
    """``NAME@VERSION`` of each policy recorded (or copied) as ``PolicyAdopted``."""
    policies_missing: tuple[str, ...]
    """``NAME@VERSION`` of each policy disputes were opened under that was not found."""

    @property
    def total(self) -> int:
        """Events written in all."""
        return sum(self.events.values())

    def lines(self) -> list[str]:
        """The summary, one line each, as ``beatpolice migrate`` prints it."""
        out = [
            f"migrated {self.old} -> {self.new}: {self.total} events, {self.officers} "
            f"officers, {self.records} records ({self.snapshots_skipped} snapshots not "
            "copied: they are taken again)"
        ]
        out += [f"  {topic.split(':')[-1]}: {n}" for topic, n in sorted(self.events.items())]
        out += [f"policy {name} recorded in the store" for name in self.policies_adopted]
        out += [
            f"policy {name} not found: disputes opened under it cannot be escalated or "
            f"resolved until a station opens the store with its file (--policy FILE)"
            for name in self.policies_missing
        ]
        return out


def migrate(
    old_url: str,
    new_url: str,
    *,
    policies: Iterable[str | Path | EscalationPolicy] = (),
    progress: Progress | None = None,
    batch: int = BATCH,
) -> MigrationReport:
    """Copy the format-1 store at ``old_url`` into a new format-2 store at ``new_url``.

    Args:
        old_url: a store written by beatpolice 0.1 (SQLite or PostgreSQL); never written.
        new_url: where the new store goes: nothing yet, an empty store, or one a
            migration left incomplete (which is emptied and started over).
        policies: escalation policies (files, shipped names or models) to look for,
            beside the shipped ones, when disputes were opened under a station's own.
        progress: called with (events done, events in all) after each transaction.
        batch: events per transaction.

    Returns:
        What was copied.

    Raises:
        NotAStoreError: ``old_url`` is not a format-1 store, or ``new_url`` holds events
            or is not a beatpolice store.
        StorageError: a store cannot be read or written, or both URLs name one store.
    """
    old, new = parse_url(old_url), parse_url(new_url)
    check_pair(old, new)
    extra = [p if isinstance(p, EscalationPolicy) else load_policy(p) for p in policies]
    with open_store(old, create=False, legacy=True) as decided:
        if decided is not Verdict.FORMAT_1:
            raise NotAStoreError(f"{old.display} is not a store of format 1: nothing to migrate")
    with guard_storage(old.display):
        total, adopted_before, snapshots = count_events(old)
    created = not exists(new)
    try:
        with open_store(new, create=True, legacy=True, migrating_from=old.display) as verdict:
            recorder = new_recorder(new, verdict, old.display)
        copier = Copier(recorder, new.display, extra, adopted_before)
        with guard_storage(new.display):
            try:
                copier.run(old_events(old), total, progress, batch)
            finally:
                with contextlib.suppress(Exception):
                    recorder.datastore.close()
        set_migration(new, None)
    except BaseException:
        if created and new.backend == "sqlite":
            remove_sqlite(new.env["SQLITE_DBNAME"])
        raise
    return MigrationReport(
        old=old.display,
        new=new.display,
        events=dict(copier.counts),
        officers=copier.counts["beatpolice:OfficerEnlisted"],
        records=sum(copier.counts[topic] for topic in RECORD_TOPICS),
        snapshots_skipped=snapshots,
        policies_adopted=tuple(sorted(copier.adopted)),
        policies_missing=tuple(sorted(copier.missing)),
    )

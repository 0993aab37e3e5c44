"""A store knows it is ours: its marker, and what opening finds before it writes.

Every store beatpolice creates carries a marker with its format version (ADR 0220):

* SQLite: the file header's ``application_id`` is :data:`APPLICATION_ID` and its
  ``user_version`` the format version, and a table ``bp_store`` (``key``, ``value``)
  holds ``application``, ``format``, ``marked_at`` and ``marked_by``.
* PostgreSQL: the same ``bp_store`` table in the database's schema.
* memory: nothing; a memory store lives and dies with its process.

A store's tamper-evident log (ADR 0520-0522) is part of format 2, not a new format: its
leaves are the ``bp_log`` table beside the events, and the marker's ``log_hash`` row
(``sha256`` or ``sm3``) names its hash, written when the log is first written. A format-2
store without ``bp_log`` (written before the log existed) gets it built from its events
when it is opened; readers of format 2 that know nothing of the log ignore both.

Opening a store first looks at what is there without writing anything (a SQLite file is
read through a read-only connection after its header has been checked), gathers it into
:class:`Found`, and :func:`verdict` decides: open it, create it, or refuse with
:class:`NotAStoreError`. A store of format 1 (what 0.1 wrote: our tables and no marker,
or a marker of format 1) is refused with one line naming ``beatpolice migrate OLD NEW``,
and so is a store that migration left incomplete (ADR 0230, 0233); only the migration
itself, asking with ``legacy=True``, is told what they are instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import attrs

from beatpolice.domain.errors import NotAStoreError

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "MARKER_TABLE",
    "MIGRATION_KEY",
    "Found",
    "Verdict",
    "format_1_refusal",
    "incomplete_refusal",
    "is_our_table",
    "marker_rows",
    "our_topic",
    "verdict",
]

APPLICATION_ID = 0x6270_6F6C
"""The SQLite header's ``application_id`` of a beatpolice store: ``b"bpol"``."""

FORMAT_VERSION = 2
"""The store layout this beatpolice writes and reads: format 2, records that stand alone
(each visit, lead or service its own aggregate). 0.1 wrote format 1, without a marker;
``beatpolice migrate OLD NEW`` copies a format-1 store into this layout (ADR 0230)."""

MIGRATION_KEY = "migration"
"""The marker row that ``beatpolice migrate`` writes first and deletes last: a store that
still has it is an incomplete migration and is refused (ADR 0233)."""

MARKER_TABLE = "bp_store"
"""The table holding the marker (``key`` and ``value`` text columns)."""

APPLICATION = "beatpolice"
"""The ``application`` row of the marker."""

SQLITE_TABLES = frozenset({"stored_events", "stored_snapshots"})
"""eventsourcing's tables in a SQLite store (it names them so for every application)."""

POSTGRES_TABLES = frozenset({"beatpolice_events", "beatpolice_snapshots"})
"""eventsourcing's tables in a PostgreSQL store (named after the application)."""


class Verdict(enum.Enum):
    """What opening does with what it found."""

    OPEN = "open"
    """A marked store of this format: open it as it is."""
    CREATE = "create"
    """Nothing there yet: write the marker, then let eventsourcing create its tables."""
    FORMAT_1 = "format-1"
    """A store written by 0.1 (our tables without a marker, or marked format 1). Only
    told to the migration (``legacy=True``); everyone else is refused."""
    INCOMPLETE = "incomplete"
    """A store whose migration did not finish. Only told to the migration."""


@attrs.frozen
class Found:
    """What is in a store before anything is written to it."""

    where: str
    """The store as messages name it (a path, or a URL with its password masked)."""
    ours: frozenset[str] = frozenset()
    """Tables of a beatpolice store that are there (events, snapshots, ``bp_*``)."""
    foreign: tuple[str, ...] = ()
    """Tables that no beatpolice store has (SQLite only; sorted)."""
    marker: Mapping[str, str] | None = None
    """The ``bp_store`` rows, or None when there is no ``bp_store`` table."""
    application_id: int = 0
    """The SQLite header's ``application_id`` (0 when unset, and on PostgreSQL)."""
    foreign_topic: str | None = None
    """A stored event's or snapshot's topic that is not one of ours, if any."""

    @property
    def empty(self) -> bool:
        """Nothing at all: no table of ours, none of anyone else's, no marker."""
        return not self.ours and not self.foreign and self.marker is None


def format_1_refusal(where: str) -> NotAStoreError:
    """The one line refusing a store written by 0.1 (ADR 0230)."""
    return NotAStoreError(
        f"{where} was written by beatpolice 0.1 (store format 1); copy it into the new "
        f"layout with: beatpolice migrate {where} NEW_URL (nothing was written)"
    )


def incomplete_refusal(where: str) -> NotAStoreError:
    """The one line refusing a store whose migration did not finish (ADR 0233)."""
    return NotAStoreError(
        f"{where} is an incomplete migration (beatpolice migrate did not finish): run "
        f"beatpolice migrate OLD_URL {where} again, which starts it over"
    )


def verdict(found: Found, *, create: bool, legacy: bool = False) -> Verdict:
    """Decide what opening does with ``found``; refuse with :class:`NotAStoreError`.

    Args:
        found: what the store holds, read without writing.
        create: whether a missing store may be created (writers: ingest, demo,
            ``connect()``); False for read commands.
        legacy: the caller is ``beatpolice migrate``: a format-1 store and an
            incomplete migration are told (:attr:`Verdict.FORMAT_1`,
            :attr:`Verdict.INCOMPLETE`) instead of refused.

    Raises:
        NotAStoreError: no store (and ``create`` is False), another application's
            tables or events, a marker of another application or of another format,
            a store written by 0.1 or an incomplete migration (unless ``legacy``).
    """
    where = found.where
    if found.application_id not in (0, APPLICATION_ID):
        raise NotAStoreError(
            f"{where} is not a beatpolice store: it belongs to another application "
            f"(SQLite application_id 0x{found.application_id:08x}); nothing was written"
        )
    if found.marker is not None:
        return _marked(found, found.marker, legacy=legacy)
    if found.empty:
        if not create:
            raise NotAStoreError(f"no store at {where} (ingest or demo creates one)")
        return Verdict.CREATE
    if found.foreign:
        names = ", ".join(found.foreign[:5]) + (", ..." if len(found.foreign) > 5 else "")
        raise NotAStoreError(
            f"{where} is not a beatpolice store: it holds another application's tables "
            f"({names}); nothing was written"
        )
    if found.foreign_topic is not None:
        raise NotAStoreError(
            f"{where} is not a beatpolice store: its events belong to another "
            f"eventsourcing application (topic {found.foreign_topic!r}); nothing was written"
        )
    if not create and not (found.ours & (SQLITE_TABLES | POSTGRES_TABLES)):
        raise NotAStoreError(f"no store at {where} (ingest or demo creates one)")
    # Our tables without a marker: a store written by 0.1, format 1 (ADR 0221, 0230).
    if legacy:
        return Verdict.FORMAT_1
    raise format_1_refusal(where)


def _marked(found: Found, marker: Mapping[str, str], *, legacy: bool) -> Verdict:
    where = found.where
    if marker.get("application") != APPLICATION:
        raise NotAStoreError(
            f"{where} is not a beatpolice store: its {MARKER_TABLE} table belongs to "
            "another application; nothing was written"
        )
    try:
        store_format = int(marker.get("format", ""))
    except ValueError:
        raise NotAStoreError(
            f"{where} has an unreadable store marker (format {marker.get('format')!r}); "
            "nothing was written"
        ) from None
    if store_format > FORMAT_VERSION:
        raise NotAStoreError(
            f"{where} is a beatpolice store of format {store_format}, newer than this "
            f"beatpolice reads (format {FORMAT_VERSION}): upgrade beatpolice"
        )
    if store_format < FORMAT_VERSION:  # format 1, marked by a 0.2 preview (ADR 0221)
        if legacy:
            return Verdict.FORMAT_1
        raise format_1_refusal(where)
    if MIGRATION_KEY in marker:
        if legacy:
            return Verdict.INCOMPLETE
        raise incomplete_refusal(where)
    return Verdict.OPEN


def is_our_table(name: str, events_tables: frozenset[str]) -> bool:
    """True for a table a beatpolice store may hold (SQLite's own ``sqlite_*`` too)."""
    return name in events_tables or name.startswith(("bp_", "sqlite_"))


def our_topic(topic: str) -> bool:
    """True for the topic of one of our events or snapshots (``beatpolice:...``)."""
    return topic.startswith("beatpolice")


def marker_rows(origin: str, *, migrating_from: str | None = None) -> list[tuple[str, str]]:
    """The ``bp_store`` rows written when a store is created (``origin``).

    ``migrating_from`` (the old store, as messages name it) adds the row that marks an
    incomplete migration; ``beatpolice migrate`` deletes it last (ADR 0233).
    """
    try:
        package = version("beatpolice")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        package = "unknown"
    rows = [
        ("application", APPLICATION),
        ("format", str(FORMAT_VERSION)),
        ("marked_at", datetime.now(UTC).isoformat(timespec="seconds")),
        ("marked_by", f"beatpolice {package}"),
        ("origin", origin),
    ]
    if migrating_from is not None:
        rows.append((MIGRATION_KEY, f"incomplete: from {migrating_from}"))
    return rows


def marker_from_rows(rows: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """The marker as a mapping from the ``bp_store`` table's rows."""
    return {str(key): str(value) for key, value in rows}

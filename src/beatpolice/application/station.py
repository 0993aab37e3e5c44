"""The station: the application that records commands as events in one store.

A :class:`Station` is what ``beatpolice.connect(url)`` returns. Each command is checked,
decided by its aggregate and saved in one transaction; a batch of commands (``ingest``)
is saved in one transaction too, each refused command leaving no trace.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar, cast
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, PersistenceError
from eventsourcing.utils import register_topic

from beatpolice.application._station_commands import CommandMethods
from beatpolice.application.handlers import HANDLERS, UnitOfWork
from beatpolice.application.keys import PersonalDataKeys
from beatpolice.application.policy_book import PolicyBook
from beatpolice.application.ports import EventStore
from beatpolice.domain import commands as c
from beatpolice.domain._base import AggregateSnapshot, DomainEvent, StationAggregate, frozen_clock
from beatpolice.domain.dispute import Dispute
from beatpolice.domain.errors import (
    BeatpoliceError,
    CommandFailedError,
    ConcurrencyError,
    SettingError,
    StorageError,
    UnknownDisputeError,
    UnknownOfficerError,
    UnknownVenueError,
)
from beatpolice.domain.field_time import DEFAULT_TOLERANCE, check_command_times, latest_allowed
from beatpolice.domain.officer import Officer
from beatpolice.domain.policy_record import PolicyRecord
from beatpolice.domain.records import FieldRecord, record_key, unknown_record
from beatpolice.domain.rules.escalation import (
    DEFAULT_POLICY,
    EscalationPolicy,
    load_policy,
    register_policy,
)
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue, load_catalogue
from beatpolice.domain.venue import Venue
from beatpolice.projections._runner import ViewStore
from beatpolice.projections.log_checkpoint import EventLogPort, HasEventLog

__all__ = ["Receipt", "Station", "retry_on_conflict"]

SNAPSHOT_INTERVAL = 200
"""An aggregate is snapshotted every this many events (an officer with 10,000 events
then loads from a snapshot and at most 199 events)."""

register_topic("beatpolice:Snapshot", AggregateSnapshot)
AggregateSnapshot.TOPIC = "beatpolice:Snapshot"

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class _EventStoreApp(Application[UUID]):
    name = "beatpolice"
    env: ClassVar[dict[str, str]] = {
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    snapshot_class = AggregateSnapshot

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        # eventsourcing re-reads each aggregate from the store to snapshot it; the saved
        # aggregate in hand is the same state, so snapshot that instead.
        assert self.snapshots is not None
        due = {
            event.originator_id
            for event in processing_event.events
            if event.originator_version % SNAPSHOT_INTERVAL == 0
        }
        snapshots = [
            AggregateSnapshot.take(aggregate)
            for aggregate_id, aggregate in processing_event.aggregates.items()
            if aggregate_id in due
        ]
        if snapshots:
            self.snapshots.put(snapshots)


@attrs.frozen
class Receipt:
    """What handling one command did."""

    type: str
    """The command's name (``record_visit``, ...)."""
    digest: str
    """The command's idempotency key."""
    events: int
    """How many events it recorded; 0 for an exact re-send."""

    @property
    def duplicate(self) -> bool:
        """True when the command had been recorded before and nothing was written."""
        return self.events == 0


RETRY_ATTEMPTS = 20
"""How many times :func:`retry_on_conflict` calls a command before giving up (ADR 0201)."""

RETRY_BACKOFF = 0.005
"""The first retry waits up to this many seconds; each later one up to twice as long."""

RETRY_BACKOFF_CAP = 0.5
"""No single wait between retries is longer than this many seconds."""


def retry_on_conflict(
    func: Callable[P, R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Call ``func``, retrying it on ConcurrencyError with jittered exponential backoff.

    Safe for any station command: a retry re-reads the aggregate and decides again,
    and a command that did land is recognised as a re-send. It tries
    :data:`RETRY_ATTEMPTS` times in all, waiting a random time of up to
    ``RETRY_BACKOFF * 2**n`` seconds (never more than :data:`RETRY_BACKOFF_CAP`)
    before the n-th retry, then lets the last ConcurrencyError through. Any other
    error is raised at once.

    Example:
        >>> station = connect("memory://")
        >>> receipt = retry_on_conflict(
        ...     station.enlist_officer, badge="D0001", name="薛翠翠", station="德州", beat="一区"
        ... )
        >>> receipt.events
        1
    """
    for attempt in range(RETRY_ATTEMPTS):
        try:
            return func(*args, **kwargs)
        except ConcurrencyError:
            if attempt == RETRY_ATTEMPTS - 1:
                raise
            _backoff(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _backoff(attempt: int) -> None:
    """Wait before retry number ``attempt + 1`` (full jitter, exponential, capped)."""
    ceiling = min(RETRY_BACKOFF_CAP, RETRY_BACKOFF * 2**attempt)
    time.sleep(random.uniform(0, ceiling))


class _CommandFailedError(Exception):
    """A command failed after triggering events; its batch is decided again without it."""

    def __init__(self, index: int, error: BeatpoliceError) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def _failed(command: c.Command, error: Exception) -> CommandFailedError:
    failure = CommandFailedError(
        f"{command.type}: could not be decided ({type(error).__name__}: {error}); "
        "nothing of it was recorded"
    )
    failure.__cause__ = error
    return failure


def _checked_zone(time_zone: str) -> str:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise SettingError(
            f"unknown time zone {time_zone!r}: give an IANA name such as Asia/Shanghai"
        ) from error
    return time_zone


def _checked_policy(policy: str | Path | EscalationPolicy) -> EscalationPolicy:
    if isinstance(policy, EscalationPolicy):
        return register_policy(policy)
    try:
        return load_policy(policy)
    except (LookupError, OSError, ValueError) as error:
        raise SettingError(f"escalation policy {str(policy)!r}: {error}") from error


class Station(CommandMethods):
    """A police station's event store and the commands that write to it.

    Open one with :func:`beatpolice.connect`, which hands it the store a URL names.
    Every command of the contract is a keyword-only method; each returns a
    :class:`Receipt` or raises one error from :mod:`beatpolice.domain.errors`, having
    changed nothing.

    Args:
        store: the store to write to and read from (the application's
            :class:`~beatpolice.application.ports.EventStore` port; ``connect`` opens
            one from ``memory://``, ``sqlite:///path`` or ``postgresql://...``).
        time_zone: the zone in which months are cut (IANA name).
        policy: the escalation policy new disputes open under: a shipped name, the path
            of a TOML file, or an :class:`EscalationPolicy`. A dispute keeps the policy
            (name and version) it was opened under for the rest of its life.
        clock: where recorded times come from (the wall clock when None).
        tolerance: how far after the recording clock a field time may lie (ADR 0206).
        create: whether a store that does not exist yet is created; False for readers,
            which then refuse with :class:`NotAStoreError` ("no store at ...") and create
            nothing. A store written by 0.1 is refused either way, in one line naming
            ``beatpolice migrate OLD NEW``.
        fraud_scripts: the fraud-script catalogue fraud-risk assessments are decided
            against: a shipped name, the path of a TOML file, or a catalogue (the
            shipped ``mps-common`` when None, ADR 0905).
        keys: opens the station's keyring once the store is checked: personal text is
            then sealed per data subject and digests keyed (ADR 0700-0705). None: nothing
            is sealed (``beatpolice.connect`` always gives one).
    """

    def __init__(
        self,
        store: EventStore,
        *,
        time_zone: str = "Asia/Shanghai",
        policy: str | Path | EscalationPolicy = DEFAULT_POLICY,
        clock: Callable[[], datetime] | None = None,
        tolerance: timedelta = DEFAULT_TOLERANCE,
        create: bool = True,
        fraud_scripts: str | Path | FraudCatalogue | None = None,
        keys: Callable[[], PersonalDataKeys] | None = None,
    ) -> None:
        self.time_zone = _checked_zone(time_zone)
        if not isinstance(tolerance, timedelta) or tolerance < timedelta(0):
            raise SettingError(f"tolerance must be a timedelta of 0 or more, not {tolerance!r}")
        self.tolerance = tolerance
        self.policy: EscalationPolicy = _checked_policy(policy)
        self._store = store
        self._clock = clock
        self._book = PolicyBook(
            self.policy, self._stored_policy, fraud_scripts=load_catalogue(fraud_scripts)
        )
        self._lock = threading.RLock()
        self._cache: dict[UUID, StationAggregate] = {}
        self._app = store.open_application(lambda env: _EventStoreApp(env=env), create=create)
        self._keys: PersonalDataKeys | None = None
        if keys is not None:
            try:
                self._keys = keys()
                self._keys.attach(self._app)
            except BaseException:
                self._app.close()
                raise
        # What the station opens on first use and closes in close() (ADR 0260).
        self._owned_lock = threading.RLock()
        self._view_store: ViewStore | None = None
        self._runners: dict[str, Any] = {}

    @property
    def url(self) -> str:
        """The store's URL (password masked)."""
        return self._store.display

    @property
    def clock(self) -> Callable[[], datetime] | None:
        """The clock recorded times come from, or None for the wall clock."""
        return self._clock

    @property
    def store(self) -> EventStore:
        """The parsed store URL: backend and eventsourcing settings."""
        return self._store

    @property
    def backend(self) -> str:
        """``memory``, ``sqlite`` or ``postgres``."""
        return self._store.backend

    @property
    def keys(self) -> PersonalDataKeys | None:
        """The station's keyring (sealed personal text, keyed digests), if it has one."""
        return self._keys

    @property
    def policies(self) -> PolicyBook:
        """The escalation policies this station decides disputes under."""
        return self._book

    @property
    def view_store(self) -> ViewStore:
        """Where this station's projections keep their documents (ADR 0260).

        Opened on first use (in the store's own SQLite file or PostgreSQL database, in
        memory for ``memory://``) and closed by :meth:`close`; each station has its own,
        even two on the same URL.
        """
        with self._owned_lock:
            if self._view_store is None:
                self._view_store = self._store.open_view_store()  # raises StorageError only
                if self._keys is not None:
                    self._keys.open_scans(self._view_store)
            return self._view_store

    def runner(
        self, name: str, build: Callable[[], T], *, current: Callable[[T], bool] | None = None
    ) -> T:
        """The station's runner named ``name``, built by ``build`` on first use.

        The station keeps it until :meth:`close`, or until ``current`` says the kept
        one is stale, when ``build`` makes a new one (ADR 0260).
        """
        with self._owned_lock:
            kept: T | None = self._runners.get(name)
            if kept is None or (current is not None and not current(kept)):
                kept = self._runners[name] = build()
            return kept

    def close(self) -> None:
        """Close the store's connections, the view store's among them.

        Safe to call twice. A station used again after it is closed opens a new view
        store on first use, which the next ``close`` closes.
        """
        with self._owned_lock:
            view_store, self._view_store = self._view_store, None
            self._runners.clear()
        try:
            if view_store is not None:
                view_store.close()
        finally:
            if self._keys is not None:
                self._keys.close()
            self._app.close()

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- handling ---------------------------------------------------------------------

    def handle(self, command: c.Command | dict[str, Any]) -> Receipt:
        """Check, decide and record one command in its own transaction.

        Raises:
            InvalidCommandError: a field is malformed (or it is not a command at all).
            FieldTimeError: a field time is out of range or before what it follows.
            UnknownRecordError: it names an officer, dispute, venue or record never recorded.
            RuleViolationError: a domain rule refuses it.
            ConcurrencyError: another writer kept changing the aggregate (retry it).
            CommandFailedError: a defect stopped the command from being decided.
            StorageError: the store could not be used.
        """
        if isinstance(command, dict) or not isinstance(command, c.COMMAND_MODELS):
            command = c.validate_command(command)
        outcome = self.handle_batch([command])[0]
        if isinstance(outcome, BeatpoliceError):
            raise outcome
        return outcome

    def handle_batch(
        self, commands: Iterable[c.Command], *, stop_on_error: bool = False
    ) -> list[Receipt | BeatpoliceError]:
        """Decide many commands and save them all in one transaction.

        A refused command is returned as its error and leaves no trace; the others are
        recorded together. With ``stop_on_error`` the batch ends at the first refusal
        (the outcomes list is then shorter) and only the commands before it are saved.
        If another writer got in first, the batch is decided again from fresh state
        (commands are idempotent, so nothing is recorded twice), with the jittered
        backoff of :func:`retry_on_conflict`; after :data:`RETRY_ATTEMPTS` tries the
        last :class:`ConcurrencyError` is raised.
        """
        batch = list(commands)
        failed: dict[int, BeatpoliceError] = {}
        attempt = 0
        while True:
            try:
                with self._store.guard():
                    return self._decide_and_save(batch, failed, stop_on_error)
            except _CommandFailedError as failure:
                # decide the batch again without the command that failed mid-way
                failed[failure.index] = failure.error
            except ConcurrencyError:
                attempt += 1
                if attempt >= RETRY_ATTEMPTS:
                    raise
                _backoff(attempt - 1)

    def _decide_and_save(
        self,
        batch: list[c.Command],
        failed: dict[int, BeatpoliceError],
        stop_on_error: bool,
    ) -> list[Receipt | BeatpoliceError]:
        with self._lock, self._clock_in_force():
            uow = UnitOfWork(self._app, self._cache)
            latest = latest_allowed(self._now(), self.tolerance)
            outcomes: list[Receipt | BeatpoliceError] = []
            try:
                uow.prefetch(command for i, command in enumerate(batch) if i not in failed)
                for index, command in enumerate(batch):
                    outcome = failed.get(index) or self._decide(uow, command, latest, index)
                    outcomes.append(outcome)
                    if stop_on_error and isinstance(outcome, BeatpoliceError):
                        break
                self._save(uow)
            except BaseException:
                # cached aggregates may hold decided but unsaved events
                self._cache.clear()
                raise
            uow.keep()
        return outcomes

    def _decide(
        self, uow: UnitOfWork, command: c.Command, latest: datetime, index: int
    ) -> Receipt | BeatpoliceError:
        uow.begin_command()
        try:
            check_command_times(vars(command), latest=latest)
            digest = command.digest() if self._keys is None else self._keys.digest(command)
            events = HANDLERS[type(command)](self._book, uow, command, digest)
        except Exception as error:  # a defect too: refuse this command only, never the batch
            if self._store.is_failure(error):
                raise  # the store failed, not the command: the batch fails as a whole
            refusal = error if isinstance(error, BeatpoliceError) else _failed(command, error)
            if uow.changed_by_command():
                # Refused after it had triggered events: the aggregates it touched hold
                # half a command, so the batch is decided again from fresh state without it.
                raise _CommandFailedError(index, refusal) from error
            return refusal
        return Receipt(type=command.type, digest=digest, events=events)

    def _save(self, uow: UnitOfWork) -> None:
        pending = uow.pending()
        if not pending:
            return
        # What Application.save does, less the two Protocol isinstance checks it makes of
        # every object (about 25 µs an aggregate): every one here is a StationAggregate.
        processing = ProcessingEvent[UUID]()
        for aggregate in pending:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        try:
            if self._keys is not None:  # data keys stored (erased) before the events
                self._keys.prepare(processing.events)
            recordings = self._app._record(processing)
            self._app._take_snapshots(processing)
        except IntegrityError as error:
            raise ConcurrencyError(
                "another writer recorded events for the same officer, dispute or venue "
                "first; nothing of this command was written (retry it)"
            ) from error
        except PersistenceError as error:
            raise StorageError(f"{self._store.display}: {error}") from error
        self._app._notify(recordings)
        self._app.notify(processing.events)  # deprecated in eventsourcing, kept as save does

    def _now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now(UTC)

    def _stored_policy(self, key: str) -> PolicyRecord | None:
        with self._store.guard():
            return UnitOfWork(self._app).find(PolicyRecord, key)

    def _clock_in_force(self) -> AbstractContextManager[None]:
        return frozen_clock(self._clock) if self._clock is not None else nullcontext()

    # --- reading ----------------------------------------------------------------------

    def officer(self, badge: str) -> Officer:
        """The officer with this badge, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Officer, badge)
        if found is None:
            raise UnknownOfficerError(badge, field="badge")
        return found

    def dispute(self, dispute: str) -> Dispute:
        """The dispute with this id, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Dispute, dispute)
        if found is None:
            raise UnknownDisputeError(dispute, field="dispute")
        return found

    def record(self, officer: str, record: str) -> FieldRecord:
        """The visit, lead or service ``record`` of officer ``officer``, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(FieldRecord, record_key(officer, record))
        if found is None:
            raise unknown_record(officer, record, "record")
        return found

    def venue(self, venue: str) -> Venue:
        """The venue with this id, as recorded now."""
        with self._store.guard():
            found = UnitOfWork(self._app).find(Venue, venue)
        if found is None:
            raise UnknownVenueError(venue, field="venue")
        return found

    def event_log(self) -> EventLogPort:
        """The store's tamper-evident log: checkpoints, proofs and its check (ADR 0520).

        Raises:
            StorageError: the store's recorder keeps no log (not one of beatpolice's).
        """
        recorder = self._app.recorder
        if not isinstance(recorder, HasEventLog):
            raise StorageError(f"{self.url}: this store keeps no tamper-evident log")
        return recorder.event_log()

    def read_events(self, start: int, limit: int) -> list[tuple[int, DomainEvent]]:
        """Up to ``limit`` recorded events from position ``start``, in recording order."""
        with self._store.guard():
            notifications = self._app.recorder.select_notifications(start=start, limit=limit)
        mapper = self._app.mapper
        # sealed: the projections copy personal text without reading it (ADR 0706)
        decode = getattr(mapper, "to_sealed_event", mapper.to_domain_event)
        return [(n.id, cast(DomainEvent, decode(n))) for n in notifications]

    def last_position(self) -> int:
        """The position of the last recorded event (0 for an empty log)."""
        with self._store.guard():
            return int(self._app.recorder.max_notification_id() or 0)

    def lookup_policy(self, name: str, version: str | None) -> EscalationPolicy:
        """The escalation policy this store knows as ``name`` (at ``version``, or its latest)."""
        return self._book.lookup(name, version)

    def events(self, *, start: int = 1, page: int = 1000) -> Iterator[tuple[int, Any]]:
        """Every recorded event with its notification id, in recording order, streamed."""
        recorder = self._app.recorder
        mapper = self._app.mapper
        while True:
            with self._store.guard():
                notifications = recorder.select_notifications(start=start, limit=page)
            for notification in notifications:
                yield notification.id, mapper.to_domain_event(notification)
            if len(notifications) < page:
                return
            start = notifications[-1].id + 1

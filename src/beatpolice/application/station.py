"""The station: the application that records commands as events in one store.

A :class:`Station` is what ``beatpolice.connect(url)`` returns. Each command is checked,
decided by its aggregate and saved in one transaction; a batch of commands (``ingest``)
is saved in one transaction too, each refused command leaving no trace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, PersistenceError

from beatpolice.application import retries
from beatpolice.application._event_store_app import EventStoreApp
from beatpolice.application._station_commands import CommandMethods
from beatpolice.application._station_reading import ReadingMethods
from beatpolice.application.handlers import HANDLERS
from beatpolice.application.keys import PersonalDataKeys
from beatpolice.application.policy_book import PolicyBook
from beatpolice.application.ports import EventStore
from beatpolice.application.receipt import Receipt
from beatpolice.application.unit_of_work import UnitOfWork
from beatpolice.domain import commands as c
from beatpolice.domain._base import StationAggregate, frozen_clock
from beatpolice.domain.errors import (
    BeatpoliceError,
    CommandFailedError,
    ConcurrencyError,
    SettingError,
    StorageError,
)
from beatpolice.domain.field_time import DEFAULT_TOLERANCE, check_command_times, latest_allowed
from beatpolice.domain.policy_record import PolicyRecord
from beatpolice.domain.rules.escalation import (
    DEFAULT_POLICY,
    EscalationPolicy,
    load_policy,
    register_policy,
)
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue, load_catalogue
from beatpolice.projections._runner import ViewStore

__all__ = ["Station"]

T = TypeVar("T")


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


class Station(CommandMethods, ReadingMethods):
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
        self._app = store.open_application(lambda env: EventStoreApp(env=env), create=create)
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
                if attempt >= retries.RETRY_ATTEMPTS:
                    raise
                retries.backoff(attempt - 1)

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
            keys = self._keys
            # data keys made (erased) for the events, written in their transaction
            with keys.prepare(processing.events) if keys is not None else nullcontext():
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

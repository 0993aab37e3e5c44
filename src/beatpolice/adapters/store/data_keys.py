"""Data keys: found, made, written with the events, destroyed, wrapped again.

The half of the :class:`~beatpolice.adapters.store.keyring.Keyring` that keeps keys: one
data key per data subject, cached unwrapped in memory and kept wrapped by the master key
in a key store (ADR 0702-0704). A save's new keys are written in the events' own
transaction where the key table is in their database (ADR 0708).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import attrs
from pydantic import BaseModel

from beatpolice.adapters.store.cipher import (
    DEFAULT_ALGORITHM,
    MasterKey,
    checked_algorithm,
    new_data_key,
)
from beatpolice.adapters.store.master_key import (
    ENV_KEY,
    ENV_KEY_FILE,
    KeySource,
    read_key_file,
    write_key_file,
)
from beatpolice.application.keys import KeyRow, KeyStore, KeyWrapper, TransactionalKeyStore
from beatpolice.domain.errors import MasterKeyError, StorageError
from beatpolice.domain.privacy import (
    PersonalDataErased,
    parse_subject,
    personal_fields,
    subject_of,
)

__all__ = ["DataKeys"]


@attrs.frozen
class _Key:
    algorithm: str
    key: bytes | None
    """None once erased."""
    household: str | None


class DataKeys:
    """A station's data keys: cached unwrapped in memory, kept wrapped in a key store.

    Args:
        store: where the wrapped keys are kept.
        source: the master key (or where it is made on first use).
        where: the store's display URL, for messages.
        algorithm: the cipher of new data keys (``aes-256-gcm`` or ``sm4-gcm``).
        has_events: whether the store holds events already.
    """

    def __init__(
        self,
        store: KeyStore,
        source: KeySource,
        *,
        where: str,
        algorithm: str = DEFAULT_ALGORITHM,
        has_events: Callable[[], bool] = lambda: False,
    ) -> None:
        self._store = store
        self._source = source
        self._where = where
        self._algorithm = checked_algorithm(algorithm)
        self._wrapper: KeyWrapper | None = source.key
        self._has_events = has_events
        self._lock = threading.RLock()
        self._keys: dict[str, _Key] = {}
        self._made: dict[str, KeyRow] = {}
        """Keys made for the save in hand, written in its transaction (ADR 0708)."""
        self._in_events_transaction = False
        """Whether new keys go in the events' transaction (set when attached)."""
        self.created_key_file: Path | None = None
        """The key file this keyring made beside a SQLite store, if it made one."""

    # --- the master key ---------------------------------------------------------------

    @property
    def key_id(self) -> str | None:
        """The public id of the master key in use (None before one is made)."""
        return self._wrapper.key_id if self._wrapper is not None else None

    def _unwrap(self, row: KeyRow) -> bytes:
        assert row.wrapped is not None
        if self._wrapper is None:
            beside = f" (no key file {self._source.beside})" if self._source.beside else ""
            raise MasterKeyError(
                f"{self._where}: its personal data is encrypted under master key "
                f"{row.wrapped_by}, and no key was given{beside}: set {ENV_KEY} or give "
                f"--key-file FILE ({ENV_KEY_FILE})"
            )
        if row.wrapped_by != self._wrapper.key_id:
            raise MasterKeyError(
                f"{self._where}: wrong master key: the store's keys are wrapped by "
                f"{row.wrapped_by}, the key given is {self._wrapper.key_id}"
            )
        return self._wrapper.unwrap(row.wrapped, row.subject)

    def _writer(self) -> KeyWrapper:
        """The master key, made beside a SQLite store the first time one is needed."""
        if self._wrapper is None:
            beside = self._source.beside
            assert beside is not None  # every other source has a key
            if write_key_file(beside):
                self.created_key_file = beside
            self._wrapper = read_key_file(beside, algorithm=self._algorithm)
        return self._wrapper

    def ensure_master_key(self) -> Path | None:
        """Make the key file beside a SQLite store now, if it has none yet.

        Returns:
            The key file, if this call made it; None otherwise.
        """
        if self._wrapper is None and self._source.beside is not None:
            self._writer()
            return self.created_key_file
        return None

    # --- data keys of a save --------------------------------------------------------

    def prepare(self, events: Sequence[Any]) -> AbstractContextManager[None]:
        """Make the data keys these events need, then destroy the keys they erase.

        The events are recorded inside the context returned. Where the key table is in
        the events' database, the new keys are written in the events' transaction (the
        recorder calls back for them) and forgotten if the save fails; elsewhere they
        are committed just before. An erasure destroys its key before it is recorded
        (ADR 0704, 0708).
        """
        needed: dict[str, str | None] = {}
        for event in events:
            cls: type[BaseModel] = type(event)
            if cls is PersonalDataErased:
                continue
            fields = personal_fields(cls)
            if not fields:
                continue
            data = vars(event)
            if all(data.get(name) is None for name in fields):
                continue
            subject = subject_of(cls, data)
            if str(subject) not in self._keys:
                needed[str(subject)] = subject.household
        if needed:
            if self._in_events_transaction:
                self._make(needed)
            else:
                self._ensure(needed)
        for event in events:
            if type(event) is PersonalDataErased:
                self.erase(event.subject, erased_at=event.timestamp)
        return self._saving()

    @contextmanager
    def _saving(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            with self._lock:  # not written: a retry makes (or finds) them again
                for subject in self._made:
                    self._keys.pop(subject, None)
                self._made.clear()
            raise
        self._made.clear()

    def _missing(self, needed: dict[str, str | None]) -> dict[str, tuple[bytes, KeyRow]]:
        """Read the keys ``needed`` (subject: household) from the store; a new data key
        and its wrapped row for each the store lacks."""
        found = self._store.get(list(needed))
        for row in found.values():
            self._remember(row)
        missing = [name for name in needed if name not in found]
        if not missing:
            return {}
        wrapper = self._writer()
        made: dict[str, tuple[bytes, KeyRow]] = {}
        for name in missing:
            data_key = new_data_key(self._algorithm)
            wrapped = wrapper.wrap(data_key, name)
            row = KeyRow(name, needed[name], self._algorithm, wrapped, wrapper.key_id)
            made[name] = (data_key, row)
        return made

    def _make(self, needed: dict[str, str | None]) -> None:
        """Find the keys a save needs; make the missing ones, to be written with it."""
        with self._lock:
            made = self._missing(needed)
            if made:
                cast(TransactionalKeyStore, self._store).ensure_table()
            for name, (data_key, row) in made.items():
                self._made[name] = row
                self._keys[name] = _Key(row.algorithm, data_key, row.household)

    def _write_made(self, cursor: Any) -> None:
        """Called by the recorder in the events' transaction, before the events."""
        if self._made:
            cast(TransactionalKeyStore, self._store).add_in(cursor, list(self._made.values()))

    def _ensure(self, needed: dict[str, str | None]) -> None:
        """Find the keys ``needed``; make and commit the missing ones now (ADR 0704)."""
        with self._lock:
            made = self._missing(needed)
            if not made:
                return
            rows = [row for _, row in made.values()]
            if self._store.add(rows) == len(rows):  # every key is ours
                for data_key, row in made.values():
                    self._keys[row.subject] = _Key(row.algorithm, data_key, row.household)
                return
            for row in self._store.get(list(made)).values():  # another writer may have won
                data_key, ours = made[row.subject]
                if row.wrapped == ours.wrapped:
                    self._keys[row.subject] = _Key(row.algorithm, data_key, row.household)
                else:
                    self._remember(row)

    def _remember(self, row: KeyRow) -> _Key:
        key = _Key(row.algorithm, self._unwrap(row) if row.wrapped else None, row.household)
        self._keys[row.subject] = key
        return key

    def _key(self, name: str, household: str | None, *, create: bool) -> _Key:
        key = self._keys.get(name)
        if key is not None:
            return key
        with self._lock:
            row = self._store.get([name]).get(name)
            if row is not None:
                return self._remember(row)
            if not create:
                raise StorageError(
                    f"{self._where}: no key for {name} in the key table: the table was "
                    "damaged or restored without it (personal text cannot be read)"
                )
            self._ensure({name: household})
            return self._keys[name]

    # --- erasure and rotation ---------------------------------------------------------

    def erase(self, subject: str, *, erased_at: datetime | None = None) -> int:
        """Destroy the data key of ``subject`` for good (a household's: with its records').

        Returns:
            How many keys were destroyed.
        """
        parsed = parse_subject(subject)
        household = parsed.key if parsed.kind == "household" else None
        when = (erased_at or datetime.now(UTC)).isoformat()
        with self._lock:
            count = self._store.destroy(str(parsed), household=household, erased_at=when)
            for name, key in list(self._keys.items()):
                if name == str(parsed) or (household is not None and key.household == household):
                    self._keys[name] = _Key(key.algorithm, None, key.household)
            for name, row in list(self._made.items()):  # made for this save: never written
                if name == str(parsed) or (household is not None and row.household == household):
                    del self._made[name]
            self._keys.setdefault(str(parsed), _Key("-", None, household))
        return count

    def rotate(self, new: MasterKey) -> int:
        """Wrap every live data key (and the digest secret) under ``new``, in one transaction.

        The events are not touched: their sealed values open with the same data keys.

        Returns:
            How many keys were wrapped again.
        """
        with self._lock:
            rows = [row for row in self._store.rows() if row.wrapped is not None]
            again = [
                attrs.evolve(
                    row, wrapped=new.wrap(self._unwrap(row), row.subject), wrapped_by=new.key_id
                )
                for row in rows
            ]
            self._store.rewrap(again)
            self._wrapper = new
            self._keys.clear()
        return len(again)

    @property
    def source(self) -> KeySource:
        """Where the master key came from."""
        return self._source

    def close(self) -> None:
        """Close the key store's connection."""
        self._store.close()

"""The keyring: data keys per subject, sealed personal text, keyed digests, erasure.

It fills the application's :class:`~beatpolice.application.keys.PersonalDataKeys`
port. Personal text is kept as a *sealed value*, a JSON string
``bpenc1:SUBJECT:BASE64`` (the subject in clear, so a reader knows which key opens
it; the base64 is :func:`~beatpolice.adapters.store.cipher.seal`'s box). A value
sealed after its subject was erased is ``bpenc1:SUBJECT:`` (nothing kept). A reader
shows :data:`~beatpolice.domain.privacy.ERASED` for both once the key is gone.

Digests: a store begun with this version keys its command digests with a station
secret (``hmac-sha256:`` + HMAC-SHA256 of the plain digest), kept wrapped in the key
table as ``station:digest``; a store that already held events before it had a key
table keeps plain ``sha256:`` digests, so re-sent commands are still recognised
(ADR 0705).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import attrs
import orjson
from pydantic import BaseModel

from beatpolice.adapters.store.cipher import (
    DEFAULT_ALGORITHM,
    InvalidTag,
    MasterKey,
    checked_algorithm,
    new_data_key,
    open_sealed,
    seal,
)
from beatpolice.adapters.store.keystore import open_key_store
from beatpolice.adapters.store.master_key import (
    ENV_KEY,
    ENV_KEY_FILE,
    KeySource,
    key_source,
    read_key_file,
    write_key_file,
)
from beatpolice.adapters.store.storage import StoreURL
from beatpolice.application.keys import KeyRow, KeyStore, KeyWrapper, TransactionalKeyStore
from beatpolice.domain.errors import MasterKeyError, StorageError
from beatpolice.domain.privacy import (
    ERASED,
    PersonalDataErased,
    Subject,
    parse_subject,
    personal_fields,
    subject_of,
)

__all__ = ["DIGEST_SUBJECT", "TOKEN", "Keyring", "open_keyring"]

TOKEN = "bpenc1:"
"""How a sealed value begins."""

_SEALED = b'"bpenc1:'

DIGEST_SUBJECT = "station:digest"
"""The key table's row holding the station's digest secret (and the digest scheme)."""

KEYED = "hmac-sha256"
PLAIN = "sha256"


@attrs.frozen
class _Key:
    algorithm: str
    key: bytes | None
    """None once erased."""
    household: str | None


class Keyring:
    """A station's data keys: cached unwrapped in memory, kept wrapped in a key store.

    Args:
        store: where the wrapped keys are kept.
        source: the master key (or where it is made on first use).
        where: the store's display URL, for messages.
        algorithm: the cipher of new data keys (``aes-256-gcm`` or ``sm4-gcm``).
        has_events: whether the store holds events already (decides the digest scheme
            of a store that has no key table yet).

    Raises:
        MasterKeyError: the store's keys were wrapped by another master key, or by one
            that was not given.
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
        self._digest: tuple[str, bytes] | None = None
        self.created_key_file: Path | None = None
        """The key file this keyring made beside a SQLite store, if it made one."""
        row = store.get([DIGEST_SUBJECT]).get(DIGEST_SUBJECT)
        if row is not None:
            self._digest = (row.algorithm, self._unwrap(row))

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

    # --- digests ----------------------------------------------------------------------

    def digest(self, command: Any) -> str:
        """The command's idempotency digest: keyed in a keyed store, plain otherwise."""
        scheme, secret = self._digest or self._start_digests()
        plain = cast(str, command.digest())
        if scheme == PLAIN:
            return plain
        return f"{KEYED}:{hmac.digest(secret, plain.encode('ascii'), 'sha256').hex()}"

    def _start_digests(self) -> tuple[str, bytes]:
        with self._lock:
            if self._digest is None:
                scheme = PLAIN if self._has_events() else KEYED
                wrapper = self._writer()
                derive = getattr(wrapper, "digest_secret", None)  # a KMS may have none
                secret = derive() if callable(derive) else secrets.token_bytes(32)
                wrapped = wrapper.wrap(secret, DIGEST_SUBJECT)
                self._store.add([KeyRow(DIGEST_SUBJECT, None, scheme, wrapped, wrapper.key_id)])
                row = self._store.get([DIGEST_SUBJECT])[DIGEST_SUBJECT]  # whoever won
                self._digest = (row.algorithm, self._unwrap(row))
            return self._digest

    @property
    def digest_scheme(self) -> str | None:
        """``hmac-sha256`` or ``sha256`` once decided; None before the first write."""
        return self._digest[0] if self._digest is not None else None

    # --- data keys --------------------------------------------------------------------

    def attach(self, application: Any) -> None:
        """Make the application's mapper seal and open personal fields with this keyring."""
        application.mapper.keyring = self
        recorder = application.recorder
        self._has_events = lambda: bool(recorder.max_notification_id())
        if hasattr(recorder, "with_events") and isinstance(self._store, TransactionalKeyStore):
            recorder.with_events = self._write_made
            self._in_events_transaction = True

    def open_scans(self, view_store: Any) -> None:
        """Make ``view_store.scan`` (what registries read by) open the sealed text it finds.

        The folds read documents with ``load`` and write back what they read, so their
        copies stay sealed; only what a reader scans is opened (ADR 0706).
        """
        scan = view_store.scan

        def opened(*args: Any, **kwargs: Any) -> Iterator[tuple[str, Any]]:
            for key, document in scan(*args, **kwargs):
                if _SEALED in orjson.dumps(document):
                    document = self.open_document(document)
                yield key, document

        view_store.scan = opened

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

    def _make(self, needed: dict[str, str | None]) -> None:
        """Find the keys a save needs; make the missing ones, to be written with it."""
        with self._lock:
            found = self._store.get(list(needed))
            for row in found.values():
                self._remember(row)
            missing = [name for name in needed if name not in found]
            if not missing:
                return
            wrapper = self._writer()
            cast(TransactionalKeyStore, self._store).ensure_table()
            for name in missing:
                data_key = new_data_key(self._algorithm)
                household = needed[name]
                self._made[name] = KeyRow(
                    name, household, self._algorithm, wrapper.wrap(data_key, name), wrapper.key_id
                )
                self._keys[name] = _Key(self._algorithm, data_key, household)

    def _write_made(self, cursor: Any) -> None:
        """Called by the recorder in the events' transaction, before the events."""
        if self._made:
            cast(TransactionalKeyStore, self._store).add_in(cursor, list(self._made.values()))

    def _ensure(self, needed: dict[str, str | None]) -> None:
        with self._lock:
            found = self._store.get(list(needed))
            for row in found.values():
                self._remember(row)
            missing = [name for name in needed if name not in found]
            if not missing:
                return
            wrapper = self._writer()
            made = {name: new_data_key(self._algorithm) for name in missing}
            rows = [
                KeyRow(
                    name,
                    needed[name],
                    self._algorithm,
                    wrapper.wrap(made[name], name),
                    wrapper.key_id,
                )
                for name in missing
            ]
            added = self._store.add(rows)
            if added == len(rows):  # every key is ours
                for row in rows:
                    self._keys[row.subject] = _Key(row.algorithm, made[row.subject], row.household)
                return
            wrapped = {row.subject: row.wrapped for row in rows}
            for row in self._store.get(missing).values():  # another writer may have won
                if row.wrapped == wrapped[row.subject]:
                    self._keys[row.subject] = _Key(row.algorithm, made[row.subject], row.household)
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

    # --- sealing ----------------------------------------------------------------------

    def seal_text(self, subject: Subject, text: str) -> str:
        """``text`` sealed under ``subject``'s data key (made now if it has none)."""
        name = str(subject)
        key = self._key(name, subject.household, create=True)
        if key.key is None:
            return f"{TOKEN}{name}:"
        box = seal(key.algorithm, key.key, text.encode("utf-8"), name.encode("utf-8"))
        return f"{TOKEN}{name}:{base64.b64encode(box).decode('ascii')}"

    def open_text(self, sealed: str) -> str:
        """The text of a sealed value, or ``[erased]`` once its key is destroyed.

        Raises:
            StorageError: the value was altered, or its key is missing from the table.
            MasterKeyError: the key was wrapped by another master key.
        """
        name, _, payload = sealed[len(TOKEN) :].rpartition(":")
        if not payload:
            return ERASED
        key = self._key(name, None, create=False)
        if key.key is None:
            return ERASED
        try:
            box = base64.b64decode(payload, validate=True)
            return open_sealed(key.algorithm, key.key, box, name.encode("utf-8")).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            raise StorageError(
                f"{self._where}: sealed personal text of {name} does not open: it was altered"
            ) from None

    def open_document(self, document: Any) -> Any:
        """``document`` (JSON data) with every sealed value in it opened."""
        kind = type(document)
        if kind is str:
            return self.open_text(document) if document.startswith(TOKEN) else document
        if kind is dict:
            return {key: self.open_document(value) for key, value in document.items()}
        if kind is list or kind is tuple:
            return [self.open_document(value) for value in document]
        return document

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


def open_keyring(
    store: StoreURL,
    *,
    master_key: str | bytes | None = None,
    key_file: str | Path | None = None,
    cipher: str = DEFAULT_ALGORITHM,
) -> Keyring:
    """The keyring of a store: its key table and its master key (ADR 0703).

    Raises:
        MasterKeyError: the key is malformed, missing where one is needed, or not the
            key the store's data keys are wrapped by.
        SettingError: an unknown cipher.
    """
    source = key_source(
        store, master_key=master_key, key_file=key_file, algorithm=checked_algorithm(cipher)
    )
    keys = open_key_store(store)
    try:
        return Keyring(keys, source, where=store.display, algorithm=cipher)
    except BaseException:
        keys.close()
        raise

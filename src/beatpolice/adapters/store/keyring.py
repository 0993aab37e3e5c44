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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import orjson

from beatpolice.adapters.store.cipher import (
    DEFAULT_ALGORITHM,
    InvalidTag,
    checked_algorithm,
    open_sealed,
    seal,
)
from beatpolice.adapters.store.data_keys import DataKeys
from beatpolice.adapters.store.keystore import open_key_store
from beatpolice.adapters.store.master_key import (
    KeySource,
    key_source,
)
from beatpolice.adapters.store.storage import StoreURL
from beatpolice.application.keys import KeyRow, KeyStore, TransactionalKeyStore
from beatpolice.domain.errors import StorageError
from beatpolice.domain.privacy import (
    ERASED,
    Subject,
)

__all__ = ["DIGEST_SUBJECT", "TOKEN", "Keyring", "open_keyring"]

TOKEN = "bpenc1:"
"""How a sealed value begins."""

_SEALED = b'"bpenc1:'

DIGEST_SUBJECT = "station:digest"
"""The key table's row holding the station's digest secret (and the digest scheme)."""

KEYED = "hmac-sha256"
PLAIN = "sha256"


class Keyring(DataKeys):
    """A station's keyring: personal text sealed and opened, keyed command digests, on
    top of its :class:`~beatpolice.adapters.store.data_keys.DataKeys`.

    Args:
        store: where the wrapped keys are kept.
        source: the master key (or where it is made on first use).
        options: :class:`DataKeys`' keywords: ``where`` (the store's display URL),
            ``algorithm`` (of new data keys), ``has_events`` (whether the store holds
            events already: it decides the digest scheme of a store without a key table).

    Raises:
        MasterKeyError: the store's keys were wrapped by another master key, or by one
            that was not given.
    """

    def __init__(self, store: KeyStore, source: KeySource, **options: Any) -> None:
        super().__init__(store, source, **options)
        self._digest: tuple[str, bytes] | None = None
        row = store.get([DIGEST_SUBJECT]).get(DIGEST_SUBJECT)
        if row is not None:
            self._digest = (row.algorithm, self._unwrap(row))

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

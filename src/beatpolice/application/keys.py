"""The ports of personal-data protection: where data keys live, and what wraps them.

A station encrypts residents' personal text with a data key per data subject (ADR 0700,
0702). The keys themselves are kept wrapped, in a :class:`KeyStore` (by default a table
of the station's own database), by a :class:`KeyWrapper` (by default the station's
master key; a KMS or a hardware module can be one instead: it only has to wrap and
unwrap 16 or 32 bytes). The station itself sees the :class:`PersonalDataKeys` port:
idempotency digests, the keys a save needs, and erasure.

Example:
    >>> from beatpolice.adapters.store.keystore import MemoryKeyStore
    >>> isinstance(MemoryKeyStore(), KeyStore)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

import attrs

__all__ = ["KeyRow", "KeyStore", "KeyWrapper", "PersonalDataKeys", "TransactionalKeyStore"]


@attrs.frozen
class KeyRow:
    """One data key as the key store keeps it: wrapped, never in clear."""

    subject: str
    """``household:H``, ``dispute:D``, ``record:OFFICER/ID`` (or ``station:digest``)."""
    household: str | None
    """The household a record's key is erased with, if the record was made at one."""
    algorithm: str
    """The data key's cipher: ``aes-256-gcm`` or ``sm4-gcm``."""
    wrapped: bytes | None
    """The data key wrapped by the master key; None once the subject is erased."""
    wrapped_by: str
    """The id of the key that wrapped it (so a wrong master key is told, not guessed)."""
    erased_at: str | None = None
    """When the key was destroyed (ISO 8601), or None."""


@runtime_checkable
class KeyStore(Protocol):
    """Where wrapped data keys are kept (a table per backend, or a KMS's own store)."""

    def get(self, subjects: Sequence[str]) -> dict[str, KeyRow]:
        """The rows of these subjects that exist (erased ones included)."""
        ...

    def rows(self) -> Iterable[KeyRow]:
        """Every row (for rotation and for loading a cache)."""
        ...

    def add(self, rows: Sequence[KeyRow]) -> int:
        """Add rows in one transaction; a subject already there keeps its row.

        Returns:
            How many rows were added, or -1 when the store cannot tell.
        """
        ...

    def destroy(self, subject: str, *, household: str | None, erased_at: str) -> int:
        """Destroy the key of ``subject`` (and, for a household, of its records) for good.

        Returns:
            How many keys were destroyed.
        """
        ...

    def rewrap(self, rows: Sequence[KeyRow]) -> None:
        """Replace the wrapped keys of these subjects, all in one transaction."""
        ...

    def close(self) -> None:
        """Release the store's connection."""
        ...


@runtime_checkable
class TransactionalKeyStore(KeyStore, Protocol):
    """A key store in the events' own database: new keys go in the events' transaction."""

    def ensure_table(self) -> None:
        """Make the key table, if it is not there (once, before the first such write)."""
        ...

    def add_in(self, cursor: Any, rows: Sequence[KeyRow]) -> None:
        """Add rows in the transaction ``cursor`` belongs to (the events' recorder's).

        Raises:
            eventsourcing.persistence.IntegrityError: a subject has a row already (another
                writer won the race: the batch is decided again and reads its key).
        """
        ...


@runtime_checkable
class KeyWrapper(Protocol):
    """What wraps data keys: the station's master key, or a KMS."""

    @property
    def key_id(self) -> str:
        """A short, public id of the wrapping key (never the key)."""
        ...

    def wrap(self, data_key: bytes, subject: str) -> bytes:
        """Wrap ``data_key``, bound to ``subject``."""
        ...

    def unwrap(self, wrapped: bytes, subject: str) -> bytes:
        """Unwrap a key :meth:`wrap` made for ``subject``.

        Raises:
            MasterKeyError: it was not wrapped by this key (or was altered).
        """
        ...


@runtime_checkable
class PersonalDataKeys(Protocol):
    """The station's view of personal-data protection (the keyring fills it)."""

    def attach(self, application: Any) -> None:
        """Make the application's mapper encrypt and decrypt personal fields."""
        ...

    def digest(self, command: Any) -> str:
        """The idempotency digest of a command (keyed, where the store keys them)."""
        ...

    def prepare(self, events: Sequence[Any]) -> AbstractContextManager[None]:
        """Before a save: make the data keys these events need; carry out erasures.

        The save records the events inside the context returned: the new keys are
        written in the events' transaction (or, where the store cannot, committed just
        before it), and forgotten again if the save fails.
        """
        ...

    def open_document(self, document: Any) -> Any:
        """A registry document with its sealed personal text opened (or ``[erased]``)."""
        ...

    def open_scans(self, view_store: Any) -> None:
        """Make the view store's scans (what registries are read by) open sealed text."""
        ...

    def close(self) -> None:
        """Release the key store."""
        ...

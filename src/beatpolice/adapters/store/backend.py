"""The store adapter the Station is handed: one URL's persistence, checks and errors.

:func:`store_at` parses a URL and returns an :class:`OpenedStore`, which fills the
application's :class:`~beatpolice.application.ports.EventStore` port.

Example:
    >>> from beatpolice.application.ports import EventStore
    >>> store = store_at("memory://")
    >>> isinstance(store, EventStore), store.backend
    (True, 'memory')
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

import attrs
from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import get_topic

from beatpolice.adapters.store._store_errors import database_errors, guard_storage, storage_error
from beatpolice.adapters.store.mapper import JSONTranscoder, PydanticMapper
from beatpolice.adapters.store.storage import StoreURL, open_store, parse_url
from beatpolice.adapters.store.views import AnyViewStore
from beatpolice.domain.errors import StorageError

__all__ = ["OpenedStore", "store_at"]

A = TypeVar("A")

_CODEC = {"MAPPER_TOPIC": get_topic(PydanticMapper), "TRANSCODER_TOPIC": get_topic(JSONTranscoder)}


@attrs.frozen
class OpenedStore:
    """One store URL, parsed: what the Station needs to open and use it."""

    url: StoreURL

    @property
    def display(self) -> str:
        """The URL with any password masked."""
        return self.url.display

    @property
    def backend(self) -> str:
        """``memory``, ``sqlite`` or ``postgres``."""
        return self.url.backend

    @property
    def env(self) -> dict[str, str]:
        """eventsourcing's settings: the URL's persistence, our mapper and transcoder."""
        return {**self.url.env, **_CODEC}

    def open_application(self, make: Callable[[dict[str, str]], A], *, create: bool) -> A:
        """Check the store (ADR 0220-0223), then build the application inside the check."""
        try:
            with open_store(self.url, create=create):
                return make(self.env)
        except (PersistenceError, OSError) as error:
            raise storage_error(f"cannot open {self.display}", error) from error

    def guard(self) -> AbstractContextManager[None]:
        """Driver errors inside the block become one-line StorageErrors."""
        return guard_storage(self.display)

    def is_failure(self, error: BaseException) -> bool:
        """Whether ``error`` is the store's failure rather than a command's refusal."""
        return isinstance(error, (StorageError, *database_errors()))

    def open_view_store(self) -> AnyViewStore:
        """A new view store in this store's backend (raises StorageError only)."""
        from beatpolice.adapters.store.views import open_view_store

        return open_view_store(self.url)


def store_at(url: str) -> OpenedStore:
    """The store a URL names: ``memory://``, ``sqlite:///FILE`` (or a path), ``postgresql://``."""
    return OpenedStore(parse_url(url))

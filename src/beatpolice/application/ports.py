"""What the application needs from the outside world: the ports the adapters fill.

The Station never imports a driver, a recorder or a URL parser: it is handed an
:class:`EventStore` (``beatpolice.connect`` opens one from a URL with the store
adapter) and asks it for eventsourcing's settings, for a view store, and to translate
driver errors into :class:`~beatpolice.domain.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar, runtime_checkable

from beatpolice.projections._runner import ViewStore

__all__ = ["EventStore"]

A = TypeVar("A")


@runtime_checkable
class EventStore(Protocol):
    """A store of events the station writes to and reads from (one per backend)."""

    @property
    def display(self) -> str:
        """The store's URL with any password masked, for messages."""
        ...

    @property
    def backend(self) -> str:
        """``memory``, ``sqlite`` or ``postgres``."""
        ...

    @property
    def env(self) -> dict[str, str]:
        """eventsourcing's persistence settings for this store."""
        ...

    def open_application(self, make: Callable[[dict[str, str]], A], *, create: bool) -> A:
        """Check the store (creating it only when ``create``) and build the application.

        ``make`` is given eventsourcing's settings (persistence, mapper, transcoder) and
        builds the application inside the check, so that a PostgreSQL store's schema
        lock is held while its tables are made.
        """
        ...

    def guard(self) -> AbstractContextManager[None]:
        """A block in which any driver error becomes a one-line ``StorageError``."""
        ...

    def is_failure(self, error: BaseException) -> bool:
        """Whether ``error`` means the store failed (not the command being decided)."""
        ...

    def open_view_store(self) -> ViewStore:
        """A new view store in this store's own backend (closed by its owner)."""
        ...

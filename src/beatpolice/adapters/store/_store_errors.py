"""Database errors met while using a store, turned into one-line :class:`StorageError`.

Opening refuses what is not a beatpolice store (:mod:`._store_marker`); this module
covers what happens later: a page found damaged while reading, a full disk, a read-only
mount, a PostgreSQL server gone away. sqlite3, psycopg and eventsourcing each raise their
own exceptions, some with several lines of text; callers of beatpolice only ever see a
:class:`StorageError` whose message is one line naming the store (ADR 0222).
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from eventsourcing.persistence import PersistenceError

from beatpolice.domain.errors import StorageError

__all__ = ["database_errors", "guard_storage", "one_line", "storage_error"]

T = TypeVar("T")

_PLAIN_WORDS = (
    ("malformed", "is damaged ({}): restore it from a backup"),
    ("not a database", "is damaged ({}): restore it from a backup"),
    ("disk is full", "cannot be written: the disk is full ({})"),
    ("readonly database", "is read-only ({})"),
    ("read-only", "is read-only ({})"),
    ("unable to open database file", "cannot be opened ({})"),
)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(text.split())


def database_errors() -> tuple[type[BaseException], ...]:
    """The exception classes of the drivers that may be raised by a store.

    psycopg's are included only once psycopg has been imported: no PostgreSQL error can
    be raised before that, and SQLite-only stations need not load the driver.
    """
    errors: list[type[BaseException]] = [sqlite3.Error, PersistenceError]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


def storage_error(where: str, error: BaseException) -> StorageError:
    """A one-line :class:`StorageError` for a driver's ``error`` met while using ``where``."""
    text = one_line(str(error)) or type(error).__name__
    lowered = text.lower()
    for words, template in _PLAIN_WORDS:
        if words in lowered:
            return StorageError(f"{where} {template.format(text)}")
    return StorageError(f"{where}: {text}")


@contextmanager
def guard_storage(where: str) -> Iterator[None]:
    """Turn any database error raised inside the block into a one-line StorageError.

    A :class:`~beatpolice.domain.errors.BeatpoliceError` passes through untouched.

    Example:
        >>> import sqlite3
        >>> try:
        ...     with guard_storage("station.db"):
        ...         raise sqlite3.DatabaseError("database disk image is malformed")
        ... except StorageError as error:
        ...     print(error)
        station.db is damaged (database disk image is malformed): restore it from a backup
    """
    try:
        yield
    except database_errors() as error:
        raise storage_error(where, error) from error


def guarded_methods(where: Callable[[Any], str]) -> Callable[[type[T]], type[T]]:
    """A class decorator: every public method (and ``__init__``) raises StorageError only.

    Methods that return iterators (generators) are guarded while they are iterated too.
    ``where(instance)`` names the store in messages; it must not fail.
    """

    def decorate(cls: type[T]) -> type[T]:
        for name, member in list(vars(cls).items()):
            if callable(member) and (name == "__init__" or not name.startswith("_")):
                setattr(cls, name, _guard_method(member, where))
        return cls

    return decorate


def _guard_method(method: Callable[..., Any], where: Callable[[Any], str]) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def iterate(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except database_errors() as error:
                raise storage_error(_name(where, self), error) from error

        return iterate

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except database_errors() as error:
            raise storage_error(_name(where, self), error) from error

    return call


def _name(where: Callable[[Any], str], instance: Any) -> str:
    try:
        return where(instance)
    except Exception:  # an instance whose __init__ failed has no attributes yet
        return "the store"

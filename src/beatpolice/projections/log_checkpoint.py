"""The port through which an appraisal learns the checkpoint of the log it was made on.

A report carries ``"log": {"size": N, "root": "sha256:..."}``: the size of the event
log at the report's ``as_of`` (up to the last event recorded by then) and the Merkle
root of those events (ADR 0524). The projection never opens the store: the station it is
handed has an ``event_log()`` (the adapters' tamper-evident log, which fills
:class:`EventLogPort`), and a station without one gives reports without ``log``.

Example:
    >>> from datetime import UTC, datetime
    >>> import beatpolice
    >>> station = beatpolice.connect("memory://")
    >>> log_at(station, datetime(2014, 2, 1, tzinfo=UTC))
    {'size': 0, 'root': 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, StrictInt

__all__ = ["EventLogPort", "HasEventLog", "LogCheckpoint", "LogRef", "log_at", "with_log"]

R = TypeVar("R", bound=BaseModel)


class LogRef(BaseModel):
    """The event log at a report's ``as_of``: its size and Merkle root (ADR 0524)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    size: StrictInt
    """How many events the log held, up to the last one recorded by ``as_of``."""
    root: str
    """The RFC 9162 root of those events: ``sha256:<hex>`` (or ``sm3:<hex>``)."""


class LogCheckpoint(Protocol):
    """A size of the log and the root of its first ``size`` events."""

    @property
    def size(self) -> int:
        """How many events."""
        ...

    @property
    def root(self) -> str:
        """``sha256:<hex>`` or ``sm3:<hex>``."""
        ...


class EventLogPort(Protocol):
    """The store's log as the projections see it: its checkpoint at an instant."""

    def checkpoint(self, *, as_of: datetime | None = None) -> LogCheckpoint:
        """The log's size and root at ``as_of`` (now when None)."""
        ...


@runtime_checkable
class HasEventLog(Protocol):
    """A station (or recorder) that has a tamper-evident log."""

    def event_log(self) -> EventLogPort:
        """Its log."""
        ...


def log_at(station: object, as_of: datetime | None) -> dict[str, int | str] | None:
    """The station's log checkpoint at ``as_of`` as a report writes it, or None."""
    if not isinstance(station, HasEventLog):
        return None
    checkpoint = station.event_log().checkpoint(as_of=as_of)
    return {"size": checkpoint.size, "root": checkpoint.root}


def with_log(station: object, report: R) -> R:
    """``report`` with the ``log`` of the station at the report's ``as_of``."""
    if "log" not in type(report).model_fields:
        return report
    found = log_at(station, getattr(report, "as_of", None))
    if found is None:
        return report
    return report.model_copy(update={"log": LogRef.model_validate(found)})

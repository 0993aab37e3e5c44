"""What every command model shares: the base class, its digest, and checked field times.

Kept apart from :mod:`beatpolice.domain.commands` so that the vocabulary can be split
into modules (:mod:`beatpolice.domain.commands_day`) that the ``Command`` union joins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime as _AwareDatetime
from pydantic import BaseModel, BeforeValidator, ConfigDict

from beatpolice.domain._base import command_digest

__all__ = ["When", "_Command"]


def _no_numbers(value: object) -> object:
    # Lax pydantic reads a number as a Unix time; a station system sending one is a bug.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("must be an ISO 8601 time with an offset, not a number")
    return value


def _no_bare_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValueError("must be a time with an offset, not a bare date")
    if isinstance(value, str) and len(value) <= 10:
        raise ValueError("must be an ISO 8601 time with an offset, e.g. 2014-01-03T09:30:00+08:00")
    return value


When = Annotated[_AwareDatetime, BeforeValidator(_no_numbers), BeforeValidator(_no_bare_date)]
"""A timezone-aware instant; a time without an offset is refused."""


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    type: str

    ADDED_LATER: ClassVar[frozenset[str]] = frozenset()
    """Optional fields added after the command first shipped: left out of the digest
    while unset, so a command sent before they existed keeps its digest (a re-send of
    it is still recognised, and evidence naming it still resolves)."""

    def digest(self) -> str:
        """The idempotency key: the same command sent twice has the same digest."""
        # the fields as they are: nested models, dates and times are canonicalised by
        # command_digest (a model_dump first would cost more than the hashing)
        later = self.ADDED_LATER
        return command_digest(
            self.type,
            {
                k: v
                for k, v in vars(self).items()
                if k != "type" and not (v is None and k in later)
            },
        )

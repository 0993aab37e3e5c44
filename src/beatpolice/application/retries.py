"""Retrying a command that lost a race to another writer (ADR 0201, 0209)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from beatpolice.domain.errors import ConcurrencyError

__all__ = ["RETRY_ATTEMPTS", "RETRY_BACKOFF", "RETRY_BACKOFF_CAP", "backoff", "retry_on_conflict"]

P = ParamSpec("P")
R = TypeVar("R")


RETRY_ATTEMPTS = 20
"""How many times :func:`retry_on_conflict` calls a command before giving up (ADR 0201)."""

RETRY_BACKOFF = 0.005
"""The first retry waits up to this many seconds; each later one up to twice as long."""

RETRY_BACKOFF_CAP = 0.5
"""No single wait between retries is longer than this many seconds."""


def retry_on_conflict(
    func: Callable[P, R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Call ``func``, retrying it on ConcurrencyError with jittered exponential backoff.

    Safe for any station command: a retry re-reads the aggregate and decides again,
    and a command that did land is recognised as a re-send. It tries
    :data:`RETRY_ATTEMPTS` times in all, waiting a random time of up to
    ``RETRY_BACKOFF * 2**n`` seconds (never more than :data:`RETRY_BACKOFF_CAP`)
    before the n-th retry, then lets the last ConcurrencyError through. Any other
    error is raised at once.

    Example:
        >>> import beatpolice
        >>> station = beatpolice.connect("memory://")
        >>> receipt = beatpolice.retry_on_conflict(
        ...     station.enlist_officer, badge="D0001", name="薛翠翠", station="德州", beat="一区"
        ... )
        >>> receipt.events
        1
    """
    for attempt in range(RETRY_ATTEMPTS):
        try:
            return func(*args, **kwargs)
        except ConcurrencyError:
            if attempt == RETRY_ATTEMPTS - 1:
                raise
            backoff(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def backoff(attempt: int) -> None:
    """Wait before retry number ``attempt + 1`` (full jitter, exponential, capped)."""
    ceiling = min(RETRY_BACKOFF_CAP, RETRY_BACKOFF * 2**attempt)
    time.sleep(random.uniform(0, ceiling))

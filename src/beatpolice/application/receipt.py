"""What handling one command did: a :class:`Receipt`."""

from __future__ import annotations

import attrs

__all__ = ["Receipt"]


@attrs.frozen
class Receipt:
    """What handling one command did."""

    type: str
    """The command's name (``record_visit``, ...)."""
    digest: str
    """The command's idempotency key."""
    events: int
    """How many events it recorded; 0 for an exact re-send."""

    @property
    def duplicate(self) -> bool:
        """True when the command had been recorded before and nothing was written."""
        return self.events == 0

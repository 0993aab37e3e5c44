"""The commands a station system sends: one pydantic model per command (the public face).

Each model is defined in :mod:`beatpolice.domain.commands`; this module is the one
import path callers use for them (``from beatpolice.commands import RecordVisit``).
"""

from beatpolice.domain.commands import *  # noqa: F403
from beatpolice.domain.commands import __all__ as __all__

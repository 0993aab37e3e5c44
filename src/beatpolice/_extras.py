"""Optional parts of beatpolice (extras), imported only when a feature needs them.

The core install is a station system's library: eventsourcing, pydantic, attrs, orjson,
chinesecalendar, cryptography, rfc8785. Everything else is an extra (ADR 0800):

=========== ================= ================================================
extra       library           needed for
=========== ================= ================================================
postgres    psycopg           ``postgresql://`` stores
cli         rich              the command line's tables and progress bars
report      jinja2            HTML reports
testing     hypothesis        ``beatpolice.testing``'s strategies
demo        faker             the synthetic station (``beatpolice demo``)
=========== ================= ================================================

:func:`require` imports such a library or raises one :class:`MissingExtraError` line
naming the extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from beatpolice.domain.errors import MissingExtraError

__all__ = ["EXTRAS", "require"]

EXTRAS: dict[str, str] = {
    "psycopg": "postgres",
    "psycopg_pool": "postgres",
    "rich": "cli",
    "jinja2": "report",
    "markupsafe": "report",
    "hypothesis": "testing",
    "faker": "demo",
}
"""Each optional library's top-level module, and the extra that installs it."""


def require(module: str, feature: str, *, extra: str | None = None) -> ModuleType:
    """Import ``module`` (a library of an extra) for ``feature``, or say what to install.

    Args:
        module: the module to import, e.g. ``"psycopg"`` or ``"rich.table"``.
        feature: what needs it, in words, e.g. ``"postgresql:// stores"``.
        extra: the extra to name, when not the library's own (the demo's jinja2 comes
            with ``demo``).

    Returns:
        The imported module.

    Raises:
        MissingExtraError: the library is not installed (or cannot be imported).

    Example:
        >>> require("json", "nothing optional").__name__
        'json'
    """
    top = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = getattr(error, "name", None)
        extra = extra or EXTRAS.get(top, top)
        if isinstance(error, ModuleNotFoundError) and missing in (top, module):
            raise MissingExtraError(feature, extra, top) from None
        why = f"{top} cannot be imported: {str(error).splitlines()[0] if str(error) else ''}"
        raise MissingExtraError(feature, extra, top, why=why.rstrip(": ")) from error

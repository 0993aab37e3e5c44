"""The ``beatpolice`` command line: the same vocabulary as the Python and JSON faces.

Each subcommand lives in its own module ``_cmd_<name>.py`` exposing
``register(subparsers)``; this module finds them, so adding a subcommand touches no
shared file. Exit codes: 0 success, 1 the command ran and something was refused or
did not match, 2 a usage error (bad arguments, unreadable file, unknown store).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from beatpolice._station import Station, connect
from beatpolice.domain.errors import BeatpoliceError

__all__ = [
    "DEFAULT_DB",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "UsageError",
    "add_command",
    "instant",
    "main",
    "open_station",
]

DEFAULT_DB = "sqlite:///beatpolice.db"
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad arguments or an unusable file: exit 2 with the message, no traceback."""


def open_station(args: argparse.Namespace, *, create: bool = True) -> Station:
    """Connect to the store named by ``--db`` or ``BEATPOLICE_DB`` (default: SQLite file).

    Read commands pass ``create=False``: a missing store is then refused ("no store at
    ...", exit 2) instead of being created empty (ADR 0223).
    """

    url = args.db or os.environ.get("BEATPOLICE_DB") or DEFAULT_DB
    return connect(url, time_zone=args.time_zone, create=create)


def instant(text: str) -> datetime:
    """An argparse type: an ISO 8601 instant with an offset (``--as-of``)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no offset; give one, e.g. 2014-02-01T00:00:00+08:00"
        )
    return moment


def _store_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db",
        default=default,
        help=f"store URL or SQLite path (env BEATPOLICE_DB; default {DEFAULT_DB})",
    )
    parser.add_argument(
        "--time-zone",
        default="Asia/Shanghai" if default is None else default,
        help="time zone in which months are cut (default Asia/Shanghai)",
    )


def add_command(subparsers: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """Add a subcommand that also takes ``--db`` and ``--time-zone`` after its name."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, **kwargs)
    _store_options(parser, default=argparse.SUPPRESS)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beatpolice",
        description=(
            "Record community policing (社区警务) field work as events, rebuild the "
            "station's registries, and replay and audit monthly appraisals."
        ),
        epilog="Exit codes: 0 done; 1 something was refused or did not match; 2 usage error.",
    )
    _store_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    package = importlib.import_module(__name__)
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_cmd_"):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except UsageError as error:
        print(f"beatpolice {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BeatpoliceError as error:
        print(f"beatpolice {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE if type(error).__name__ == "StorageError" else EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"beatpolice {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The ``beatpolice`` command line: the same vocabulary as the Python and JSON faces.

Each subcommand lives in its own module ``_cmd_<name>.py`` exposing
``register(subparsers)``; this module finds them, so adding a subcommand touches no
shared file. Exit codes: 0 success, 1 the command ran and something was refused or
did not match, 2 a usage error (bad arguments, unreadable file, unknown store, a
setting or rule set that cannot be used, an output that cannot be written), 70 an
internal error (a defect, ADR 0211), 130 interrupted. Every error is one line on
standard error, its text escaped (ADR 0212).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from beatpolice.adapters.cli._text import json_safe, printable
from beatpolice.adapters.cli._types import hours, instant, time_zone
from beatpolice.adapters.store.connect import connect
from beatpolice.application.station import Station
from beatpolice.domain.errors import (
    AppraisalError,
    BeatpoliceError,
    MissingExtraError,
    SettingError,
    StorageError,
)
from beatpolice.domain.field_time import DEFAULT_TOLERANCE

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "DEFAULT_DB",
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "Parser",
    "UsageError",
    "add_command",
    "instant",
    "json_safe",
    "main",
    "open_station",
    "printable",
    "say",
]

DEFAULT_DB = "sqlite:///beatpolice.db"
EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
"""A defect: an error beatpolice did not mean to raise (sysexits' EX_SOFTWARE)."""
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + 13
"""The reader of our output went away (``| head``): stopped quietly, as SIGPIPE would."""
_USAGE_ERRORS = (StorageError, SettingError, AppraisalError, MissingExtraError)
"""Errors that mean the command cannot run as given: exit 2, like a bad argument."""
TRACEBACK_ENV = "BEATPOLICE_TRACEBACK"
"""Set to 1 to let an internal error show its traceback (for a bug report)."""


class UsageError(Exception):
    """Bad arguments or an unusable file: exit 2 with the message, no traceback."""


def open_station(args: argparse.Namespace, *, create: bool = True) -> Station:
    """Connect to the store named by ``--db`` or ``BEATPOLICE_DB`` (default: SQLite file).

    Read commands pass ``create=False``: a missing store is then refused ("no store at
    ...", exit 2) instead of being created empty (ADR 0223).
    """

    url = args.db or os.environ.get("BEATPOLICE_DB") or DEFAULT_DB
    station = connect(
        url,
        time_zone=args.time_zone,
        create=create,
        tolerance=args.tolerance,
        key_file=getattr(args, "key_file", None),
        fraud_scripts=_fraud_scripts(args),
    )
    if create:
        _tell_new_key_file(station)
    return station


def _fraud_scripts(args: argparse.Namespace) -> str | None:
    """The station's fraud-script catalogue: ``--fraud-scripts`` or its env variable."""
    from beatpolice.adapters.cli._cmd_fraud_scripts import catalogue_setting

    return catalogue_setting(args)


def _tell_new_key_file(station: Station) -> None:
    """Say once, on stderr, that a master key file was made beside a SQLite store."""
    from beatpolice.adapters.store.keyring import Keyring

    keys = station.keys
    made = keys.ensure_master_key() if isinstance(keys, Keyring) else None
    if made is not None:
        say(
            f"beatpolice: made the master key file {made} (mode 0600); keep a copy apart "
            "from the store: without it the residents' personal data cannot be read",
            file=sys.stderr,
        )


def say(text: object, file: TextIO | None = None) -> None:
    """Print one line of text that may hold input or stored values, escaped (ADR 0212)."""
    print(printable(text), file=sys.stdout if file is None else file)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one escaped line (and exit 2)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse drops an OSError here: --help > /dev/full would lose the help and exit
        # 0; main turns it into one line and exit 2 (a closed pipe stays quiet, 141)
        if message:
            (file or sys.stderr).write(message)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE (see PROG --help)`` on stderr and exit 2."""
        self.exit(
            EXIT_USAGE,
            f"{printable(self.prog)}: {printable(message)} (see {printable(self.prog)} --help)\n",
        )


def _store_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db",
        default=default,
        help=f"store URL or SQLite path (env BEATPOLICE_DB; default {DEFAULT_DB})",
    )
    parser.add_argument(
        "--time-zone",
        type=time_zone,
        default="Asia/Shanghai" if default is None else default,
        help="time zone in which months are cut (default Asia/Shanghai)",
    )
    parser.add_argument(
        "--tolerance",
        type=hours,
        metavar="HOURS",
        default=DEFAULT_TOLERANCE if default is None else default,
        help="how many hours after the recording clock a field time may lie (default 24)",
    )
    parser.add_argument(
        "--fraud-scripts",
        metavar="NAME|FILE",
        default=None if default is None else default,
        help="the fraud-script catalogue (env BEATPOLICE_FRAUD_SCRIPTS; default mps-common)",
    )
    parser.add_argument(
        "--key-file",
        metavar="FILE",
        default=None if default is None else default,
        help=(
            "the station's master key file (env BEATPOLICE_KEY_FILE; BEATPOLICE_MASTER_KEY "
            "holds the key itself; default for SQLite: the store's path + .key)"
        ),
    )


def add_command(subparsers: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """Add a subcommand that also takes ``--db`` and ``--time-zone`` after its name."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, **kwargs)
    _store_options(parser, default=argparse.SUPPRESS)
    return parser


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every subcommand, or only the one ``argv`` names.

    A command line runs one subcommand, so it imports only that one's module when the
    module named after it (``_cmd_<name>``) registers it; otherwise, and without
    ``argv`` (the completion script walks the whole tree), every module is imported and
    registered (ADR 0282).
    """
    named = _named_command(argv) if argv is not None else None
    if named is not None:
        module = f"_cmd_{named.replace('-', '_')}"
        if module in _command_modules():
            parser, subparsers = _top_parser()
            importlib.import_module(f"{__name__}.{module}").register(subparsers)
            if named in subparsers.choices:
                return parser
    parser, subparsers = _top_parser()
    for module in _command_modules():
        importlib.import_module(f"{__name__}.{module}").register(subparsers)
    return parser


def _command_modules() -> list[str]:
    """The names of the ``_cmd_*`` modules, in order."""
    package = importlib.import_module(__name__)
    names = (info.name for info in pkgutil.iter_modules(package.__path__))
    return sorted(name for name in names if name.startswith("_cmd_"))


class _NoCommandError(Exception):
    """``argv`` names no subcommand that can be told apart without the whole parser."""


class _Peek(argparse.ArgumentParser):
    """The top level's options and a first positional, read without printing anything."""

    def error(self, message: str) -> NoReturn:
        raise _NoCommandError(message)


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, read by the top level's own options (so that an
    option's value, abbreviated or not, is never taken for it); None if unclear."""
    peek = _Peek(prog="beatpolice", add_help=False)
    _store_options(peek, default=None)
    peek.add_argument("-h", "--help", "--version", action="store_true")
    peek.add_argument("command", nargs="?")
    try:
        known, _ = peek.parse_known_args(list(argv))
    except (_NoCommandError, argparse.ArgumentError):
        return None
    if known.help:  # the top level's help lists every command; --version is the top's
        return None
    command = known.command
    return command if isinstance(command, str) and command else None


def _top_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = Parser(
        prog="beatpolice",
        description=(
            "Record community policing (社区警务) field work as events, rebuild the "
            "station's registries, and replay and audit monthly appraisals."
        ),
        epilog=(
            "Exit codes: 0 done; 1 something was refused or did not match; 2 usage error; "
            "70 internal error; 130 interrupted."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"beatpolice {_version()}", help="print the version"
    )
    _store_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    return parser, subparsers


def _version() -> str:
    from beatpolice import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Every error ends as one line on standard error, ``beatpolice COMMAND: message``:
    usage errors (and a store, setting or rule set that cannot be used, an output that
    cannot be written, as on a full disk) exit 2, other
    beatpolice errors 1, an interruption 130, a closed output pipe 141, and anything
    else, a defect, 70 with its type and a request to report it (ADR 0211).
    """
    try:
        args = _parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        try:
            sys.stdout.flush()  # what argparse printed reaches its reader, or is an error
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_BROKEN_PIPE
        except OSError as error:
            return _cannot_write(error)
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except BrokenPipeError:  # --help | head -1
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as error:  # --help > /dev/full
        return _cannot_write(error)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    name = printable(args.command)
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except UsageError as error:
        say(f"beatpolice {name}: {error}", sys.stderr)
        return EXIT_USAGE
    except BeatpoliceError as error:
        say(f"beatpolice {name}: {error}", sys.stderr)
        return EXIT_USAGE if isinstance(error, _USAGE_ERRORS) else EXIT_REFUSED
    except KeyboardInterrupt:
        say(f"beatpolice {name}: interrupted", sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (| head): stop quietly, like other tools
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as error:
        # the machine's trouble, not a defect: a full disk (> /dev/full), a lost terminal
        _flush_or_silence()
        where = f" ({printable(error.filename)})" if error.filename else ""
        say(f"beatpolice {name}: {error.strerror or error}{where}", sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        if os.environ.get(TRACEBACK_ENV, "") not in ("", "0"):
            raise
        say(
            f"beatpolice {name}: internal error: {type(error).__name__}: {error} "
            f"(a defect: please report it with the command; {TRACEBACK_ENV}=1 shows "
            "the traceback)",
            sys.stderr,
        )
        return EXIT_INTERNAL
    return code


def _cannot_write(error: OSError) -> int:
    _silence_stdout()
    say(f"beatpolice: {error.strerror or error}", sys.stderr)
    return EXIT_USAGE


def _flush_or_silence() -> None:
    """Write what standard output still holds, or drop it if it cannot be written."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no real stdout (captured)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``beatpolice migrate OLD_URL NEW_URL``: copy a 0.1 store into the new layout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, UsageError, say
from beatpolice.adapters.cli._types import input_file
from beatpolice.adapters.store.migrate import migrate
from beatpolice.domain.rules.escalation import EscalationPolicy, load_policy


def register(subparsers: Any) -> None:
    """Add the ``migrate`` subcommand."""
    parser = subparsers.add_parser(
        "migrate",
        help="copy a store written by beatpolice 0.1 into the new layout",
        description=(
            "migrate OLD_URL NEW_URL copies every event of a store written by beatpolice "
            "0.1 (format 1) into a new store of format 2, keeping recorded times and "
            "command digests, so reports made under 0.1 verify against the new store. "
            "OLD is only read. NEW must not exist yet, be empty, or be a migration that "
            "did not finish (it is then started over)."
        ),
    )
    parser.add_argument("old", metavar="OLD_URL", help="the 0.1 store (SQLite path or URL)")
    parser.add_argument("new", metavar="NEW_URL", help="the new store (SQLite path or URL)")
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        type=_policy_file,
        metavar="FILE",
        help="a station's own escalation policy (TOML) that disputes were opened under; "
        "repeatable",
    )
    parser.add_argument("--quiet", action="store_true", help="print no progress")
    parser.set_defaults(func=run)


def _policy_file(text: str) -> EscalationPolicy:
    path = input_file(text)
    try:
        return load_policy(path)
    except (ValueError, LookupError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise argparse.ArgumentTypeError(f"{text}: not an escalation policy: {first}") from None


def run(args: argparse.Namespace) -> int:
    """Migrate, reporting progress on stderr and the summary on stdout."""
    if args.old == args.new:
        raise UsageError("OLD_URL and NEW_URL name the same store")

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            say(f"copied {done}/{total} events", sys.stderr)

    report = migrate(args.old, args.new, policies=args.policy, progress=progress)
    for line in report.lines():
        say(line)
    return EXIT_OK

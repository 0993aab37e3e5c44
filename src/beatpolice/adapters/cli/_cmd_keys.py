"""``beatpolice keys rotate --new-key-file FILE``: wrap the data keys under a new master key.

The events are not touched: only the key table's wrapped keys change, in one
transaction. FILE is read if it exists, else made (mode 0600) with a new key. A store
whose key lived in the file beside it has that file replaced by the new key.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from beatpolice.adapters.cli import EXIT_OK, UsageError, add_command, open_station, say

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``keys`` subcommand and its actions."""
    parser = add_command(
        subparsers,
        "keys",
        help="manage the station's master key",
        description="keys rotate wraps every data key under a new master key.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rotate = add_command(
        actions,
        "rotate",
        help="wrap the data keys under a new master key (events untouched)",
        description=(
            "rotate unwraps every data key with the current master key (BEATPOLICE_MASTER_KEY, "
            "--key-file, or the file beside a SQLite store) and wraps it under the key in "
            "--new-key-file, which is made (mode 0600) if it does not exist."
        ),
    )
    rotate.add_argument(
        "--new-key-file", required=True, type=Path, metavar="FILE", help="the new master key"
    )
    rotate.set_defaults(func=run_rotate)


def run_rotate(args: argparse.Namespace) -> int:
    """Rotate the master key and say where the new one is."""
    from beatpolice.adapters.store.keyring import Keyring
    from beatpolice.adapters.store.master_key import (
        read_key_file,
        replace_key_file,
        write_key_file,
    )

    with open_station(args, create=False) as station:
        keys = station.keys
        if not isinstance(keys, Keyring):
            raise UsageError("this store has no key table to rotate")
        new_file: Path = args.new_key_file
        made = write_key_file(new_file)
        new = read_key_file(new_file)
        if keys.key_id == new.key_id:
            raise UsageError(f"{new_file} holds the master key in use already")
        count = keys.rotate(new)
        beside = keys.source.beside
        if beside is not None and keys.source.origin == f"key file {beside}":
            replace_key_file(beside, new_file.read_text(encoding="ascii"))
            where = f"{beside} now holds it"
        else:
            where = f"give --key-file {new_file} (or set BEATPOLICE_MASTER_KEY to its contents)"
    if made:
        say(f"beatpolice: made the new master key file {new_file} (mode 0600)", file=sys.stderr)
    say(f"{count} keys wrapped under {new.key_id}; {where}")
    return EXIT_OK

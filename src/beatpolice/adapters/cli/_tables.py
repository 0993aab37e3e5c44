"""Tables the command line prints, laid out by rich in terminal columns (ADR 0803).

A Chinese character takes two columns of a terminal, a Latin letter one: padding by
character count (``f"{name:<8}"``) makes every column after a Chinese name drift.
rich measures cells by their display width (East Asian Wide and Fullwidth characters
count two), so the columns line up whatever the names. rich is the ``cli`` extra: a
table without it raises :class:`~beatpolice.MissingExtraError`; ``--json`` needs no
extra.

Cells are escaped first (ADR 0212) and given to rich as plain text, never as markup:
a name like ``[bold]`` is printed as it is. The table is rendered without borders and
without a width limit (piped output is not cut at 80 columns), and each line is
written with its trailing spaces removed.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from beatpolice._extras import require
from beatpolice.adapters.cli._text import printable

__all__ = ["WIDE", "render_table", "write_table"]

WIDE = 100_000
"""The console width tables are laid out in: wide enough that no table wraps."""


def render_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    right: Sequence[int] = (),
    title: str | None = None,
) -> list[str]:
    """The lines of a table: a header line, then one line per row.

    Args:
        header: the column names.
        rows: the cells; ``None`` is shown as ``-``.
        right: the indexes of the columns aligned right (numbers).
        title: a line printed above the header.

    Raises:
        MissingExtraError: rich (the ``cli`` extra) is not installed.
    """
    console_module: Any = require("rich.console", "tables")
    table_module: Any = require("rich.table", "tables")
    table = table_module.Table(
        box=None,
        padding=(0, 2, 0, 0),
        pad_edge=False,
        show_edge=False,
        header_style=None,
        title=None,
        expand=False,
    )
    for index, name in enumerate(header):
        table.add_column(
            printable(name),
            justify="right" if index in right else "left",
            no_wrap=True,
        )
    for row in rows:
        table.add_row(*("-" if cell is None else printable(cell) for cell in row))
    buffer = io.StringIO()
    console = console_module.Console(
        file=buffer,
        width=WIDE,
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )
    console.print(table)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return ([printable(title)] if title else []) + lines


def write_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    right: Sequence[int] = (),
    title: str | None = None,
    file: TextIO | None = None,
) -> None:
    """Print a table (see :func:`render_table`) on ``file`` (standard output)."""
    out = sys.stdout if file is None else file
    lines = render_table(header, rows, right=right, title=title)
    out.write("".join(line + "\n" for line in lines))

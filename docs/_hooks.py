"""MkDocs hooks: pages whose content is generated from the code, so it cannot go stale.

Markers in a page are replaced at build time:

- ``<!-- cli-help -->``: the ``--help`` of ``beatpolice`` and of every subcommand;
- ``<!-- json-schema:commands -->`` / ``<!-- json-schema:events -->``: the JSON Schema;
- ``<!-- decisions -->``: the list of decision records in ``docs/decisions/``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

DOCS = Path(__file__).parent


def _help_texts() -> list[tuple[str, str]]:
    from beatpolice.adapters.cli import _parser

    parser = _parser()
    texts = [("beatpolice", parser.format_help())]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in sorted(action.choices.items()):
                texts.append((f"beatpolice {name}", sub.format_help()))
    return texts


def _cli_help() -> str:
    parts = []
    for title, text in _help_texts():
        parts.append(f"### `{title}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def _schema(which: str) -> str:
    from beatpolice.adapters.schema import command_schema, event_schema

    schema = command_schema() if which == "commands" else event_schema()
    return "```json\n" + json.dumps(schema, indent=2, ensure_ascii=False) + "\n```\n"


def _decisions() -> str:
    lines = []
    for path in sorted((DOCS / "decisions").glob("*.md")):
        first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        title = re.sub(r"^#+\s*", "", first).strip() or path.stem
        lines.append(f"- [{title}](../decisions/{path.name})")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Fill the generated sections of a page."""
    if "<!-- cli-help -->" in markdown:
        with contextlib.redirect_stdout(io.StringIO()):
            markdown = markdown.replace("<!-- cli-help -->", _cli_help())
    for which in ("commands", "events"):
        marker = f"<!-- json-schema:{which} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, _schema(which))
    if "<!-- decisions -->" in markdown:
        markdown = markdown.replace("<!-- decisions -->", _decisions())
    return markdown

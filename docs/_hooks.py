"""MkDocs hooks: pages whose content is generated from the code, so it cannot go stale.

Markers in a page are replaced at build time:

- ``<!-- cli-help -->``: the ``--help`` of ``beatpolice`` and of every subcommand;
- ``<!-- json-schema:NAME -->`` (commands, events, report, receipt, registry, quality):
  a JSON Schema's top level and the table of its definitions;
- ``<!-- decisions -->``: the list of decision records in ``docs/decisions/``.

Docstrings are written for both ``help()`` and this site: an ``Example:`` section is
rendered as code like ``Examples:`` (griffe knows only the plural), and Sphinx roles
(``:func:`beatpolice.connect```) become cross-references to the API page where the
name is documented there, and plain code elsewhere (ADR 0816).
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

_ROLE = re.compile(
    r":(?:func|class|mod|meth|attr|data|exc|obj|const):<code>(?P<tilde>~?)(?P<path>\.?[A-Za-z_][\w.]*)"
    r"(?:\(\))?</code>"
)


def on_startup(**_: Any) -> None:
    """Read a docstring's ``Example:`` section as examples (``>>>`` lines as code)."""
    from griffe._internal.docstrings import google
    from griffe._internal.enumerations import DocstringSectionKind

    google._section_kind.setdefault("example", DocstringSectionKind.examples)


def _reference(match: re.Match[str]) -> str:
    path = match["path"]
    shown = path.rsplit(".", 1)[-1] if match["tilde"] else path
    # optional: a name not rendered on the site stays plain code, with no warning
    return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'


def on_page_content(html: str, **_: Any) -> str:
    """Turn the Sphinx roles left in rendered docstrings into cross-references."""
    return _ROLE.sub(_reference, html)


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
    """A schema's top level as JSON and its definitions as a table (the whole is long:
    the text rules list code points; ``beatpolice schema NAME`` prints it)."""
    from beatpolice.adapters.schema import SCHEMAS

    schema = SCHEMAS[which]()
    defs = schema.get("$defs", {})
    top = {key: value for key, value in schema.items() if key != "$defs"}
    rows = ["| definition | what it is |", "|---|---|"]
    for name, entry in sorted(defs.items()):
        about = (entry.get("description") or "").strip().splitlines()
        rows.append(f"| `{name}` | {about[0] if about else ''} |")
    return (
        "```json\n"
        + json.dumps(top, indent=2, ensure_ascii=False)
        + "\n```\n\n"
        + "\n".join(rows)
        + "\n"
    )


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
    for which in ("commands", "events", "report", "receipt", "registry", "quality"):
        marker = f"<!-- json-schema:{which} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, _schema(which))
    if "<!-- decisions -->" in markdown:
        markdown = markdown.replace("<!-- decisions -->", _decisions())
    return markdown

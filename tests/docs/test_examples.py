"""Docs are tests: every code block of README.md and docs/**/*.md runs.

- ``python`` blocks of one page run in order in one namespace (a tutorial builds up);
- ``console`` blocks run each ``$ beatpolice ...`` line through the real command line,
  which must exit 0 (or the code a trailing ``# exit N`` names);
- a block preceded by ``<!-- skip: reason -->`` is not run (the reason is required).

Each page runs in a fresh temporary folder, so files it creates vanish afterwards.
"""

from __future__ import annotations

import re
import shlex
import sys
import types
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(
    r"(?P<skip><!--\s*skip:\s*(?P<reason>[^>]*?)\s*-->\s*\n)?"
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def blocks(text: str) -> list[tuple[int, str, str, str | None]]:
    """(line, language, body, skip reason) of each fenced block."""
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("lang")) + 1
        indent = match.group("indent")
        body = "\n".join(
            part[len(indent) :] if part.startswith(indent) else part
            for part in match.group("body").splitlines()
        )
        found.append((line, match.group("lang"), body, match.group("reason")))
    return found


def _page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_blocks_are_found_and_a_skip_needs_a_reason() -> None:
    sample = "a\n<!-- skip: needs a server -->\n```python\nx = 1\n```\n\n```console\n$ b\n```\n"
    assert blocks(sample) == [
        (3, "python", "x = 1", "needs a server"),
        (7, "console", "$ b", None),
    ]


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_code_block_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BEATPOLICE_DB", raising=False)
    # A real module, so that pydantic and dataclasses can resolve the page's names.
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    for line, lang, body, skip in blocks(page.read_text(encoding="utf-8")):
        where = f"{_page_id(page)}:{line}"
        if skip is not None:
            assert skip, f"{where}: a skipped block must say why"
            continue
        if lang == "python":
            exec(compile(body, where, "exec"), namespace)
        elif lang == "console":
            for command in body.splitlines():
                if not command.startswith("$ beatpolice "):
                    continue
                text, _, expected = command[2:].partition("# exit ")
                code = main(shlex.split(text)[1:])
                output = capsys.readouterr()
                assert code == int(expected or 0), f"{where}: {text}\n{output.out}{output.err}"

"""The repository stands alone: no file cites a document a user of it does not have.

The source articles are cited by short name (docs/reference/sources.md gives title,
publisher and date), the contract is docs/reference/contract.md, and the house plan
is ADR 0262: never the planning notes the project was started from.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = re.compile(
    r"CONTRACT\.md|ARCHITECTURE\.md|DOMAIN\.md|STYLE\.md|\.\./shared|/work/shared"
    r"|\bseeds? \d{3}\b|\bSeeds? \d{3}\b|example\.invalid"
)

SUFFIXES = {".py", ".md", ".toml", ".yml", ".yaml", ".j2", ".html", ".txt", ".cfg", ".ts", ".mjs"}

# Data written by 0.1 keeps its words: a rule set's `source` is in its digest and a
# policy's `description` is recorded in stores, so changing either breaks replay.
KEPT_DATA = re.compile(r'^(source|description) = "')


def _files() -> list[Path]:
    found = [ROOT / name for name in ("README.md", "CHANGELOG.md", "LICENSE", "Makefile")]
    for folder in ("docs", "src", "tests", "benchmarks"):
        found += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in SUFFIXES
            and "node_modules" not in path.parts
            and "samples" not in path.parts
            and path != Path(__file__).resolve()
        ]
    return [path for path in found if path.is_file()]


def test_no_file_cites_anything_outside_the_repository() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line) and not (path.suffix == ".toml" and KEPT_DATA.match(line))
    ]
    assert offending == []


def test_the_sources_page_names_every_article_by_title_publisher_and_date() -> None:
    page = (ROOT / "docs" / "reference" / "sources.md").read_text(encoding="utf-8")
    for short in ("Boshan", "Qingdao", "Dezhou", "Fengting", "sub-bureau"):
        assert f"the {short}" in page
    for date in ("2025-06-21", "2014-05-23", "2022-06-17"):
        assert date in page
    assert "人民公安报" in page
    assert "大众网德州频道" in page

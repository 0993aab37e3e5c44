"""The documentation site builds in strict mode: no warning, no broken link or nav entry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_build_strict_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    page = (tmp_path / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "beatpolice demo" in page
    assert "beatpolice report" in page
    glossary = (tmp_path / "reference" / "glossary" / "index.html").read_text(encoding="utf-8")
    assert "矛盾不上交" in glossary

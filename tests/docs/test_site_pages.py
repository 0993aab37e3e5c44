"""The built site reads on its own: examples as code, references resolved, serve works.

One build (module fixture) is checked for what the API page used to get wrong: docstring
examples run together as quoted text and Sphinx roles (``:func:``) shown literally. Then
``mkdocs serve``, as the README says to run it, serves the home page.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=True,
    )
    return out


def test_no_page_shows_a_sphinx_role(site: Path) -> None:
    roles = re.compile(r":(func|class|mod|meth|attr|data|exc|obj|const):(<code>|`)")
    shown = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if roles.search(page.read_text(encoding="utf-8"))
    ]
    assert shown == []


def test_api_examples_are_code_and_references_are_links(site: Path) -> None:
    page = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "<blockquote" not in page  # ">>>" lines used to nest as quotations
    assert '<span class="gp">&gt;&gt;&gt; </span>' in page
    assert 'href="#beatpolice.connect"><code>beatpolice.connect</code></a>' in page


def test_the_reference_pages_that_make_the_docs_whole_are_built(site: Path) -> None:
    for name in ("contract", "sources", "versioning", "json-schema"):
        assert (site / "reference" / name / "index.html").is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert ".invalid/" not in home  # no placeholder repository link


SERVE_PATIENCE = 900.0
"""Seconds to wait for ``mkdocs serve`` to answer: a ceiling, not a measurement."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_mkdocs_serve_as_the_readme_says_serves_the_home_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mkdocs serve" in readme
    port = _free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        env=ENV,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        try:
            body = ""
            # mkdocs builds the whole site before it serves: on a loaded machine that can
            # take minutes, so wait for the page (or the server's end), not for a minute
            deadline = time.monotonic() + SERVE_PATIENCE
            while time.monotonic() < deadline:
                if server.poll() is not None:
                    break
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                        body = answer.read().decode("utf-8")
                        break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            assert "beatpolice" in body
        finally:
            server.terminate()
            server.wait(timeout=30)

"""``beatpolice report`` fills the page from the store: a saved report with or without it.

No browser: the page's text is read as written (tests/e2e/test_report_browser.py looks
at it in Chromium).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "station.db"
    small = ["--beats", "2", "--officers-per-beat", "2", "--households", "440", "--venues", "12"]
    assert main(["demo", "--db", str(db), "--no-progress", "--json", *small]) == 0
    return db, folder / "appraisal-2022-05.json"


def test_a_saved_report_without_its_store_says_what_the_page_lacks(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    _, saved = demo
    page = tmp_path / "page.html"
    assert main(["report", "--from", str(saved), "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert 'id="station">Station not given' in html
    assert 'id="registries">Registries not given' in html
    assert 'class="trend"' not in html
    assert "<time datetime=" not in html.split('<h2 class="officers-start">')[1]


@pytest.mark.parametrize("given", ["--db", "BEATPOLICE_DB"])
def test_a_saved_report_with_its_store_shows_station_trend_and_dated_evidence(
    demo: tuple[Path, Path], tmp_path: Path, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, saved = demo
    page = tmp_path / "page.html"
    args = ["report", "--from", str(saved), "--html", str(page)]
    if given == "--db":
        args += ["--db", str(db)]
    else:  # the store named as every command reads it
        monkeypatch.setenv("BEATPOLICE_DB", str(db))
    assert main(args) == 0
    html = page.read_text(encoding="utf-8")
    officers = len(json.loads(saved.read_text(encoding="utf-8"))["officers"])
    assert '<strong id="station">枫亭派出所</strong>' in html
    assert html.count('class="trend"') == officers
    assert html.count('<tr class="subtotal">') == 2
    assert "<time datetime=" in html.split('<h2 class="officers-start">')[1]


def test_trend_months_sets_the_span_and_one_draws_none(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    db, saved = demo
    as_of = json.loads(saved.read_text(encoding="utf-8"))["as_of"]
    base = ["report", "--db", str(db), "--month", "2022-05", "--as-of", as_of]
    three, one = tmp_path / "three.html", tmp_path / "one.html"
    assert main([*base, "--trend-months", "3", "--html", str(three)]) == 0
    assert main([*base, "--trend-months", "1", "--html", str(one)]) == 0
    text = three.read_text(encoding="utf-8")
    assert 'data-month="2022-03"' in text
    assert 'data-month="2022-02"' not in text
    assert 'class="trend"' not in one.read_text(encoding="utf-8")
    for bad in ("0", "-3", "37", "six"):  # not silently one month, nor years of appraisals
        assert main([*base, "--trend-months", bad, "--html", str(one)]) == 2, bad
    printed = tmp_path / "printed.html"
    assert main([*base, "--print-evidence", "--html", str(printed)]) == 0
    assert 'class="evidence" data-star="' in printed.read_text(encoding="utf-8")
    assert '" open>' in printed.read_text(encoding="utf-8")

"""The demo's HTML report in a real headless Chromium: it renders, offline, as intended.

Skips, saying why, when Chromium or its driver is missing, unless
BEATPOLICE_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def _browser_or_skip() -> tuple[str, str]:
    if CHROMIUM and DRIVER:
        return CHROMIUM, DRIVER
    reason = (
        "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)"
    )
    if os.environ.get("BEATPOLICE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BEATPOLICE_REQUIRE_BROWSER=1 but the browser is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "station.db"
    small = ["--beats", "2", "--officers-per-beat", "2", "--households", "440", "--venues", "12"]
    args = ["demo", "--db", str(db), "--no-progress", "--json", *small]
    assert main(args) == 0
    summary = json.loads((folder / "appraisal-2022-05.json").read_text(encoding="utf-8"))
    return folder / "report-2022-05.html", summary


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    chromium, chromedriver = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def test_report_renders_table_charts_evidence_and_fingerprint(
    driver: object, report_file: tuple[Path, dict[str, object]]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    path, saved = report_file
    driver.get(path.as_uri())
    assert "2022-05" in driver.title
    rows = driver.find_elements(By.CSS_SELECTOR, "#stars tbody tr")
    assert [row.get_attribute("data-badge") for row in rows] == [
        "FT101",
        "FT102",
        "FT201",
        "FT202",
    ]
    assert driver.find_elements(By.CSS_SELECTOR, "#stars td.awarded")
    assert driver.find_element(By.ID, "fingerprint").text == saved["fingerprint"]
    assert "beatpolice audit verify" in driver.find_element(By.ID, "verify").text
    # Every officer has a chart, drawn with a visible size, bars and a threshold line.
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 4
    for chart in charts:
        assert chart.size["width"] > 300
        assert chart.size["height"] > 100
        assert chart.find_elements(By.CSS_SELECTOR, "g.gauge rect")
        assert chart.find_elements(By.CSS_SELECTOR, "line.threshold")
    # Evidence opens on click and lists event references.
    summary = driver.find_element(By.CSS_SELECTOR, "details.evidence summary")
    summary.click()
    listed = driver.find_elements(By.CSS_SELECTOR, "details.evidence[open] li code")
    assert listed
    assert "@" in listed[0].text
    # Nothing was fetched from the network: the only resource is the file itself.
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []

"""The demo's HTML report in a real headless Chromium: it renders, offline, and prints.

Skips, saying why, when Chromium, its driver or CJK fonts are missing, unless
BEATPOLICE_REQUIRE_BROWSER=1 (as in CI), where a missing one fails the test.

The print checks hold on any machine: they read the page's own layout in print media
emulation (nothing wider than the A4 text width, the verify commands fully inside it)
and the PDF Chromium prints (A4 pages, each officer's block starting and ending on one
page, read from the PDF's named destinations), never timings. Screenshots of the
screen and of the printed layout are saved under pytest's temporary folder (or
``$BEATPOLICE_SCREENSHOTS``) for a person to look at.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from beatpolice.adapters.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
A4_TEXT_WIDTH = 710
"""CSS pixels across A4 (210 mm) less the report's two 11 mm side margins (710.6), rounded down."""


def _missing(reason: str) -> None:
    if os.environ.get("BEATPOLICE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BEATPOLICE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _browser_or_skip() -> tuple[str, str]:
    if CHROMIUM and DRIVER:
        return CHROMIUM, DRIVER
    _missing(
        "the browser is missing: needs Debian's chromium and chromium-driver "
        "(apt-get install -y chromium chromium-driver)"
    )
    raise AssertionError("unreachable")


def _cjk_fonts() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    found = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return [line for line in found.stdout.splitlines() if line.strip()]


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
def station_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The default demo station (12 officers, 4 beats), written by ``beatpolice report``."""
    folder = tmp_path_factory.mktemp("station-with-a-long-folder-name-for-the-verify-command")
    db = folder / "station.db"
    assert main(["demo", "--db", str(db), "--no-progress", "--json"]) == 0
    saved = json.loads((folder / "appraisal-2022-05.json").read_text(encoding="utf-8"))
    page = folder / "report.html"
    args = ["report", "--db", str(db), "--month", "2022-05", "--as-of", saved["as_of"]]
    assert main([*args, "--html", str(page)]) == 0
    return page, [officer["badge"] for officer in saved["officers"]]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("BEATPOLICE_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("screenshots")


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
    rows = driver.find_elements(By.CSS_SELECTOR, "#stars tbody tr[data-badge]")
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
    listed = driver.find_elements(By.CSS_SELECTOR, "details.evidence[open] li")
    assert listed
    reference = listed[0].get_attribute("data-ref") or ""
    assert "@" in reference
    assert reference in listed[0].text  # the whole reference, for `audit show`
    assert listed[0].find_elements(By.TAG_NAME, "time")  # resolved: its field date
    assert "household " in listed[0].text or "dispute " in listed[0].text
    # Nothing was fetched from the network: the only resource is the file itself.
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []


def _pdf_pages(data: bytes) -> tuple[list[int], dict[str, tuple[int, float]]]:
    """The PDF's page objects in order, and each named destination's (page, y)."""
    bodies = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(?m)^(\d+) 0 obj\s*(.*?)endobj", data, re.S)
    }
    catalog = re.search(rb"/Type /Catalog.*?/Pages (\d+) 0 R", data, re.S)
    assert catalog is not None
    pages: list[int] = []

    def walk(number: int) -> None:
        body = bodies[number]
        kids = re.search(rb"/Kids \[([^\]]*)\]", body)
        if re.search(rb"/Type /Pages\b", body) and kids is not None:
            for kid in re.findall(rb"(\d+) 0 R", kids.group(1)):
                walk(int(kid))
        else:
            pages.append(number)

    walk(int(catalog.group(1)))
    index = {number: n for n, number in enumerate(pages, start=1)}
    destinations = {
        name.decode(): (index[int(page)], float(y))
        for name, page, y in re.findall(rb"/([\w.-]+) \[(\d+) 0 R /XYZ [\d.]+ ([\d.]+) 0\]", data)
    }
    return pages, destinations


def _print_layout(driver: object) -> None:
    """Print media and a viewport as wide as A4's text (what a printed page lays out)."""
    from selenium.webdriver.chrome.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    metrics = {"width": A4_TEXT_WIDTH, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def _screen_layout(driver: object) -> None:
    from selenium.webdriver.chrome.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_cjk_fonts_are_installed_for_the_browser() -> None:
    if not _cjk_fonts():
        _missing("no CJK font is installed (apt-get install -y fonts-noto-cjk)")
    assert any("CJK" in family or "Noto" in family for family in _cjk_fonts())


def test_report_shows_station_beats_registries_and_trends(
    driver: object, station_report: tuple[Path, list[str]], screenshots: Path
) -> None:
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.common.by import By

    assert isinstance(driver, WebDriver)
    path, badges = station_report
    _screen_layout(driver)
    driver.get(path.as_uri())
    driver.save_screenshot(str(screenshots / "screen-top.png"))
    assert driver.find_element(By.CSS_SELECTOR, "strong#station").text == "枫亭派出所"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#stars tr.subtotal")) == 4
    assert driver.find_elements(By.CSS_SELECTOR, "#registries tr.headline")
    label = driver.find_element(By.CSS_SELECTOR, '#beats tr[data-metric="households_visited"] th')
    assert label.text == "走访户数 households visited"
    trends = driver.find_elements(By.CSS_SELECTOR, "svg.trend")
    assert len(trends) == len(badges)
    for trend in trends:
        assert len(trend.find_elements(By.CSS_SELECTOR, "g.month")) == 6
        assert trend.size["width"] > 100
    driver.find_element(By.ID, f"officer-{badges[0]}").screenshot(
        str(screenshots / "screen-officer.png")
    )


def test_printed_layout_fits_a4_and_wraps_the_verify_commands(
    driver: object, station_report: tuple[Path, list[str]], screenshots: Path
) -> None:
    from selenium.webdriver.chrome.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    path, _ = station_report
    driver.get(path.as_uri())
    _print_layout(driver)
    try:
        width = driver.execute_script("return document.documentElement.clientWidth")
        assert A4_TEXT_WIDTH - 20 <= width <= A4_TEXT_WIDTH  # a scrollbar only narrows it
        wider = driver.execute_script(
            "return [...document.body.querySelectorAll('*')]"
            ".filter(e => e.getBoundingClientRect().right > arguments[0] + 0.5"
            " || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX != 'visible')"
            ".map(e => e.tagName + '#' + e.id + '.' + e.className)",
            width,
        )
        assert wider == []
        box = driver.execute_script(
            "const e = document.getElementById('verify'), r = e.getBoundingClientRect();"
            "return {left: r.left, right: r.right, scroll: e.scrollWidth, client: e.clientWidth,"
            " wrap: getComputedStyle(e).whiteSpace, lines: e.textContent.trim().split('\\n')}"
        )
        assert 0 <= box["left"] < box["right"] <= width
        assert box["scroll"] <= box["client"]  # nothing of the commands is hidden
        assert box["wrap"] == "pre-wrap"
        assert any(len(line) * 7 > width for line in box["lines"])  # long enough to wrap
        height = driver.execute_script("return document.documentElement.scrollHeight")
        for n in range(min(4, height // 1000 + 1)):
            driver.execute_script(f"window.scrollTo(0, {n * 1000})")
            driver.save_screenshot(str(screenshots / f"print-layout-{n}.png"))
    finally:
        _screen_layout(driver)


def test_printed_pdf_is_a4_with_no_officer_split_across_pages(
    driver: object, station_report: tuple[Path, list[str]], screenshots: Path
) -> None:
    from selenium.webdriver.chrome.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    path, badges = station_report
    driver.get(path.as_uri())
    # Mark where each officer's block ends, and link to the marks, so that the PDF names
    # the page of both ends of every block (Chromium writes a destination per link).
    driver.execute_script(
        "const links = document.createElement('p');"
        "for (const s of document.querySelectorAll('section.officer')) {"
        "  const end = document.createElement('span'); end.id = s.id + '-end';"
        "  s.appendChild(end);"
        "  const a = document.createElement('a'); a.href = '#' + end.id; a.textContent = '.';"
        "  links.appendChild(a); }"
        "document.body.appendChild(links);"
    )
    printed = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    data = base64.b64decode(printed["data"])
    (screenshots / "report.pdf").write_bytes(data)
    pages, destinations = _pdf_pages(data)
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data))
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}  # A4, pt
    for badge in badges:
        start, _ = destinations[f"officer-{badge}"]
        end, _ = destinations[f"officer-{badge}-end"]
        assert start == end, f"{badge} runs from page {start} to page {end}"
    # 0.1 printed this month on 18 Letter pages, one officer and a half per page; now
    # at least two officers share most pages (the bound leaves room for other fonts).
    assert len(pages) <= 2 + (len(badges) + 1) // 2 + 2

"""The table printed at the end of a run, and the JSON written beside it."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from benchmarks._suite import MIB, RowResult, Settings

__all__ = ["machine", "render_table", "write_json"]


def machine() -> dict[str, Any]:
    """The machine and the versions a run measured."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for package in (
        "beatpolice",
        "eventsourcing",
        "pydantic",
        "pydantic-core",
        "orjson",
        "psycopg",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": sys.version.split()[0],
        "versions": versions,
    }


def _value(unit: str, value: float) -> str:
    if unit == "events/s":
        return f"{value:,.0f} ev/s"
    return f"{value:,.3f} ms" if value < 10 else f"{value:,.1f} ms"


def _ratio(subject: float, value: float, unit: str) -> str:
    if not subject or not value:
        return ""
    # the subject's time over this variant's time: 3.00x means beatpolice takes 3 times as long
    times = value / subject if unit == "events/s" else subject / value
    return f"{times:.2f}x"


def render_table(results: list[RowResult]) -> str:
    """One table: a row's subject, then its references, then its targets."""
    header = ("case", "variant", "result", "bp/ref time", "peak RSS")
    lines: list[tuple[str, ...]] = [header]
    for row in results:
        if row.skipped:
            lines.append((row.title, f"skipped: {row.skipped}", "", "", ""))
            continue
        subject = row.variants[0]
        for index, variant in enumerate(row.variants):
            if variant.error:
                shown = ("ERROR", variant.error[:70], "")
            else:
                shown = (
                    _value(variant.unit, variant.value),
                    "" if index == 0 else _ratio(subject.value, variant.value, variant.unit),
                    f"{variant.peak_rss / MIB:,.0f} MiB",
                )
            lines.append((row.title if index == 0 else "", variant.label, *shown))
        for text, passed, detail in row.verdicts:
            verdict = (
                ("n/a" if detail == "subject failed" else "info")
                if passed is None
                else ("PASS" if passed else "FAIL")
            )
            lines.append(("", f"  target: {text}", verdict, detail, ""))
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    rule = "  ".join("-" * width for width in widths)
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            out.append(rule)
    return "\n".join(text.rstrip() for text in out)


def write_json(
    path: Path,
    results: list[RowResult],
    settings: Settings,
    facts: dict[str, Any],
    command: list[str],
) -> None:
    """Write the run's results, settings, machine and versions as JSON."""
    document = {
        "date": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "settings": asdict(settings),
        "facts": facts,
        "rows": [
            {
                "name": row.name,
                "title": row.title,
                "skipped": row.skipped,
                "variants": [asdict(variant) for variant in row.variants],
                "targets": [
                    {"target": text, "passed": passed, "detail": detail}
                    for text, passed, detail in row.verdicts
                ],
            }
            for row in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))

"""``beatpolice demo``: a synthetic station month, recorded, appraised and reported."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from beatpolice._extras import require
from beatpolice.adapters.cli import EXIT_OK, EXIT_REFUSED, UsageError, add_command, json_safe
from beatpolice.adapters.cli._text import printable
from beatpolice.adapters.cli._types import month, positive_int, rule_name

if TYPE_CHECKING:
    from rich.console import Console

    from beatpolice.demo import DemoResult

# faker, jinja2 and rich (the 'demo' extra) are imported when the demo runs, not when
# the parser is built: `beatpolice --help` loads no optional library (ADR 0800)
DEFAULT_SEED = 3
"""The demo's default seed (``beatpolice.demo.DEFAULT_SEED``; a test keeps them equal)."""
DEFAULT_MONTH = "2022-05"
"""The demo's default month (``beatpolice.demo.DEFAULT_MONTH``)."""

DEMO_DB = "demo-out/station.db"
"""The demo's own store: never BEATPOLICE_DB, so a demo never writes into a real station."""

_SHORT = {"investigation": "investig.", "information": "inform.", "mediation": "mediat."}
_STEPS = {"record": "recording field work", "registries": "catching up registries"}


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser = add_command(
        subparsers,
        "demo",
        help="record a synthetic station month, then show its five-star appraisal",
        description=(
            "Generate a synthetic police station shaped like the Fengting article's station "
            "(枫亭派出所: 4 responsibility areas of 3 officers, about 1,500 households, "
            "venues of every category, disputes at every level), record a month of its "
            "field work through the public commands, catch up the registries and "
            "appraise the month as the bureau decided it. Prints the five-star table, "
            "the registries' headline figures and where the HTML and JSON reports are. "
            f"The store is --db (default {DEMO_DB}; BEATPOLICE_DB is ignored on "
            "purpose). The same seed gives the same fingerprint; running the demo twice "
            "into one store records nothing the second time."
        ),
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default %(default)s")
    parser.add_argument(
        "--month", type=month, default=DEFAULT_MONTH, help="YYYY-MM (default %(default)s)"
    )
    parser.add_argument(
        "--beats", type=positive_int(1000), default=4, help="responsibility areas (4)"
    )
    parser.add_argument(
        "--officers-per-beat", type=positive_int(1000), default=3, help="officers per area (3)"
    )
    parser.add_argument(
        "--households",
        type=positive_int(10_000_000),
        default=1500,
        help="households, 100+ per officer (1500)",
    )
    parser.add_argument(
        "--venues", type=positive_int(1_000_000), default=60, help="supervised venues (60)"
    )
    parser.add_argument(
        "--rules",
        type=rule_name,
        default="dezhou-2014",
        help="rule set to appraise with (dezhou-2014)",
    )
    parser.add_argument(
        "--out", type=Path, help="folder of the reports (default: the store file's folder)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead")
    parser.add_argument("--no-progress", action="store_true", help="draw no progress bars")
    parser.set_defaults(func=run)


def _sqlite_file(url: str) -> Path | None:
    if "://" not in url:
        return Path(url)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None


def _out_dir(args: argparse.Namespace, url: str) -> Path:
    if args.out is not None:
        return Path(args.out)
    file = _sqlite_file(url)
    return file.parent if file is not None else Path("demo-out")


def run(args: argparse.Namespace) -> int:
    """Run the demo job and print what it found."""
    for module in ("faker", "jinja2", "rich"):
        require(module, "the demo", extra="demo")
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from beatpolice.demo import DemoConfig, run_demo

    url = args.db or DEMO_DB
    try:
        config = DemoConfig(
            seed=args.seed,
            month=args.month,
            beats=args.beats,
            officers_per_beat=args.officers_per_beat,
            households=args.households,
            venues=args.venues,
            time_zone=args.time_zone,
        )
    except ValueError as error:
        raise UsageError(str(error)) from error
    file = _sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    err = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        disable=args.no_progress or args.json,
        transient=False,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(_STEPS.get(step, step), total=total)
            bars.update(tasks[step], completed=done, total=total)

        result = run_demo(
            url,
            config=config,
            rules=args.rules,
            out_dir=_out_dir(args, url),
            db_label=url,
            progress=progress,
        )
    if args.json:
        sys.stdout.write(
            json_safe(orjson.dumps(summary(result), option=orjson.OPT_INDENT_2).decode())
        )
        sys.stdout.write("\n")
    else:
        show(result, Console(highlight=False, soft_wrap=True), url)
    return EXIT_REFUSED if result.recording.refused else EXIT_OK


def summary(result: DemoResult) -> dict[str, Any]:
    """The demo's outcome for machines: counts, stars, fingerprint, report paths."""
    report = result.report
    return {
        "station": result.demo.config.station,
        "seed": result.demo.config.seed,
        "month": report.month,
        "rules": report.rules.model_dump(),
        "as_of": report.as_of.isoformat(),
        "fingerprint": report.fingerprint,
        "commands": result.recording.commands,
        "events_recorded": result.recording.events,
        "resent": result.recording.resent,
        "refused": list(result.recording.refused),
        "late_entries": result.demo.late_entries,
        "officers": [
            {"badge": o.badge, "name": o.name, "eligible": o.eligible, "awarded": o.awarded}
            for o in report.officers
        ],
        "registries": [
            {"registry": h.registry, "figure": h.label, "value": h.value} for h in result.headlines
        ],
        "json_report": str(result.json_path),
        "html_report": str(result.html_path),
    }


def show(result: DemoResult, console: Console, url: str) -> None:
    """Print the appraisal table, the registries' figures and where the reports are."""
    from rich.table import Table

    from beatpolice.adapters.html._html import STAR_TITLES

    report, recording = result.report, result.recording
    console.print(
        f"{result.demo.config.station}: {recording.commands} commands, "
        f"{recording.events} events recorded, {recording.resent} already in the store"
        + (f", {len(recording.refused)} REFUSED" if recording.refused else "")
    )
    for refusal in recording.refused[:10]:
        console.print(f"  refused: {printable(refusal)}", markup=False)
    stars = [star for star in STAR_TITLES if star != "points"]
    table = Table(
        title=f"五星评选 five-star appraisal {report.month} · {report.rules.name} "
        f"{report.rules.version} · as of {report.as_of.isoformat()}",
        caption="★ awarded  ☆ eligible, beyond the monthly quota  – not earned",
    )
    table.add_column("badge")
    table.add_column("name")
    for star in stars:
        table.add_column(_SHORT.get(star, star), justify="center")
    table.add_column("stars", justify="right")
    for officer in report.officers:
        marks = [
            "★" if star in officer.awarded else "☆" if star in officer.eligible else "–"
            for star in stars
        ]
        table.add_row(officer.badge, officer.name, *marks, str(len(officer.awarded)))
    console.print(table)
    console.print(f"fingerprint {report.fingerprint}")
    console.print("why a star was not earned: see the HTML report, or beatpolice appraise")
    figures = Table(title="registries 台账")
    figures.add_column("registry")
    figures.add_column("figure")
    figures.add_column("value")
    for headline in result.headlines:
        figures.add_row(headline.registry, headline.label, headline.value)
    console.print(figures)
    console.print(f"HTML report: {result.html_path}")
    console.print(f"JSON report: {result.json_path}")
    console.print(f"verify it:   beatpolice audit verify --db {url} {result.json_path}")

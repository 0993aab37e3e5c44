"""``beatpolice registry officers|households|disputes|venues [--json] [filters]``.

Catches the station's registries up with the log (showing progress on stderr when
many events are waiting, or always with ``--progress``), then prints the registry as
a table, or as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from beatpolice.adapters.cli import (
    EXIT_OK,
    UsageError,
    add_command,
    instant,
    open_station,
    say,
)
from beatpolice.adapters.cli import _registry_output as _output
from beatpolice.adapters.cli._types import month as month_type
from beatpolice.domain.values import Level, VenueCategory
from beatpolice.projections.registries import (
    Registries,
    inspections_by_month,
    open_registries,
)

# the printing helpers, under the names the day's registries use (_registry_day)
_print_json = _output.print_json
_table = _output.table
_counts = _output.counts
_yes = _output.yes
_when = _output.when


def register(subparsers: Any) -> None:
    """Add the ``registry`` subcommand and its four registries."""
    parser = add_command(
        subparsers,
        "registry",
        help=(
            "print a registry (台账): officers, households, disputes, venues, patrols, "
            "population or requests"
        ),
        description=(
            "Catch the station's registries up with the recorded events, then print one. "
            "Months are cut in the station's time zone (--time-zone)."
        ),
    )
    registries = parser.add_subparsers(dest="registry", metavar="REGISTRY", required=True)

    officers = _registry(registries, "officers", "officers with a month's visits, leads, ...")
    _month_options(officers)
    officers.add_argument("--station", help="only officers of this station")
    officers.add_argument("--beat", help="only officers of this beat")
    officers.add_argument("--officer", help="only this badge")
    officers.set_defaults(func=_officers)

    households = _registry(registries, "households", "households seen in visits or plans")
    _month_options(households)
    households.add_argument("--officer", help="only households this officer visited or planned")
    households.add_argument(
        "--unvisited",
        action="store_true",
        help="only households planned for the month and not yet visited",
    )
    households.set_defaults(func=_households)

    disputes = _registry(registries, "disputes", "disputes: level, tier, status, history")
    disputes.add_argument("--as-of", type=instant, help="judge deadlines at this instant (now)")
    disputes.add_argument(
        "--status", choices=("open", "resolved", "referred", "reopened"), help="only this status"
    )
    disputes.add_argument("--level", choices=[level.value for level in Level])
    disputes.add_argument("--officer", help="only disputes this officer opened")
    disputes.add_argument(
        "--month", type=month_type, help="only disputes first opened in this month (YYYY-MM)"
    )
    disputes.add_argument("--category", help="only disputes of this category")
    disputes.add_argument("--overdue", action="store_true", help="only overdue disputes")
    disputes.add_argument(
        "--count-open",
        action="store_true",
        help="count open disputes in the 矛盾不上交率 denominator (ADR 0401)",
    )
    disputes.set_defaults(func=_disputes)

    venues = _registry(registries, "venues", "venues: inspections and open findings")
    venues.add_argument("--as-of", type=instant, help="judge deadlines at this instant (now)")
    venues.add_argument("--category", choices=[category.value for category in VenueCategory])
    venues.add_argument("--officer", help="only venues this officer is responsible for")
    venues.add_argument(
        "--overdue", action="store_true", help="only venues with an overdue rectification"
    )
    venues.set_defaults(func=_venues)

    from beatpolice.adapters.cli._registry_day import register_day  # imports this module

    register_day(registries)


def _registry(subparsers: Any, name: str, summary: str) -> argparse.ArgumentParser:
    parser = add_command(
        subparsers, name, help=summary, description=f"The {name} registry: {summary}."
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--rebuild", action="store_true", help="forget the registries and fold every event again"
    )
    parser.add_argument(
        "--progress", action="store_true", help="always show catch-up progress on stderr"
    )
    return parser


def _month_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--month",
        type=month_type,
        help="YYYY-MM (default: the month of --as-of, else the latest month with field work)",
    )
    parser.add_argument("--as-of", type=instant, help="the instant whose month to show")


def _run(args: argparse.Namespace, show: Callable[[Registries], Any]) -> int:
    station = open_station(args, create=False)
    try:
        registries = open_registries(station)
        progress = _output.CatchUpProgress(sys.stderr, always=args.progress)
        if args.rebuild:
            registries.rebuild(progress=progress)
        else:
            registries.catch_up(progress=progress)
        show(registries)
    finally:
        station.close()
    return EXIT_OK


def _month(args: argparse.Namespace, registries: Registries) -> str:
    try:
        return registries.month(month=args.month, as_of=args.as_of)
    except ValueError as error:
        raise UsageError(f"--month: {error}") from error


def _shown_month(args: argparse.Namespace, registries: Registries) -> tuple[str, str]:
    """The month to show and, when none was asked for, why this one (ADR 0804).

    ``--month`` wins, then the month of ``--as-of``; without either, the month of the
    latest field work recorded (the month a station looks at), else the current month.
    """
    if args.month is not None or args.as_of is not None:
        return _month(args, registries), ""
    latest = [
        row.last_activity
        for row in registries.officers(
            month=_month(args, registries),
            station=getattr(args, "station", None),
            beat=getattr(args, "beat", None),
            officer=args.officer,
        )
        if row.last_activity is not None
    ]
    if not latest:
        return _month(args, registries), " (the current month: no field work recorded yet)"
    month = registries.month(as_of=max(latest))
    return month, " (the latest month with field work; --month YYYY-MM for another)"


def _officers(args: argparse.Namespace) -> int:
    def show(registries: Registries) -> None:
        month, why = _shown_month(args, registries)
        rows = registries.officers(
            month=month, station=args.station, beat=args.beat, officer=args.officer
        )
        if args.json:
            _print_json({"month": month, "officers": [r.model_dump(mode="json") for r in rows]})
            return
        _table(
            (
                "badge",
                "name",
                "beat",
                "visits",
                "households",
                "planned",
                "leads",
                "services",
                "mediated",
                "resolved",
                "last activity",
            ),
            [
                (
                    r.badge,
                    r.name,
                    r.beat,
                    r.visits,
                    r.households_visited,
                    f"{r.planned_visited}/{r.households_planned}",
                    r.leads,
                    r.services,
                    r.disputes_mediated,
                    r.disputes_resolved,
                    _when(r.last_activity),
                )
                for r in rows
            ],
            right=range(3, 10),
        )
        say(f"{len(rows)} officers, month {month}{why}")

    return _run(args, show)


def _households(args: argparse.Namespace) -> int:
    def show(registries: Registries) -> None:
        month, why = _shown_month(args, registries)
        rows = registries.households(month=month, officer=args.officer, unvisited=args.unvisited)
        if args.json:
            _print_json({"month": month, "households": [r.model_dump(mode="json") for r in rows]})
            return
        _table(
            (
                "household",
                "last visit",
                "by",
                "match",
                "month",
                "total",
                "open follow-ups",
                "planned, unvisited by",
            ),
            [
                (
                    r.household,
                    _when(r.last_visit_at),
                    r.last_visit_officer,
                    None if r.people_match_register is None else _yes(r.people_match_register),
                    r.visits_this_month,
                    r.visits_total,
                    len(r.open_follow_ups),
                    ",".join(r.unvisited_by) or None,
                )
                for r in rows
            ],
            right=range(4, 7),
        )
        unvisited = sum(1 for r in rows if r.unvisited_by)
        say(f"{len(rows)} households, month {month}; {unvisited} planned and not yet visited{why}")

    return _run(args, show)


def _now(as_of: datetime | None) -> datetime:
    return as_of if as_of is not None else datetime.now().astimezone()


def _disputes(args: argparse.Namespace) -> int:
    def show(registries: Registries) -> None:
        if args.month is not None:
            _month(args, registries)
        registry = registries.disputes(
            as_of=_now(args.as_of),
            status=args.status,
            level=None if args.level is None else Level(args.level),
            officer=args.officer,
            month=args.month,
            category=args.category,
            only_overdue=args.overdue,
            count_open=args.count_open,
        )
        if args.json:
            _print_json(registry.model_dump(mode="json"))
            return
        _table(
            (
                "dispute",
                "level",
                "tier",
                "status",
                "outcome",
                "parties",
                "escalations",
                "opened",
                "due",
                "overdue",
            ),
            [
                (
                    r.dispute,
                    r.level.value,
                    r.tier,
                    r.status,
                    r.outcome,
                    "/".join(r.parties),
                    len(r.escalations),
                    _when(r.first_opened_at),
                    _when(r.due),
                    "yes" if r.overdue else "",
                )
                for r in registry.rows
            ],
            right=(6,),
        )
        rate = registry.not_referred
        say(
            f"{len(registry.rows)} disputes; by level {_counts(registry.by_level)}; "
            f"by outcome {_counts(registry.by_outcome)}; overdue {len(registry.overdue)}; "
            "矛盾不上交率 "
            f"{rate.numerator}/{rate.denominator}"
            + (f" = {rate.percent}%" if rate.percent is not None else "")
        )

    return _run(args, show)


def _venues(args: argparse.Namespace) -> int:
    def show(registries: Registries) -> None:
        rows = registries.venues(
            as_of=_now(args.as_of),
            category=None if args.category is None else VenueCategory(args.category),
            officer=args.officer,
            only_overdue=args.overdue,
        )
        if args.json:
            _print_json(
                {
                    "venues": [r.model_dump(mode="json") for r in rows],
                    "inspections_by_month": inspections_by_month(rows),
                }
            )
            return
        _table(
            (
                "venue",
                "name",
                "category",
                "officer",
                "last inspection",
                "mode",
                "open findings",
                "overdue",
                "next deadline",
            ),
            [
                (
                    r.venue,
                    r.name,
                    r.category.value,
                    r.officer,
                    _when(r.last_inspection_at),
                    None if r.last_inspection_mode is None else r.last_inspection_mode.value,
                    len(r.open_findings),
                    len(r.overdue_findings),
                    r.open_findings[0].rectify_by if r.open_findings else None,
                )
                for r in rows
            ],
            right=(6, 7),
        )
        for month, modes in inspections_by_month(rows).items():
            say(f"{month}: " + ", ".join(f"{mode} {count}" for mode, count in modes.items()))
        say(f"{len(rows)} venues; {sum(len(r.overdue_findings) for r in rows)} overdue findings")

    return _run(args, show)

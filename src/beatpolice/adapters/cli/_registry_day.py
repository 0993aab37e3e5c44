"""``beatpolice registry patrols|population|requests [--json] [filters]`` (issue 15).

The registries of the officer's day, added to the ``registry`` command by
:mod:`beatpolice.adapters.cli._cmd_registry`; they catch up, rebuild and print as the
other registries do.
"""

from __future__ import annotations

import argparse
from typing import Any

from beatpolice.adapters.cli import instant, say
from beatpolice.adapters.cli._types import month as month_type
from beatpolice.domain.day_values import InformationSubject, RequestChannel
from beatpolice.projections.registries import Registries
from beatpolice.projections.registries.requests import DEFAULT_REPLY_DAYS

__all__ = ["register_day"]


def register_day(registries: Any) -> None:
    """Add the patrols, population and requests registries to ``registry``."""
    from beatpolice.adapters.cli._cmd_registry import _month_options, _registry

    patrols = _registry(registries, "patrols", "must-patrol points planned and passed, hours")
    _month_options(patrols)
    patrols.add_argument("--officer", help="only this badge")
    patrols.set_defaults(func=_patrols)

    population = _registry(registries, "population", "information collected by beat")
    _month_options(population)
    population.add_argument("--beat", help="only items collected in this beat")
    population.add_argument("--subject", choices=[s.value for s in InformationSubject])
    population.add_argument("--officer", help="only items this badge recorded")
    population.set_defaults(func=_population)

    requests = _registry(registries, "requests", "residents' requests, open and answered")
    requests.add_argument(
        "--as-of", type=instant, help="judge open and overdue at this instant (none: only late)"
    )
    requests.add_argument("--month", type=month_type, help="only requests received this month")
    requests.add_argument("--status", choices=("open", "answered"), help="only this status")
    requests.add_argument("--channel", choices=[c.value for c in RequestChannel])
    requests.add_argument("--officer", help="only this badge's requests")
    requests.add_argument("--overdue", action="store_true", help="only overdue requests")
    requests.add_argument(
        "--reply-days",
        type=_days,
        default=DEFAULT_REPLY_DAYS,
        help=f"working days to answer a request (default {DEFAULT_REPLY_DAYS}, ADR 0908)",
    )
    requests.set_defaults(func=_requests)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {days}")
    return days


def _patrols(args: argparse.Namespace) -> int:
    from beatpolice.adapters.cli import _cmd_registry as r

    def show(registries: Registries) -> None:
        month, why = r._shown_month(args, registries)
        rows = registries.patrols(month=month, officer=args.officer)
        if args.json:
            r._print_json(
                {"month": month, "patrols": [row.model_dump(mode="json") for row in rows]}
            )
            return
        r._table(
            ("officer", "planned", "passed", "coverage", "missed", "patrols", "modes", "hours"),
            [
                (
                    row.officer,
                    row.points_planned,
                    row.points_passed,
                    row.coverage,
                    ", ".join(row.missed_points) or "-",
                    row.patrols,
                    r._counts(row.patrols_by_mode),
                    row.hours,
                )
                for row in rows
            ],
            right=(1, 2, 5),
        )
        say(f"{len(rows)} officers with patrols or a patrol plan, month {month}{why}")

    return r._run(args, show)


def _population(args: argparse.Namespace) -> int:
    from beatpolice.adapters.cli import _cmd_registry as r

    def show(registries: Registries) -> None:
        month, why = r._shown_month(args, registries)
        rows = registries.population(
            month=month, beat=args.beat, subject=args.subject, officer=args.officer
        )
        if args.json:
            r._print_json(
                {"month": month, "population": [row.model_dump(mode="json") for row in rows]}
            )
            return
        r._table(
            ("station", "beat", "subject", "category", "items", "sources", "officers"),
            [
                (
                    row.station,
                    row.beat,
                    row.subject,
                    row.category or "-",
                    row.items,
                    r._counts(row.sources),
                    ", ".join(row.officers),
                )
                for row in rows
            ],
            right=(4,),
        )
        say(f"{sum(row.items for row in rows)} items of information, month {month}{why}")

    return r._run(args, show)


def _requests(args: argparse.Namespace) -> int:
    from beatpolice.adapters.cli import _cmd_registry as r

    def show(registries: Registries) -> None:
        found = registries.requests(
            as_of=args.as_of,
            month=args.month,
            status=args.status,
            channel=args.channel,
            officer=args.officer,
            only_overdue=args.overdue,
            reply_days=args.reply_days,
        )
        if args.json:
            r._print_json(found.model_dump(mode="json"))
            return
        r._table(
            ("request", "officer", "channel", "received", "status", "outcome", "reply by", "late"),
            [
                (
                    row.id,
                    row.officer,
                    row.channel,
                    r._when(row.received_at),
                    row.status,
                    row.outcome or "-",
                    r._when(row.reply_by),
                    r._yes(row.overdue),
                )
                for row in found.rows
            ],
        )
        tallies = "; ".join(
            f"{channel}: {t.received} received, {t.open} open, {t.overdue} overdue"
            for channel, t in found.by_channel.items()
        )
        say(f"{len(found.rows)} requests ({tallies or 'none'}), {found.reply_days} working days")

    return r._run(args, show)

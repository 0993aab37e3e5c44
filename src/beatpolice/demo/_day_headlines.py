"""The demo's headline figures of the officer's day: patrols, information, requests, surveys.

Shown with the other registries' figures on the terminal and in the HTML report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from beatpolice.adapters.html._html import Headline
from beatpolice.projections.registries import Registries

__all__ = ["day_headlines"]


def day_headlines(registries: Registries, month: str, as_of: datetime) -> tuple[Headline, ...]:
    """The patrols, population and requests figures of ``month``, judged at ``as_of``."""
    patrols = registries.patrols(month=month)
    planned = sum(row.points_planned for row in patrols)
    passed = sum(row.points_passed for row in patrols)
    population = registries.population(month=month)
    requests = registries.requests(as_of=as_of, month=month)
    officers = registries.officers(month=month)
    open_requests = sum(1 for row in requests.rows if row.status == "open")
    overdue = sum(1 for row in requests.rows if row.overdue)
    return (
        Headline("patrols", "must-patrol points passed (必巡点)", _share(passed, planned)),
        Headline("patrols", "patrols", str(sum(row.patrols for row in patrols))),
        Headline("population", "items of information collected", _items(population)),
        Headline(
            "requests",
            "requests received, open, overdue",
            f"{len(requests.rows)}, {open_requests}, {overdue}",
        ),
        Headline(
            "officers",
            "surveys, fraud checks, commendations",
            ", ".join(
                str(sum(getattr(row.day, field) for row in officers))
                for field in ("surveys", "fraud_assessments", "commendations")
            ),
        ),
    )


def _share(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "n/a (no patrol plan)"
    return f"{numerator}/{denominator} ({100 * numerator / denominator:.1f}%)"


def _items(rows: Sequence[object]) -> str:
    total = sum(getattr(row, "items", 0) for row in rows)
    return str(total)

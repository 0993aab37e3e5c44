"""Each officer's last six months as a small inline SVG trend (ADR 0823).

The caller appraises the months before the report's (:func:`trend_months` names them)
and passes those reports; the trend draws one bar per month of the officer's headline
metric (households visited under a five-star rule set, points under a scorecard) and
writes the stars awarded above it. A month in which the officer has no entry is a gap.
Nothing is re-decided here: every figure is a report's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from html import escape

import attrs

from beatpolice.projections.appraisal._report import AppraisalReport

__all__ = ["TREND_METRICS", "TrendPoint", "officer_trend", "trend_chart", "trend_months"]

TREND_METRICS = ("households_visited", "points")
"""The metrics a trend draws when the caller names none: the first a report has."""

_SLOT = 26
_BAR = 16
_TOP = 12
_HEIGHT = 30
_BOTTOM = 12


def trend_months(month: str, *, count: int = 5) -> list[str]:
    """The ``count`` months before ``month`` (``YYYY-MM``), oldest first.

    A period that is not a month (a scorecard's year) has no trend: the list is empty.
    """
    if len(month) != 7 or month[4] != "-" or count <= 0:
        return []
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count, index)]


@attrs.frozen
class TrendPoint:
    """One month of an officer's trend."""

    month: str
    value: Fraction | None
    """The metric that month; None when the officer has no entry (or no such metric)."""
    text: str
    """The value as the report wrote it (``85``, ``12.5``), or ``–``."""
    stars: int
    """Stars awarded that month."""


def trend_metric(reports: Iterable[AppraisalReport]) -> str | None:
    """The first of :data:`TREND_METRICS` that some officer of ``reports`` has."""
    present = {key for report in reports for o in report.officers for key in o.metrics}
    return next((key for key in TREND_METRICS if key in present), None)


def _number(value: int | str) -> Fraction | None:
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None


def officer_trend(badge: str, reports: Sequence[AppraisalReport], metric: str) -> list[TrendPoint]:
    """The officer's points, one per report, in month order.

    Args:
        badge: the officer.
        reports: the report and the earlier months' reports (any order).
        metric: the metric to draw.
    """
    points = []
    for report in sorted(reports, key=lambda r: r.month):
        entry = next((o for o in report.officers if o.badge == badge), None)
        raw = entry.metrics.get(metric) if entry is not None else None
        value = _number(raw) if raw is not None else None
        points.append(
            TrendPoint(
                month=report.month,
                value=value,
                text=str(raw) if value is not None else "–",
                stars=len(entry.awarded) if entry is not None else 0,
            )
        )
    return points


def trend_chart(points: Sequence[TrendPoint], *, title: str, label: str) -> str:
    """A small SVG of ``points``: a bar per month, its stars above, its month below.

    Args:
        points: the officer's months, oldest first (the last is the report's month).
        title: the chart's accessible title.
        label: what the bars measure (``走访户数 households visited``).

    Returns:
        An ``<svg>`` element as text, safe to embed in HTML.
    """
    width = _SLOT * len(points)
    height = _TOP + _HEIGHT + _BOTTOM
    top = max((p.value for p in points if p.value is not None and p.value > 0), default=None)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}: {escape(label)}, {len(points)} months</title>",
    ]
    for n, point in enumerate(points):
        x = n * _SLOT + (_SLOT - _BAR) / 2
        middle = n * _SLOT + _SLOT / 2
        share = float(point.value / top) if point.value is not None and top else 0.0
        bar = max(share * _HEIGHT, 1.0) if point.value is not None else 0.0
        current = " current" if n == len(points) - 1 else ""
        stars = f", {point.stars} ★" if point.stars else ""
        parts.append(
            f'<g class="month{current}" data-month="{escape(point.month)}">'
            f"<title>{escape(point.month)}: {escape(point.text)}{stars}</title>"
        )
        if point.value is None:
            parts.append(
                f'<text x="{middle:.1f}" y="{_TOP + _HEIGHT - 2}" text-anchor="middle" '
                f'class="gap">–</text>'
            )
        else:
            parts.append(
                f'<rect x="{x:.1f}" y="{_TOP + _HEIGHT - bar:.1f}" width="{_BAR}" '
                f'height="{bar:.1f}" class="bar"/>'
            )
        if point.stars:
            parts.append(
                f'<text x="{middle:.1f}" y="{_TOP - 2}" text-anchor="middle" class="stars">'
                f"{'★' * point.stars if point.stars <= 2 else f'★{point.stars}'}</text>"
            )
        parts.append(
            f'<text x="{middle:.1f}" y="{height - 2}" text-anchor="middle" class="when">'
            f"{escape(point.month[5:] or point.month)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)

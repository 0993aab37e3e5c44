"""Inline SVG bar charts: each gauge as a bar, its threshold as a vertical line.

The chart is plain SVG written here (no script, no network): a bar's length is the
metric over its threshold, drawn up to 150%, so every threshold sits on the same line
and a near miss is visible at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from html import escape

from beatpolice.adapters.html._gauges import Gauge

__all__ = ["gauge_chart"]

_LABEL_WIDTH = 300
_BAR_WIDTH = 300
_VALUE_WIDTH = 150
_ROW = 20
_TOP = 22
_CAP = Fraction(3, 2)


def _x(ratio: Fraction) -> float:
    return _LABEL_WIDTH + float(min(ratio, _CAP) / _CAP) * _BAR_WIDTH


def gauge_chart(gauges: Sequence[Gauge], *, title: str) -> str:
    """An SVG chart of ``gauges``, one bar each, met bars green and missed ones amber.

    Args:
        gauges: the officer's gauges (see :func:`~beatpolice.report.gauges`).
        title: the chart's accessible title.

    Returns:
        An ``<svg>`` element as text, safe to embed in HTML.
    """
    width = _LABEL_WIDTH + _BAR_WIDTH + _VALUE_WIDTH
    height = _TOP + _ROW * len(gauges) + 8
    threshold_x = _x(Fraction(1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{threshold_x:.1f}" y="14" class="axis" text-anchor="middle">threshold</text>',
    ]
    for row, gauge in enumerate(gauges):
        y = _TOP + row * _ROW
        state = "met" if gauge.met else "missed"
        bar = max(_x(gauge.ratio) - _LABEL_WIDTH, 1.0)
        parts.append(
            f'<g class="gauge {state}" data-star="{escape(gauge.star)}">'
            f"<title>{escape(gauge.label)}: {escape(gauge.value_text)} "
            f"(threshold {escape(gauge.threshold_text)})</title>"
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end" class="label">'
            f"{escape(gauge.label)}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y + 4}" width="{bar:.1f}" height="{_ROW - 8}" '
            f'class="bar"/>'
            f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 8}" y="{y + 14}" class="value">'
            f"{escape(gauge.value_text)} / {escape(gauge.threshold_text)}</text>"
            "</g>"
        )
    parts.append(
        f'<line x1="{threshold_x:.1f}" y1="{_TOP - 4}" x2="{threshold_x:.1f}" '
        f'y2="{height - 4}" class="threshold"/>'
    )
    parts.append("</svg>")
    return "".join(parts)

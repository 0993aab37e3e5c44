"""A month's appraisal as one self-contained HTML page (``beatpolice report --html``).

The page holds the station's name, the table of officers and their stars with per-beat
subtotals, the registries' headline figures, each star's evidence and each shortfall, a
chart of every officer's checks against the rule set's thresholds and a six-month
trend, the report's fingerprint and the commands that verify it. Metrics are labelled
in Chinese and English. It needs no network: styles and charts (inline SVG) are in the
file itself, and it prints on A4 with no officer split across pages.

Examples:
    >>> from datetime import UTC, datetime
    >>> import beatpolice
    >>> from beatpolice.report import render_html
    >>> recorded = datetime(2014, 1, 2, tzinfo=UTC)
    >>> station = beatpolice.connect("memory://", clock=lambda: recorded)
    >>> station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区").events
    1
    >>> as_of = datetime(2014, 2, 1, tzinfo=UTC)
    >>> report = beatpolice.appraise(station, month="2014-01", as_of=as_of)
    >>> "薛翠翠" in render_html(report)
    True
"""

from beatpolice._needs import report as _needs  # noqa: F401 (one line names the extra if missing)
from beatpolice.adapters.html._beats import UNKNOWN_BEAT, BeatTotal, beat_totals
from beatpolice.adapters.html._chart import gauge_chart
from beatpolice.adapters.html._context import EvidenceNote, RegistrySummary, evidence_notes
from beatpolice.adapters.html._gauges import Gauge, gauges
from beatpolice.adapters.html._html import (
    STAR_TITLES,
    Headline,
    VerifyHint,
    render_html,
    write_html,
)
from beatpolice.adapters.html._labels import METRIC_LABELS, metric_label
from beatpolice.adapters.html._trend import TrendPoint, officer_trend, trend_chart, trend_months

__all__ = [
    "METRIC_LABELS",
    "STAR_TITLES",
    "UNKNOWN_BEAT",
    "BeatTotal",
    "EvidenceNote",
    "Gauge",
    "Headline",
    "RegistrySummary",
    "TrendPoint",
    "VerifyHint",
    "beat_totals",
    "evidence_notes",
    "gauge_chart",
    "gauges",
    "metric_label",
    "officer_trend",
    "render_html",
    "trend_chart",
    "trend_months",
    "write_html",
]

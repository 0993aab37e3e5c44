"""A month's appraisal as one self-contained HTML page (``beatpolice report --html``).

The page holds the table of officers and their stars, each star's evidence and each
shortfall, a chart of every officer's checks against the rule set's thresholds, the
report's fingerprint and the commands that verify it. It needs no network: styles and
charts (inline SVG) are in the file itself.

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

from beatpolice.adapters.html._chart import gauge_chart
from beatpolice.adapters.html._gauges import Gauge, gauges
from beatpolice.adapters.html._html import (
    STAR_TITLES,
    Headline,
    VerifyHint,
    render_html,
    write_html,
)

__all__ = [
    "STAR_TITLES",
    "Gauge",
    "Headline",
    "VerifyHint",
    "gauge_chart",
    "gauges",
    "render_html",
    "write_html",
]

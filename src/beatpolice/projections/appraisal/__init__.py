"""The appraisal as a projection: the index, the engine, the report model, live tallies.

``_index`` folds the log into a compact per-month index of counted facts; ``_engine``
reads it (or the events themselves) to decide a month under a rule set from
:mod:`beatpolice.domain.rules`; ``_report`` is the report model every face renders.
Callers meet these names through :mod:`beatpolice` and :mod:`beatpolice.appraisal`.

Audits and bundles recompute a month from stored events alone with
:func:`appraise_events` (the engine entry point: an iterable of events in log order,
the month, the rule set, ``as_of`` and the zone, and nothing derived).
"""

from beatpolice.projections.appraisal._evidence import (
    Evidence,
    describe,
    report_evidence,
    resolve_evidence,
)
from beatpolice.projections.appraisal._from_events import MonthFold, appraise_events
from beatpolice.projections.appraisal._verify import stored_events

__all__ = [
    "Evidence",
    "MonthFold",
    "appraise_events",
    "describe",
    "report_evidence",
    "resolve_evidence",
    "stored_events",
]

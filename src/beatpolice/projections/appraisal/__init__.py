"""The appraisal as a projection: the index, the engine, the report model, live tallies.

``_index`` folds the log into a compact per-month index of counted facts; ``_engine``
reads it (or the events themselves) to decide a month under a rule set from
:mod:`beatpolice.domain.rules`; ``_report`` is the report model every face renders.
Callers meet these names through :mod:`beatpolice` and :mod:`beatpolice.appraisal`.
"""

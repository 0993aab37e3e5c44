"""Data-quality signals (数据质量) as a projection: the index, the reading, the report.

``_kinds`` says which events are records (one line each); ``_index`` folds the log
into a per-month index of every record's field and recorded times; ``_engine`` reads a
month of it and runs the pure signals of :mod:`beatpolice.domain.rules.quality`;
``_report`` is the :class:`QualityReport` model every face renders. Callers meet
:func:`quality` through :mod:`beatpolice`.
"""

from beatpolice.projections.quality._engine import load_quality_rules, quality
from beatpolice.projections.quality._report import (
    OfficerQuality,
    QualityFinding,
    QualityReport,
    QualityRulesRef,
)

__all__ = [
    "OfficerQuality",
    "QualityFinding",
    "QualityReport",
    "QualityRulesRef",
    "load_quality_rules",
    "quality",
]

"""Projections: registries and appraisal tallies rebuilt from the events.

Each is a pure fold kept in the station's own store by a :class:`ProjectionRunner`,
which writes documents and the tracking position in one transaction.
"""

from beatpolice.projections._runner import (
    CatchUp,
    DocumentView,
    PositionConflictError,
    Projection,
    ProjectionRunner,
    ViewStore,
)

__all__ = [
    "CatchUp",
    "DocumentView",
    "PositionConflictError",
    "Projection",
    "ProjectionRunner",
    "ViewStore",
]

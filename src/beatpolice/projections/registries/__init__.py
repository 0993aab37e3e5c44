"""The station's registries (台账): officers, households, disputes, venues, patrols,
population (information collected) and residents' requests.

Each registry is a projection of the events (a pure fold, never a second source of
truth), kept in the station's own backend as ``bp_<registry>_<table>`` tables with a
tracking position committed in the same transaction as the rows. :class:`Registries`
keeps all four up to date and answers questions about them::

    registries = open_registries(station)
    registries.catch_up()
    for row in registries.officers(month="2014-01"):
        print(row.badge, row.households_visited)

The four folds read each page of the log once between them, and each commits its own
page atomically, so a process killed at any point resumes with no event applied twice
and none skipped.
"""

from __future__ import annotations

from beatpolice.projections.registries._officers_day import (
    BeatSpell,
    DayTally,
    OfficerDaysProjection,
)
from beatpolice.projections.registries._registries import (
    Progress,
    Registries,
    open_registries,
    projections,
)
from beatpolice.projections.registries.disputes import (
    DisputeRow,
    DisputesProjection,
    DisputesRegistry,
    Escalation,
    NotReferredRate,
    disputes,
    not_referred_rate,
)
from beatpolice.projections.registries.households import (
    HouseholdRow,
    HouseholdsProjection,
    households,
)
from beatpolice.projections.registries.officers import OfficerRow, OfficersProjection, officers
from beatpolice.projections.registries.patrols import PatrolRow, PatrolsProjection, patrols
from beatpolice.projections.registries.population import (
    PopulationProjection,
    PopulationRow,
    population,
)
from beatpolice.projections.registries.requests import (
    RequestRow,
    RequestsProjection,
    RequestsRegistry,
    requests,
)
from beatpolice.projections.registries.venues import (
    FindingRow,
    VenueRow,
    VenuesProjection,
    inspections_by_month,
    venues,
)

__all__ = [
    "REGISTRY_NAMES",
    "BeatSpell",
    "DayTally",
    "DisputeRow",
    "DisputesProjection",
    "DisputesRegistry",
    "Escalation",
    "FindingRow",
    "HouseholdRow",
    "HouseholdsProjection",
    "NotReferredRate",
    "OfficerDaysProjection",
    "OfficerRow",
    "OfficersProjection",
    "PatrolRow",
    "PatrolsProjection",
    "PopulationProjection",
    "PopulationRow",
    "Progress",
    "Registries",
    "RequestRow",
    "RequestsProjection",
    "RequestsRegistry",
    "VenueRow",
    "VenuesProjection",
    "disputes",
    "households",
    "inspections_by_month",
    "not_referred_rate",
    "officers",
    "open_registries",
    "patrols",
    "population",
    "projections",
    "requests",
    "venues",
]

REGISTRY_NAMES = (
    "officers",
    "households",
    "disputes",
    "venues",
    "patrols",
    "population",
    "requests",
)

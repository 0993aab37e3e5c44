"""The registries of one station kept together: one read of each page, catch-up, queries.

:class:`Registries` runs every registry's fold over the log, sharing each page it reads
between them, and answers the registries' questions for a month or an instant;
:func:`open_registries` builds one over a station's own view store. Re-exported by
:mod:`beatpolice.projections.registries`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from beatpolice.domain._base import DomainEvent
from beatpolice.domain.rules.escalation import policy_named
from beatpolice.domain.values import Level, VenueCategory, parse_month
from beatpolice.projections._runner import ProjectionRunner, ViewStore
from beatpolice.projections.registries._common import (
    DEFAULT_TIME_ZONE,
    META_KEY,
    META_TABLE,
    RegistryProjection,
    month_of,
    stored_settings,
)
from beatpolice.projections.registries._officers_day import OfficerDaysProjection
from beatpolice.projections.registries.disputes import (
    DisputesProjection,
    DisputesRegistry,
    PolicyLookup,
    Status,
    disputes,
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
    DEFAULT_REPLY_DAYS,
    RequestsProjection,
    RequestsRegistry,
    RequestStatus,
    requests,
)
from beatpolice.projections.registries.venues import VenueRow, VenuesProjection, venues

if TYPE_CHECKING:
    from beatpolice.projections.ports import StationPort

__all__ = ["Progress", "Registries", "open_registries", "projections"]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with events folded so far and events to fold."""

Source = Callable[[int, int], list[tuple[int, DomainEvent]]]


def projections(*, time_zone: str = DEFAULT_TIME_ZONE) -> list[RegistryProjection]:
    """Fresh folds of the four registries, cutting months in ``time_zone``."""
    return [
        OfficersProjection(time_zone=time_zone),
        HouseholdsProjection(time_zone=time_zone),
        DisputesProjection(time_zone=time_zone),
        VenuesProjection(time_zone=time_zone),
        OfficerDaysProjection(time_zone=time_zone),
        PatrolsProjection(time_zone=time_zone),
        PopulationProjection(time_zone=time_zone),
        RequestsProjection(time_zone=time_zone),
    ]


class _SharedPages:
    """Reads each page of the log once for all four folds, and hints it to the fold."""

    def __init__(self, source: Source, *, keep: int = 4) -> None:
        self._source = source
        self._keep = keep
        self._pages: dict[tuple[int, int], list[tuple[int, DomainEvent]]] = {}

    def reader(self, projection: RegistryProjection) -> Source:
        def read(start: int, limit: int) -> list[tuple[int, DomainEvent]]:
            page = self._pages.get((start, limit))
            if page is None:
                page = self._source(start, limit)
                if len(self._pages) >= self._keep:
                    self._pages.pop(next(iter(self._pages)))
                self._pages[start, limit] = page
            projection.expect(page)
            return page

        return read

    def clear(self) -> None:
        self._pages.clear()


class Registries:
    """The four registries of one station: catch-up, rebuild and queries.

    Args:
        store: the view store of the station's backend.
        source: reads a page of the log: ``(start, limit) -> [(id, event), ...]``.
        last_position: the notification id of the latest event (for progress).
        time_zone: the zone in which months are cut (the station's).
        page_size: events folded and committed per transaction.
        policies: finds an escalation policy by name and version (tiers, deadlines).
    """

    def __init__(
        self,
        store: ViewStore,
        source: Source,
        *,
        last_position: Callable[[], int] | None = None,
        time_zone: str = DEFAULT_TIME_ZONE,
        page_size: int = 1000,
        policies: PolicyLookup = policy_named,
    ) -> None:
        self.store = store
        self.time_zone = time_zone
        self.page_size = page_size
        self._policies = policies
        self._last_position = last_position
        self._pages = _SharedPages(source)
        self.runners = [
            ProjectionRunner(folder, store, self._pages.reader(folder), page_size=page_size)
            for folder in projections(time_zone=time_zone)
        ]

    # --- keeping up -------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        """Each registry's tracking position (the last notification id it applied)."""
        return {runner.projection.name: runner.position for runner in self.runners}

    def catch_up(self, *, progress: Progress | None = None) -> int:
        """Fold every event recorded since each registry's position; returns events folded.

        A registry folded in another time zone, or by another version of its fold, is
        rebuilt from the first event. Each page is committed with its position in one
        transaction; a crash loses at most the page in flight, which is folded again.
        """
        for runner in self.runners:
            self._check_time_zone(runner)
        start = min(self.positions().values())
        total = (self._last_position() if self._last_position else start) - start
        self._pages.clear()
        folded = 0
        while True:
            moved = [runner.catch_up(limit=self.page_size).applied for runner in self.runners]
            if not any(moved):
                break
            folded = min(runner.position for runner in self.runners) - start
            if progress is not None:
                progress(folded, max(total, folded))
        self._pages.clear()
        return max(folded, 0)

    def rebuild(self, *, progress: Progress | None = None) -> int:
        """Forget the four registries and fold the whole log again; returns events folded."""
        for runner in self.runners:
            self.store.reset(runner.projection.name, runner.projection.tables)
        return self.catch_up(progress=progress)

    def pending(self) -> int:
        """Events recorded that the slowest registry has not folded yet."""
        last = self._last_position() if self._last_position else 0
        return max(last - min(self.positions().values()), 0)

    def _check_time_zone(self, runner: ProjectionRunner) -> None:
        name = runner.projection.name
        found = self.store.load(name, META_TABLE, [META_KEY]).get(META_KEY)
        zone = stored_settings(found)
        if zone is not None and zone != self.time_zone:
            self.store.reset(name, runner.projection.tables)

    # --- asking -----------------------------------------------------------------------

    def month(self, *, month: str | None = None, as_of: datetime | None = None) -> str:
        """The month asked for: ``month``, else the one containing ``as_of`` (else now)."""
        if month is not None:
            parse_month(month)
            return month
        moment = as_of if as_of is not None else datetime.now().astimezone()
        return month_of(moment, self.time_zone)

    def officers(
        self,
        *,
        month: str | None = None,
        as_of: datetime | None = None,
        station: str | None = None,
        beat: str | None = None,
        officer: str | None = None,
    ) -> list[OfficerRow]:
        """The officers registry (see :func:`~.officers.officers`) for a month."""
        return officers(
            self.store,
            month=self.month(month=month, as_of=as_of),
            station=station,
            beat=beat,
            officer=officer,
        )

    def households(
        self,
        *,
        month: str | None = None,
        as_of: datetime | None = None,
        officer: str | None = None,
        unvisited: bool = False,
    ) -> list[HouseholdRow]:
        """The households registry (see :func:`~.households.households`) for a month."""
        return households(
            self.store,
            month=self.month(month=month, as_of=as_of),
            officer=officer,
            unvisited=unvisited,
        )

    def disputes(
        self,
        *,
        as_of: datetime | None = None,
        status: Status | None = None,
        level: Level | None = None,
        officer: str | None = None,
        month: str | None = None,
        category: str | None = None,
        only_overdue: bool = False,
        count_open: bool = False,
    ) -> DisputesRegistry:
        """The disputes registry (see :func:`~.disputes.disputes`)."""
        if month is not None:
            parse_month(month)
        return disputes(
            self.store,
            as_of=as_of,
            status=status,
            level=level,
            officer=officer,
            month=month,
            category=category,
            only_overdue=only_overdue,
            count_open=count_open,
            policies=self._policies,
        )

    def venues(
        self,
        *,
        as_of: datetime | None = None,
        category: VenueCategory | None = None,
        officer: str | None = None,
        only_overdue: bool = False,
    ) -> list[VenueRow]:
        """The venues registry (see :func:`~.venues.venues`)."""
        return venues(
            self.store,
            as_of=as_of,
            time_zone=self.time_zone,
            category=category,
            officer=officer,
            only_overdue=only_overdue,
        )

    def patrols(
        self,
        *,
        month: str | None = None,
        as_of: datetime | None = None,
        officer: str | None = None,
    ) -> list[PatrolRow]:
        """The patrols registry (see :func:`~.patrols.patrols`) for a month."""
        return patrols(self.store, month=self.month(month=month, as_of=as_of), officer=officer)

    def population(
        self,
        *,
        month: str | None = None,
        as_of: datetime | None = None,
        beat: str | None = None,
        subject: str | None = None,
        officer: str | None = None,
    ) -> list[PopulationRow]:
        """The population registry (see :func:`~.population.population`) for a month."""
        return population(
            self.store,
            month=self.month(month=month, as_of=as_of),
            beat=beat,
            subject=subject,
            officer=officer,
        )

    def requests(
        self,
        *,
        as_of: datetime | None = None,
        month: str | None = None,
        status: RequestStatus | None = None,
        channel: str | None = None,
        officer: str | None = None,
        only_overdue: bool = False,
        reply_days: int = DEFAULT_REPLY_DAYS,
    ) -> RequestsRegistry:
        """The requests registry (see :func:`~.requests.requests`)."""
        if month is not None:
            parse_month(month)
        return requests(
            self.store,
            as_of=as_of,
            month=month,
            status=status,
            channel=channel,
            officer=officer,
            only_overdue=only_overdue,
            reply_days=reply_days,
        )


def open_registries(station: StationPort, *, page_size: int = 1000) -> Registries:
    """The registries of ``station``, kept in its own backend (memory, SQLite, PostgreSQL).

    Nothing is folded until :meth:`Registries.catch_up` (or ``rebuild``) is called.
    """
    return Registries(
        station.view_store,
        station.read_events,
        last_position=station.last_position,
        time_zone=station.time_zone,
        page_size=page_size,
        policies=station.lookup_policy,
    )

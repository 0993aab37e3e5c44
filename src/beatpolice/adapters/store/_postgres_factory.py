"""eventsourcing's PostgreSQL factory, passing a store URL's other libpq parameters on.

eventsourcing 9.5.6 connects with host, port, database, user and password only; a URL's
``sslmode``, ``sslrootcert``, ``application_name`` or ``options`` would be dropped, and a
station that asked for TLS would connect without it. This factory adds them to its
connection pool's parameters before the pool opens (ADR 0808).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresFactory as _EventsourcingPostgresFactory
from eventsourcing.utils import Environment
from psycopg.conninfo import conninfo_to_dict

from beatpolice.adapters.store._postgres_url import OPTIONS_ENV

__all__ = ["PostgresFactory"]


class PostgresFactory(_EventsourcingPostgresFactory):
    """eventsourcing's :class:`~eventsourcing.postgres.PostgresFactory`, whose pool also
    passes the parameters held in ``BEATPOLICE_POSTGRES_OPTIONS`` to libpq."""

    def __init__(self, env: Environment | dict[str, str] | None) -> None:
        super().__init__(env)
        options = self.env.get(OPTIONS_ENV) or ""
        if options:
            pool: Any = self.datastore.pool
            extra = {key: str(value) for key, value in conninfo_to_dict(options).items()}
            # the pool is created closed (open=False): no connection has been made yet
            pool.kwargs = {**pool.kwargs, **extra}

"""``beatpolice.connect``: a Station on the store a URL names (the composition root).

The application's Station is handed its store; this module, in the outer ring, is
where a URL becomes one (ADR 0263).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from beatpolice.adapters.store.backend import store_at
from beatpolice.adapters.store.keyring import open_keyring
from beatpolice.application.station import Station
from beatpolice.domain.field_time import DEFAULT_TOLERANCE
from beatpolice.domain.rules.escalation import DEFAULT_POLICY, EscalationPolicy
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue

__all__ = ["connect"]


def connect(
    url: str,
    *,
    time_zone: str = "Asia/Shanghai",
    policy: str | Path | EscalationPolicy = DEFAULT_POLICY,
    clock: Callable[[], datetime] | None = None,
    create: bool = True,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    fraud_scripts: str | Path | FraudCatalogue | None = None,
    master_key: str | bytes | None = None,
    key_file: str | Path | None = None,
    cipher: str = "aes-256-gcm",
) -> Station:
    """Open a station's store: ``memory://``, ``sqlite:///station.db`` or ``postgresql://...``.

    With ``create=False`` (what read commands pass) a store that does not exist is
    refused with :class:`NotAStoreError` and nothing is created. A file or database that
    is not a beatpolice store is refused either way, before anything is written.
    ``fraud_scripts`` names the station's fraud-script catalogue (a shipped name or a
    TOML file; ``mps-common`` when None).

    Residents' personal text is sealed with a key per data subject (``cipher``:
    ``aes-256-gcm`` or ``sm4-gcm``), the keys wrapped by the station's master key:
    ``master_key`` (base64 of 32 bytes, or the bytes), else ``BEATPOLICE_MASTER_KEY``,
    else the file ``key_file`` or ``BEATPOLICE_KEY_FILE``; without any, a SQLite store
    gets a key file beside it (``station.db.key``, mode 0600), ``memory://`` a key of
    its own, and PostgreSQL is refused with :class:`MasterKeyError` (ADR 0703).

    Example:
        >>> import beatpolice
        >>> station = beatpolice.connect("memory://")
        >>> receipt = station.enlist_officer(
        ...     badge="D0001", name="薛翠翠", station="德州", beat="一区"
        ... )
        >>> receipt.events
        1
    """
    store = store_at(url)
    return Station(
        store,
        time_zone=time_zone,
        policy=policy,
        clock=clock,
        create=create,
        tolerance=tolerance,
        fraud_scripts=fraud_scripts,
        keys=lambda: open_keyring(
            store.url, master_key=master_key, key_file=key_file, cipher=cipher
        ),
    )

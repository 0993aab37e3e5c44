"""The demo's master key: published, so the same seed gives the same fingerprint anywhere.

A new store's command digests are keyed with a secret derived from its master key (ADR
0705), so two stores under two random keys give two fingerprints for the same commands.
The demo station's residents are synthetic: nothing in it is personal. When the caller
configured no key (no ``BEATPOLICE_MASTER_KEY``, no ``BEATPOLICE_KEY_FILE``), the demo
uses :data:`DEMO_MASTER_KEY`, written beside a SQLite store as its key file, so that the
commands run on it later (``beatpolice appraise --db demo-out/station.db``) find it.
"""

from __future__ import annotations

import os

from beatpolice.adapters.store.master_key import (
    ENV_KEY,
    ENV_KEY_FILE,
    key_file_beside,
    write_key_file,
)
from beatpolice.adapters.store.storage import parse_url

__all__ = ["DEMO_MASTER_KEY", "demo_master_key"]

DEMO_MASTER_KEY = "YmVhdHBvbGljZSBkZW1vIHN0YXRpb24ga2V5ICEhISE="
"""base64 of b"beatpolice demo station key !!!!": published, never for real records."""


def demo_master_key(url: str) -> str | None:
    """The master key the demo passes to ``connect`` for ``url`` (None: the caller's own).

    For a SQLite store the key goes in its key file (``PATH.key``, mode 0600) when there
    is none yet, and None is returned: the store then reads it as any later command does.
    """
    if os.environ.get(ENV_KEY) or os.environ.get(ENV_KEY_FILE):
        return None
    store = parse_url(url)
    if store.backend == "sqlite":
        write_key_file(key_file_beside(store), text=DEMO_MASTER_KEY)
        return None
    return DEMO_MASTER_KEY

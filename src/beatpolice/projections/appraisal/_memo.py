"""A settled period remembered beside the index: its officers and what they were read from.

Appraising a month of a 600-officer city reads about 30 MB of the index's documents
and decides every officer from them: about half a second. Once every fact those
documents hold was recorded by ``as_of`` (the period is *settled* at ``as_of``), the
officers' part of the report (:func:`~._decide.officers_of`) is the same for every later
``as_of``: only the report's ``as_of``, ``provisional``, fingerprint and log move. The
memo keeps that part in the index's ``memo`` table (ADR 0283), one document per period,
rule set and fingerprint format:

``read``      the sections of the index the appraisal read, in order: a table and a key
              prefix (``scan``) or a table and its keys (``load``, the disputes mediated);
``inputs``    SHA-256 of every document those sections gave, as stored;
``latest``    the latest recorded time in them (the memo serves ``as_of`` from there on);
``engine``    a digest of the code that decides (:func:`engine_digest`);
``officers``  the officers, as the report's JSON writes them.

An appraisal whose ``as_of`` is at or after ``latest``, whose engine is the same, and
whose sections give the same bytes again, takes the officers from the memo: the same
documents read by the same code give the same officers (the read is a function of the
documents and the period, and what it reads next depends only on what it read). The
sections are read again every time, even when the index's position has not moved: a
document changed behind the folds' back (an insider's ``DELETE``) must show in the
report, as it would without the memo. Any other appraisal decides afresh, and
remembers what it decided when its ``as_of`` settles the period. The memo is a cache
of a pure function, keyed by its inputs: it never needs to be invalidated, only found
not to match.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson
from pydantic import TypeAdapter

from beatpolice.domain.errors import StorageError
from beatpolice.projections._runner import PositionConflictError, TableKey
from beatpolice.projections.appraisal._index import AppraisalIndex, latest_recorded
from beatpolice.projections.appraisal._read import Period
from beatpolice.projections.appraisal._report import OfficerAppraisal

__all__ = ["MEMO_TABLE", "MemoStore", "Reading", "engine_digest", "memo_key", "recall", "remember"]

MEMO_TABLE = "memo"

_OFFICERS = TypeAdapter(list[OfficerAppraisal])

_VERSIONED = ("pydantic", "pydantic-core", "orjson", "rfc8785", "attrs")
"""The libraries whose behaviour the officers' bytes depend on, besides our own code."""


@runtime_checkable
class MemoStore(Protocol):
    """What the memo needs of a view store: its documents as stored, and a commit."""

    def position(self, projection: str) -> tuple[int, int | None]:
        """The last applied notification id and the stored fold version."""
        ...

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, Any]:
        """The stored documents of ``keys`` that exist."""
        ...

    def load_raw(self, projection: str, table: str, keys: list[str]) -> dict[str, bytes]:
        """The stored JSON text of the documents of ``keys`` that exist."""
        ...

    def scan_raw(self, projection: str, table: str, prefix: str = "") -> list[tuple[str, bytes]]:
        """The stored JSON text of the documents whose key starts with ``prefix``."""
        ...

    def commit(
        self,
        projection: str,
        version: int,
        changes: Mapping[TableKey, dict[str, Any]],
        expected: int,
        position: int,
    ) -> None:
        """Write ``changes`` and move the position from ``expected`` to ``position``."""
        ...


@functools.cache
def engine_digest() -> str | None:
    """A digest of what decides an officer: our domain and projection code (sources and
    shipped rule sets), the versions of the libraries that write the bytes, Python's.

    Computed once a process (about 5 ms); a code change of any kind, even one that
    changes nothing, makes every memo a stranger. None when the sources cannot be read
    (a zip import, a frozen build): no memo is then kept or believed.
    """
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for name in _VERSIONED:
        digest.update(f"\0{name} {importlib.metadata.version(name)}".encode())
    package = Path(__file__).resolve().parents[2]
    read = 0
    for folder in ("domain", "projections"):
        for path in sorted((package / folder).rglob("*")):
            if path.suffix in (".py", ".toml"):
                digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
                digest.update(path.read_bytes())
                read += 1
    return digest.hexdigest() if read else None


def memo_key(period: Period, rules_digest: str, fingerprint_format: str) -> str:
    """The memo's key: the period, the rule set's digest and the fingerprint format."""
    return f"{period.key}|{rules_digest}|{fingerprint_format}"


class Reading:
    """The index read through the memo: each section's bytes hashed, the latest fact seen.

    A :class:`~._read.Documents` for :func:`~._read.read_period`: documents are parsed
    from the stored text it hashes, so the memo's ``inputs`` are exactly what was read.
    """

    def __init__(self, store: MemoStore) -> None:
        self._store = store
        self._read: list[tuple[list[Any], list[tuple[str, bytes]]]] = []
        self.sections: list[list[Any]] = []
        self.latest = ""

    @property
    def inputs(self) -> str:
        """The digest of every section read so far (hashed when asked: only a reading
        that settles its period is remembered)."""
        digest = hashlib.sha256()
        for section, rows in self._read:
            _hash_section(digest, section, rows)
        return digest.hexdigest()

    def scan(
        self, projection: str, table: str, prefix: str = ""
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The documents of ``table`` under ``prefix``, in key order."""
        rows = self._store.scan_raw(projection, table, prefix)
        self._section(["scan", table, prefix], rows)
        return self._parsed(rows)

    def load(self, projection: str, table: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The stored documents of ``keys`` that exist."""
        found = self._store.load_raw(projection, table, keys)
        rows = sorted(found.items())
        self._section(["load", table, list(keys)], rows)
        return dict(self._parsed(rows))

    def _section(self, section: list[Any], rows: list[tuple[str, bytes]]) -> None:
        self.sections.append(section)
        self._read.append((section, rows))

    def _parsed(self, rows: list[tuple[str, bytes]]) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, raw in rows:
            document = orjson.loads(raw)
            recorded = latest_recorded(document)
            if recorded > self.latest:
                self.latest = recorded
            yield key, document


def _hash_section(digest: Any, section: list[Any], rows: list[tuple[str, bytes]]) -> None:
    """Hash a section's name and its rows, each field length-prefixed (one update)."""
    head = orjson.dumps(section)
    parts = [b"%d\0" % len(head), head]
    for key, raw in rows:
        name = key.encode()
        parts += (b"%d\0%d\0" % (len(name), len(raw)), name, raw)
    digest.update(b"".join(parts))


def _inputs_now(store: MemoStore, sections: list[list[Any]]) -> str:
    """The digest of the same sections read again from the store."""
    digest = hashlib.sha256()
    name = AppraisalIndex.name
    for section in sections:
        how, table, where = section
        if how == "scan":
            rows = store.scan_raw(name, table, where)
        else:
            rows = sorted(store.load_raw(name, table, list(where)).items())
        _hash_section(digest, section, rows)
    return digest.hexdigest()


def recall(store: MemoStore, key: str, as_of: str) -> list[OfficerAppraisal] | None:
    """The officers remembered under ``key``, if they hold at ``as_of`` (UTC text)."""
    try:
        found = store.load(AppraisalIndex.name, MEMO_TABLE, [key]).get(key)
    except StorageError:
        return None
    engine = engine_digest()
    if found is None or engine is None or found.get("engine") != engine:
        return None
    try:
        if as_of < found["latest"]:
            return None
        if _inputs_now(store, found["read"]) != found["inputs"]:
            return None
        return _OFFICERS.validate_json(found["officers"])
    except (KeyError, TypeError, ValueError):  # not a memo this code wrote: decide afresh
        return None


def remember(
    store: MemoStore,
    key: str,
    reading: Reading,
    officers: list[OfficerAppraisal],
    *,
    at: tuple[int, int | None],
) -> bool:
    """Keep ``officers`` under ``key`` if the index is still at ``at`` (its position and
    version before ``reading`` began): otherwise, or if the store cannot be written (a
    read-only file), nothing is kept. Says whether it was kept."""
    position, version = at
    engine = engine_digest()
    if version is None or engine is None:
        return False
    document = {
        "read": reading.sections,
        "inputs": reading.inputs,
        "latest": reading.latest,
        "engine": engine,
        "officers": _OFFICERS.dump_json(officers).decode(),
    }
    changes = {(MEMO_TABLE, key): document}
    try:
        store.commit(AppraisalIndex.name, version, changes, expected=position, position=position)
    except (PositionConflictError, StorageError):
        return False  # another writer moved the index on, or the store is read-only
    return True

"""Fingerprints of an appraisal: format 2 (RFC 8785 canonical JSON) and format 1 (0.1's).

Format ``beatpolice-appraisal/2`` is specified in docs/reference/fingerprint.md, with a
worked example the doc tests recompute in Node. In short: every hashed value is
serialized by RFC 8785 (JSON Canonicalization Scheme) and hashed with SHA-256; the
digest is written ``sha256:`` + lower-case hex.

- an officer's entry per event read is ``[topic, originator_id, key, recorded, command,
  value, time]``: the event's identity, its decisive content (a visit's ``[household,
  people_match_register]``, a follow-up's verdict, a lead's kind, a plan's households...)
  and its time (the field time in UTC for enlistments, plans and dispute facts; the
  field day ``YYYY-MM-DD`` of the record a fact is filed under for the others);
- an officer's fingerprint hashes the list of their entries, sorted by the UTF-8 bytes of
  each entry's canonical JSON;
- the report's fingerprint hashes ``{"format", "period", "time_zone", "as_of", "rules",
  "officers"}`` with ``officers`` the ``[badge, officer fingerprint]`` pairs sorted by
  badge (UTF-8 bytes) and ``rules`` the rule set's RFC 8785 digest.

Format ``beatpolice-appraisal/1`` (0.1's reports) hashes orjson's sorted-key JSON of the
identities alone (no value, no time). A report names its format; ``verify`` recomputes
each in its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import filterfalse
from operator import itemgetter
from typing import Any, Final, Literal

import orjson

from beatpolice.domain.canonical import canonical_json, canonical_json_each
from beatpolice.domain.rules import Fact

__all__ = [
    "FORMAT_1",
    "FORMAT_2",
    "FingerprintFormat",
    "digest",
    "jcs_digest",
    "officer_fingerprint",
    "report_fingerprint",
]

FingerprintFormat = Literal["beatpolice-appraisal/1", "beatpolice-appraisal/2"]
FORMAT_1: Final = "beatpolice-appraisal/1"
FORMAT_2: Final = "beatpolice-appraisal/2"


def digest(value: Any) -> str:
    """Format 1: ``sha256:`` + hex digest of ``value``'s orjson sorted-key JSON."""
    return "sha256:" + hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def jcs_digest(value: Any) -> str:
    """Format 2: ``sha256:`` + hex digest of ``value``'s RFC 8785 canonical JSON.

    Example:
        >>> jcs_digest({"b": [1, True], "a": "德州"})[:15]
        'sha256:c803211f'
    """
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


_FIELDS = Fact._fields
_IDENTITY = tuple(range(5))
_OCCURRED = itemgetter(_FIELDS.index("occurred"))
_DAY_ENTRY = itemgetter(*_IDENTITY, _FIELDS.index("value"), _FIELDS.index("day"))
"""A fact's entry when it has no field time: ``[*identity, value, day]``."""
_TIMED_ENTRY = itemgetter(*_IDENTITY, _FIELDS.index("value"), _FIELDS.index("occurred"))
"""A fact's entry when it has one: ``[*identity, value, occurred]``."""


def officer_fingerprint(facts: Iterable[Fact], fingerprint_format: str = FORMAT_2) -> str:
    """The fingerprint of the events one officer's appraisal read, in either format.

    Format 2's entries (``[*identity, value, occurred or day]``) are made and
    serialized for the whole list at once, by item getters and
    :func:`~beatpolice.domain.canonical.canonical_json_each`: the bytes that
    :func:`canonical_json` writes entry by entry, in about 0.7 of its time (ADR 0280).
    """
    if fingerprint_format == FORMAT_1:
        return digest(sorted([fact[:5] for fact in facts]))
    read = facts if isinstance(facts, list) else list(facts)
    entries = [*map(_DAY_ENTRY, filterfalse(_OCCURRED, read))]
    entries += map(_TIMED_ENTRY, filter(_OCCURRED, read))
    encoded = canonical_json_each(entries)
    encoded.sort()
    return "sha256:" + hashlib.sha256(b"[" + b",".join(encoded) + b"]").hexdigest()


def report_fingerprint(
    period: str,
    time_zone: str,
    as_of: str,
    rules: str,
    officers: Iterable[tuple[str, str]],
    fingerprint_format: str = FORMAT_2,
) -> str:
    """A report's fingerprint: its period, zone, ``as_of``, rules and officers."""
    pairs = sorted([list(pair) for pair in officers], key=lambda p: p[0].encode())
    body = {
        "format": fingerprint_format,
        "period": period,
        "time_zone": time_zone,
        "as_of": as_of,
        "rules": rules,
        "officers": pairs,
    }
    return digest(body) if fingerprint_format == FORMAT_1 else jcs_digest(body)

"""The log's leaves: one per stored event, over the bytes the store holds (ADR 0520).

A leaf is the canonical byte form of one stored record, ``beatpolice-leaf/1``::

    "beatpolice-leaf/1" || F(position) || F(originator id) || F(version)
                        || F(topic) || F(recorded time) || F(state)

where ``F(x)`` is the 4-byte big-endian length of ``x`` followed by ``x``; the position
and version are decimal ASCII, the originator id the UUID's 16 bytes (RFC 9562 order;
the UTF-8 text of an id that is not a UUID), the topic UTF-8, the recorded time the
``timestamp`` text exactly as the stored state spells it (ASCII; empty when the state
holds none in clear) and the state the stored bytes themselves, whatever the mapper
made of them (JSON today; ciphertext where personal data is encrypted). The leaf hash
is RFC 9162's ``H(0x00 || leaf)``.

Hashing stored bytes, not decoded events, is what lets a later encryption or erasure of
personal data leave every leaf as it was: erasure destroys a key, never a stored byte.

Example:
    >>> from uuid import UUID
    >>> leaf = leaf_bytes(1, UUID(int=1), 1, "beatpolice:X", "2014-01-31T00:00:00Z", b"{}")
    >>> leaf[:17], len(leaf)
    (b'beatpolice-leaf/1', 93)
"""

from __future__ import annotations

import struct
from uuid import UUID

import attrs

from beatpolice.adapters.store.merkle import Hasher

__all__ = ["LEAF_FORMAT", "Leaf", "leaf_bytes", "leaf_hash", "recorded_at"]

LEAF_FORMAT = b"beatpolice-leaf/1"
"""The first bytes of every leaf: the format of what follows."""

_TIMESTAMP = b'"timestamp":"'


def recorded_at(state: bytes) -> str:
    """The recorded time as the stored state spells it (``""`` when it holds none)."""
    start = state.find(_TIMESTAMP)
    if start < 0:
        return ""
    start += len(_TIMESTAMP)
    end = state.find(b'"', start)
    if end < 0 or end - start > 40:
        return ""
    try:
        return state[start:end].decode("ascii")
    except UnicodeDecodeError:
        return ""


_U32 = struct.Struct(">I").pack


def leaf_bytes(
    position: int, originator_id: UUID | str, version: int, topic: str, recorded: str, state: bytes
) -> bytes:
    """The canonical bytes of one stored record (``beatpolice-leaf/1``)."""
    pos = b"%d" % position
    oid = originator_id.bytes if isinstance(originator_id, UUID) else originator_id.encode()
    ver = b"%d" % version
    top = topic.encode()
    rec = recorded.encode()
    return b"".join(
        (
            LEAF_FORMAT,
            _U32(len(pos)), pos,
            _U32(len(oid)), oid,
            _U32(len(ver)), ver,
            _U32(len(top)), top,
            _U32(len(rec)), rec,
            _U32(len(state)), state,
        )
    )  # fmt: skip


def leaf_hash(
    hash: Hasher,
    position: int,
    originator_id: UUID | str,
    version: int,
    topic: str,
    state: bytes,
) -> tuple[str, bytes]:
    """The recorded time and the leaf hash of one stored record."""
    recorded = recorded_at(state)
    entry = leaf_bytes(position, originator_id, version, topic, recorded, state)
    return recorded, hash.leaf(entry)


@attrs.frozen
class Leaf:
    """One row of the log: which event sits at a leaf, and its hash."""

    index: int
    """The leaf's index in the tree (0-based, in position order)."""
    position: int
    """The event's position in the store (its notification id)."""
    originator_id: str
    """The aggregate the event belongs to (UUID text)."""
    version: int
    """The event's version within its aggregate."""
    topic: str
    """The event's topic (``beatpolice:VisitRecorded``)."""
    recorded_at: str
    """The recorded time as the state spells it."""
    hash: bytes
    """The leaf hash."""

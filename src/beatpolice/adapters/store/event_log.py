"""The store's tamper-evident log: its leaves, roots, checkpoints, proofs and check.

Every stored event has a leaf (:mod:`beatpolice.adapters.store.log_leaf`), written in
the transaction that writes the event; the leaves, in position order, make an RFC 9162
Merkle tree (:mod:`beatpolice.adapters.store.merkle`). A :class:`Checkpoint` is a tree
size and its root: what a report carries as ``log`` and what ``audit seal`` signs.

:meth:`EventLog.check` trusts nothing derived: it recomputes every leaf from the
stored events, compares them with the leaves written at recording time (naming the
first event altered, removed, inserted or reordered), and compares the recomputed tree
with each checkpoint given, each later one extending the earlier (ADR 0523).

Example:
    >>> import beatpolice
    >>> station = beatpolice.connect("memory://")
    >>> _ = station.enlist_officer(badge="D0001", name="薛翠翠", station="德州", beat="一区")
    >>> log = station.event_log()
    >>> log.checkpoint().size, log.check().ok
    (1, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs
from eventsourcing.persistence import Notification

from beatpolice.adapters.store._log_nodes import StoredTree, size_at_instant
from beatpolice.adapters.store.log_leaf import Leaf
from beatpolice.adapters.store.merkle import Hasher, hasher

__all__ = ["CheckResult", "Checkpoint", "EventLog", "LogRecorder", "Problem", "parse_root"]

PAGE = 10_000


@runtime_checkable
class LogRecorder(Protocol):
    """What the log needs from a recorder: its hash, its leaves and its events."""

    log_hash: Hasher

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``."""
        ...

    def log_length(self) -> int:
        """How many leaves the log has."""
        ...

    def log_node(self, level: int, index: int) -> tuple[bytes, int | None] | None:
        """The stored node (hash, earliest recorded time), or None (ADR 0527)."""
        ...

    def log_node_rows(self) -> list[tuple[int, int, bytes, int | None]]:
        """Every stored node: level, index, hash, earliest recorded time."""
        ...

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """eventsourcing's stored events from position ``start``."""
        ...


def root_text(hash: Hasher, root: bytes) -> str:
    """A root as reports and checkpoints write it: ``sha256:<hex>`` or ``sm3:<hex>``."""
    return f"{hash.name}:{root.hex()}"


def parse_root(text: str) -> tuple[Hasher, bytes]:
    """The hasher and the bytes of a root written as ``NAME:HEX``.

    Raises:
        ValueError: not ``sha256:`` or ``sm3:`` followed by 64 hex digits.
    """
    name, _, digits = text.partition(":")
    found = hasher(name)
    try:
        root = bytes.fromhex(digits)
    except ValueError:
        raise ValueError(f"root {text!r} is not {name}:<64 hex digits>") from None
    if len(root) != 32:
        raise ValueError(f"root {text!r} is not {name}:<64 hex digits>")
    return found, root


@attrs.frozen
class Checkpoint:
    """A size of the log and the root of its first ``size`` events."""

    size: int
    root: str
    """``sha256:<hex>`` (or ``sm3:<hex>``)."""

    def as_json(self) -> dict[str, int | str]:
        """``{"size": N, "root": "sha256:..."}``."""
        return {"size": self.size, "root": self.root}


@attrs.frozen
class Problem:
    """One way the stored events differ from the log, or the log from a checkpoint."""

    position: int
    """The position of the first event concerned (0 when none can be named)."""
    kind: str
    """``altered``, ``removed``, ``inserted``, ``reordered``, ``leaf``, ``node`` or
    ``checkpoint``."""
    message: str


@attrs.frozen
class CheckResult:
    """What :meth:`EventLog.check` found."""

    size: int
    """How many events the store holds."""
    root: str
    """The root recomputed from them."""
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the events match their leaves and every checkpoint."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem at the earliest position (checkpoint problems last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.position == 0, p.position))


def describe(topic: str, originator_id: str, version: int) -> str:
    """``VisitRecorded of aggregate 1f2e... version 3``."""
    return f"{topic.removeprefix('beatpolice:')} of aggregate {originator_id} version {version}"


class EventLog:
    """A store's log, read through its recorder.

    Roots, proofs and the size at an instant are read from the stored interior nodes
    (:mod:`beatpolice.adapters.store._log_nodes`, ADR 0527): O(log n) reads each, with
    nothing kept between calls; :meth:`check` trusts none of it.

    Args:
        recorder: the station's application recorder (one of beatpolice's).
    """

    def __init__(self, recorder: LogRecorder) -> None:
        self._recorder = recorder

    @property
    def hash(self) -> Hasher:
        """The hash the log uses."""
        return self._recorder.log_hash

    def leaves(self, start: int = 0) -> Iterator[Leaf]:
        """Every leaf from index ``start`` as written at recording time, in order."""
        while True:
            page = self._recorder.log_leaves(start, PAGE)
            yield from page
            if len(page) < PAGE:
                return
            start = page[-1].index + 1

    def records(self) -> Iterator[Notification]:
        """Every stored event as stored (raw state bytes), in position order."""
        start = 1
        while True:
            page = self._recorder.select_notifications(start=start, limit=PAGE)
            yield from page
            if len(page) < PAGE:
                return
            start = page[-1].id + 1

    def _tree(self) -> StoredTree:
        """The tree of the log as it stands, read through its stored nodes."""
        return StoredTree(self.hash, self._recorder.log_length(), self._recorder)

    def size_at(self, as_of: datetime) -> int:
        """How many leaves run to the last one recorded at or before ``as_of``."""
        return size_at_instant(self._recorder, self._recorder.log_length(), as_of)

    def checkpoint(self, *, as_of: datetime | None = None) -> Checkpoint:
        """The log's size and root now, or as it stood at ``as_of``.

        At ``as_of`` the size runs to the last event recorded at or before it: every
        event an appraisal at ``as_of`` could read lies within it (ADR 0524, 0527).
        """
        tree = self._tree()
        size = tree.size
        if as_of is not None:
            size = min(size, size_at_instant(self._recorder, size, as_of))
        return Checkpoint(size, root_text(self.hash, tree.root(size)))

    def root_at(self, size: int) -> Checkpoint:
        """The checkpoint of the log's first ``size`` events.

        Raises:
            ValueError: the log is shorter than ``size``.
        """
        return Checkpoint(size, root_text(self.hash, self._tree().root(size)))

    def leaf_at(self, index: int) -> Leaf:
        """The leaf at ``index`` as written.

        Raises:
            IndexError: no such leaf.
        """
        found = self._recorder.log_leaves(index, 1)
        if not found:
            raise IndexError(f"the log has no leaf {index}")
        return found[0]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """The proof that the log at size ``new`` extends the log at size ``old``."""
        return self._tree().consistency_proof(old, new)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the log of size ``size``."""
        return self._tree().inclusion_proof(index, size)

    def inclusion_proofs(
        self, positions: Iterable[int], size: int
    ) -> list[tuple[Leaf, list[bytes]]]:
        """Each position's leaf and its inclusion proof in the log of size ``size``.

        Raises:
            ValueError: a position has no leaf within that size.
        """
        wanted = set(positions)
        leaves = [leaf for leaf in self.leaves() if leaf.position in wanted and leaf.index < size]
        missing = wanted - {leaf.position for leaf in leaves}
        if missing:
            raise ValueError(f"position {min(missing)} is not in the log of size {size}")
        tree = self._tree()
        return [(leaf, tree.inclusion_proof(leaf.index, size)) for leaf in leaves]

    def check(self, checkpoints: Sequence[Checkpoint] = ()) -> CheckResult:
        """Recompute the log from the stored events; compare leaves and checkpoints.

        Nothing derived is trusted: every leaf is recomputed from the stored bytes, and
        the recomputed tree (not the kept one) is compared with each checkpoint.
        """
        from beatpolice.adapters.store._log_check import check_log

        return check_log(
            self.hash, self.records(), self.leaves(), checkpoints, self._recorder.log_node_rows()
        )

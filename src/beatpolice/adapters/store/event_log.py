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

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs
from eventsourcing.persistence import Notification

from beatpolice.adapters.store.log_leaf import Leaf
from beatpolice.adapters.store.merkle import Hasher, Tree, hasher

__all__ = ["CheckResult", "Checkpoint", "EventLog", "LogRecorder", "Problem", "parse_root"]

PAGE = 10_000


@runtime_checkable
class LogRecorder(Protocol):
    """What the log needs from a recorder: its hash, its leaves and its events."""

    log_hash: Hasher

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``."""
        ...

    def log_size_at(self, as_of: datetime) -> int:
        """How many leaves run to the last one recorded at or before ``as_of``."""
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
    """``altered``, ``removed``, ``inserted``, ``reordered``, ``leaf`` or ``checkpoint``."""
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

    The tree of the leaves as written is kept between calls and grows with the log
    (leaves are only ever appended); :meth:`check` never uses it.

    Args:
        recorder: the station's application recorder (one of beatpolice's).
    """

    def __init__(self, recorder: LogRecorder) -> None:
        self._recorder = recorder
        self._tree: Tree | None = None
        self._lock = threading.Lock()

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

    def _grown(self) -> Tree:
        """The kept tree, grown to the leaves written since (call under the lock)."""
        if self._tree is None or self._tree.hash != self.hash:
            self._tree = Tree([], self.hash)
        self._tree.extend([leaf.hash for leaf in self.leaves(self._tree.size)])
        return self._tree

    def checkpoint(self, *, as_of: datetime | None = None) -> Checkpoint:
        """The log's size and root now, or as it stood at ``as_of``.

        At ``as_of`` the size runs to the last event recorded at or before it: every
        event an appraisal at ``as_of`` could read lies within it.
        """
        size = None if as_of is None else self._recorder.log_size_at(as_of)
        with self._lock:
            tree = self._grown()
            size = tree.size if size is None else min(size, tree.size)
            return Checkpoint(size, root_text(self.hash, tree.root(size)))

    def root_at(self, size: int) -> Checkpoint:
        """The checkpoint of the log's first ``size`` events.

        Raises:
            ValueError: the log is shorter than ``size``.
        """
        with self._lock:
            return Checkpoint(size, root_text(self.hash, self._grown().root(size)))

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
        with self._lock:
            return self._grown().consistency_proof(old, new)

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
        with self._lock:
            tree = self._grown()
            return [(leaf, tree.inclusion_proof(leaf.index, size)) for leaf in leaves]

    def check(self, checkpoints: Sequence[Checkpoint] = ()) -> CheckResult:
        """Recompute the log from the stored events; compare leaves and checkpoints.

        Nothing derived is trusted: every leaf is recomputed from the stored bytes, and
        the recomputed tree (not the kept one) is compared with each checkpoint.
        """
        from beatpolice.adapters.store._log_check import check_log

        return check_log(self.hash, self.records(), self.leaves(), checkpoints)


def size_at(leaves: Sequence[Leaf], as_of: datetime) -> int:
    """How many leaves run to the last one recorded at or before ``as_of``."""
    size = 0
    for leaf in leaves:
        if not leaf.recorded_at:
            continue
        try:
            recorded = datetime.fromisoformat(leaf.recorded_at)
        except ValueError:
            continue
        if recorded <= as_of:
            size = leaf.index + 1
    return size

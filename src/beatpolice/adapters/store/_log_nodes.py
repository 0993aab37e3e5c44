"""The log's stored interior nodes: roots, proofs and sizes without reading every leaf.

Every complete subtree of ``2**8`` leaves or more (``2**level`` leaves starting at a
multiple of ``2**level``, ``level >= NODE_LEVEL``) is stored as a row of ``bp_log_node``
(level, index, hash, earliest), written in the transaction that writes the leaf that
completes it (ADR 0527). ``earliest`` is the earliest recorded time under the node, in
microseconds since 1970 UTC (None when no leaf under it has one), so the log's size at
an instant is found by descending the tree.

A root of size ``n``, an inclusion or a consistency proof then needs at most one node
per level and the leaves of at most a few blocks of 256: O(log n) reads
(:class:`StoredTree`). A node that is missing is computed from what lies below it, so a
damaged table gives slow answers, never wrong ones; ``audit check`` names it.

Example:
    >>> from beatpolice.adapters.store.merkle import SHA256, Tree
    >>> leaves = [(SHA256.leaf(b"%d" % i), "") for i in range(600)]
    >>> nodes = {(r[0], r[1]): (r[2], r[3]) for r in new_nodes(SHA256, 0, leaves)}
    >>> sorted(nodes)
    [(8, 0), (8, 1), (9, 0)]
    >>> nodes[9, 0][0] == Tree([h for h, _ in leaves]).root(512)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from beatpolice.adapters.store.log_leaf import Leaf
from beatpolice.adapters.store.merkle import Hasher, Tree

__all__ = [
    "BLOCK",
    "NODE_LEVEL",
    "NODE_TABLE",
    "ExpectedNodes",
    "Node",
    "NodeRow",
    "NodeSource",
    "StoredTree",
    "build_nodes",
    "expected_nodes",
    "micros",
    "new_nodes",
    "size_at_instant",
]

NODE_LEVEL = 8
"""The lowest level stored: nodes over ``2**8`` leaves and up."""

BLOCK = 1 << NODE_LEVEL
"""Leaves under a node of the lowest stored level."""

NODE_TABLE = "bp_log_node"
"""The table of the stored nodes, beside ``bp_log``."""

NodeRow = tuple[int, int, bytes, int | None]
"""A ``bp_log_node`` row: level, index within the level, hash, earliest recorded time."""

Node = tuple[bytes, int | None]
"""A node's hash and the earliest recorded time under it (microseconds), or None."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def parse_recorded(text: str) -> datetime | None:
    """A leaf's recorded time, or None when it has none that parses (naive is UTC)."""
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def micros(instant: datetime) -> int:
    """An instant as whole microseconds since 1970 UTC (exact: datetimes hold no less)."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return (aware - _EPOCH) // _MICRO


def _earliest(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _block_node(hash: Hasher, leaves: Sequence[tuple[bytes, str]]) -> Node:
    stamps = (parse_recorded(recorded) for _, recorded in leaves)
    earliest = _earliest(micros(s) for s in stamps if s is not None)
    return Tree([h for h, _ in leaves], hash).root(), earliest


def new_nodes(
    hash: Hasher,
    first: int,
    leaves: Sequence[tuple[bytes, str]],
    old_leaves: Callable[[int, int], list[tuple[bytes, str]]] | None = None,
    old_node: Callable[[int, int], Node | None] | None = None,
) -> list[NodeRow]:
    """The nodes completed by appending ``leaves`` (hash, recorded time) at ``first``.

    Args:
        hash: the log's hasher.
        first: the index of the first appended leaf.
        leaves: the appended leaves' hashes and recorded times.
        old_leaves: ``(start, end)`` -> the stored leaves in that range (hash, recorded
            time); called only for the leaves before ``first`` of the first block.
        old_node: ``(level, index)`` -> a stored node, or None.
    """
    end = first + len(leaves)
    if end >> NODE_LEVEL == first >> NODE_LEVEL:
        return []
    made: dict[tuple[int, int], Node] = {}

    def block(b: int) -> Node:
        start = b << NODE_LEVEL
        if start >= first:
            part = list(leaves[start - first : start - first + BLOCK])
        else:
            if old_leaves is None:
                raise ValueError(f"leaves {start}..{first - 1} are needed to hash block {b}")
            part = [*old_leaves(start, first), *leaves[: start + BLOCK - first]]
        return _block_node(hash, part)

    def node(level: int, index: int) -> Node:
        key = (level, index)
        if key in made:
            return made[key]
        if (index + 1) << level <= first and old_node is not None:
            found = old_node(level, index)
            if found is not None:
                return found
        if level == NODE_LEVEL:
            made[key] = block(index)
        else:
            left, right = node(level - 1, 2 * index), node(level - 1, 2 * index + 1)
            made[key] = hash.node(left[0], right[0]), _earliest((left[1], right[1]))
        return made[key]

    rows: list[NodeRow] = []
    level = NODE_LEVEL
    while end >> level > first >> level:
        for index in range(first >> level, end >> level):
            found = node(level, index)
            rows.append((level, index, found[0], found[1]))
        level += 1
    return rows


class NodeSource(Protocol):
    """What a :class:`StoredTree` reads: stored nodes and leaves."""

    def log_node(self, level: int, index: int) -> Node | None:
        """The stored node, or None."""
        ...

    def log_leaves(self, start: int, limit: int) -> list[Leaf]:
        """Up to ``limit`` leaves from leaf index ``start``, in order."""
        ...


class StoredTree(Tree):
    """The RFC 9162 tree of a stored log, read through its stored nodes.

    Roots and proofs are :class:`~beatpolice.adapters.store.merkle.Tree`'s; only the
    hash of a range is found differently: a complete subtree of 256 leaves or more is
    one stored node, anything smaller is hashed from the leaves of its block. What is
    read is kept for the life of the object (one answer, say).

    Args:
        hash: the log's hasher.
        size: how many leaves the log has.
        source: the recorder.
    """

    def __init__(self, hash: Hasher, size: int, source: NodeSource) -> None:
        super().__init__([], hash)
        self._size = size
        self._source = source
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._blocks: dict[int, Tree] = {}

    @property
    def size(self) -> int:
        """How many leaves the log has."""
        return self._size

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        return self._block(index >> NODE_LEVEL).leaf(index % BLOCK)

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Not for a stored tree: it grows in the store."""
        raise TypeError("a stored tree grows in the store, not in memory")

    def _block(self, b: int) -> Tree:
        found = self._blocks.get(b)
        if found is None:
            start = b << NODE_LEVEL
            rows = self._source.log_leaves(start, min(BLOCK, self._size - start))
            found = self._blocks[b] = Tree([leaf.hash for leaf in rows], self.hash)
        return found

    def _node(self, level: int, index: int) -> bytes:
        key = (level, index)
        found = self._nodes.get(key)
        if found is None:
            stored = self._source.log_node(level, index)
            if stored is not None:
                found = stored[0]
            elif level == NODE_LEVEL:
                found = self._block(index).root()
            else:  # missing (audit check names it): computed from below
                found = self.hash.node(
                    self._node(level - 1, 2 * index), self._node(level - 1, 2 * index + 1)
                )
            self._nodes[key] = found
        return found

    def _range(self, start: int, end: int) -> bytes:
        width = end - start
        aligned = width & (width - 1) == 0 and start % width == 0
        if aligned and width >= BLOCK:
            return self._node(width.bit_length() - 1, start // width)
        if start >> NODE_LEVEL == (end - 1) >> NODE_LEVEL:
            offset = start & ~(BLOCK - 1)
            return self._block(start >> NODE_LEVEL)._range(start - offset, end - offset)
        k = 1 << ((width - 1).bit_length() - 1)
        return self.hash.node(self._range(start, start + k), self._range(start + k, end))


def size_at_instant(source: NodeSource, size: int, as_of: datetime) -> int:
    """How many leaves run to the last one recorded at or before ``as_of``.

    The leaves after the last complete block are read; then the stored nodes of the
    right edge, right to left, descending into the first whose earliest recorded time
    is at or before ``as_of``: O(log n) reads.
    """
    limit = micros(as_of)

    def last_in_leaves(start: int, end: int) -> int | None:
        for leaf in reversed(source.log_leaves(start, end - start)):
            recorded = parse_recorded(leaf.recorded_at)
            if recorded is not None and recorded <= as_of:
                return leaf.index + 1
        return None

    def last_in(level: int, index: int) -> int | None:
        stored = source.log_node(level, index)
        if stored is not None and (stored[1] is None or stored[1] > limit):
            return None
        start = index << level
        if level == NODE_LEVEL:
            return last_in_leaves(start, start + BLOCK)
        right = last_in(level - 1, 2 * index + 1)
        return right if right is not None else last_in(level - 1, 2 * index)

    complete = size >> NODE_LEVEL << NODE_LEVEL
    if complete < size:
        found = last_in_leaves(complete, size)
        if found is not None:
            return found
    end, level = complete, NODE_LEVEL
    while end:
        if end & (1 << level):
            end -= 1 << level
            found = last_in(level, end >> level)
            if found is not None:
                return found
        level += 1
    return 0


class ExpectedNodes:
    """Every node the log should store, computed from its leaves fed in index order.

    Only one block of leaves is kept at a time. A block whose leaves are not all there
    (the log was edited) has no expected node, nor has any node above it.

    Args:
        hash: the log's hasher.
    """

    def __init__(self, hash: Hasher) -> None:
        self.hash = hash
        self._made: dict[tuple[int, int], Node] = {}
        self._block: list[tuple[bytes, str]] = []
        self._current = 0

    def add(self, leaf: Leaf) -> None:
        """One more leaf as written."""
        b = leaf.index >> NODE_LEVEL
        if b != self._current:
            self._close()
            self._block, self._current = [], b
        if leaf.index == (b << NODE_LEVEL) + len(self._block):
            self._block.append((leaf.hash, leaf.recorded_at))

    def _close(self) -> None:
        if len(self._block) == BLOCK:
            self._made[NODE_LEVEL, self._current] = _block_node(self.hash, self._block)

    def result(self) -> dict[tuple[int, int], Node]:
        """The nodes, by (level, index)."""
        self._close()
        self._block = []
        made = self._made
        level, below = NODE_LEVEL + 1, sorted(made)
        while below:
            above: list[tuple[int, int]] = []
            for lv, index in below:
                if index & 1 and (lv, index - 1) in made:
                    left, right = made[lv, index - 1], made[lv, index]
                    made[level, index >> 1] = (
                        self.hash.node(left[0], right[0]),
                        _earliest((left[1], right[1])),
                    )
                    above.append((level, index >> 1))
            below, level = above, level + 1
        return made


def expected_nodes(hash: Hasher, leaves: Iterable[Leaf]) -> dict[tuple[int, int], Node]:
    """Every node the log should store, computed from ``leaves`` in index order."""
    expected = ExpectedNodes(hash)
    for leaf in leaves:
        expected.add(leaf)
    return expected.result()


def build_nodes(
    hash: Hasher,
    read_leaves: Callable[[int, int], list[tuple[bytes, str]]],
    read_node: Callable[[int, int], Node | None],
    insert: Callable[[list[NodeRow]], None],
) -> None:
    """Store the nodes of a log that has leaves and no nodes yet, a page at a time.

    Args:
        hash: the log's hasher.
        read_leaves: ``(start, limit)`` -> stored leaves (hash, recorded time) in order.
        read_node: ``(level, index)`` -> a node stored (by an earlier page), or None.
        insert: stores node rows (in the caller's transaction).
    """
    start, page_size = 0, 256 * BLOCK
    while True:
        page = read_leaves(start, page_size)
        if page:
            insert(new_nodes(hash, start, page, lambda a, b: read_leaves(a, b - a), read_node))
        if len(page) < page_size:
            return
        start += len(page)

"""``audit check``'s comparison: the stored events against their leaves and checkpoints.

The stored events and the leaves written with them are walked side by side in position
order. Each event's leaf is recomputed from its stored bytes: an event whose leaf
differs was *altered* (its state, recorded time or topic, or the leaf itself); a
position whose leaf names another event was *reordered* (or replaced); an event
without a leaf was *inserted*; a leaf without its event was *removed*. The tree of the
recomputed leaves is then compared with each checkpoint, smallest first, and each with
the earlier ones by a consistency proof (ADR 0523).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from eventsourcing.persistence import Notification

from beatpolice.adapters.store._log_nodes import NODE_LEVEL, ExpectedNodes, NodeRow
from beatpolice.adapters.store.event_log import (
    Checkpoint,
    CheckResult,
    Problem,
    describe,
    parse_root,
    root_text,
)
from beatpolice.adapters.store.log_leaf import Leaf, leaf_hash
from beatpolice.adapters.store.merkle import Hasher, Tree, verify_consistency

__all__ = ["check_log"]


def check_log(
    hash: Hasher,
    records: Iterable[Notification],
    leaves: Iterable[Leaf],
    checkpoints: Sequence[Checkpoint] = (),
    nodes: Sequence[NodeRow] = (),
) -> CheckResult:
    """Compare ``records`` (stored events) with ``leaves``, ``nodes`` and ``checkpoints``.

    The stored nodes are compared with the tree of the leaves as written (ADR 0527).
    """
    problems: list[Problem] = []
    recomputed: list[bytes] = []
    seen: list[Leaf] = []  # each block's first leaf
    made = ExpectedNodes(hash)
    written = iter(_tap(leaves, seen, made))
    leaf = next(written, None)
    expected = 0  # the index the next leaf should have
    where: dict[tuple[str, int], int] = {}
    passed: list[Leaf] = []  # leaves whose position holds no event
    for record in records:
        identity = (str(record.originator_id), record.originator_version)
        where[identity] = record.id
        _, digest = leaf_hash(
            hash, record.id, record.originator_id, record.originator_version,
            record.topic, record.state,
        )  # fmt: skip
        recomputed.append(digest)
        at = f"position {record.id}: {describe(record.topic, *identity)}"
        while leaf is not None and leaf.position < record.id:
            passed.append(leaf)
            leaf, expected = next(written, None), expected + 1
        if leaf is None or leaf.position > record.id:
            problems.append(Problem(record.id, "inserted", f"{at} is not in the log (inserted)"))
            continue
        if leaf.index != expected:
            problems.append(
                Problem(
                    record.id,
                    "leaf",
                    f"{at}: the log's leaf {expected} is missing (the log itself was edited)",
                )
            )
            expected = leaf.index
        if (leaf.originator_id, leaf.version) != identity:
            logged = describe(leaf.topic, leaf.originator_id, leaf.version)
            problems.append(
                Problem(
                    record.id,
                    "reordered",
                    f"{at} stands where the log recorded {logged} (reordered or replaced)",
                )
            )
        elif leaf.hash != digest:
            problems.append(
                Problem(
                    record.id,
                    "altered",
                    f"{at} does not match its leaf (altered: its state, recorded time or "
                    "topic, or the leaf itself)",
                )
            )
        leaf, expected = next(written, None), expected + 1
    while leaf is not None:
        passed.append(leaf)
        leaf = next(written, None)
    for gone in passed:
        moved = where.get((gone.originator_id, gone.version))
        if moved is not None and moved != gone.position:
            continue  # named where it stands now
        logged = describe(gone.topic, gone.originator_id, gone.version)
        problems.append(
            Problem(
                gone.position,
                "removed",
                f"position {gone.position}: {logged} is in the log but not in the store (removed)",
            )
        )
    problems.extend(_against_nodes(nodes, made.result(), seen, problems))
    tree = Tree(recomputed, hash)
    problems.extend(_against_checkpoints(tree, checkpoints))
    return CheckResult(size=tree.size, root=root_text(hash, tree.root()), problems=tuple(problems))


def _tap(leaves: Iterable[Leaf], seen: list[Leaf], expected: ExpectedNodes) -> Iterator[Leaf]:
    """The leaves as walked, each fed to ``expected`` and each block's first noted."""
    for leaf in leaves:
        if not leaf.index % (1 << NODE_LEVEL):
            seen.append(leaf)
        expected.add(leaf)
        yield leaf


def _against_nodes(
    nodes: Sequence[NodeRow],
    expected: dict[tuple[int, int], tuple[bytes, int | None]],
    starts: Sequence[Leaf],
    found: Sequence[Problem],
) -> list[Problem]:
    """Stored nodes that differ from, are missing from or go beyond the written leaves.

    A node over an event already named (altered, removed, ...) is not named again.
    """
    by_block = {leaf.index >> NODE_LEVEL: leaf.position for leaf in starts}
    named = sorted(p.position for p in found)
    stored = {(level, index): (h, e) for level, index, h, e in nodes}
    problems: list[Problem] = []
    for key in sorted(stored.keys() | expected.keys()):
        level, index = key
        first, last = index << level, ((index + 1) << level) - 1
        blocks = first >> NODE_LEVEL, last >> NODE_LEVEL
        start = by_block.get(blocks[0], 0)
        end = by_block.get(blocks[1] + 1)
        if any(start <= p and (end is None or p < end) for p in named):
            continue
        what = f"the log's node over leaves {first}..{last} (level {level}, index {index})"
        if key not in expected:
            problems.append(
                Problem(start, "node", f"{what} covers leaves the log does not hold "
                        "(the log itself was edited)")
            )  # fmt: skip
        elif key not in stored:
            problems.append(
                Problem(
                    start,
                    "node",
                    f"position {start}: {what} is missing (the log itself was edited)",
                )
            )
        elif stored[key] != expected[key]:
            field = "hash" if stored[key][0] != expected[key][0] else "earliest recorded time"
            problems.append(
                Problem(
                    start,
                    "node",
                    f"position {start}: {what} does not match the leaves written under it "
                    f"(its {field}: the log itself was edited)",
                )
            )
    return problems


def _against_checkpoints(tree: Tree, checkpoints: Sequence[Checkpoint]) -> list[Problem]:
    problems: list[Problem] = []
    matched: list[tuple[Checkpoint, bytes]] = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.size):
        size = checkpoint.size
        try:
            hash, root = parse_root(checkpoint.root)
        except ValueError as error:
            problems.append(Problem(0, "checkpoint", f"checkpoint: {error}"))
            continue
        if hash != tree.hash:
            problems.append(
                Problem(0, "checkpoint", f"checkpoint of size {size}: its root is "
                        f"{hash.name}, the log's {tree.hash.name}")
            )  # fmt: skip
            continue
        if size > tree.size:
            problems.append(
                Problem(
                    tree.size + 1,
                    "removed",
                    f"checkpoint of size {size}: the store holds only {tree.size} events "
                    f"(events after position {tree.size} were removed)",
                )
            )
            continue
        if tree.root(size) != root:
            problems.append(
                Problem(
                    0,
                    "checkpoint",
                    f"checkpoint of size {size}: the first {size} stored events no longer "
                    f"hash to its root {checkpoint.root} (events and their leaves rewritten)",
                )
            )
            continue
        for earlier, earlier_root in matched:
            proof = tree.consistency_proof(earlier.size, size)
            if not verify_consistency(tree.hash, earlier.size, size, earlier_root, root, proof):
                problems.append(
                    Problem(0, "checkpoint", f"checkpoint of size {size} does not extend "
                            f"the checkpoint of size {earlier.size}")
                )  # fmt: skip
        matched.append((checkpoint, root))
    return problems

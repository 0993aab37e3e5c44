"""Properties of the log's Merkle tree: proofs verify for every size, and any single
edit, deletion, insertion or swap of entries changes the root."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from beatpolice.adapters.store.merkle import (
    SHA256,
    SM3,
    Hasher,
    Tree,
    verify_consistency,
    verify_inclusion,
)

entries = st.lists(st.binary(max_size=8), min_size=1, max_size=70)
hashes = st.sampled_from([SHA256, SM3])


def tree_of(items: list[bytes], hash: Hasher = SHA256) -> Tree:
    return Tree([hash.leaf(item) for item in items], hash)


def naive_root(items: list[bytes], hash: Hasher) -> bytes:
    """RFC 9162's recursive definition, spelled out."""
    if not items:
        return hash.empty()
    if len(items) == 1:
        return hash.leaf(items[0])
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hash.node(naive_root(items[:k], hash), naive_root(items[k:], hash))


@given(entries, hashes)
def test_root_is_the_recursive_definition_for_every_size(items: list[bytes], hash: Hasher) -> None:
    tree = tree_of(items, hash)
    for size in range(len(items) + 1):
        assert tree.root(size) == naive_root(items[:size], hash)


@given(entries, hashes, st.data())
def test_every_inclusion_proof_verifies(
    items: list[bytes], hash: Hasher, data: st.DataObject
) -> None:
    tree = tree_of(items, hash)
    size = data.draw(st.integers(1, len(items)))
    index = data.draw(st.integers(0, size - 1))
    proof = tree.inclusion_proof(index, size)
    assert verify_inclusion(hash, index, size, hash.leaf(items[index]), proof, tree.root(size))
    other = data.draw(st.integers(0, size - 1))
    if items[other] != items[index]:
        assert not verify_inclusion(
            hash, other, size, hash.leaf(items[other]), proof, tree.root(size)
        )


@given(entries, hashes, st.data())
def test_every_consistency_proof_verifies(
    items: list[bytes], hash: Hasher, data: st.DataObject
) -> None:
    tree = tree_of(items, hash)
    new = data.draw(st.integers(0, len(items)))
    old = data.draw(st.integers(0, new))
    proof = tree.consistency_proof(old, new)
    assert verify_consistency(hash, old, new, tree.root(old), tree.root(new), proof)


@given(entries, st.data())
def test_a_rewritten_history_is_not_consistent(items: list[bytes], data: st.DataObject) -> None:
    new = data.draw(st.integers(2, max(2, len(items))))
    assume(len(items) >= new)
    old = data.draw(st.integers(1, new - 1))
    index = data.draw(st.integers(0, old - 1))
    edited = list(items)
    edited[index] = edited[index] + b"!"
    honest, forged = tree_of(items), tree_of(edited)
    proof = forged.consistency_proof(old, new)
    assert not verify_consistency(SHA256, old, new, honest.root(old), forged.root(new), proof)


@given(entries, st.data())
def test_any_single_edit_changes_the_root(items: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    replacement = data.draw(st.binary(max_size=8).filter(lambda b: b != items[index]))
    edited = [*items[:index], replacement, *items[index + 1 :]]
    assert tree_of(edited).root() != tree_of(items).root()


@given(entries, st.data())
def test_any_deletion_or_insertion_changes_the_root(
    items: list[bytes], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    removed = [*items[:index], *items[index + 1 :]]
    inserted = [*items[:index], data.draw(st.binary(max_size=8)), *items[index:]]
    root = tree_of(items).root()
    assert tree_of(removed).root() != root
    assert tree_of(inserted).root() != root


@given(entries, st.data())
def test_any_swap_of_two_different_entries_changes_the_root(
    items: list[bytes], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(items) - 1))
    j = data.draw(st.integers(0, len(items) - 1))
    assume(items[i] != items[j])
    swapped = list(items)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert tree_of(swapped).root() != tree_of(items).root()


@given(entries, st.data())
def test_a_tree_extended_in_steps_equals_one_built_at_once(
    items: list[bytes], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(items)))
    grown = tree_of(items[:cut])
    grown.root()  # hash the complete subtrees of the shorter tree first
    grown.extend([SHA256.leaf(item) for item in items[cut:]])
    whole = tree_of(items)
    assert grown.root() == whole.root()
    index = data.draw(st.integers(0, len(items) - 1))
    assert grown.inclusion_proof(index) == whole.inclusion_proof(index)

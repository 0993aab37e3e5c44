"""The Merkle tree against RFC 6962 / 9162 test vectors (transparency-dev/merkle's
``testonly/constants.go`` and ``proof/verify_test.go``, the 8 leaves of CT's
``merkle_tree_test``), and SM3 against GB/T 32905's own example."""

from __future__ import annotations

import pytest

from beatpolice.adapters.store.merkle import (
    SHA256,
    SM3,
    Tree,
    hasher,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (1-based leaf, tree size, audit path), as the vectors give them
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]


@pytest.fixture
def tree() -> Tree:
    return Tree([SHA256.leaf(entry) for entry in LEAVES])


@pytest.mark.parametrize("size", range(9))
def test_root_of_every_size_matches_the_vectors(tree: Tree, size: int) -> None:
    assert tree.root(size) == ROOTS[size]


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_and_verify(
    tree: Tree, leaf: int, size: int, path: list[bytes]
) -> None:
    assert tree.inclusion_proof(leaf - 1, size) == path
    assert verify_inclusion(SHA256, leaf - 1, size, tree.leaf(leaf - 1), path, ROOTS[size])


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_corrupted_inclusion_proofs_fail(leaf: int, size: int, path: list[bytes]) -> None:
    index, leaf_hash, root = leaf - 1, SHA256.leaf(LEAVES[leaf - 1]), ROOTS[size]
    probes = [
        (index - 1, size, leaf_hash, path, root),
        (index + 1, size, leaf_hash, path, root),
        (index ^ 2, size, leaf_hash, path, root),
        (index, size * 2, leaf_hash, path, root),
        (index, size // 2, leaf_hash, path, root),
        (index, size, b"WrongLeaf", path, root),
        (index, size, leaf_hash, path, ROOTS[0]),
        (index, size, leaf_hash, [*path, b""], root),
        (index, size, leaf_hash, [*path, root], root),
        (index, size, leaf_hash, [b"", *path], root),
        (index, size, leaf_hash, [root, *path], root),
    ]
    for n in range(len(path)):
        flipped = list(path)
        flipped[n] = bytes([flipped[n][0] ^ 8]) + flipped[n][1:]
        probes.append((index, size, leaf_hash, flipped, root))
    if path:
        probes.append((index, size, leaf_hash, path[:-1], root))
    for probe in probes:
        assert not verify_inclusion(SHA256, *probe), probe


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(
    tree: Tree, old: int, new: int, path: list[bytes]
) -> None:
    assert tree.consistency_proof(old, new) == path
    assert verify_consistency(SHA256, old, new, ROOTS[old], ROOTS[new], path)


@pytest.mark.parametrize(("old", "new", "path"), [c for c in CONSISTENCY if c[2]])
def test_corrupted_consistency_proofs_fail(old: int, new: int, path: list[bytes]) -> None:
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [
        (old - 1, new, r1, r2, path),
        (old + 1, new, r1, r2, path),
        (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path),
        (old, new // 2, r1, r2, path),
        (old, new, b"WrongRoot", r2, path),
        (old, new, r1, b"WrongRoot", path),
        (old, new, r2, r1, path),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*path, b""]),
        (old, new, r1, r2, [*path, r1]),
        (old, new, r1, r2, [*path, r2]),
        (old, new, r1, r2, [b"", *path]),
        (old, new, r1, r2, [r1, *path]),
        (old, new, r1, r2, [r2, *path]),
        (old, new, r1, r2, [path[0], *path]),
        (old, new, r1, r2, path[:-1]),
    ]
    for n in range(len(path)):
        flipped = list(path)
        flipped[n] = bytes([flipped[n][0] ^ 16]) + flipped[n][1:]
        probes.append((old, new, r1, r2, flipped))
    for probe in probes:
        assert not verify_consistency(SHA256, *probe), probe


def test_trivial_consistency_cases() -> None:
    a, b = b"don't care 1", b"don't care 2"
    assert verify_consistency(SHA256, 0, 0, a, a, [])
    assert verify_consistency(SHA256, 0, 1, a, b, [])
    assert not verify_consistency(SHA256, 1, 1, a, b, [])
    assert not verify_consistency(SHA256, 1, 0, a, b, [])
    assert not verify_consistency(SHA256, 1, 2, a, b, [])
    assert not verify_consistency(SHA256, 1, 1, ROOTS[0], ROOTS[0], [ROOTS[0]])


def test_sm3_is_gbt_32905_example_and_trees_differ_from_sha256() -> None:
    # GB/T 32905-2016, appendix A, example 1: SM3("abc")
    assert SM3.digest(b"abc") == h(
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    sm3_tree = Tree([SM3.leaf(entry) for entry in LEAVES], SM3)
    assert sm3_tree.root() != ROOTS[8]
    assert verify_inclusion(
        SM3, 5, 8, sm3_tree.leaf(5), sm3_tree.inclusion_proof(5), sm3_tree.root()
    )
    assert hasher("SM3") is SM3
    with pytest.raises(ValueError, match="unknown log hash"):
        hasher("md5")

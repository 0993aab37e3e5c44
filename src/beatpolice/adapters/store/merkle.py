"""Merkle hash trees of RFC 9162 (Certificate Transparency v2), §2.1: pure functions.

A log of ``n`` entries has the Merkle Tree Hash ``MTH(D[n])``: the hash of the empty
string for no entries, ``H(0x00 || d)`` for one (the leaf hash), and
``H(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` otherwise, ``k`` being the largest power of two
smaller than ``n``. An inclusion proof shows that an entry is the ``m``-th of a tree of
size ``n`` (§2.1.3); a consistency proof shows that the tree of size ``n`` extends the
tree of size ``m`` without changing any of its first ``m`` entries (§2.1.4).

SHA-256 is the default hash; SM3 (GB/T 32905-2016) is the other (:data:`SM3`), for
stations assessed on commercial cryptography (商用密码应用安全性评估).

Example:
    >>> tree = Tree([SHA256.leaf(b"a"), SHA256.leaf(b"b"), SHA256.leaf(b"c")])
    >>> root = tree.root()
    >>> proof = tree.inclusion_proof(2)
    >>> verify_inclusion(SHA256, 2, 3, SHA256.leaf(b"c"), proof, root)
    True
    >>> verify_consistency(SHA256, 2, 3, tree.root(2), root, tree.consistency_proof(2))
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import attrs
from cryptography.hazmat.primitives import hashes

__all__ = [
    "HASHES",
    "SHA256",
    "SM3",
    "Hasher",
    "Tree",
    "hasher",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

_LEAF = b"\x00"
_NODE = b"\x01"


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@attrs.frozen
class Hasher:
    """A hash function as the tree uses it: leaf hashes, node hashes, the empty tree."""

    name: str
    """``sha256`` or ``sm3``: how checkpoints, reports and bundles name it."""
    digest: Callable[[bytes], bytes] = attrs.field(repr=False)
    """The bare hash of a byte string (32 bytes for both)."""

    def leaf(self, entry: bytes) -> bytes:
        """The leaf hash ``H(0x00 || entry)``."""
        return self.digest(_LEAF + entry)

    def node(self, left: bytes, right: bytes) -> bytes:
        """The interior node hash ``H(0x01 || left || right)``."""
        return self.digest(_NODE + left + right)

    def empty(self) -> bytes:
        """The root of the empty tree: the hash of the empty string."""
        return self.digest(b"")


SHA256 = Hasher("sha256", _sha256)
"""SHA-256, the default (RFC 6962 and 9162's own)."""

SM3 = Hasher("sm3", _sm3)
"""SM3 (GB/T 32905-2016), through ``cryptography``."""

HASHES = {SHA256.name: SHA256, SM3.name: SM3}
"""The hashes a log may use, by name."""


def hasher(name: str) -> Hasher:
    """The hasher called ``name`` (``sha256`` or ``sm3``).

    Raises:
        ValueError: another name.
    """
    try:
        return HASHES[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown log hash {name!r}: use sha256 or sm3") from None


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The Merkle tree over a list of leaf hashes, with its complete subtrees cached.

    Every complete subtree (``2**j`` leaves starting at a multiple of ``2**j``) is
    hashed once, level by level, so a root of any size and any proof costs O(log n)
    hashes after the first use.

    Args:
        leaves: the leaf hashes, in log order.
        hash: the hasher they were made with.
    """

    def __init__(self, leaves: Sequence[bytes], hash: Hasher = SHA256) -> None:
        self.hash = hash
        self._levels: list[list[bytes]] = [list(leaves)]

    @property
    def size(self) -> int:
        """How many leaves the tree has."""
        return len(self._levels[0])

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index`` (0-based)."""
        return self._levels[0][index]

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes: the log grew (every complete subtree hashed stays valid)."""
        self._levels[0].extend(leaves)

    def _level(self, height: int) -> list[bytes]:
        node = self.hash.node
        for h in range(1, height + 1):
            if len(self._levels) <= h:
                self._levels.append([])
            below, level = self._levels[h - 1], self._levels[h]
            level.extend(
                node(below[i], below[i + 1]) for i in range(2 * len(level), len(below) - 1, 2)
            )
        return self._levels[height]

    def _range(self, start: int, end: int) -> bytes:
        """``MTH`` of the leaves ``[start, end)`` (a non-empty range)."""
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self._level(width.bit_length() - 1)[start // width]
        k = _split(width)
        return self.hash.node(self._range(start, start + k), self._range(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The Merkle Tree Hash of the first ``size`` leaves (all by default).

        Raises:
            ValueError: ``size`` is negative or beyond the tree.
        """
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is not within 0..{self.size}")
        return self.hash.empty() if size == 0 else self._range(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of the first ``size`` leaves.

        RFC 9162 §2.1.3.1: ``PATH(m, D[n])``.

        Raises:
            ValueError: ``index`` is not a leaf of that tree.
        """
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"leaf {index} is not in a tree of size {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """The proof that the tree of size ``new`` extends the tree of size ``old``.

        RFC 9162 §2.1.4.1: ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)``.

        Raises:
            ValueError: the sizes are not ``0 <= old <= new <= size``.
        """
        new = self.size if new is None else new
        if not 0 <= old <= new <= self.size:
            raise ValueError(f"no consistency proof from size {old} to size {new}")
        if old == 0 or old == new:
            return []
        path: list[bytes] = []
        start, end, m, whole = 0, new, old, True
        while True:
            if m == end - start:
                if not whole:
                    path.append(self._range(start, end))
                break
            k = _split(end - start)
            if m <= k:
                path.append(self._range(start + k, end))
                end = start + k
            else:
                path.append(self._range(start, start + k))
                start, m, whole = start + k, m - k, False
        path.reverse()
        return path


def root_from_inclusion_proof(
    hash: Hasher, index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """The root an inclusion proof leads to, or None when the proof cannot be one.

    RFC 9162 §2.1.3.2, steps 1 to 5.
    """
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = hash.node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash.node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    hash: Hasher, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree ``root``."""
    return root_from_inclusion_proof(hash, index, size, leaf, proof) == root


def verify_consistency(
    hash: Hasher, old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree ``new_root`` (size ``new``) extends ``old_root``.

    RFC 9162 §2.1.4.2. Equal sizes need equal roots and an empty proof; any tree
    extends the empty tree.
    """
    if not 0 <= old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hash.node(c, fr)
            sr = hash.node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash.node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0

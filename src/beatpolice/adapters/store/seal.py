"""Seals: Ed25519-signed checkpoints of a store's log (``audit keygen``, ``audit seal``).

A sealed checkpoint is a JSON object, ``beatpolice-checkpoint/1``::

    {"format": "beatpolice-checkpoint/1", "size": 1234, "root": "sha256:<hex>",
     "sealed_at": "2014-02-01T00:00:00Z", "key_id": "ed25519:<16 hex>",
     "signature": "<base64 of the Ed25519 signature>"}

The signature is over the RFC 8785 (JCS) canonical JSON of the object without
``signature``; the key id is ``ed25519:`` and the first 16 hex digits of the SHA-256 of
the raw 32-byte public key. Keys are PEM files: the private key PKCS #8 (written with
mode 0600), the public key SubjectPublicKeyInfo (ADR 0525).

Example:
    >>> from datetime import UTC, datetime
    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> key = Ed25519PrivateKey.generate()
    >>> empty = Checkpoint(0, "sha256:" + "00" * 32)
    >>> sealed = seal(empty, key, now=datetime(2014, 2, 1, tzinfo=UTC))
    >>> verify_seal(sealed, key.public_key())
    True
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from beatpolice.adapters.store.event_log import Checkpoint, parse_root
from beatpolice.domain.canonical import canonical_json
from beatpolice.domain.errors import SealError

__all__ = [
    "CHECKPOINT_FORMAT",
    "PRIVATE_KEY_FILE",
    "PUBLIC_KEY_FILE",
    "SealedCheckpoint",
    "key_id",
    "keygen",
    "private_key",
    "public_key",
    "public_pem",
    "seal",
    "verify_seal",
]

CHECKPOINT_FORMAT = "beatpolice-checkpoint/1"
PRIVATE_KEY_FILE = "seal.key"
PUBLIC_KEY_FILE = "seal.pub"


@attrs.frozen
class SealedCheckpoint:
    """A checkpoint, when it was sealed, by which key, and the signature."""

    size: int
    root: str
    sealed_at: str
    """UTC, ISO 8601 with ``Z``."""
    key_id: str
    signature: str
    """Base64 of the 64-byte Ed25519 signature."""

    @property
    def checkpoint(self) -> Checkpoint:
        """The size and root sealed."""
        return Checkpoint(self.size, self.root)

    def body(self) -> dict[str, Any]:
        """What the signature covers: every field but the signature."""
        return {
            "format": CHECKPOINT_FORMAT,
            "size": self.size,
            "root": self.root,
            "sealed_at": self.sealed_at,
            "key_id": self.key_id,
        }

    def as_json(self) -> dict[str, Any]:
        """The checkpoint file's object."""
        return {**self.body(), "signature": self.signature}

    @classmethod
    def from_json(cls, data: object, *, where: str = "checkpoint") -> SealedCheckpoint:
        """Read a checkpoint object.

        Raises:
            SealError: not a ``beatpolice-checkpoint/1`` object.
        """
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise SealError(f"{where}: not a {CHECKPOINT_FORMAT} object")
        try:
            sealed = cls(
                size=_int(data["size"]),
                root=str(data["root"]),
                sealed_at=str(data["sealed_at"]),
                key_id=str(data["key_id"]),
                signature=str(data["signature"]),
            )
            parse_root(sealed.root)
        except (KeyError, TypeError, ValueError) as error:
            raise SealError(f"{where}: {error}") from None
        return sealed


def _int(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"size {value!r} is not a whole number")
    return value


def key_id(key: Ed25519PublicKey) -> str:
    """``ed25519:`` and the first 16 hex digits of the raw public key's SHA-256."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def public_pem(key: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def keygen(out: Path) -> tuple[Path, Path]:
    """Write a new key pair: ``out/seal.key`` (mode 0600) and ``out/seal.pub``.

    ``out`` is created if it does not exist.

    Raises:
        SealError: ``out`` is not a folder, or a key is already there (never overwritten).
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SealError(f"--out: cannot make folder {out}: {error.strerror or error}") from None
    if not out.is_dir():
        raise SealError(f"--out: {out} is not a folder")
    secret, public = out / PRIVATE_KEY_FILE, out / PUBLIC_KEY_FILE
    for path in (secret, public):
        if path.exists():
            raise SealError(f"--out: {path} exists; a seal key is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        os.chmod(secret, 0o600)  # whatever the umask
        public.write_text(public_pem(key.public_key()), encoding="ascii")
    except OSError as error:
        raise SealError(f"--out: cannot write {out}: {error.strerror or error}") from error
    return secret, public


def private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file ``path``.

    Raises:
        SealError: unreadable, or not an unencrypted Ed25519 private key.
    """
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise SealError(f"--key: cannot read {path}: {error.strerror or error}") from error
    except (ValueError, TypeError) as error:
        raise SealError(f"--key: {path} is not a PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SealError(f"--key: {path} is not an Ed25519 key")
    return key


def public_key(pem: bytes, *, where: str) -> Ed25519PublicKey:
    """The Ed25519 public key in ``pem``.

    Raises:
        SealError: not a PEM Ed25519 public key.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as error:
        raise SealError(f"{where}: not a PEM public key ({error})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SealError(f"{where}: not an Ed25519 key")
    return key


def _signed_bytes(body: dict[str, Any]) -> bytes:
    return canonical_json(body)


def seal(checkpoint: Checkpoint, key: Ed25519PrivateKey, *, now: datetime) -> SealedCheckpoint:
    """Sign ``checkpoint`` with ``key`` at ``now``."""
    unsigned = SealedCheckpoint(
        size=checkpoint.size,
        root=checkpoint.root,
        sealed_at=now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        key_id=key_id(key.public_key()),
        signature="",
    )
    signature = key.sign(_signed_bytes(unsigned.body()))
    return attrs.evolve(unsigned, signature=base64.b64encode(signature).decode("ascii"))


def verify_seal(sealed: SealedCheckpoint, key: Ed25519PublicKey) -> bool:
    """True when ``key`` made ``sealed``'s signature over its body."""
    if sealed.key_id != key_id(key):
        return False
    try:
        signature = base64.b64decode(sealed.signature, validate=True)
        key.verify(signature, _signed_bytes(sealed.body()))
    except (InvalidSignature, ValueError):
        return False
    return True

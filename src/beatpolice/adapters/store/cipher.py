"""Authenticated encryption of personal text, and the station's master key.

Two ciphers, both AEADs from ``cryptography`` (ADR 0702): ``aes-256-gcm`` (the
default) and ``sm4-gcm`` (GB/T 32907's SM4 in GCM mode, for systems assessed under
GB/T 39786; its keys are derived with SM3). A sealed value is ``nonce (12 bytes) ||
ciphertext || tag (16 bytes)``, bound to its data subject as associated data, so a
sealed value moved to another subject's event does not open.

The master key is 32 random bytes, written as base64 (``BEATPOLICE_MASTER_KEY``, or
the only line of a key file). It never encrypts data itself: it wraps data keys,
through a wrapping key derived from it with HKDF (ADR 0703).

Example:
    >>> key = MasterKey.generate()
    >>> data_key = new_data_key("aes-256-gcm")
    >>> wrapped = key.wrap(data_key, "dispute:D1")
    >>> key.unwrap(wrapped, "dispute:D1") == data_key
    True
    >>> box = seal("sm4-gcm", new_data_key("sm4-gcm"), b"x", b"dispute:D1")
    >>> len(box)
    29
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from beatpolice.domain.errors import MasterKeyError, SettingError

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "InvalidTag",
    "MasterKey",
    "new_data_key",
    "open_sealed",
    "seal",
]

ALGORITHMS = {"aes-256-gcm": 32, "sm4-gcm": 16}
"""The ciphers a station may choose, and their key sizes in bytes."""

DEFAULT_ALGORITHM = "aes-256-gcm"

_NONCE = 12
_TAG = 16


def checked_algorithm(name: str) -> str:
    """``name`` if it is a cipher of :data:`ALGORITHMS`; else a :class:`SettingError`."""
    if name not in ALGORITHMS:
        raise SettingError(f"unknown cipher {name!r}: use one of {', '.join(ALGORITHMS)}")
    return name


def new_data_key(algorithm: str) -> bytes:
    """A fresh random data key for ``algorithm``."""
    return secrets.token_bytes(ALGORITHMS[algorithm])


@lru_cache(maxsize=8192)
def _aes(key: bytes) -> AESGCM:
    return AESGCM(key)


def seal(algorithm: str, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` (bound to ``aad``) under ``key``."""
    nonce = os.urandom(_NONCE)
    if algorithm == "aes-256-gcm":
        return nonce + _aes(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def open_sealed(algorithm: str, key: bytes, box: bytes, aad: bytes) -> bytes:
    """Decrypt what :func:`seal` made.

    Raises:
        InvalidTag: the key or the associated data is not the one it was sealed with,
            or the box was altered.
    """
    nonce, body = box[:_NONCE], box[_NONCE:]
    if algorithm == "aes-256-gcm":
        return _aes(key).decrypt(nonce, body, aad)
    if len(body) < _TAG:
        raise InvalidTag
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-_TAG:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body[:-_TAG]) + decryptor.finalize()


class MasterKey:
    """The station's master key: it wraps data keys and names itself by a public id.

    Args:
        raw: 32 bytes.
        algorithm: the cipher that wraps data keys (``sm4-gcm`` derives its 16-byte
            wrapping key with HKDF over SM3, ``aes-256-gcm`` with HKDF over SHA-256).
    """

    def __init__(self, raw: bytes, *, algorithm: str = DEFAULT_ALGORITHM) -> None:
        if len(raw) != 32:
            raise MasterKeyError(
                f"a master key is 32 bytes (base64 of 32 random bytes), not {len(raw)}"
            )
        self._algorithm = checked_algorithm(algorithm)
        digest: hashes.HashAlgorithm = hashes.SM3() if algorithm == "sm4-gcm" else hashes.SHA256()
        self._wrapping = HKDF(
            digest, ALGORITHMS[algorithm], salt=None, info=b"beatpolice key wrapping"
        ).derive(raw)
        self._id = "k:" + hmac.new(raw, b"beatpolice key id", hashlib.sha256).hexdigest()[:16]
        self._digest_secret = HKDF(
            hashes.SHA256(), 32, salt=None, info=b"beatpolice digest secret"
        ).derive(raw)

    @classmethod
    def generate(cls, *, algorithm: str = DEFAULT_ALGORITHM) -> MasterKey:
        """A new random master key."""
        return cls(secrets.token_bytes(32), algorithm=algorithm)

    @classmethod
    def from_text(cls, text: str, *, algorithm: str = DEFAULT_ALGORITHM, where: str) -> MasterKey:
        """The master key written as base64 in ``text`` (``where`` names its source).

        Raises:
            MasterKeyError: ``text`` is not base64 of 32 bytes.
        """
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError(
                f"{where}: the master key is not base64 (give base64 of 32 random bytes)"
            ) from None
        if len(raw) != 32:
            raise MasterKeyError(
                f"{where}: the master key is {len(raw)} bytes; it must be 32 (base64 of 32 "
                "random bytes)"
            )
        return cls(raw, algorithm=algorithm)

    @staticmethod
    def new_text() -> str:
        """A new master key, as the base64 text a key file holds."""
        return base64.b64encode(secrets.token_bytes(32)).decode("ascii")

    @property
    def key_id(self) -> str:
        """The key's public id: ``k:`` and 16 hex digits of an HMAC of the key."""
        return self._id

    def digest_secret(self) -> bytes:
        """The digest secret a store begun under this key starts with (derived, ADR 0705).

        Stores begun under one master key key their digests alike; the secret is kept
        wrapped in the store, so rotating the master key later does not change it.
        """
        return self._digest_secret

    def wrap(self, data_key: bytes, subject: str) -> bytes:
        """Wrap ``data_key`` for ``subject``."""
        return seal(self._algorithm, self._wrapping, data_key, subject.encode("utf-8"))

    def unwrap(self, wrapped: bytes, subject: str) -> bytes:
        """Unwrap a data key of ``subject``.

        Raises:
            MasterKeyError: the key was wrapped by another master key, or altered.
        """
        try:
            return open_sealed(self._algorithm, self._wrapping, wrapped, subject.encode("utf-8"))
        except InvalidTag:
            raise MasterKeyError(
                f"the data key of {subject} does not open with master key {self._id}: "
                "this is not the store's master key (or the key table was altered)"
            ) from None

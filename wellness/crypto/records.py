"""Records: AES-256-GCM under a per-case data key, bound to where the ciphertext lives."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wellness.crypto.errors import DecryptionError

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16


def new_data_key() -> bytes:
    """A fresh random 256-bit key for one case."""
    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext``; ``context`` (see crypto.context) must match to decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, VERSION + context)


def decrypt(key: bytes, blob: bytes, context: bytes) -> bytes:
    """Decrypt a record or raise DecryptionError (wrong key, altered, truncated or moved)."""
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[:1] != VERSION:
        raise DecryptionError("ciphertext is truncated or of an unknown format")
    if len(key) != KEY_BYTES:
        raise DecryptionError("wrong key size")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, VERSION + context)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc

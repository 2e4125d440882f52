"""Sealing to a recipient's X25519 public key: ephemeral X25519 + HKDF-SHA256 -> AES-256-GCM.

Used to share a case's data key with each person it is shared with (and the recovery key), and to
seal small records (an officer's private index of their own cases) that only they can open. A
sealed box carries no recipient identifier, so a database copy does not say whom a box is for.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wellness.crypto.errors import DecryptionError

VERSION = b"\x01"
PUBLIC_BYTES = 32
NONCE_BYTES = 12
_INFO = b"wellness seal v1"


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _wrapping_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    # Both public keys go into the derivation so a box cannot be re-targeted (as in HPKE).
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=_INFO + ephemeral_public + recipient_public,
    ).derive(shared)


def seal(plaintext: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can open it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = _wrapping_key(shared, ephemeral_public, recipient_public)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, VERSION + context)
    return VERSION + ephemeral_public + nonce + sealed


def open_sealed(box: bytes, recipient_private: bytes, context: bytes) -> bytes:
    """Open a box made by seal() for this private key and context, or raise DecryptionError."""
    head = 1 + PUBLIC_BYTES + NONCE_BYTES
    if len(box) < head + 16 or box[:1] != VERSION:
        raise DecryptionError("sealed box is truncated or of an unknown format")
    ephemeral_public = box[1 : 1 + PUBLIC_BYTES]
    nonce, sealed = box[1 + PUBLIC_BYTES : head], box[head:]
    try:
        private = X25519PrivateKey.from_private_bytes(recipient_private)
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _wrapping_key(shared, ephemeral_public, _raw(private.public_key()))
        return AESGCM(key).decrypt(nonce, sealed, VERSION + context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("sealed box cannot be opened with this key") from exc

"""What earlier releases stored, made the way they made it: to prove it keeps opening."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wellness.crypto import envelope


def seal_v1(plaintext: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """A box in the hand-made format of earlier releases (ephemeral X25519 + HKDF + AES-GCM)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = envelope.legacy_key(shared, ephemeral_public, recipient_public)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, envelope.LEGACY + context)
    return envelope.LEGACY + ephemeral_public + nonce + sealed

"""Per-person X25519 keypairs; the private half is stored only wrapped (AES-256-GCM)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from wellness.crypto import records
from wellness.crypto.errors import DecryptionError


@dataclass(frozen=True)
class Keypair:
    private: bytes
    public: bytes


def generate() -> Keypair:
    """A new random keypair (raw 32-byte halves)."""
    private = X25519PrivateKey.generate()
    return Keypair(
        private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )


def public_of(private: bytes) -> bytes:
    """The public half of a raw private key."""
    try:
        key = X25519PrivateKey.from_private_bytes(private)
    except ValueError as exc:
        raise DecryptionError("not a private key") from exc
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def wrap_private(private: bytes, wrapping_key: bytes, context: bytes) -> bytes:
    """Encrypt a private key under a password-derived or session key."""
    return records.encrypt(wrapping_key, private, context)


def unwrap_private(wrapped: bytes, wrapping_key: bytes, context: bytes) -> bytes:
    """Decrypt a wrapped private key; DecryptionError on a wrong key or altered data."""
    return records.decrypt(wrapping_key, wrapped, context)

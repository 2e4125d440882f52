"""Per-person keypairs; the private half is stored only wrapped (AES-256-GCM).

New keypairs are hybrid post-quantum (ML-KEM-768 + X25519, the KEM of RFC 9180 HPKE's
``MLKEM768_X25519``): these records must stay private for years, and "harvest now, decrypt
later" is the one attack that can wait. A hybrid private key is a 32-byte seed from which both
halves are expanded, so it stays short enough to wrap, seal and (for the recovery key) print.

Encodings (a leading version byte; the classical format of earlier releases had none):

- hybrid public key: ``0x02 || ML-KEM-768 public (1184) || X25519 public (32)``
- hybrid private key: ``0x02 || seed (32)``
- classical (legacy): the raw 32-byte X25519 key, public or private
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from wellness.crypto import records
from wellness.crypto.errors import DecryptionError

HYBRID = b"\x02"
SEED_BYTES = 32
CLASSICAL_BYTES = 32
MLKEM_PUBLIC_BYTES = 1184
HYBRID_PUBLIC_BYTES = 1 + MLKEM_PUBLIC_BYTES + 32
HYBRID_PRIVATE_BYTES = 1 + SEED_BYTES
_EXPAND_INFO = b"wellness hybrid keypair v2"


@dataclass(frozen=True)
class Keypair:
    private: bytes
    public: bytes


def is_hybrid(key: bytes) -> bool:
    """True for a hybrid (post-quantum) public or private key, False for a classical one."""
    return key[:1] == HYBRID and len(key) in (HYBRID_PUBLIC_BYTES, HYBRID_PRIVATE_BYTES)


def _expand(seed: bytes) -> tuple[mlkem.MLKEM768PrivateKey, X25519PrivateKey]:
    if len(seed) != SEED_BYTES:
        raise DecryptionError("not a private key")
    material = HKDF(hashes.SHA256(), 96, salt=None, info=_EXPAND_INFO).derive(seed)
    return (
        mlkem.MLKEM768PrivateKey.from_seed_bytes(material[:64]),
        X25519PrivateKey.from_private_bytes(material[64:]),
    )


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def from_seed(seed: bytes) -> Keypair:
    """The hybrid keypair a 32-byte seed expands to (deterministic)."""
    kem, dh = _expand(seed)
    public = HYBRID + kem.public_key().public_bytes_raw() + _raw_public(dh.public_key())
    return Keypair(HYBRID + seed, public)


def generate() -> Keypair:
    """A new random hybrid keypair."""
    return from_seed(os.urandom(SEED_BYTES))


def generate_classical() -> Keypair:
    """A classical X25519 keypair, as earlier releases made (kept for migration tests only)."""
    private = X25519PrivateKey.generate()
    return Keypair(
        private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        _raw_public(private.public_key()),
    )


def fingerprint(public: bytes) -> str:
    """SHA-256 of a public key, in hex: what is pinned and what signatures name."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(public)
    return digest.finalize().hex()


def safety_code(public: bytes) -> str:
    """A short form of the fingerprint for two people to compare aloud ('3F9A 1C0D 77E2 …')."""
    text = fingerprint(public)[:20].upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def public_of(private: bytes) -> bytes:
    """The public half of an encoded private key (hybrid or classical)."""
    if len(private) == HYBRID_PRIVATE_BYTES and private[:1] == HYBRID:
        return from_seed(private[1:]).public
    if len(private) != CLASSICAL_BYTES:
        raise DecryptionError("not a private key")
    try:
        return _raw_public(X25519PrivateKey.from_private_bytes(private).public_key())
    except ValueError as exc:
        raise DecryptionError("not a private key") from exc


def hpke_private(private: bytes) -> hpke.MLKEM768X25519PrivateKey | X25519PrivateKey:
    """The `cryptography` key object HPKE opens boxes with."""
    if len(private) == HYBRID_PRIVATE_BYTES and private[:1] == HYBRID:
        return hpke.MLKEM768X25519PrivateKey(*_expand(private[1:]))
    if len(private) != CLASSICAL_BYTES:
        raise DecryptionError("not a private key")
    return X25519PrivateKey.from_private_bytes(private)


def hpke_public(public: bytes) -> hpke.MLKEM768X25519PublicKey | X25519PublicKey:
    """The `cryptography` key object HPKE seals to; ValueError for something else."""
    if len(public) == HYBRID_PUBLIC_BYTES and public[:1] == HYBRID:
        kem = mlkem.MLKEM768PublicKey.from_public_bytes(public[1 : 1 + MLKEM_PUBLIC_BYTES])
        dh = X25519PublicKey.from_public_bytes(public[1 + MLKEM_PUBLIC_BYTES :])
        return hpke.MLKEM768X25519PublicKey(kem, dh)
    if len(public) != CLASSICAL_BYTES:
        raise ValueError("not a public key")
    return X25519PublicKey.from_public_bytes(public)


def wrap_private(private: bytes, wrapping_key: bytes, context: bytes) -> bytes:
    """Encrypt a private key under a password-derived or session key."""
    return records.encrypt(wrapping_key, private, context)


def unwrap_private(wrapped: bytes, wrapping_key: bytes, context: bytes) -> bytes:
    """Decrypt a wrapped private key; DecryptionError on a wrong key or altered data."""
    return records.decrypt(wrapping_key, wrapped, context)

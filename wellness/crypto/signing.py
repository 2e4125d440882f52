"""Statements the server signs with a key the database never holds (Ed25519). Pure: no Flask.

The database is untrusted storage: someone who can write it could plant their own public key
where a counselor's (or the recovery key) should be and have the next case sealed to it. Every
public key the app seals to is therefore accompanied by the server's signature over *whose* key
it is, and what it may receive; the signing key lives only in ``instance/keys``. The same key
signs the access log's checkpoints.
"""

from __future__ import annotations

import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

SIGNATURE_BYTES = 64


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def statement(kind: str, *parts: bytes | str | int) -> bytes:
    """An unambiguous byte string: a kind, then each part length-prefixed."""
    out = _field(b"wellness:" + kind.encode())
    for part in parts:
        if isinstance(part, int):
            part = str(part)
        if isinstance(part, str):
            part = part.encode()
        out += _field(part)
    return out


def user_key(user_id: int, public: bytes) -> bytes:
    """'This public key belongs to account N': allows sealing the person's own records to it."""
    return statement("user-key-v1", user_id, hashlib.sha256(public).digest())


def role(user_id: int, role_name: str, public: bytes) -> bytes:
    """'Account N, with this key, was confirmed for this role': allows sealing cases to it."""
    return statement("role-v1", user_id, role_name, hashlib.sha256(public).digest())


def grant(grant_id: int, user_id: int, role_name: str, proposed_by: int) -> bytes:
    """'Admin P proposed role R for account N (proposal G)': a proposal the database alone
    cannot invent or point at someone else."""
    return statement("grant-v1", grant_id, user_id, role_name, proposed_by)


def inbox(public: bytes, entries: bytes) -> bytes:
    """'The server left these index entries for the holder of this key'."""
    return statement("inbox-v1", hashlib.sha256(public).digest(), entries)


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """The Ed25519 signature of ``message`` (a ``statement``) under ``key``."""
    return key.sign(message)


def verifies(public: Ed25519PublicKey, signature: bytes | None, message: bytes) -> bool:
    """True only for a valid signature over exactly ``message``."""
    if not signature or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def load_private(raw: bytes) -> Ed25519PrivateKey:
    """The signing key from the raw bytes its key file holds."""
    return Ed25519PrivateKey.from_private_bytes(raw)


def new_private_bytes() -> bytes:
    """A new Ed25519 private key, as the raw bytes its key file holds."""
    return Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )

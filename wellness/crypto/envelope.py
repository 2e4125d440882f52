"""Sealing to a recipient's public key: RFC 9180 HPKE from `cryptography`, nothing hand-made.

Used to share a case's data key with each person it is shared with (and the recovery key), and
to seal small records (an officer's private index of their own cases) that only they can open.
A sealed box carries no recipient identifier, so a database copy does not say whom it is for.

Formats (the first byte says which):

- ``0x02``: HPKE base mode, KEM ``MLKEM768_X25519`` (hybrid ML-KEM-768 + X25519), HKDF-SHA256,
  AES-256-GCM: what every box sealed to a hybrid key is.
- ``0x03``: HPKE base mode, KEM DHKEM(X25519), HKDF-SHA256, AES-256-GCM: only for a holder who
  still has a classical key from an earlier release (re-sealed to a hybrid key once they next
  unlock it).
- ``0x01``: the earlier hand-made seal (ephemeral X25519 + HKDF + AES-GCM): opened, never made.

The row context (table, row, field) goes into HPKE's ``info``, so a box copied to another row or
field does not open.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wellness.crypto import keypairs
from wellness.crypto.errors import DecryptionError

LEGACY, HYBRID, CLASSICAL = b"\x01", b"\x02", b"\x03"
_INFO = b"wellness seal v2\0"
_SUITES = {
    HYBRID: hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
    CLASSICAL: hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
}


def seal(plaintext: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the matching private key can open it."""
    version = HYBRID if keypairs.is_hybrid(recipient_public) else CLASSICAL
    try:
        public = keypairs.hpke_public(recipient_public)
    except ValueError as exc:
        raise DecryptionError("not a public key") from exc
    return version + _SUITES[version].encrypt(plaintext, public, _INFO + context)


def version_of(box: bytes) -> str:
    """'hybrid', 'classical' or 'legacy': what a stored box was sealed with."""
    return {HYBRID: "hybrid", CLASSICAL: "classical", LEGACY: "legacy"}.get(box[:1], "unknown")


def open_sealed(box: bytes, recipient_private: bytes, context: bytes) -> bytes:
    """Open a box made by seal() for this private key and context, or raise DecryptionError."""
    version = box[:1]
    if version == LEGACY:
        return _open_legacy(box, recipient_private, context)
    suite = _SUITES.get(version)
    if suite is None or keypairs.is_hybrid(recipient_private) != (version == HYBRID):
        raise DecryptionError("sealed box cannot be opened with this key")
    try:
        return suite.decrypt(box[1:], keypairs.hpke_private(recipient_private), _INFO + context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("sealed box cannot be opened with this key") from exc


# --- the seal of earlier releases: opened so that nothing stored is lost, never made -------

_LEGACY_INFO = b"wellness seal v1"
_PUBLIC, _NONCE = 32, 12


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def legacy_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    """The wrapping key of the earlier format (both public keys bound in, as in HPKE)."""
    info = _LEGACY_INFO + ephemeral_public + recipient_public
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def _open_legacy(box: bytes, recipient_private: bytes, context: bytes) -> bytes:
    head = 1 + _PUBLIC + _NONCE
    if len(box) < head + 16 or len(recipient_private) != 32:
        raise DecryptionError("sealed box is truncated or of an unknown format")
    ephemeral_public, nonce, sealed = box[1 : 1 + _PUBLIC], box[1 + _PUBLIC : head], box[head:]
    try:
        private = X25519PrivateKey.from_private_bytes(recipient_private)
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = legacy_key(shared, ephemeral_public, _raw(private.public_key()))
        return AESGCM(key).decrypt(nonce, sealed, LEGACY + context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("sealed box cannot be opened with this key") from exc

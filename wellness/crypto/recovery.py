"""The program recovery code: a private key written so a person can copy it by hand.

Shown once at ``init`` (or ``rotate-recovery``) and never stored; only its public half is kept,
pinned by a fingerprint in the instance folder. 32 key bytes plus a 4-byte check are written in
Crockford base32 (no I, L, O, U), in groups of five. The check also says which kind of key the
32 bytes are: the seed of a hybrid (ML-KEM-768 + X25519) keypair, or, in codes printed by earlier
releases, a classical X25519 private key.
"""

from __future__ import annotations

import hashlib
import hmac

from wellness.crypto import keypairs
from wellness.crypto.errors import RecoveryCodeError

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_CHECK = 4


_DOMAINS = {False: b"wellness recovery code", True: b"wellness recovery code v2 hybrid"}


def _check(data: bytes, hybrid: bool) -> bytes:
    return hashlib.sha256(_DOMAINS[hybrid] + data).digest()[:_CHECK]


def encode(private: bytes) -> str:
    """A private key (hybrid or classical) as a grouped, checksummed code for printing."""
    hybrid = keypairs.is_hybrid(private)
    raw = private[1:] if hybrid else private
    number = int.from_bytes(raw + _check(raw, hybrid), "big")
    bits = (len(raw) + _CHECK) * 8
    padded = bits + (-bits % 5)
    number <<= padded - bits
    chars = [_ALPHABET[(number >> shift) & 31] for shift in range(padded - 5, -1, -5)]
    text = "".join(chars)
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def decode(code: str) -> bytes:
    """The private key (hybrid or classical) in a typed code; RecoveryCodeError if mistyped."""
    cleaned = "".join(code.upper().split()).replace("-", "")
    try:
        values = [_DECODE[c] for c in cleaned]
    except KeyError as exc:
        raise RecoveryCodeError(
            "the code contains a character that is not in recovery codes"
        ) from exc
    total = (32 + _CHECK) * 8
    padded = total + (-total % 5)
    if len(values) * 5 != padded:
        raise RecoveryCodeError("the code has the wrong length")
    number = 0
    for value in values:
        number = (number << 5) | value
    if number & ((1 << (padded - total)) - 1):
        raise RecoveryCodeError("the code is mistyped (its last character is not possible)")
    data = (number >> (padded - total)).to_bytes(32 + _CHECK, "big")
    raw, check = data[:32], data[32:]
    if hmac.compare_digest(check, _check(raw, True)):
        return keypairs.HYBRID + raw
    if hmac.compare_digest(check, _check(raw, False)):
        return raw
    raise RecoveryCodeError("the code is mistyped (its check digits do not match)")


def matches(private: bytes, public: bytes) -> bool:
    """True when ``private`` is the recovery key whose public half is stored."""
    return hmac.compare_digest(keypairs.public_of(private), public)

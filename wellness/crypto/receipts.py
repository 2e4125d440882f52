"""Anonymous receipt codes: 80 random bits, easy to read aloud and to type on a phone.

The code is the only thing that ties an anonymous officer to their referral. The server keeps a
16-bit bucket tag (to find candidates) and the public half of a keypair derived from the code
with Argon2id and a per-receipt salt: a slow, salted hash from which the code cannot be got back,
and to which replies are sealed so that the server itself cannot read them.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wellness.crypto import kdf, keypairs
from wellness.crypto.errors import CryptoError

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_TYPOS = {"O": "0", "I": "1", "L": "1"}
LENGTH = 16  # 16 x 5 bits = 80 bits
GROUP = 4


class ReceiptError(CryptoError):
    """Not something that could be a receipt code."""


def new_code() -> str:
    """A fresh random code, e.g. 'K7QM-3XPD-9RTA-2WHN'."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(code: str) -> str:
    """Upper case, without spaces or dashes, common typos mended; ReceiptError if malformed."""
    cleaned = "".join(_TYPOS.get(c, c) for c in code.upper() if c not in " -\t")
    if len(cleaned) != LENGTH or any(c not in _ALPHABET for c in cleaned):
        raise ReceiptError(f"a receipt code has {LENGTH} letters and digits")
    return cleaned


def tag(code: str) -> int:
    """A 16-bit bucket for finding candidate receipts (reveals 16 of the 80 bits)."""
    digest = hashlib.sha256(b"wellness receipt tag\0" + normalise(code).encode()).digest()
    return int.from_bytes(digest[:2], "big")


def derive_keypair(code: str, params: kdf.KdfParams) -> keypairs.Keypair:
    """The keypair this code gives under ``params`` (slow on purpose)."""
    seed = kdf.derive_key(normalise(code), params)
    public = X25519PrivateKey.from_private_bytes(seed).public_key()
    return keypairs.Keypair(seed, public.public_bytes(Encoding.Raw, PublicFormat.Raw))

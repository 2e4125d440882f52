"""Anonymous receipt codes: 80 random bits, easy to read aloud and to type on a phone.

The code is the only thing that ties an anonymous officer to their referral. The server keeps a
16-bit bucket tag (to find candidates) and the public half of a hybrid keypair derived from the
code with Argon2id: a slow, salted hash from which the code cannot be got back, and to which
replies are sealed so that the server itself cannot read them.

Every receipt in a bucket shares one salt, computed from the bucket tag and a secret pepper kept in
the instance folder: a look-up then costs exactly one derivation whether the bucket is empty,
holds someone else's receipt or holds the right one, so its timing says nothing. Receipts made by
earlier releases carry a salt of their own (and a classical key); they are moved onto the
bucket's salt and a hybrid key the next time their code is used.
"""

from __future__ import annotations

import hashlib
import hmac
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


def bucket_params(bucket: int, pepper: bytes, time_cost: int, memory_kib: int) -> kdf.KdfParams:
    """The Argon2id parameters every receipt in ``bucket`` shares (salt from the pepper)."""
    salt = hmac.new(pepper, b"wellness receipt salt\0" + bucket.to_bytes(2, "big"), "sha256")
    return kdf.KdfParams(time_cost, memory_kib, 1, salt.digest()[: kdf.SALT_BYTES])


def derive_seed(code: str, params: kdf.KdfParams) -> bytes:
    """The 32-byte secret this code gives under ``params`` (slow on purpose)."""
    return kdf.derive_key(normalise(code), params)


def keypair_from_seed(seed: bytes, hybrid: bool = True) -> keypairs.Keypair:
    """The receipt's keypair: hybrid, or (receipts of earlier releases) classical X25519."""
    if hybrid:
        return keypairs.from_seed(seed)
    public = X25519PrivateKey.from_private_bytes(seed).public_key()
    return keypairs.Keypair(seed, public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def derive_keypair(code: str, params: kdf.KdfParams) -> keypairs.Keypair:
    """The hybrid keypair this code gives under ``params`` (slow on purpose)."""
    return keypair_from_seed(derive_seed(code, params))

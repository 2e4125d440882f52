"""Password rules and Argon2id hashing. Pure: no Flask."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128  # bounds the work an attacker can make the KDF do per request

# Unambiguous letters and digits for a temporary password read off a screen (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


class WeakPasswordError(ValueError):
    """The password breaks a rule; the message says which, in words a user can act on."""


def make_hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """An Argon2id hasher with the given cost; parameters are stored inside every hash."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def check_strength(password: str, username: str) -> None:
    """Raise WeakPasswordError unless the password is long enough and not the username."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"Use at most {MAX_LENGTH} characters.")
    if username and username.lower() in password.lower():
        raise WeakPasswordError("Do not include your username in your password.")
    if len(set(password)) < 5:
        raise WeakPasswordError("Use a less repetitive password.")


def verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; any malformed hash counts as no match."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def temporary_password(length: int = 16) -> str:
    """A random one-time password (about 92 bits) for a new or reset account."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))

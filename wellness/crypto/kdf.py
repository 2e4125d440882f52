"""Password-derived keys: Argon2id with a per-user salt, parameters stored beside the result."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from wellness.crypto.errors import CryptoError

SALT_BYTES = 16
KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost and salt; ``encode()`` is what is stored, so old parameters keep working."""

    time_cost: int
    memory_kib: int
    parallelism: int
    salt: bytes

    def encode(self) -> str:
        salt = base64.b64encode(self.salt).decode()
        return f"argon2id$t={self.time_cost},m={self.memory_kib},p={self.parallelism}${salt}"

    @classmethod
    def decode(cls, text: str) -> KdfParams:
        try:
            name, costs, salt = text.split("$")
            values = dict(item.split("=") for item in costs.split(","))
            params = cls(
                int(values["t"]),
                int(values["m"]),
                int(values["p"]),
                base64.b64decode(salt, validate=True),
            )
        except (ValueError, KeyError) as exc:
            raise CryptoError("unreadable key-derivation parameters") from exc
        if name != "argon2id" or len(params.salt) < SALT_BYTES:
            raise CryptoError("unsupported key-derivation parameters")
        return params


def new_params(time_cost: int, memory_kib: int, parallelism: int) -> KdfParams:
    """Parameters with a fresh random salt."""
    return KdfParams(time_cost, memory_kib, parallelism, os.urandom(SALT_BYTES))


def derive_key(password: str, params: KdfParams) -> bytes:
    """The 256-bit key that ``password`` gives under ``params``."""
    return hash_secret_raw(
        password.encode("utf-8"),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )

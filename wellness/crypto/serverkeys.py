"""The server key tier: versioned AES-256-GCM keys in the instance folder.

For the few fields a background job or the sign-in check must read without a person's keys
(PRODUCT.md: "encrypted under a server key that can be rotated"). Every ciphertext names the key
it was made with, so old rows stay readable while a rotation re-encrypts them.

Values are padded to fixed size buckets before encryption (64, 256, 1024 bytes, then whole KiB),
so the length of a token does not tell how long the address or name inside it is. Tokens of
earlier releases (``sk1``, unpadded) still open; rotation rewrites them as ``sk2``.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wellness.crypto.keyfiles import create_key_file

_NAME = re.compile(r"^server-(\d{4})\.key$")
_PREFIX = "sk2"  # format version of the token, not a key id
_PREFIXES = ("sk1", "sk2")
NONCE_BYTES = 12
BUCKETS = (64, 256, 1024)
_LEN = 2


class ServerKeyError(Exception):
    """A server-key token could not be opened: unknown key, altered, moved or truncated."""


@dataclass(frozen=True)
class ServerKeyring:
    keys: dict[int, bytes]

    @property
    def active_id(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: bytes, context: bytes, bucket: int = BUCKETS[0]) -> str:
        """Encrypt under the newest key; ``context`` (table, row, field) must match to decrypt.

        The value is padded to ``bucket`` bytes at least (and to the next bucket if longer).
        """
        key_id = self.active_id
        nonce = os.urandom(NONCE_BYTES)
        padded = pad(plaintext, bucket)
        sealed = AESGCM(self.keys[key_id]).encrypt(nonce, padded, _aad(_PREFIX, key_id, context))
        return f"{_PREFIX}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: bytes) -> bytes:
        """Open a token made by encrypt() for the same context, or raise ServerKeyError."""
        prefix, key_id, blob = _parse(token)
        key = self.keys.get(key_id)
        if key is None:
            raise ServerKeyError(f"server key {key_id} is not available")
        try:
            plain = AESGCM(key).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(prefix, key_id, context)
            )
        except InvalidTag as exc:
            raise ServerKeyError("server-key ciphertext failed authentication") from exc
        return unpad(plain) if prefix == _PREFIX else plain

    def key_id_of(self, token: str) -> int:
        return _parse(token)[1]

    def is_current(self, token: str) -> bool:
        """True when ``token`` is in the current format under the newest key."""
        prefix, key_id, _ = _parse(token)
        return prefix == _PREFIX and key_id == self.active_id


def pad(plaintext: bytes, bucket: int = BUCKETS[0]) -> bytes:
    """A 2-byte length, the value, and zeros up to the first bucket size that holds it."""
    need = _LEN + len(plaintext)
    size = next((b for b in BUCKETS if b >= max(need, bucket)), 0)
    if not size:
        size = -(-max(need, bucket) // 1024) * 1024
    return len(plaintext).to_bytes(_LEN, "big") + plaintext + b"\0" * (size - need)


def unpad(padded: bytes) -> bytes:
    """Undo ``pad``: the value without its length and zeros; ServerKeyError if the length is
    damaged."""
    length = int.from_bytes(padded[:_LEN], "big")
    if length > len(padded) - _LEN:
        raise ServerKeyError("server-key value has a damaged length")
    return padded[_LEN : _LEN + length]


def _aad(prefix: str, key_id: int, context: bytes) -> bytes:
    return f"{prefix}.{key_id}.".encode() + context


def is_token(value: object) -> bool:
    """Whether ``value`` has the server-key ciphertext format (any key, any version)."""
    if not isinstance(value, str):
        return False
    try:
        _parse(value)
    except ServerKeyError:
        return False
    return True


def _parse(token: str) -> tuple[str, int, bytes]:
    try:
        prefix, key_id, data = token.split(".", 2)
        blob = base64.urlsafe_b64decode(data.encode())
    except (ValueError, TypeError) as exc:
        raise ServerKeyError("malformed server-key ciphertext") from exc
    if prefix not in _PREFIXES or not key_id.isdigit() or len(blob) < NONCE_BYTES + 16:
        raise ServerKeyError("malformed server-key ciphertext")
    return prefix, int(key_id), blob


def key_files(directory: str | os.PathLike[str]) -> dict[int, Path]:
    """The server key files present, by key id."""
    directory = Path(directory)
    if not directory.is_dir():
        return {}
    found = {}
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def load(directory: str | os.PathLike[str]) -> ServerKeyring:
    """Read every server key; raise ServerKeyError if there are none (run ``init``)."""
    files = key_files(directory)
    if not files:
        raise ServerKeyError(f"no server keys in {directory}; run 'flask --app wellness init'")
    return ServerKeyring({key_id: path.read_bytes() for key_id, path in files.items()})


def add_key(directory: str | os.PathLike[str]) -> int:
    """Create the next server key (the first is 1) and return its id; existing keys are kept."""
    key_id = max(key_files(directory), default=0) + 1
    create_key_file(Path(directory) / f"server-{key_id:04d}.key", secrets.token_bytes(32))
    return key_id

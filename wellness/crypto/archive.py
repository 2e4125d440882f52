"""Encrypted, integrity-checked archives (backups). Pure: streams in, streams out.

Format: a header (magic, version, Argon2id parameters and salt), then chunks of at most 1 MiB,
each AES-256-GCM under a key derived from the operator's passphrase, with associated data that
binds the header, the chunk's position and whether it is the last. A flipped byte, a reordered,
missing or extra chunk, or a cut-off archive fails to open: nothing is returned from a damaged
archive, ever.
"""

from __future__ import annotations

import hashlib
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wellness.crypto import kdf
from wellness.crypto.errors import CryptoError

MAGIC = b"WELLNESS-BACKUP\x01"
CHUNK = 1024 * 1024
_LEN = struct.Struct(">I")
_POS = struct.Struct(">QB")
NONCE = 12


class ArchiveError(CryptoError):
    """The archive is damaged, truncated, not an archive, or the passphrase is wrong."""


def _header(params: kdf.KdfParams) -> bytes:
    encoded = params.encode().encode()
    return MAGIC + _LEN.pack(len(encoded)) + encoded


def encrypt_stream(src: BinaryIO, dst: BinaryIO, passphrase: str, params: kdf.KdfParams) -> None:
    """Write ``src`` to ``dst`` as an encrypted archive."""
    header = _header(params)
    key, bound = kdf.derive_key(passphrase, params), hashlib.sha256(header).digest()
    dst.write(header)
    index, block = 0, src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        nonce = os.urandom(NONCE)
        sealed = AESGCM(key).encrypt(nonce, block, bound + _POS.pack(index, last))
        dst.write(_LEN.pack(len(sealed)) + nonce + sealed)
        if last:
            return
        index, block = index + 1, following


def _read_exact(src: BinaryIO, size: int) -> bytes:
    data = src.read(size)
    if len(data) != size:
        raise ArchiveError("the archive is truncated")
    return data


def decrypt_stream(src: BinaryIO, dst: BinaryIO, passphrase: str) -> None:
    """Check and decrypt an archive into ``dst``; ArchiveError if anything is wrong.

    ``dst`` should be a scratch file: on an error part of it may have been written, and the
    caller must discard it (restore only uses the result once this returns).
    """
    if src.read(len(MAGIC)) != MAGIC:
        raise ArchiveError("not a wellness backup")
    (size,) = _LEN.unpack(_read_exact(src, _LEN.size))
    if size > 1000:
        raise ArchiveError("damaged archive header")
    encoded = _read_exact(src, size)
    try:
        params = kdf.KdfParams.decode(encoded.decode())
    except (CryptoError, UnicodeDecodeError) as exc:
        raise ArchiveError("damaged archive header") from exc
    key = kdf.derive_key(passphrase, params)
    bound = hashlib.sha256(MAGIC + _LEN.pack(size) + encoded).digest()
    index = 0
    while True:
        head = src.read(_LEN.size)
        if len(head) < _LEN.size:
            raise ArchiveError("the archive is truncated (its last part is missing)")
        (length,) = _LEN.unpack(head)
        if length > CHUNK + 16:
            raise ArchiveError("the archive is damaged")
        nonce, sealed = _read_exact(src, NONCE), _read_exact(src, length)
        for last in (False, True):
            try:
                block = AESGCM(key).decrypt(nonce, sealed, bound + _POS.pack(index, last))
            except InvalidTag:
                continue
            dst.write(block)
            if last:
                if src.read(1):
                    raise ArchiveError("the archive has data after its end")
                return
            break
        else:
            raise ArchiveError("the archive is damaged, or the passphrase is wrong")
        index += 1

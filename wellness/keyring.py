"""The app's server keyring (class B fields), read from instance/keys and reloaded on rotation."""

from __future__ import annotations

import os

from flask import current_app

from wellness.crypto import serverkeys

_EXT = "wellness_server_keys"


def key_dir() -> str:
    return os.path.join(current_app.instance_path, "keys")


def server_keyring(reload: bool = False) -> serverkeys.ServerKeyring:
    ext = current_app.extensions
    if reload or _EXT not in ext:
        ext[_EXT] = serverkeys.load(key_dir())
    return ext[_EXT]


def encrypt_field(plaintext: bytes, context: bytes) -> str:
    """Encrypt under the newest server key, re-reading the keys if another process added one
    (a rotation in progress must not see new values made under the key it is retiring)."""
    ring = server_keyring()
    if max(serverkeys.key_files(key_dir()), default=ring.active_id) != ring.active_id:
        ring = server_keyring(reload=True)
    return ring.encrypt(plaintext, context)


def decrypt_field(token: str, context: bytes) -> bytes:
    """Decrypt a server-key token (re-reading the keys once if it names a newer one)."""
    ring = server_keyring()
    if ring.key_id_of(token) not in ring.keys:
        ring = server_keyring(reload=True)
    return ring.decrypt(token, context)

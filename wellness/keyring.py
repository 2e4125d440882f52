"""The app's server keyring, read from instance/keys on first use."""

from __future__ import annotations

import os

from flask import current_app

from wellness.crypto import serverkeys


def key_dir() -> str:
    return os.path.join(current_app.instance_path, "keys")


def server_keyring() -> serverkeys.ServerKeyring:
    ext = current_app.extensions
    if "wellness_server_keys" not in ext:
        ext["wellness_server_keys"] = serverkeys.load(key_dir())
    return ext["wellness_server_keys"]

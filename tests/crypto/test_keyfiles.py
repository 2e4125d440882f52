import stat

import pytest

from wellness.crypto.keyfiles import KeyFileExistsError, create_key_file, read_or_create_random_key


def test_key_file_is_owner_only(tmp_path):
    path = create_key_file(tmp_path / "keys" / "k.key", b"secret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_existing_key_is_never_overwritten(tmp_path):
    path = create_key_file(tmp_path / "k.key", b"first")
    with pytest.raises(KeyFileExistsError):
        create_key_file(path, b"second")
    assert path.read_bytes() == b"first"


def test_random_key_is_created_once_then_reused(tmp_path):
    first = read_or_create_random_key(tmp_path / "secret_key")
    assert len(first) == 32
    assert read_or_create_random_key(tmp_path / "secret_key") == first

import base64
import stat

import pytest

from wellness.crypto import serverkeys
from wellness.crypto.serverkeys import ServerKeyError


@pytest.fixture
def keydir(tmp_path):
    directory = tmp_path / "keys"
    serverkeys.add_key(directory)
    return directory


def test_round_trip(keydir):
    ring = serverkeys.load(keydir)
    token = ring.encrypt(b"officer@example.org", b"users.email:1")
    assert b"officer" not in token.encode()
    assert ring.decrypt(token, b"users.email:1") == b"officer@example.org"


def test_ciphertext_moved_to_another_row_is_refused(keydir):
    ring = serverkeys.load(keydir)
    token = ring.encrypt(b"x", b"users.email:1")
    with pytest.raises(ServerKeyError):
        ring.decrypt(token, b"users.email:2")


def test_flipped_byte_is_refused(keydir):
    ring = serverkeys.load(keydir)
    prefix, key_id, data = ring.encrypt(b"hello", b"ctx").split(".")
    raw = bytearray(base64.urlsafe_b64decode(data))
    raw[-1] ^= 1
    with pytest.raises(ServerKeyError):
        ring.decrypt(f"{prefix}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}", b"ctx")


@pytest.mark.parametrize(
    "bad", ["", "sk1", "sk1.1.", "sk1.x.AAAA", "zz.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
)
def test_malformed_or_truncated_tokens_are_refused(keydir, bad):
    with pytest.raises(ServerKeyError):
        serverkeys.load(keydir).decrypt(bad, b"ctx")


def test_truncated_token_is_refused(keydir):
    ring = serverkeys.load(keydir)
    token = ring.encrypt(b"hello world", b"ctx")
    with pytest.raises(ServerKeyError):
        ring.decrypt(token[:-6], b"ctx")


def test_wrong_key_is_refused(tmp_path, keydir):
    token = serverkeys.load(keydir).encrypt(b"hello", b"ctx")
    other = tmp_path / "other"
    serverkeys.add_key(other)
    with pytest.raises(ServerKeyError):
        serverkeys.load(other).decrypt(token, b"ctx")


def test_new_key_encrypts_and_old_ciphertext_stays_readable(keydir):
    old_token = serverkeys.load(keydir).encrypt(b"old", b"ctx")
    assert serverkeys.add_key(keydir) == 2
    ring = serverkeys.load(keydir)
    assert ring.key_id_of(ring.encrypt(b"new", b"ctx")) == 2
    assert ring.decrypt(old_token, b"ctx") == b"old"


def test_key_files_are_owner_only(keydir):
    for path in serverkeys.key_files(keydir).values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_keys_is_an_explicit_error(tmp_path):
    with pytest.raises(ServerKeyError, match="init"):
        serverkeys.load(tmp_path / "nothing")


def test_token_length_does_not_reveal_the_length_of_the_value(keydir):
    ring = serverkeys.load(keydir)
    short = ring.encrypt(b"al@x.io", b"ctx", bucket=256)
    long = ring.encrypt(b"a.very.long.address.for.notices" * 7 + b"@example.org", b"ctx", 256)
    assert len(short) == len(long)
    assert ring.decrypt(long, b"ctx").endswith(b"@example.org")
    assert len(ring.encrypt(b"1", b"c")) == len(ring.encrypt(b"123456789", b"c"))


def test_unpadded_tokens_of_earlier_releases_still_open(keydir):
    ring = serverkeys.load(keydir)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = b"\0" * 12
    sealed = AESGCM(ring.keys[1]).encrypt(nonce, b"old value", b"sk1.1.ctx")
    token = "sk1.1." + base64.urlsafe_b64encode(nonce + sealed).decode()
    assert ring.decrypt(token, b"ctx") == b"old value"
    assert not ring.is_current(token)
